package org.jrnn.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.jrnn.Device;
import org.jrnn.JrnnException;
import org.jrnn.Tensor;
import org.jrnn.data.Batches;
import org.jrnn.internal.SplitMix64;
import org.jrnn.nn.Parameter;
import org.jrnn.nn.Trainable;
import org.jrnn.optim.Adam;
import org.jrnn.optim.GradientClipping;
import org.jrnn.optim.LrSchedule;
import org.jrnn.optim.NonFiniteException;
import org.jrnn.optim.Sgd;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainerTest {
  @TempDir Path dir;

  private final List<AutoCloseable> open = new ArrayList<>();

  @AfterEach
  void free() throws Exception {
    for (AutoCloseable c : open) {
      c.close();
    }
  }

  /** A linear model y = x·w + b with its gradients computed on the host. */
  static final class LinearModel implements Trainable {
    final Parameter weight;
    final Parameter bias;

    LinearModel(long seed) {
      SplitMix64 r = new SplitMix64(seed);
      float[] w = new float[3];
      for (int i = 0; i < 3; i++) {
        w[i] = (float) (r.nextDouble() - 0.5);
      }
      weight = new Parameter("linear.weight", Tensor.of(w).keep(), Tensor.zeros(3).keep());
      bias = new Parameter("linear.bias", Tensor.zeros(1).keep(), Tensor.zeros(1).keep());
    }

    @Override
    public List<Parameter> parameters() {
      return List.of(weight, bias);
    }

    @Override
    public Device device() {
      return Device.cpu();
    }

    @Override
    public void close() {
      for (Parameter p : parameters()) {
        p.value().close();
        p.grad().close();
      }
    }
  }

  /**
   * Least squares on 64 synthetic examples. Its own state (a step counter that slightly scales the
   * loss) must survive checkpoints, so resuming without it would not be bit for bit.
   */
  static class Regression implements Task<int[]>, ResumableTask, NonFiniteLocator<int[]> {
    final float[][] x = new float[64][3];
    final float[] y = new float[64];
    final LinearModel model;
    long counter;
    long crashAt = -1;
    final List<float[]> seenAtValidation = new ArrayList<>();

    Regression(long modelSeed) {
      SplitMix64 r = new SplitMix64(7);
      for (int i = 0; i < 64; i++) {
        for (int k = 0; k < 3; k++) {
          x[i][k] = (float) (2 * r.nextDouble() - 1);
        }
        y[i] =
            1.5f * x[i][0]
                - 2f * x[i][1]
                + 0.5f * x[i][2]
                + 0.25f
                + (float) (0.01 * (r.nextDouble() - 0.5));
      }
      model = new LinearModel(modelSeed);
    }

    @Override
    public Trainable model() {
      return model;
    }

    @Override
    public StepResult trainStep(int[] batch) {
      if (counter == crashAt) {
        throw new IllegalStateException("simulated crash at step " + counter);
      }
      float scale = 1f + 0.01f * (counter++ % 3);
      float[] w = model.weight.value().toArray();
      float b = model.bias.value().toArray()[0];
      float[] gw = model.weight.grad().toArray();
      float[] gb = model.bias.grad().toArray();
      double loss = 0;
      for (int i : batch) {
        float e = x[i][0] * w[0] + x[i][1] * w[1] + x[i][2] * w[2] + b - y[i];
        loss += scale * e * e;
        float d = 2f * scale * e / batch.length;
        for (int k = 0; k < 3; k++) {
          gw[k] += d * x[i][k];
        }
        gb[0] += d;
      }
      model.weight.grad().copyFrom(gw);
      model.bias.grad().copyFrom(gb);
      return new StepResult(loss, batch.length);
    }

    @Override
    public Map<String, Double> evaluate(Iterable<int[]> batches) {
      seenAtValidation.add(model.weight.value().toArray());
      float[] w = model.weight.value().toArray();
      float b = model.bias.value().toArray()[0];
      double sum = 0;
      long n = 0;
      for (int[] batch : batches) {
        for (int i : batch) {
          float e = x[i][0] * w[0] + x[i][1] * w[1] + x[i][2] * w[2] + b - y[i];
          sum += e * e;
          n++;
        }
      }
      Map<String, Double> m = new LinkedHashMap<>();
      m.put("loss", sum / n);
      m.put("rmse", Math.sqrt(sum / n));
      return m;
    }

    @Override
    public String primaryMetric() {
      return "loss";
    }

    @Override
    public boolean higherIsBetter() {
      return false;
    }

    @Override
    public State trainingState() {
      return new State(Map.of(), Map.of("counter", Long.toString(counter)));
    }

    @Override
    public void restoreTrainingState(State s) {
      counter = Long.parseLong(s.values().get("counter"));
    }

    @Override
    public String locateNonFinite(int[] batch) {
      for (int i : batch) {
        for (float v : x[i]) {
          if (!Float.isFinite(v)) {
            return "input example " + i;
          }
        }
      }
      return null;
    }
  }

  /** Batches of 10 of the 64 examples, shuffled per epoch from the seed. */
  static BatchSource<int[]> batches(int n, int size) {
    return new BatchSource<>() {
      @Override
      public Iterable<int[]> epoch(int epoch, long seed) {
        return Batches.builder(n, size).seed(seed).build().epoch(epoch);
      }

      @Override
      public int batchesPerEpoch() {
        return (n + size - 1) / size;
      }
    };
  }

  Regression task(long modelSeed) {
    Regression t = new Regression(modelSeed);
    open.add(t.model);
    return t;
  }

  static Trainer.Builder quiet() {
    return Trainer.builder().quiet().optimizer(Adam.builder().lr(0.05)::build).seed(3);
  }

  static float[] params(Regression t) {
    float[] w = t.model.weight.value().toArray();
    float[] b = t.model.bias.value().toArray();
    return new float[] {w[0], w[1], w[2], b[0]};
  }

  @Test
  void reducesTheLossAndReports() {
    Regression t = task(1);
    BatchSource<int[]> src = batches(64, 10);
    try (Trainer tr = quiet().epochs(30).build()) {
      double before = tr.evaluate(t, src).get("loss");
      TrainResult r = tr.fit(t, src, src);
      assertEquals(StopReason.EPOCHS, r.stopReason());
      assertEquals(30, r.epochs());
      assertEquals(30 * 7, r.steps());
      assertEquals(30, r.history().size());
      double after = r.lastValidation().get("loss");
      assertTrue(after < before / 100, before + " -> " + after);
      assertEquals(after, tr.evaluate(t, src).get("loss"));
      assertTrue(r.lastTrainLoss() < before / 10);
    }
  }

  @Test
  void seededRunsAreBitForBitEqualAndSeedsMatter() {
    float[][] out = new float[3][];
    long[] seeds = {3, 3, 4};
    for (int k = 0; k < 3; k++) {
      Regression t = task(1);
      try (Trainer tr = quiet().seed(seeds[k]).epochs(3).build()) {
        tr.fit(t, batches(64, 10), null);
      }
      out[k] = params(t);
    }
    assertArrayEquals(out[0], out[1]);
    assertFalse(java.util.Arrays.equals(out[0], out[2]));
  }

  @Test
  void resumeAfterACrashContinuesBitForBit() throws IOException {
    BatchSource<int[]> src = batches(64, 10);
    Path straightCk = dir.resolve("straight.ckpt");
    Regression straight = task(1);
    TrainResult a;
    try (Trainer tr = quiet().epochs(6).checkpoint(straightCk).build()) {
      a = tr.fit(straight, src, src);
    }
    // the same run, crashing at step 19 (in epoch 3), with checkpoints every 5 steps and at epoch
    // ends
    Path ck = dir.resolve("run.ckpt");
    Regression first = task(1);
    first.crashAt = 19;
    try (Trainer tr = quiet().epochs(6).checkpoint(ck).checkpointEvery(5).build()) {
      IllegalStateException e =
          assertThrows(IllegalStateException.class, () -> tr.fit(first, src, src));
      assertEquals("simulated crash at step 19", e.getMessage());
    }
    Checkpoint saved = Checkpoint.read(ck);
    assertEquals(15, saved.trainer().step());
    assertEquals(2, saved.trainer().epoch());
    assertEquals(1, saved.trainer().batchInEpoch());
    // a new process: another initialisation, state restored from the checkpoint
    Regression second = task(99);
    TrainResult b;
    try (Trainer tr = quiet().epochs(6).checkpoint(ck).checkpointEvery(5).resume(true).build()) {
      b = tr.fit(second, src, src);
    }
    assertArrayEquals(params(straight), params(second));
    assertEquals(a.steps(), b.steps());
    assertEquals(a.stopReason(), b.stopReason());
    assertEquals(a.lastTrainLoss(), b.lastTrainLoss());
    assertEquals(
        a.history().stream().map(TrainResult.Validation::metrics).toList(),
        b.history().stream().map(TrainResult.Validation::metrics).toList());
    assertEquals(a.bestStep(), b.bestStep());
    // the final checkpoints hold the same optimiser state
    assertEquals(
        Checkpoint.read(straightCk).optimizer().buffers().keySet(),
        Checkpoint.read(ck).optimizer().buffers().keySet());
    for (String k : Checkpoint.read(ck).optimizer().buffers().keySet()) {
      assertArrayEquals(
          Checkpoint.read(straightCk).optimizer().buffers().get(k),
          Checkpoint.read(ck).optimizer().buffers().get(k),
          k);
    }
    // resuming a finished run does nothing
    try (Trainer tr = quiet().epochs(6).checkpoint(ck).resume(true).build()) {
      TrainResult c = tr.fit(task(5), src, src);
      assertEquals(StopReason.ALREADY_DONE, c.stopReason());
      assertEquals(a.steps(), c.steps());
    }
  }

  /**
   * The lines of a metrics CSV without its seconds column (the only one that depends on the clock).
   */
  static List<String> csvWithoutSeconds(Path csv) throws IOException {
    List<String> lines = Files.readAllLines(csv);
    assertEquals("seconds", lines.get(0).split(",")[3]);
    List<String> out = new ArrayList<>();
    for (String l : lines) {
      List<String> f = new ArrayList<>(List.of(l.split(",", -1)));
      f.remove(3);
      out.add(String.join(",", f));
    }
    return out;
  }

  /** The lines of a metrics JSONL file without the seconds field. */
  static List<String> jsonlWithoutSeconds(Path jsonl) throws IOException {
    List<String> out = new ArrayList<>();
    for (String l : Files.readAllLines(jsonl)) {
      String cut = l.replaceFirst("\"seconds\":[0-9.E-]+,", "");
      assertNotEquals(l, cut);
      out.add(cut);
    }
    return out;
  }

  @Test
  void aRunCrashedAndResumedAgainAndAgainLogsTheSameMetricsAsTheUninterruptedOne()
      throws IOException {
    BatchSource<int[]> src = batches(64, 10); // 7 batches per epoch, 28 steps
    BatchSource<int[]> valid = batches(64, 64);
    // train rows every 3 steps, validations every 10 (the first names the log's columns),
    // checkpoints every 4 steps and at epoch ends
    java.util.function.Function<String, Trainer.Builder> options =
        name ->
            quiet()
                .epochs(4)
                .logEvery(3)
                .validateEvery(10)
                .checkpoint(dir.resolve(name + ".ckpt"))
                .checkpointEvery(4)
                .resume(true)
                .metricsCsv(dir.resolve(name + ".csv"))
                .metricsJsonl(dir.resolve(name + ".jsonl"));
    try (Trainer tr = options.apply("straight").build()) {
      tr.fit(task(1), src, valid);
    }
    List<String> straight = csvWithoutSeconds(dir.resolve("straight.csv"));
    assertEquals(
        1 + 9 + 2,
        straight.size(),
        String.join("\n", straight)); // train rows 3..27, valid 10 and 20
    assertTrue(straight.get(4).startsWith("valid,2,10,"), straight.get(4));
    // crashes (kill -9 leaves what a thrown exception leaves: files as written, nothing flushed at
    // the end), each life resuming from the last checkpoint:
    // - at 6: train rows 3 and 6 still wait for the first validation (checkpoint 4 holds row 3)
    // - at 11: after validation 10 started the file; the last checkpoint (8) is from before
    // - at 19: row 18 written after checkpoint 16; checkpoint 16 is inside row 18's loss window
    // - at 25: resumed after the last validation, the log must go on with its columns
    for (long crashAt : new long[] {6, 11, 19, 25}) {
      // the first life starts from scratch (the same initialisation); the others load a checkpoint
      Regression t = task(crashAt == 6 ? 1 : crashAt);
      t.crashAt = crashAt;
      try (Trainer tr = options.apply("run").build()) {
        IllegalStateException e =
            assertThrows(IllegalStateException.class, () -> tr.fit(t, src, valid));
        assertEquals("simulated crash at step " + crashAt, e.getMessage());
      }
    }
    try (Trainer tr = options.apply("run").build()) {
      assertEquals(StopReason.EPOCHS, tr.fit(task(7), src, valid).stopReason());
    }
    assertEquals(straight, csvWithoutSeconds(dir.resolve("run.csv")));
    assertEquals(
        jsonlWithoutSeconds(dir.resolve("straight.jsonl")),
        jsonlWithoutSeconds(dir.resolve("run.jsonl")));
  }

  @Test
  void aResumedRunWhoseFirstLifeLeftNoCheckpointStartsANewMetricsLog() throws IOException {
    BatchSource<int[]> src = batches(64, 10);
    Path csv = dir.resolve("m.csv");
    Trainer.Builder options =
        quiet()
            .epochs(1)
            .logEvery(1)
            .checkpoint(dir.resolve("run.ckpt"))
            .resume(true)
            .metricsCsv(csv);
    Regression first = task(1);
    first.crashAt = 5; // before the checkpoint at the end of the epoch
    try (Trainer tr = options.build()) {
      assertThrows(IllegalStateException.class, () -> tr.fit(first, src, null));
    }
    assertEquals(1 + 5, Files.readAllLines(csv).size());
    try (Trainer tr = options.build()) {
      tr.fit(task(1), src, null);
    }
    List<String> lines = Files.readAllLines(csv);
    assertEquals(1 + 7, lines.size(), String.join("\n", lines));
    for (int s = 1; s <= 7; s++) {
      assertTrue(lines.get(s).startsWith("train,1," + s + ","), lines.get(s));
    }
  }

  @Test
  void checkpointsWithoutTheMetricsFieldsStillRead() {
    Map<String, Object> json =
        new Checkpoint.TrainerState(
                2,
                3,
                17,
                5,
                1.5,
                2.25,
                30,
                0.125,
                14,
                1,
                List.of(),
                0.75,
                20,
                new Checkpoint.MetricsLogState(
                    List.of(),
                    0,
                    -1,
                    List.of(
                        new Checkpoint.MetricsRow(1, 3, 0.001, 0.05, null, 2.5),
                        new Checkpoint.MetricsRow(1, 6, 0.002, 0.05, 1.0 / 3, Double.NaN))))
            .toJson();
    Checkpoint.TrainerState back =
        Checkpoint.TrainerState.fromJson(
            org.jrnn.io.Json.parseObject(org.jrnn.io.Json.write(json)));
    assertEquals(Checkpoint.TrainerState.fromJson(new LinkedHashMap<>(json)), back);
    assertEquals(0.75, back.windowLossSum());
    assertEquals(20, back.windowLossCount());
    assertEquals(null, back.metricsLog().waiting().get(0).loss());
    assertEquals(1.0 / 3, back.metricsLog().waiting().get(1).loss());
    // as written before the loss window and the metrics log were kept
    json.remove("window_loss_sum");
    json.remove("window_loss_count");
    json.remove("metrics_log");
    Checkpoint.TrainerState old =
        Checkpoint.TrainerState.fromJson(
            org.jrnn.io.Json.parseObject(org.jrnn.io.Json.write(json)));
    assertEquals(17, old.step());
    assertEquals(0, old.windowLossSum());
    assertEquals(0, old.windowLossCount());
    assertEquals(null, old.metricsLog());
  }

  @Test
  void aMetricsLogShorterThanItsCheckpointSaysIsNotResumedOver() throws IOException {
    Path ck = dir.resolve("run.ckpt");
    Path csv = dir.resolve("run.csv");
    try (Trainer tr = quiet().epochs(1).logEvery(2).checkpoint(ck).metricsCsv(csv).build()) {
      tr.fit(task(1), batches(64, 10), null);
    }
    byte[] full = Files.readAllBytes(csv);
    Files.write(csv, java.util.Arrays.copyOf(full, full.length - 3));
    try (Trainer tr =
        quiet().epochs(2).logEvery(2).checkpoint(ck).metricsCsv(csv).resume(true).build()) {
      UncheckedIOException e =
          assertThrows(UncheckedIOException.class, () -> tr.fit(task(1), batches(64, 10), null));
      assertEquals(
          "could not resume the metrics log: "
              + csv
              + ": has "
              + (full.length - 3)
              + " bytes, fewer than the "
              + full.length
              + " it had at the checkpoint, so it was changed since; move it away to start a new log",
          e.getMessage());
    }
    assertEquals(full.length - 3, Files.size(csv));
  }

  @Test
  void fileErrorsNameThePathOnceAndCutLongOnes() throws IOException {
    Path missing = dir.resolve("missing").resolve("run.ckpt");
    try (Trainer tr = quiet().epochs(1).checkpoint(missing).build()) {
      UncheckedIOException e =
          assertThrows(UncheckedIOException.class, () -> tr.fit(task(1), batches(64, 10), null));
      assertEquals(
          "could not write the checkpoint " + missing + ": its folder does not exist",
          e.getMessage());
    }
    Path log = dir.resolve("missing").resolve("m.csv");
    try (Trainer tr = quiet().epochs(1).metricsCsv(log).build()) {
      UncheckedIOException e =
          assertThrows(UncheckedIOException.class, () -> tr.fit(task(1), batches(64, 10), null));
      assertEquals("could not open the metrics log: " + log + ": no such file", e.getMessage());
    }
    Path deep = Files.createDirectories(dir.resolve("a".repeat(120)).resolve("b".repeat(120)));
    Path ck = deep.resolve("run.ckpt");
    try (Trainer tr = quiet().epochs(1).checkpoint(ck).build()) {
      tr.fit(task(1), batches(64, 10), null);
    }
    try (Trainer tr = quiet().seed(4).epochs(2).checkpoint(ck).resume(true).build()) {
      JrnnException e =
          assertThrows(JrnnException.class, () -> tr.fit(task(1), batches(64, 10), null));
      assertTrue(
          e.getMessage()
              .matches(
                  "the checkpoint .{200}\\.\\.\\. \\("
                      + ck.toString().length()
                      + " characters\\) was made with seed 3, not 4"),
          e.getMessage());
    }
  }

  @Test
  void aFailedCheckpointWriteLeavesTheOldOneIntact() throws IOException {
    Regression t = task(1);
    Path ck = dir.resolve("model.ckpt");
    try (Trainer tr = quiet().epochs(1).checkpoint(ck).build()) {
      tr.fit(t, batches(64, 10), null);
      byte[] before = Files.readAllBytes(ck);
      t.model.weight.value().copyFrom(new float[] {9, 9, 9});
      IOException e =
          assertThrows(
              IOException.class,
              () ->
                  Checkpoint.write(
                      ck,
                      t.model,
                      tr.optimizer(),
                      Checkpoint.read(ck).trainer(),
                      null,
                      null,
                      out ->
                          new FilterOutputStream(out) {
                            long n;

                            @Override
                            public void write(int b) throws IOException {
                              if (++n > 100) {
                                throw new IOException("disk full");
                              }
                              super.write(b);
                            }

                            @Override
                            public void write(byte[] b, int off, int len) throws IOException {
                              for (int i = 0; i < len; i++) {
                                write(b[off + i]);
                              }
                            }
                          }));
      assertEquals("disk full", e.getMessage());
      assertArrayEquals(before, Files.readAllBytes(ck));
      try (Stream<Path> files = Files.list(dir)) {
        assertEquals(List.of(ck), files.toList()); // no temporary file left behind
      }
      assertNotEquals(9f, Checkpoint.read(ck).model().get("linear.weight")[0]);
    }
  }

  @Test
  void earlyStoppingRestoresTheBestParameters() {
    Regression t =
        new Regression(1) {
          int calls;
          final double[] script = {5, 3, 4, 3.5, 6, 7, 8};

          @Override
          public Map<String, Double> evaluate(Iterable<int[]> batches) {
            super.evaluate(batches);
            return Map.of("loss", script[calls++]);
          }
        };
    open.add(t.model);
    try (Trainer tr = quiet().epochs(20).earlyStopping(3).build()) {
      TrainResult r = tr.fit(t, batches(64, 10), batches(64, 32));
      assertEquals(StopReason.EARLY_STOPPING, r.stopReason());
      assertEquals(5, r.epochs());
      assertEquals(14, r.bestStep());
      assertEquals(Map.of("loss", 3.0), r.bestValidation());
      assertTrue(r.restoredBest());
      assertArrayEquals(t.seenAtValidation.get(1), t.model.weight.value().toArray());
    }
  }

  @Test
  void theGuardNamesWhereANaNBegan() {
    Regression t = task(1);
    t.x[5][1] = Float.NaN;
    try (Trainer tr = quiet().epochs(2).build()) {
      NonFiniteException e =
          assertThrows(NonFiniteException.class, () -> tr.fit(t, batches(64, 10), null));
      assertEquals(NonFiniteException.Source.GRADIENT, e.source());
      assertEquals("linear.bias", e.parameter());
      assertTrue(
          e.getMessage()
              .matches(
                  "non-finite gradient at step \\d+ \\(epoch 1, batch \\d+\\): it began at"
                      + " parameter linear.bias \\[1\\], whose gradient is NaN at \\[0\\] \\(also non-finite:"
                      + " linear.weight\\); the loss is NaN; input example 5"),
          e.getMessage());
    }
  }

  @Test
  void clipsByNormOneByDefault() {
    Regression t = task(1);
    float[] before = params(t);
    try (Trainer tr =
        Trainer.builder()
            .quiet()
            .optimizer(Sgd.builder().lr(1.0)::build)
            .maxSteps(1)
            .epochs(0)
            .build()) {
      TrainResult r = tr.fit(t, batches(64, 64), null);
      assertEquals(StopReason.MAX_STEPS, r.stopReason());
    }
    float[] after = params(t);
    double moved = 0;
    for (int i = 0; i < 4; i++) {
      moved += (after[i] - before[i]) * (double) (after[i] - before[i]);
    }
    assertEquals(
        1.0, Math.sqrt(moved), 1e-5); // the full-batch gradient's norm is > 1: clipped to 1
    Regression u = task(1);
    try (Trainer tr =
        Trainer.builder()
            .quiet()
            .optimizer(Sgd.builder().lr(1.0)::build)
            .clipping(GradientClipping.none())
            .maxSteps(1)
            .build()) {
      tr.fit(u, batches(64, 64), null);
    }
    float[] unclipped = params(u);
    moved = 0;
    for (int i = 0; i < 4; i++) {
      moved += (unclipped[i] - before[i]) * (double) (unclipped[i] - before[i]);
    }
    assertTrue(Math.sqrt(moved) > 1.5, "unclipped step " + Math.sqrt(moved));
  }

  @Test
  void writesMetricsAndFollowsTheSchedule() throws IOException {
    Regression t = task(1);
    Path csv = dir.resolve("m.csv");
    Path jsonl = dir.resolve("m.jsonl");
    LrSchedule schedule = LrSchedule.warmup(3, LrSchedule.cosine());
    try (Trainer tr =
        quiet()
            .epochs(2)
            .schedule(schedule)
            .logEvery(1)
            .metricsCsv(csv)
            .metricsJsonl(jsonl)
            .build()) {
      tr.fit(t, batches(64, 10), batches(64, 64));
    }
    List<String> lines = Files.readAllLines(csv);
    assertEquals("split,epoch,step,seconds,lr,loss,grad_norm,rmse", lines.get(0));
    assertEquals(1 + 14 + 2, lines.size());
    List<String> train = lines.stream().filter(l -> l.startsWith("train,")).toList();
    for (int s = 0; s < 14; s++) {
      String[] f = train.get(s).split(",");
      assertEquals(s + 1, Long.parseLong(f[2]));
      assertEquals(
          schedule.learningRate(0.05, s, 14), Double.parseDouble(f[4]), 1e-15, "step " + s);
    }
    assertTrue(lines.get(8).startsWith("valid,1,7,"), lines.get(8));
    assertEquals(16, Files.readAllLines(jsonl).size());
    assertTrue(Files.readAllLines(jsonl).get(15).contains("\"split\":\"valid\""));
  }

  @Test
  void stopsAtTheTimeBudgetAndPrintsEpochLines() {
    Regression t = task(1);
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    ByteArrayOutputStream bar = new ByteArrayOutputStream();
    try (Trainer tr =
        Trainer.builder()
            .log(new PrintStream(log, true, StandardCharsets.UTF_8))
            .progress(new PrintStream(bar, true, StandardCharsets.UTF_8), false)
            .epochs(0)
            .timeBudget(Duration.ofNanos(1))
            .build()) {
      TrainResult r = tr.fit(t, batches(64, 10), batches(64, 64));
      assertEquals(StopReason.TIME_BUDGET, r.stopReason());
      assertEquals(1, r.steps());
      assertEquals(1, r.history().size());
    }
    String text = log.toString(StandardCharsets.UTF_8);
    assertTrue(
        text.matches(
            "(?s)epoch 1: train loss [0-9.]+, valid loss [0-9.]+ rmse [0-9.]+, step 1, lr 1.00e-03, grad norm [0-9.]+, [0-9.]+ s\n"),
        text);
    assertTrue(
        bar.toString(StandardCharsets.UTF_8).startsWith("epoch 1 1/7  14% |"), bar.toString());
  }

  @Test
  void aStepLimitOrTimeBudgetWithoutEpochsIsNotCutAtTenEpochs() {
    BatchSource<int[]> src = batches(64, 10); // 7 batches per epoch
    try (Trainer tr = quiet().maxSteps(100).build()) {
      TrainResult r = tr.fit(task(1), src, null);
      assertEquals(StopReason.MAX_STEPS, r.stopReason());
      assertEquals(100, r.steps()); // 15 epochs, more than the default 10
    }
    try (Trainer tr = quiet().timeBudget(Duration.ofMillis(300)).build()) {
      TrainResult r = tr.fit(task(1), src, null);
      assertEquals(StopReason.TIME_BUDGET, r.stopReason());
    }
    // explicit epochs still cap both
    try (Trainer tr = quiet().epochs(2).maxSteps(100).timeBudget(Duration.ofHours(1)).build()) {
      TrainResult r = tr.fit(task(1), src, null);
      assertEquals(StopReason.EPOCHS, r.stopReason());
      assertEquals(14, r.steps());
    }
    // and without any limit the default is still 10 epochs
    try (Trainer tr = quiet().build()) {
      assertEquals(70, tr.fit(task(1), src, null).steps());
    }
  }

  @Test
  void staleCheckpointTempFilesAreRemovedOnResumeAndOnSave() throws IOException {
    BatchSource<int[]> src = batches(64, 10);
    Path ck = dir.resolve("ck.st");
    try (Trainer tr = quiet().epochs(1).checkpoint(ck).build()) {
      tr.fit(task(1), src, null);
    }
    byte[] full = Files.readAllBytes(ck);
    // what kill -9 during a checkpoint write leaves: full-size and partial temp files
    List<Path> stale =
        List.of(
            dir.resolve(".ck.st.0123456789abcdef.tmp"),
            dir.resolve(".ck.st.a.tmp"),
            dir.resolve(".ck.st.7f3e.tmp"));
    Files.write(stale.get(0), full);
    Files.write(stale.get(1), java.util.Arrays.copyOf(full, 100));
    Files.write(stale.get(2), new byte[0]);
    // files that only look alike are never touched
    List<Path> others =
        List.of(
            dir.resolve(".ck.st.xyz.tmp"),
            dir.resolve("ck.st.0123.tmp"),
            dir.resolve(".ck.st.0123.tmp.keep"),
            dir.resolve(".other.st.0123.tmp"),
            dir.resolve(".ck.st.0123456789abcdef0.tmp"),
            dir.resolve(".ck.st.tmp"),
            dir.resolve(".ck.sX.0123.tmp"));
    for (Path p : others) {
      Files.writeString(p, "keep me");
    }
    Path folder = Files.createDirectory(dir.resolve(".ck.st.0a.tmp"));
    try (Trainer tr = quiet().epochs(2).checkpoint(ck).resume(true).build()) {
      assertEquals(14, tr.fit(task(9), src, null).steps());
    }
    for (Path p : stale) {
      assertFalse(Files.exists(p), p + " is left");
    }
    for (Path p : others) {
      assertEquals("keep me", Files.readString(p), p.toString());
    }
    assertTrue(Files.isDirectory(folder));
    assertEquals(2, Checkpoint.read(ck).trainer().epoch());
    // the next save (here without resuming) removes new ones too
    Files.write(stale.get(0), full);
    Regression t = task(1);
    try (Trainer tr = quiet().epochs(1).build()) {
      tr.fit(t, src, null);
      Checkpoint.write(ck, t.model, tr.optimizer(), Checkpoint.read(ck).trainer(), null, null);
    }
    assertFalse(Files.exists(stale.get(0)));
    assertEquals(2, Checkpoint.read(ck).trainer().epoch());
    for (Path p : others) {
      assertTrue(Files.exists(p), p.toString());
    }
  }

  @Test
  void refusesContradictoryOptions() {
    assertEquals(
        "give a number of epochs, a step limit or a time budget",
        assertThrows(JrnnException.class, () -> Trainer.builder().epochs(0).build()).getMessage());
    assertEquals(
        "resuming needs a checkpoint path",
        assertThrows(JrnnException.class, () -> Trainer.builder().resume(true).build())
            .getMessage());
  }
}
