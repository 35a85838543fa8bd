package org.jrnn.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.jrnn.JrnnException;
import org.jrnn.optim.Adam;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Listeners added with Trainer.Builder.listener: what they see, in which order, and how they stop a
 * run.
 */
class TrainingListenerTest {
  @TempDir Path dir;

  private final List<AutoCloseable> open = new ArrayList<>();

  @AfterEach
  void free() throws Exception {
    for (AutoCloseable c : open) {
      c.close();
    }
  }

  TrainerTest.Regression task(long seed) {
    TrainerTest.Regression t = new TrainerTest.Regression(seed);
    open.add(t.model);
    return t;
  }

  static Trainer.Builder quiet() {
    return Trainer.builder().quiet().optimizer(ps -> Adam.builder().lr(0.05).build(ps)).seed(3);
  }

  /** Writes every call as a line, e.g. "afterUpdate 5". */
  static class Recorder implements TrainingListener {
    final List<String> calls = new ArrayList<>();
    final List<Double> lossesBefore = new ArrayList<>();
    final List<Double> lossesAfter = new ArrayList<>();

    @Override
    public void onStart(TrainingContext c) {
      calls.add("onStart " + c.step());
    }

    @Override
    public void onEpochStart(TrainingContext c) {
      calls.add("onEpochStart " + c.epoch());
    }

    @Override
    public void beforeUpdate(TrainingContext c, double loss, double gradientNorm) {
      calls.add("beforeUpdate " + c.step());
      lossesBefore.add(loss);
    }

    @Override
    public void afterUpdate(TrainingContext c) {
      calls.add("afterUpdate " + c.step());
      lossesAfter.add(c.lastLoss());
    }

    @Override
    public void afterValidation(TrainingContext c, Map<String, Double> metrics) {
      calls.add("afterValidation " + c.step());
      assertEquals(metrics, c.lastValidation());
    }

    @Override
    public void onStepEnd(TrainingContext c) {
      calls.add("onStepEnd " + c.step());
    }

    @Override
    public void onEpochEnd(TrainingContext c, EpochSummary e) {
      calls.add(
          "onEpochEnd "
              + e.epoch()
              + (e.complete() ? "" : " partial")
              + (e.validation().isEmpty() ? "" : " valid"));
    }

    @Override
    public void onEnd(TrainingContext c) {
      calls.add("onEnd " + c.stopReason());
    }
  }

  @Test
  void aListenerSeesEveryStepInOrder() {
    Recorder r = new Recorder();
    BatchSource<int[]> src = TrainerTest.batches(64, 10); // 7 batches per epoch
    try (Trainer tr = quiet().epochs(2).validateEvery(3).listener(r).build()) {
      TrainResult result = tr.fit(task(1), src, src);
      assertEquals(14, result.steps());
    }
    List<String> expected = new ArrayList<>(List.of("onStart 0"));
    for (int epoch = 0; epoch < 2; epoch++) {
      expected.add("onEpochStart " + epoch);
      for (int b = 0; b < 7; b++) {
        long step = epoch * 7L + b;
        expected.add("beforeUpdate " + step);
        expected.add("afterUpdate " + (step + 1));
        if ((step + 1) % 3 == 0) {
          expected.add("afterValidation " + (step + 1));
        }
        expected.add("onStepEnd " + (step + 1));
      }
      expected.add("onEpochEnd " + epoch);
    }
    expected.add("onEnd EPOCHS");
    assertEquals(expected, r.calls);
    // the loss a listener sees after the update is the one the guard saw before it
    assertEquals(r.lossesBefore, r.lossesAfter);
    assertTrue(r.lossesAfter.stream().allMatch(Double::isFinite));
  }

  @Test
  void epochEndsCarryTheirValidationAndAStoppedRunEndsWithAPartialEpoch() {
    Recorder r = new Recorder();
    BatchSource<int[]> src = TrainerTest.batches(64, 10);
    TrainingListener stopper =
        new TrainingListener() {
          @Override
          public void afterUpdate(TrainingContext c) {
            if (c.step() == 10) {
              c.requestStop(StopReason.STOPPED_BY_LISTENER);
              c.requestStop(StopReason.EARLY_STOPPING); // the first request wins
            }
          }
        };
    Path ck = dir.resolve("run.ckpt");
    TrainResult result;
    try (Trainer tr = quiet().epochs(5).checkpoint(ck).listener(r).listener(stopper).build()) {
      result = tr.fit(task(1), src, src);
    }
    assertEquals(StopReason.STOPPED_BY_LISTENER, result.stopReason());
    assertEquals(10, result.steps());
    assertEquals(2, result.epochs());
    List<String> ends =
        r.calls.stream().filter(c -> c.startsWith("onEpochEnd") || c.startsWith("onEnd")).toList();
    assertEquals(
        List.of("onEpochEnd 0 valid", "onEpochEnd 1 partial valid", "onEnd STOPPED_BY_LISTENER"),
        ends);
    // the request takes effect after the step: its validation and checkpoint still come
    int stop = r.calls.indexOf("afterUpdate 10");
    assertEquals(
        List.of("onStepEnd 10", "afterValidation 10", "onEpochEnd 1 partial valid"),
        r.calls.subList(stop + 1, stop + 4));
    assertEquals(10, readCheckpoint(ck).trainer().step());
  }

