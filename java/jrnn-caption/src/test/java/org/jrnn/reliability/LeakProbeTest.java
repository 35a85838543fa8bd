/*
 * LeakProbeTest: 20,000 training iterations of a tiny model in a child JVM with a fixed,
 * pre-touched heap must leave native allocations, the heap and the RSS flat; and the probe must
 * notice a leak injected on purpose, counted or not.
 */
package org.jrnn.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class LeakProbeTest {
  private static final List<String> HEAP = List.of("-Xms256m", "-Xmx256m", "-XX:+AlwaysPreTouch");

  @Test
  void twentyThousandIterationsStayFlat() throws Exception {
    ChildJvm r = ChildJvm.run(HEAP, LeakProbe.class, 300, "--iterations", "20000", "--seed", "11");
    assertFalse(r.timedOut(), "hung:\n" + r.tail());
    assertEquals(0, r.exitCode(), "memory grew (or the JVM died):\n" + r.tail());
    assertTrue(r.output().contains("status=flat"), r.tail());
    assertEquals(20_000, r.number("LeakProbe summary:", "iterations"), r.tail());
    assertEquals(0, r.number("LeakProbe summary:", "leak_warnings"), r.tail());
    assertEquals(
        r.number("LeakProbe summary:", "live_baseline"),
        r.number("LeakProbe summary:", "live_end"),
        r.tail());
  }

  @Test
  void aCountedLeakIsCaught() throws Exception {
    ChildJvm r =
        ChildJvm.run(
            HEAP,
            LeakProbe.class,
            120,
            "--iterations",
            "400",
            "--seed",
            "1",
            "--inject-leak",
            "count");
    assertEquals(1, r.exitCode(), r.tail());
    assertTrue(r.output().contains("native allocations are live"), r.tail());
  }

  @Test
  void aLeakOutsideTheCountShowsInTheRss() throws Exception {
    // 16 kB a step for the 3000 steps after the warm-up: about 48 MB, far above the 4 MB bound and
    // the JIT's own settling
    ChildJvm r =
        ChildJvm.run(
            HEAP,
            LeakProbe.class,
            120,
            "--iterations",
            "4000",
            "--seed",
            "1",
            "--inject-leak",
            "rss");
    assertEquals(1, r.exitCode(), r.tail());
    assertTrue(r.output().contains("RSS grew by"), r.tail());
  }
}
