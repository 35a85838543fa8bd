/*
 * KillResumeTest: `jrnn train --checkpoint --resume` in a child JVM, SIGKILLed at random moments
 * (also during checkpoint writes) at least 10 times and resumed: the final model is byte-identical
 * to an uninterrupted run, and so is its metrics CSV but for the seconds column; every checkpoint
 * reads back, no temp file is left (KillProbe, ~30-60 s).
 *   mvn -B -ntp -q test -Djrnn.skipNative=true -Djrnn.native.dir=... -Dtest=KillResumeTest
 */
package org.jrnn.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class KillResumeTest {
  private static final int KILLS = 10;

  @TempDir static Path dir;

  private static KillProbe.Options options;
  private static KillProbe.Report report;

  @BeforeAll
  @Timeout(value = 240, unit = TimeUnit.SECONDS)
  static void killAndResume() throws Exception {
    options = new KillProbe.Options(KILLS, 11, dir);
    report = KillProbe.run(options);
  }

  private static String detail() {
    return report.line(options)
        + "\n"
        + String.join("\n", report.roundLines())
        + "\n"
        + String.join("\n", report.problems());
  }

  @Test
  void resumedRunsAreByteIdenticalToUninterruptedOnes() {
    assertEquals(0, report.childFailures(), detail());
    assertTrue(report.kills() >= KILLS, detail());
    assertTrue(
        report.killsDuringWrite() >= 1, "no kill landed during a checkpoint write\n" + detail());
    assertTrue(report.rounds() >= 1, detail());
    assertEquals(report.rounds(), report.resumesIdentical(), detail());
  }

  @Test
  void everyCheckpointLeftByAKillReadsBack() {
    assertEquals(0, report.unreadable(), detail());
    assertTrue(report.checkpointsRead() >= report.rounds(), detail());
  }

  @Test
  void theMetricsLogOfAResumedRunMatchesTheUninterruptedOne() {
    assertEquals(report.rounds(), report.metricsIdentical(), detail());
  }

  @Test
  void noTempFileIsLeftAfterResuming() {
    // a kill during a checkpoint or model write leaves .NAME.<hex>.tmp; the next save or resume
    // must remove it
    assertEquals(0, report.leftoverTmp(), detail());
  }
}
