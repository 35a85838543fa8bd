// ProgressBar output in both modes, captured from a PrintStream with a fake clock.
package org.jrnn.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ProgressBarTest {
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
  private final AtomicLong nanos = new AtomicLong(1_000_000_000L);

  private String output() {
    return bytes.toString(StandardCharsets.UTF_8);
  }

  private void advance(double seconds) {
    nanos.addAndGet((long) (seconds * 1e9));
  }

  @Test
  void plainModePrintsOneLinePerTenPercent() {
    ProgressBar bar = new ProgressBar("train", 100, out, false, nanos::get);
    for (int i = 0; i < 100; i++) {
      advance(0.5); // 2 it/s
      bar.metric("loss", 2.0 - i * 0.01);
      bar.step();
    }
    bar.close();
    String[] lines = output().split("\n");
    assertEquals(10, lines.length, output());
    assertFalse(output().contains("\r"));
    assertEquals("train 10/100  10% | 2.00 it/s | ETA 0:45 | loss=1.910", lines[0]);
    assertEquals("train 50/100  50% | 2.00 it/s | ETA 0:25 | loss=1.510", lines[4]);
    assertEquals("train 100/100 100% | 2.00 it/s | took 0:50 | loss=1.010", lines[9]);
  }

  @Test
  void plainModeAlsoPrintsAfterTheInterval() {
    ProgressBar bar =
        new ProgressBar("eval", 1000, out, false, nanos::get).plainInterval(Duration.ofSeconds(10));
    for (int i = 0; i < 30; i++) {
      advance(1);
      bar.step();
    }
    // 30 steps of 1000 is 3%: only the 10 s rule fires, at 10, 20 and 30 s
    assertEquals(3, output().split("\n").length, output());
    assertTrue(output().startsWith("eval 10/1000   1% | 1.00 it/s | ETA 16:30\n"), output());
    bar.close();
    assertEquals(3, output().split("\n").length, "close does not repeat an up-to-date line");
  }

  @Test
  void interactiveModeRedrawsOneLineInPlace() {
    ProgressBar bar = new ProgressBar("epoch 1", 20, out, true, nanos::get);
    for (int i = 0; i < 20; i++) {
      advance(0.25);
      bar.metric("acc", 0.5);
      bar.step();
    }
    assertFalse(output().contains("\n"), "no newline before close");
    assertEquals(20, output().chars().filter(c -> c == '\r').count(), "one redraw per 250 ms step");
    bar.close();
    String text = output();
    assertTrue(text.endsWith("\repoch 1 20/20 100% | 4.00 it/s | took 0:05 | acc=0.5000\n"), text);
    assertEquals(1, text.chars().filter(c -> c == '\n').count());
  }

  @Test
  void interactiveModeThrottlesAndClearsLeftovers() {
    ProgressBar bar = new ProgressBar("x", 0, out, true, nanos::get);
    for (int i = 0; i < 150; i++) {
      advance(0.001);
      bar.metric("note", i < 100 ? "a long note" : "short").step();
    }
    bar.close();
    String text = output();
    // 150 steps of 1 ms: throttled to one redraw at 100 ms, plus the final one at close
    String[] draws = text.split("\r");
    assertEquals(3, draws.length, text); // "" before the first \r, then two lines
    assertEquals("x 100 | 1000.00 it/s | elapsed 0:00 | note=a long note", draws[1]);
    // the shorter last line is padded with spaces over the longer one, then ended
    assertEquals(
        "x 150 | 1000.00 it/s | elapsed 0:00 | note=short" + " ".repeat(6) + "\n", draws[2]);
  }

  @Test
  void clockTextFormats() {
    assertEquals("0:07", ProgressBar.clockText(7.2));
    assertEquals("2:05", ProgressBar.clockText(125));
    assertEquals("1:01:01", ProgressBar.clockText(3661));
  }
}
