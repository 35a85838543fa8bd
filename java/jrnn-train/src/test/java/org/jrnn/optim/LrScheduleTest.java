package org.jrnn.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.jrnn.JrnnException;
import org.junit.jupiter.api.Test;

/** Schedules against torch.optim.lr_scheduler (values from /usr/bin/python3, torch 1.13). */
class LrScheduleTest {
  @Test
  void parseErrorsQuoteAShortPieceOfTheSpec() {
    String huge = "9".repeat(100_000) + "x";
    for (String spec : List.of(huge, "step:" + huge + ":0.5", "cosine:" + huge)) {
      String m = assertThrows(JrnnException.class, () -> LrSchedule.parse(spec, 0)).getMessage();
      assertTrue(m.length() < 1000, m.length() + " characters");
      assertFalse(m.contains("java.") || m.contains("Exception"), m);
    }
  }

  @Test
  void cosineMatchesCosineAnnealingLR() {
    // CosineAnnealingLR(SGD(lr=0.1), T_max=10, eta_min=0.01): lr before each of steps 0..10
    double[] torch = {
      0.1,
      0.09779754323328192,
      0.09140576474687263,
      0.08145033635316129,
      0.06890576474687264,
      0.05500000000000001,
      0.04109423525312737,
      0.028549663646838717,
      0.01859423525312737,
      0.012202456766718092,
      0.01
    };
    LrSchedule s = LrSchedule.cosine(0.1);
    for (int t = 0; t < torch.length; t++) {
      assertEquals(torch[t], s.learningRate(0.1, t, 10), 1e-15, "step " + t);
    }
    assertEquals(0.01, s.learningRate(0.1, 15, 10), 1e-15); // holds the floor after the end
    assertEquals(0.1, s.learningRate(0.1, 5, 0), 0.0); // unknown total: no decay
  }

  @Test
  void stepMatchesStepLR() {
    // StepLR(SGD(lr=0.1), step_size=3, gamma=0.5)
    double[] torch = {0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025, 0.025};
    LrSchedule s = LrSchedule.step(3, 0.5);
    for (int t = 0; t < torch.length; t++) {
      assertEquals(torch[t], s.learningRate(0.1, t, 100), 1e-17, "step " + t);
    }
  }

  @Test
  void warmupThenCosine() {
    LrSchedule s = LrSchedule.warmup(4, LrSchedule.cosine());
    double[] expected = {
      0.25,
      0.5,
      0.75,
      1.0,
      1.0,
      (1 + Math.cos(Math.PI / 4)) / 2,
      0.5,
      (1 + Math.cos(3 * Math.PI / 4)) / 2,
      0.0,
      0.0
    };
    for (int t = 0; t < expected.length; t++) {
      assertEquals(expected[t], s.factor(t, 8), 1e-15, "step " + t);
    }
    assertEquals(1.0, LrSchedule.constant().factor(1000, 10));
  }

  @Test
  void parsesCommandLineSpecs() {
    assertEquals(0.5, LrSchedule.parse("step:2:0.5", 0).factor(2, 0), 0.0);
    assertEquals(0.25, LrSchedule.parse("cosine", 4).factor(0, 100), 0.0);
    assertEquals(0.5, LrSchedule.parse("cosine:0.5", 0).factor(10, 10), 1e-15);
    assertEquals(1.0, LrSchedule.parse("constant", 0).factor(10, 10));
    assertEquals(
        "unknown schedule 'linear' (constant, cosine, cosine:MIN, step:EVERY:GAMMA)",
        assertThrows(JrnnException.class, () -> LrSchedule.parse("linear", 0)).getMessage());
    assertThrows(JrnnException.class, () -> LrSchedule.parse("step:x:0.5", 0));
    assertThrows(JrnnException.class, () -> LrSchedule.parse("step:0:0.5", 0));
    assertThrows(JrnnException.class, () -> LrSchedule.parse("cosine", -1));
  }

  @Test
  void absurdArgumentsAreRefused() {
    assertEquals(
        "step schedule: every must be >= 1 but is 0",
        assertThrows(JrnnException.class, () -> LrSchedule.step(0, 0.5)).getMessage());
    assertEquals(
        "step schedule: gamma must be finite and > 0 but is NaN",
        assertThrows(JrnnException.class, () -> LrSchedule.step(1, Double.NaN)).getMessage());
    assertThrows(JrnnException.class, () -> LrSchedule.step(1, Double.POSITIVE_INFINITY));
    assertThrows(JrnnException.class, () -> LrSchedule.step(1, -0.5));
    assertThrows(JrnnException.class, () -> LrSchedule.cosine(Double.NaN));
    assertThrows(JrnnException.class, () -> LrSchedule.cosine(1.5));
    assertThrows(JrnnException.class, () -> LrSchedule.warmup(-1, LrSchedule.constant()));
    assertEquals(
        "warm-up: the schedule after it is null",
        assertThrows(JrnnException.class, () -> LrSchedule.warmup(0, null)).getMessage());
    assertThrows(JrnnException.class, () -> LrSchedule.warmup(5, null));
    assertEquals(
        "the schedule is null (constant, cosine, cosine:MIN, step:EVERY:GAMMA)",
        assertThrows(JrnnException.class, () -> LrSchedule.parse(null, 0)).getMessage());
    String longSpec = "z".repeat(1000);
    assertEquals(
        "unknown schedule '"
            + "z".repeat(200)
            + "...' (1000 characters) (constant, cosine, cosine:MIN, step:EVERY:GAMMA)",
        assertThrows(JrnnException.class, () -> LrSchedule.parse(longSpec, 0)).getMessage());
    assertEquals(
        "schedule step(every 3, gamma 0.5): step must be >= 0 but is -1",
        assertThrows(JrnnException.class, () -> LrSchedule.step(3, 0.5).factor(-1, 10))
            .getMessage());
    assertThrows(
        JrnnException.class, () -> LrSchedule.warmup(2, LrSchedule.cosine()).factor(-5, 10));
  }
}
