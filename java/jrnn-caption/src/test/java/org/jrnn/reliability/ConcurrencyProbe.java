/*
 * ConcurrencyProbe: many threads share one set of models and run inference at the same time, on
 * different and on identical inputs; every result must be bit-identical to the same call made alone
 * on one thread. Then separate models train in several threads at once (while inference goes on),
 * each bit-identical to its run alone.
 *   java -cp CLASSPATH org.jrnn.reliability.ConcurrencyProbe --threads 16 --iterations 40 --seed 1
 */
package org.jrnn.reliability;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.jrnn.Cell;
import org.jrnn.Device;
import org.jrnn.Recurrent;
import org.jrnn.RecurrentOutput;
import org.jrnn.RecurrentState;
import org.jrnn.Scope;
import org.jrnn.SequenceBatch;
import org.jrnn.Tensor;
import org.jrnn.data.LmBatches;
import org.jrnn.data.PaddedBatch;
import org.jrnn.models.ClassificationBatches;
import org.jrnn.models.ClassifierTask;
import org.jrnn.models.LanguageModel;
import org.jrnn.models.LanguageModelTask;
import org.jrnn.models.LmWindows;
import org.jrnn.models.SequenceClassifier;
import org.jrnn.nn.Parameter;
import org.jrnn.nn.Trainable;
import org.jrnn.optim.Adam;
import org.jrnn.train.Trainer;

/**
 * Runs inference on shared models from many threads and training of separate models in several
 * threads, comparing every result bit for bit ({@link Float#floatToRawIntBits}) with the same call
 * made alone on one thread.
 *
 * <p>The shared models: a stacked bidirectional LSTM {@link Recurrent} (forward over ragged
 * batches), a two-layer GRU {@link Recurrent} (forward, and step by step), a {@link
 * SequenceClassifier} and a {@link LanguageModel} of the CLI's default sizes, trained for a few
 * steps first (predict, evaluate, greedy generation by steps). Threads meet at a barrier before
 * each round; in each round half of them make the same call (identical inputs at the same moment)
 * and the others calls of their own.
 *
 * <p>Prints one {@code RESULT probe=concurrency ...} line of {@code key=value} figures; the exit
 * status is 0 when every result matched and nothing threw, 1 otherwise, 2 for a bad command line.
 */
@SuppressWarnings("try") // scopes opened only to free each call's tensors
public final class ConcurrencyProbe {
  private static final Device CPU = Device.cpu();
  private static final int MAX_PROBLEMS = 20;

  /**
   * What to run.
   *
   * @param threads inference threads sharing the models (and, in the training phase, threads in
   *     all)
   * @param iterations rounds of calls per inference thread
   * @param seed seed of the inputs, the models and the schedule of calls
   * @param trainers threads that each train their own models in the training phase (0: no phase)
   * @param trainSteps optimisation steps of each training run
   */
  public record Options(int threads, int iterations, long seed, int trainers, int trainSteps) {
    /** The sizes the test uses. */
    public static Options defaults() {
      return new Options(16, 12, 1, 4, 12);
    }
  }

  /**
   * What the probe found.
   *
   * @param calls inference calls compared (both phases)
   * @param mismatches results that differed from the single-thread result
   * @param failures calls or runs that threw, and time-outs
   * @param trainRuns training runs compared
   * @param trainMismatches training runs whose final weights differed from the run alone
   * @param leakedTensors native allocations left after everything was closed
   * @param seconds wall time
   * @param problems the first few mismatches and failures, as text
   */
  public record Report(
      long calls,
      long mismatches,
      long failures,
      long trainRuns,
      long trainMismatches,
      long leakedTensors,
      double seconds,
      List<String> problems) {
    /** Whether everything matched. */
    public boolean passed() {
      return mismatches == 0
          && failures == 0
          && trainMismatches == 0
          && leakedTensors == 0
          && calls > 0;
    }

    /** The one-line summary. */
    public String line(Options o) {
      return String.format(
          Locale.ROOT,
          "RESULT probe=concurrency status=%s threads=%d iterations=%d seed=%d calls=%d mismatches=%d"
              + " failures=%d train_runs=%d train_mismatches=%d leaked_tensors=%d seconds=%.1f",
          passed() ? "PASS" : "FAIL",
          o.threads(),
          o.iterations(),
          o.seed(),
          calls,
          mismatches,
          failures,
          trainRuns,
          trainMismatches,
          leakedTensors,
          seconds);
    }
  }