  @Test
  void aStopRequestedAtTheStartTrainsNothing() {
    TrainingListener stopAtOnce =
        new TrainingListener() {
          @Override
          public void onStart(TrainingContext c) {
            c.requestStop(StopReason.STOPPED_BY_LISTENER);
          }
        };
    TrainerTest.Regression t = task(1);
    float[] before = TrainerTest.params(t);
    try (Trainer tr = quiet().epochs(3).listener(stopAtOnce).build()) {
      TrainResult result = tr.fit(t, TrainerTest.batches(64, 10), null);
      assertEquals(StopReason.STOPPED_BY_LISTENER, result.stopReason());
      assertEquals(0, result.steps());
    }
    assertTrue(Arrays.equals(before, TrainerTest.params(t)));
  }

  @Test
  void aListenersExceptionReachesTheCallerUnchangedAndTheBuiltInsClose() throws IOException {
    IllegalStateException boom = new IllegalStateException("listener failed");
    TrainingListener failing =
        new TrainingListener() {
          @Override
          public void afterUpdate(TrainingContext c) {
            if (c.step() == 3) {
              throw boom;
            }
          }
        };
    Recorder after = new Recorder();
    ByteArrayOutputStream progress = new ByteArrayOutputStream();
    Path csv = dir.resolve("m.csv");
    try (Trainer tr =
        quiet()
            .epochs(2)
            .logEvery(1)
            .metricsCsv(csv)
            .progress(new PrintStream(progress, true, StandardCharsets.UTF_8), true)
            .listener(failing)
            .listener(after)
            .build()) {
      RuntimeException e =
          assertThrows(
              RuntimeException.class, () -> tr.fit(task(1), TrainerTest.batches(64, 10), null));
      assertSame(boom, e);
    }
    // the listener after the failing one never saw step 3, and the run did not end normally
    assertFalse(after.calls.contains("afterUpdate 3"), after.calls.toString());
    assertTrue(after.calls.contains("afterUpdate 2"));
    assertFalse(after.calls.stream().anyMatch(c -> c.startsWith("onEnd")));
    // built-ins ran before it and were closed: the bar's line ended, the metrics rows of steps 1..3
    // are there
    String shown = progress.toString(StandardCharsets.UTF_8);
    assertTrue(shown.endsWith("\n") && shown.contains("3/7"), shown);
    assertEquals(1 + 3, Files.readAllLines(csv).size());
  }

  @Test
  void builtInListenersRunBeforeTheUsersAndTheCheckpointAfterTheMetricsLog() throws IOException {
    Path ck = dir.resolve("run.ckpt");
    Path csv = dir.resolve("m.csv");
    List<String> seen = new ArrayList<>();
    TrainingListener probe =
        new TrainingListener() {
          @Override
          public void afterValidation(TrainingContext c, Map<String, Double> metrics) {
            // the metrics log wrote the validation's row before this listener
            List<String> rows = lines(csv);
            assertTrue(
                rows.get(rows.size() - 1).startsWith("valid,")
                    && rows.get(rows.size() - 1).contains("," + c.step() + ","),
                rows.toString());
            seen.add("valid " + c.step());
          }

          @Override
          public void onStepEnd(TrainingContext c) {
            // the checkpoint of this step is written, after the metrics log's rows of the step
            Checkpoint saved = readCheckpoint(ck);
            assertEquals(c.step(), saved.trainer().step());
            assertEquals(c.validations().size(), saved.trainer().history().size());
            Checkpoint.MetricsLogState log = saved.trainer().metricsLog();
            if (!log.columns().isEmpty()) {
              assertEquals(size(csv), log.csvBytes());
            }
            seen.add("step " + c.step());
          }

          @Override
          public void onEnd(TrainingContext c) {
            // the best parameters are back before this listener's onEnd
            seen.add("end restored " + c.stopReason() + " " + (c.bestStep() != c.step()));
          }
        };
    TrainerTest.Regression t = task(1);
    TrainResult result;
    try (Trainer tr =
        quiet()
            .epochs(4)
            .logEvery(1)
            .validateEvery(2)
            .metricsCsv(csv)
            .checkpoint(ck)
            .checkpointEvery(1)
            .restoreBest(true)
            .optimizer(
                ps ->
                    Adam.builder()
                        .lr(0.8)
                        .build(ps)) // a rate that overshoots, so the best is not the last
            .listener(probe)
            .build()) {
      result = tr.fit(t, TrainerTest.batches(64, 10), TrainerTest.batches(64, 64));
    }
    assertEquals(28, seen.stream().filter(s -> s.startsWith("step ")).count());
    assertEquals(14, seen.stream().filter(s -> s.startsWith("valid ")).count());
    assertTrue(result.restoredBest(), "the test needs a run whose best is not its last step");
    assertEquals("end restored EPOCHS true", seen.get(seen.size() - 1));
    TrainResult.Validation best =
        result.history().stream()
            .filter(v -> v.step() == result.bestStep())
            .findFirst()
            .orElseThrow();
    assertEquals(
        best.metrics().get("loss"),
        t.evaluate(TrainerTest.batches(64, 64).epoch(0, 3)).get("loss"));
  }

  @Test
  void misuseOfListenersIsAJrnnException() {
    assertThrows(JrnnException.class, () -> Trainer.builder().listener(null));
    TrainingListener badStop =
        new TrainingListener() {
          @Override
          public void onStart(TrainingContext c) {
            c.requestStop(null);
          }
        };
    try (Trainer tr = quiet().epochs(1).listener(badStop).build()) {
      JrnnException e =
          assertThrows(
              JrnnException.class, () -> tr.fit(task(1), TrainerTest.batches(64, 10), null));
      assertTrue(e.getMessage().contains("a stop needs a reason"), e.getMessage());
    }
  }

  static Checkpoint readCheckpoint(Path ck) {
    try {
      return Checkpoint.read(ck);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static List<String> lines(Path p) {
    try {
      return Files.readAllLines(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static long size(Path p) {
    try {
      return Files.size(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