  /**
   * One inference call on a shared model with fixed inputs; returns the raw bits of all outputs.
   */
  private record Call(String name, Supplier<int[]> run) {}

  private final Options options;
  private final List<String> problems = Collections.synchronizedList(new ArrayList<>());
  private final AtomicLong calls = new AtomicLong();
  private final AtomicLong mismatches = new AtomicLong();
  private final AtomicLong failures = new AtomicLong();

  private ConcurrencyProbe(Options options) {
    this.options = options;
  }

  /** Runs the probe. */
  public static Report run(Options o) {
    if (o.threads() < 2
        || o.iterations() < 1
        || o.trainers() < 0
        || o.trainers() > o.threads()
        || o.trainSteps() < 1) {
      throw new IllegalArgumentException("bad options " + o);
    }
    return new ConcurrencyProbe(o).go();
  }

  private Report go() {
    long start = System.nanoTime();
    long live = Tensor.liveAllocations();
    long trainRuns = 0;
    long trainMismatches = 0;
    SplittableRandom rng = new SplittableRandom(options.seed());
    try (Recurrent lstm =
            Recurrent.builder()
                .cell(Cell.LSTM)
                .inputSize(24)
                .hiddenSize(48)
                .layers(2)
                .bidirectional(true)
                .seed(rng.nextLong())
                .build();
        Recurrent gru =
            Recurrent.builder()
                .cell(Cell.GRU)
                .inputSize(24)
                .hiddenSize(48)
                .layers(2)
                .seed(rng.nextLong())
                .build();
        SequenceClassifier classifier =
            SequenceClassifier.builder()
                .vocabSize(400)
                .numClasses(3)
                .bidirectional(true)
                .dropout(0.2f)
                .seed(rng.nextLong())
                .device(CPU)
                .build();
        LanguageModel lm =
            LanguageModel.builder().vocabSize(60).seed(rng.nextLong()).device(CPU).build()) {
      // "trained" weights: a few steps away from the initialisation
      quickTrain(classifier, lm, rng.nextLong());
      List<Call> shared = calls(rng, lstm, gru, classifier, lm);
      List<int[]> expected = new ArrayList<>();
      for (Call c : shared) {
        expected.add(c.run().get());
      }

      inferencePhase(shared, expected, options.threads(), options.iterations(), null);

      if (options.trainers() > 0) {
        trainRuns = options.trainers();
        trainMismatches = trainingPhase(shared, expected);
      }

      // the shared models are unchanged by all of it
      for (int i = 0; i < shared.size(); i++) {
        compare(
            shared.get(i).name() + " (alone, after the concurrent phases)",
            expected.get(i),
            shared.get(i).run().get());
      }
    } catch (RuntimeException | Error e) {
      failures.incrementAndGet();
      problem("probe aborted: " + describe(e));
    }
    long leaked = Tensor.liveAllocations() - live;
    if (leaked != 0) {
      problem(leaked + " native allocations left after the probe closed everything");
    }
    return new Report(
        calls.get(),
        mismatches.get(),
        failures.get(),
        trainRuns,
        trainMismatches,
        leaked,
        (System.nanoTime() - start) / 1e9,
        List.copyOf(problems));
  }

  // ------------------------------------------------------------------ models and calls

  private static List<int[]> tokenSequences(
      SplittableRandom rng, int count, int vocab, int maxLen) {
    List<int[]> seqs = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      int[] s = new int[1 + rng.nextInt(maxLen)];
      for (int t = 0; t < s.length; t++) {
        s[t] = 4 + rng.nextInt(vocab - 4); // past PAD, UNK, BOS, EOS
      }
      seqs.add(s);
    }
    return seqs;
  }

  private static int[] tokens(SplittableRandom rng, int count, int vocab) {
    int[] t = new int[count];
    for (int i = 0; i < count; i++) {
      t[i] = 4 + rng.nextInt(vocab - 4);
    }
    return t;
  }

  private static void quickTrain(SequenceClassifier classifier, LanguageModel lm, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    List<int[]> seqs = tokenSequences(rng, 64, classifier.config().vocabSize(), 30);
    int[] labels = new int[seqs.size()];
    for (int i = 0; i < labels.length; i++) {
      labels[i] = rng.nextInt(classifier.config().numClasses());
    }
    try (Trainer t =
        Trainer.builder()
            .optimizer(ps -> Adam.builder().lr(3e-3).build(ps))
            .maxSteps(4)
            .epochs(0)
            .seed(seed)
            .quiet()
            .build()) {
      t.fit(new ClassifierTask(classifier), new ClassificationBatches(seqs, labels, 16, 0), null);
    }
    try (Trainer t =
        Trainer.builder()
            .optimizer(ps -> Adam.builder().lr(3e-3).build(ps))
            .maxSteps(4)
            .epochs(0)
            .seed(seed)
            .quiet()
            .build()) {
      t.fit(
          new LanguageModelTask(lm),
          new LmWindows(tokens(rng, 2000, lm.config().vocabSize()), 8, 40),
          null);
    }
  }

  private static List<float[][]> floatSequences(
      SplittableRandom rng, int n, int maxLen, int features) {
    List<float[][]> seqs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      float[][] s = new float[1 + rng.nextInt(maxLen)][features];
      for (float[] row : s) {
        for (int c = 0; c < features; c++) {
          row[c] = (float) (rng.nextDouble() * 2 - 1);
        }
      }
      seqs.add(s);
    }
    return seqs;
  }

  private static List<Call> calls(
      SplittableRandom rng,
      Recurrent lstm,
      Recurrent gru,
      SequenceClassifier classifier,
      LanguageModel lm) {
    List<Call> calls = new ArrayList<>();
    for (int k = 0; k < 4; k++) {
      List<float[][]> seqs = floatSequences(rng, 1 + rng.nextInt(6), 14, lstm.inputSize());
      calls.add(
          new Call(
              "lstm.forward #" + k,
              () -> {
                try (Scope s = Scope.open()) {
                  RecurrentOutput o = lstm.forward(SequenceBatch.fromList(seqs));
                  return bits(o.output().toArray(), o.hn().toArray(), o.cn().toArray());
                }
              }));
    }
    for (int k = 0; k < 3; k++) {
      List<float[][]> seqs = floatSequences(rng, 1 + rng.nextInt(5), 12, gru.inputSize());
      calls.add(
          new Call(
              "gru.forward #" + k,
              () -> {
                try (Scope s = Scope.open()) {
                  RecurrentOutput o = gru.forward(SequenceBatch.fromList(seqs));
                  return bits(o.output().toArray(), o.hn().toArray());
                }
              }));
    }
    for (int k = 0; k < 3; k++) {
      int n = 1 + rng.nextInt(4);
      int steps = 1 + rng.nextInt(10);
      float[][] xs = new float[steps][n * gru.inputSize()];
      for (float[] x : xs) {
        for (int i = 0; i < x.length; i++) {
          x[i] = (float) (rng.nextDouble() * 2 - 1);
        }
      }
      calls.add(
          new Call(
              "gru.step x" + steps + " #" + k,
              () -> {
                try (Scope s = Scope.open()) {
                  RecurrentState state = RecurrentState.zeros(gru, n);
                  List<float[]> ys = new ArrayList<>();
                  for (float[] x : xs) {
                    ys.add(gru.step(Tensor.of(x, n, gru.inputSize()), state).toArray());
                  }
                  ys.add(state.h().toArray());
                  return bits(ys.toArray(new float[0][]));
                }
              }));
    }
    int vocab = classifier.config().vocabSize();
    for (int k = 0; k < 4; k++) {
      List<int[]> seqs = tokenSequences(rng, 1 + rng.nextInt(8), vocab, 40);
      int[] idx = new int[seqs.size()];
      Arrays.setAll(idx, i -> i);
      PaddedBatch batch = PaddedBatch.of(seqs, idx);
      calls.add(
          new Call(
              "classifier.predict #" + k,
              () -> {
                float[][] p = classifier.predictProbabilities(batch);
                int[] labels = classifier.predict(batch);
                float[] l = new float[labels.length];
                for (int i = 0; i < l.length; i++) {
                  l[i] = labels[i];
                }
                float[][] all = Arrays.copyOf(p, p.length + 1);
                all[p.length] = l;
                return bits(all);
              }));
    }
    int lmVocab = lm.config().vocabSize();
    for (int k = 0; k < 4; k++) {
      int[] prompt = tokens(rng, 1 + rng.nextInt(20), lmVocab);
      int length = 10 + rng.nextInt(30);
      calls.add(
          new Call(
              "lm.generate greedy #" + k,
              () -> {
                int[] out = lm.generate(prompt, length);
                float[] f = new float[out.length + 1];
                for (int i = 0; i < out.length; i++) {
                  f[i] = out[i];
                }
                f[out.length] = out.length;
                return bits(f);
              }));
    }
    for (int k = 0; k < 2; k++) {
      LmBatches windows =
          new LmBatches(tokens(rng, 200 + rng.nextInt(200), lmVocab), 1 + rng.nextInt(4), 25);
      calls.add(
          new Call(
              "lm.evaluate #" + k,
              () -> {
                double loss = lm.evaluate(windows).get("loss");
                long b = Double.doubleToRawLongBits(loss);
                return new int[] {(int) (b >>> 32), (int) b};
              }));
    }
    return calls;
  }

  private static int[] bits(float[]... arrays) {
    int n = 0;
    for (float[] a : arrays) {
      n += a.length + 1;
    }
    int[] out = new int[n];
    int k = 0;
    for (float[] a : arrays) {
      out[k++] = a.length; // the shapes must match too
      for (float v : a) {
        out[k++] = Float.floatToRawIntBits(v);
      }
    }
    return out;
  }

  // ------------------------------------------------------------------ phases

  /**
   * {@code threads} threads run {@code rounds} rounds of calls, meeting at a barrier before each;
   * stops early (without failing) when {@code stop} becomes true.
   */
  private void inferencePhase(
      List<Call> shared, List<int[]> expected, int threads, int rounds, AtomicBoolean stop) {
    // the barrier action decides once per round whether to go on, so that all threads agree
    AtomicBoolean halt = new AtomicBoolean();
    CyclicBarrier barrier = new CyclicBarrier(threads, () -> halt.set(stop != null && stop.get()));
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      final int id = t;
      Thread w =
          new Thread(
              () -> {
                SplittableRandom own = new SplittableRandom(options.seed() * 31 + id);
                try {
                  for (int r = 0; r < rounds; r++) {
                    barrier.await(60, TimeUnit.SECONDS);
                    if (halt.get()) {
                      break;
                    }
                    // the first half of the threads all make the round's common call
                    int k =
                        id < threads / 2
                            ? new SplittableRandom(options.seed() ^ (r * 0x9E3779B97F4A7C15L))
                                .nextInt(shared.size())
                            : own.nextInt(shared.size());
                    checkCall(shared.get(k), expected.get(k), "thread " + id + ", round " + r);
                  }
                } catch (InterruptedException | BrokenBarrierException | TimeoutException e) {
                  failures.incrementAndGet();
                  problem("thread " + id + ": " + describe(e));
                  barrier.reset();
                }
              },
              "probe-infer-" + t);
      workers.add(w);
    }
    workers.forEach(Thread::start);
    joinAll(workers);
  }

  private void checkCall(Call c, int[] expected, String where) {
    int[] got;
    try {
      got = c.run().get();
    } catch (RuntimeException | Error e) {
      calls.incrementAndGet();
      failures.incrementAndGet();
      problem(c.name() + " on " + where + " threw " + describe(e));
      return;
    }
    compare(c.name() + " on " + where, expected, got);
  }

  private void compare(String what, int[] expected, int[] got) {
    calls.incrementAndGet();
    if (!Arrays.equals(expected, got)) {
      mismatches.incrementAndGet();
      int i = Arrays.mismatch(expected, got);
      problem(
          String.format(
              Locale.ROOT,
              "%s: result differs from the single-thread one at word %d"
                  + " (%s vs %s; lengths %d vs %d)",
              what,
              i,
              word(expected, i),
              word(got, i),
              expected.length,
              got.length));
    }
  }

  private static String word(int[] a, int i) {
    return i < a.length
        ? Float.toString(Float.intBitsToFloat(a[i])) + "/0x" + Integer.toHexString(a[i])
        : "-";
  }

  /** The weights of each training run, alone and then all at once; returns runs that differed. */
  private long trainingPhase(List<Call> shared, List<int[]> expected) {
    Path dir;
    try {
      dir = Files.createTempDirectory("jrnn-concurrency");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    try {
      int n = options.trainers();
      int[][] alone = new int[n][];
      for (int i = 0; i < n; i++) {
        alone[i] = train(i, dir.resolve("alone-" + i + ".ckpt"));
      }
      int[][] together = new int[n][];
      AtomicBoolean trainingDone = new AtomicBoolean();
      List<Thread> trainers = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        final int id = i;
        trainers.add(
            new Thread(
                () -> {
                  try {
                    together[id] = train(id, dir.resolve("together-" + id + ".ckpt"));
                  } catch (RuntimeException | Error e) {
                    failures.incrementAndGet();
                    problem("training run " + id + " (concurrent) threw " + describe(e));
                  }
                },
                "probe-train-" + i));
      }
      int inferenceThreads = options.threads() - n;
      Thread inference =
          new Thread(
              () -> {
                if (inferenceThreads >= 2) {
                  inferencePhase(
                      shared, expected, inferenceThreads, Integer.MAX_VALUE, trainingDone);
                }
              },
              "probe-infer-during-training");
      inference.start();
      trainers.forEach(Thread::start);
      joinAll(trainers);
      trainingDone.set(true);
      joinAll(List.of(inference));
      long differed = 0;
      for (int i = 0; i < n; i++) {
        if (together[i] == null) {
          differed++;
        } else if (!Arrays.equals(alone[i], together[i])) {
          differed++;
          int w = Arrays.mismatch(alone[i], together[i]);
          problem(
              "training run "
                  + i
                  + ": weights trained concurrently differ from the run alone at word "
                  + w
                  + " ("
                  + word(alone[i], w)
                  + " vs "
                  + word(together[i], w)
                  + ")");
        }
      }
      return differed;
    } finally {
      deleteTree(dir);
    }
  }

  /**
   * Training run {@code id}: a small bidirectional GRU classifier with dropout, then a two-layer
   * LSTM language model carried across windows, both with Adam and checkpoints; the final weights
   * of both as raw bits.
   */
  private int[] train(int id, Path checkpoint) {
    long seed = options.seed() * 1000 + id;
    SplittableRandom rng = new SplittableRandom(seed);
    List<float[]> weights = new ArrayList<>();
    SequenceClassifier.Config cc =
        SequenceClassifier.builder()
            .vocabSize(120)
            .numClasses(4)
            .cell(Cell.GRU)
            .embeddingSize(16)
            .hiddenSize(24)
            .bidirectional(true)
            .dropout(0.3f)
            .seed(seed)
            .config();
    try (SequenceClassifier model = cc.toBuilder().device(CPU).build();
        Trainer t = trainer(seed, checkpoint)) {
      List<int[]> seqs = tokenSequences(rng, 80, cc.vocabSize(), 20);
      int[] labels = new int[seqs.size()];
      for (int i = 0; i < labels.length; i++) {
        labels[i] = seqs.get(i)[0] % cc.numClasses();
      }
      t.fit(new ClassifierTask(model), new ClassificationBatches(seqs, labels, 8, 2), null);
      collect(model, weights);
    }
    LanguageModel.Config lc =
        LanguageModel.builder()
            .vocabSize(40)
            .embeddingSize(12)
            .hiddenSize(24)
            .dropout(0.1f)
            .seed(seed + 1)
            .config();
    try (LanguageModel model = lc.toBuilder().device(CPU).build();
        Trainer t = trainer(seed, checkpoint.resolveSibling(checkpoint.getFileName() + ".lm"))) {
      t.fit(
          new LanguageModelTask(model),
          new LmWindows(tokens(rng, 1500, lc.vocabSize()), 4, 16, 8),
          null);
      collect(model, weights);
    }
    return bits(weights.toArray(new float[0][]));
  }

  private Trainer trainer(long seed, Path checkpoint) {
    return Trainer.builder()
        .optimizer(ps -> Adam.builder().lr(5e-3).build(ps))
        .epochs(0)
        .maxSteps(options.trainSteps())
        .seed(seed)
        .checkpoint(checkpoint)
        .checkpointEvery(3)
        .quiet()
        .build();
  }

  private static void collect(Trainable model, List<float[]> out) {
    for (Parameter p : model.parameters()) {
      out.add(p.value().toArray());
    }
  }

  // ------------------------------------------------------------------ helpers

  private void joinAll(List<Thread> threads) {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(30);
    for (Thread t : threads) {
      try {
        t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (t.isAlive()) {
        failures.incrementAndGet();
        problem(t.getName() + " did not finish (deadlock?)");
      }
    }
  }

  private void problem(String text) {
    if (problems.size() < MAX_PROBLEMS) {
      problems.add(text);
    }
  }

  private static String describe(Throwable e) {
    StackTraceElement[] st = e.getStackTrace();
    return e + (st.length > 0 ? " at " + st[0] : "");
  }

  private static void deleteTree(Path dir) {
    try (var files = Files.walk(dir)) {
      files.sorted(Collections.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // a temp folder
    }
  }

  /**
   * {@code --threads N --iterations N --seed S [--trainers N] [--train-steps N]}; prints the
   * problems and the RESULT line.
   */
  public static void main(String[] args) {
    Options d = Options.defaults();
    int threads = d.threads();
    int iterations = d.iterations();
    long seed = d.seed();
    int trainers = d.trainers();
    int trainSteps = d.trainSteps();
    try {
      for (int i = 0; i < args.length; i++) {
        String a = args[i];
        String v = i + 1 < args.length ? args[i + 1] : null;
        if (v == null) {
          throw new IllegalArgumentException(a + " needs a value");
        }
        switch (a) {
          case "--threads" -> threads = Integer.parseInt(v);
          case "--iterations" -> iterations = Integer.parseInt(v);
          case "--seed" -> seed = Long.parseLong(v);
          case "--trainers" -> trainers = Integer.parseInt(v);
          case "--train-steps" -> trainSteps = Integer.parseInt(v);
          default -> throw new IllegalArgumentException("unknown option " + a);
        }
        i++;
      }
    } catch (IllegalArgumentException e) {
      System.err.println("ConcurrencyProbe: " + e.getMessage());
      System.err.println(
          "usage: ConcurrencyProbe --threads N --iterations N --seed S [--trainers N]"
              + " [--train-steps N]");
      System.exit(2);
    }
    Options o = new Options(threads, iterations, seed, Math.min(trainers, threads), trainSteps);
    Report r = run(o);
    r.problems().forEach(p -> System.out.println("PROBLEM " + p));
    System.out.println(r.line(o));
    System.out.flush();
    System.exit(r.passed() ? 0 : 1);
  }
}
