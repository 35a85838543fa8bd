/*
 * CloseRace: closes layers, a model, tensors and their scope while other threads are calling into
 * them, over and over, and checks that every call either gives the result it gives without the race
 * or fails with JrnnException CLOSED. Run by CloseRaceTest, and as a program by
 * scripts/test-asan-race.sh (under AddressSanitizer, where a use after free is reported even when
 * it happens to read the right values):
 *   java -cp ... org.jrnn.CloseRace [SECONDS]      # exit status 1 on any failure
 */
package org.jrnn;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.jrnn.data.PaddedBatch;
import org.jrnn.models.ClassificationBatch;
import org.jrnn.models.SequenceClassifier;

/** The race itself; see the file comment. */
public final class CloseRace {
  // x [T, N, C] and the layer's weights are >= 64 KiB, so once freed their blocks go to the CPU
  // block cache and the next allocation of that size (another thread's output) reuses them: a call
  // that read them after the free would see another call's data and give a wrong result.
  static final int T = 16;
  static final int N = 16;
  static final int C = 64;
  static final int H = 64;
  static final int WORKERS = 4;
  private static final int OPS = 10;
  private static final int MAX_REPORTED = 20;

  /** Held so the level set on it sticks (loggers are weakly referenced). */
  private static final Logger JRNN_LOG = Logger.getLogger("org.jrnn");

  /**
   * What one run saw; {@code leaked}: native allocations still alive at the end that were not
   * before (the blocks freed late by the last call using them, and the forgotten tensors the
   * Cleaner frees, must all be gone).
   */
  public record Outcome(
      long trials, long correct, long closed, long leaked, List<String> failures) {
    @Override
    public String toString() {
      return trials
          + " trials: "
          + correct
          + " calls correct, "
          + closed
          + " failed with CLOSED, "
          + leaked
          + " allocations leaked, "
          + failures.size()
          + " failures"
          + (failures.isEmpty() ? "" : ":\n  " + String.join("\n  ", failures));
    }
  }

  private CloseRace() {}

  /** Runs trials for about {@code millis} ms; {@code seed} picks the data and the timings. */
  public static Outcome run(long millis, long seed) throws InterruptedException {
    Level level = JRNN_LOG.getLevel();
    // the Cleaner path below forgets tensors on purpose: no warning for each
    JRNN_LOG.setLevel(Level.SEVERE);
    try {
      long liveBefore = Tensor.liveAllocations();
      SplittableRandom rng = new SplittableRandom(seed);
      List<String> failures = Collections.synchronizedList(new ArrayList<>());
      AtomicLong correct = new AtomicLong();
      AtomicLong closed = new AtomicLong();
      long end = System.nanoTime() + millis * 1_000_000L;
      long trials = 0;
      while (System.nanoTime() < end && failures.isEmpty()) {
        trial(rng.split(), failures, correct, closed);
        trials++;
      }
      long leaked = awaitLive(liveBefore);
      return new Outcome(trials, correct.get(), closed.get(), leaked, List.copyOf(failures));
    } finally {
      JRNN_LOG.setLevel(level);
    }
  }

  /**
   * Collects garbage until at most {@code before} native allocations are alive (the forgotten
   * tensors are the Cleaner's, so other tests do not see them freed later), for up to 10 s.
   *
   * @return how many more are alive than {@code before}
   */
  private static long awaitLive(long before) throws InterruptedException {
    long end = System.nanoTime() + 10_000_000_000L;
    while (Tensor.liveAllocations() > before && System.nanoTime() < end) {
      System.gc();
      Thread.sleep(10);
    }
    return Math.max(0, Tensor.liveAllocations() - before);
  }

  /** The shared objects of one trial and what each call gives without a race. */
  private static final class Shared {
    final Recurrent rnn;
    final SequenceClassifier model;
    final Tensor x;
    final SequenceBatch batch;
    final RecurrentState initial;
    final Tensor dy;
    final Tensor xStep;
    final Tensor weightIh; // a view of rnn's weights
    final PaddedBatch tokens;
    final ClassificationBatch labelled;
    final float[] xData;
    // references
    float[] y;
    float[] hn;
    float[] dx;
    float[] stepY;
    float[] stepH;
    float[] linear;
    double sumSquares;
    float[][] probabilities;
    double loss;

    Shared(SplittableRandom rng) {
      rnn =
          Recurrent.builder()
              .cell(Cell.LSTM)
              .inputSize(C)
              .hiddenSize(H)
              .seed(rng.nextLong())
              .build();
      model =
          SequenceClassifier.builder()
              .vocabSize(40)
              .numClasses(3)
              .embeddingSize(16)
              .hiddenSize(24)
              .seed(rng.nextLong())
              .device(Device.cpu())
              .build();
      xData = random(rng, T * N * C);
      x = Tensor.of(xData, T, N, C);
      int[] lengths = new int[N];
      for (int i = 0; i < N; i++) {
        lengths[i] = 1 + rng.nextInt(T);
      }
      batch = SequenceBatch.of(x, lengths);
      initial =
          RecurrentState.of(
              Tensor.of(random(rng, N * H), 1, N, H), Tensor.of(random(rng, N * H), 1, N, H));
      dy = Tensor.of(random(rng, T * N * H), T, N, H);
      xStep = Tensor.of(random(rng, N * C), N, C);
      weightIh = rnn.parameters().get("weight_ih_l0");
      List<int[]> seqs = new ArrayList<>();
      int[] order = new int[6];
      for (int i = 0; i < order.length; i++) {
        int[] s = new int[1 + rng.nextInt(9)];
        for (int k = 0; k < s.length; k++) {
          s[k] = 1 + rng.nextInt(39);
        }
        seqs.add(s);
        order[i] = i;
      }
      tokens = PaddedBatch.of(seqs, order);
      labelled = new ClassificationBatch(tokens, new int[] {0, 1, 2, 0, 1, 2});
    }
  }

  private static float[] random(SplittableRandom rng, int n) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) (rng.nextDouble() * 2 - 1);
    }
    return a;
  }

  /**
   * Runs call {@code op} on the shared objects and returns null when it gave the reference result,
   * else what differs. Throws what the call throws.
   */
  private static String call(int op, Shared s) {
    switch (op) {
      case 0 -> {
        RecurrentOutput out = s.rnn.forward(s.batch, s.initial);
        return same("forward y", s.y, out.output().toArray())
            + same("forward hn", s.hn, out.hn().toArray());
      }
      case 1 -> {
        RecurrentOutput trained = s.rnn.forwardTrain(s.batch, s.initial);
        return same("backward dx", s.dx, s.rnn.backward(trained, s.dy, null, null).dx().toArray());
      }
      case 2 -> {
        RecurrentState state = s.initial.copy();
        Tensor y = s.rnn.step(s.xStep, state);
        return same("step y", s.stepY, y.toArray()) + same("step h", s.stepH, state.h().toArray());
      }
      case 3 -> {
        return same("linear", s.linear, Ops.linear(s.x, s.weightIh, null).toArray());
      }
      case 4 -> {
        double v = OptimizerKernels.sumSquares(s.x);
        return v == s.sumSquares ? "" : "sumSquares " + v + " != " + s.sumSquares + "; ";
      }
      case 5 -> {
        float[][] p = s.model.predictProbabilities(s.tokens);
        return Arrays.deepEquals(p, s.probabilities) ? "" : "model probabilities differ; ";
      }
      case 6 -> {
        double loss = s.model.trainStep(s.labelled).lossSum();
        return loss == s.loss ? "" : "model loss " + loss + " != " + s.loss + "; ";
      }
      case 7 -> {
        return same("copy of x", s.xData, s.x.copy().toArray());
      }
      case 8 -> {
        // A tensor nobody closes (the Cleaner frees it once unreachable, perhaps mid-call
        // without the in-flight count), made outside the worker's scope by the caller.
        double v = OptimizerKernels.sumSquares(Tensor.of(s.xData, T, N, C));
        return v == s.sumSquares ? "" : "sumSquares of a forgotten tensor " + v + "; ";
      }
      default -> {
        Device.cpu().releaseCachedMemory();
        return Device.cpu().cachedBytes() >= 0 ? "" : "negative cachedBytes; ";
      }
    }
  }

  private static String same(String what, float[] expected, float[] actual) {
    return Arrays.equals(expected, actual) ? "" : what + " differs from the reference; ";
  }

  private static void trial(
      SplittableRandom rng, List<String> failures, AtomicLong correct, AtomicLong closedCount)
      throws InterruptedException {
    Scope scope = Scope.open(); // owns x, the initial state, dy, xStep: closed during the race
    Shared s;
    try {
      s = new Shared(rng);
    } catch (RuntimeException e) {
      scope.close();
      throw e;
    }
    try {
      RecurrentOutput out = s.rnn.forward(s.batch, s.initial);
      s.y = out.output().toArray();
      s.hn = out.hn().toArray();
      s.dx =
          s.rnn.backward(s.rnn.forwardTrain(s.batch, s.initial), s.dy, null, null).dx().toArray();
      RecurrentState state = s.initial.copy();
      s.stepY = s.rnn.step(s.xStep, state).toArray();
      s.stepH = state.h().toArray();
      s.linear = Ops.linear(s.x, s.weightIh, null).toArray();
      s.sumSquares = OptimizerKernels.sumSquares(s.x);
      s.probabilities = s.model.predictProbabilities(s.tokens);
      s.loss = s.model.trainStep(s.labelled).lossSum();
    } catch (RuntimeException e) {
      s.rnn.close();
      s.model.close();
      scope.close();
      throw e;
    }

    CountDownLatch started = new CountDownLatch(WORKERS);
    CountDownLatch sawClosed = new CountDownLatch(WORKERS);
    AtomicBoolean stop = new AtomicBoolean();
    List<Thread> threads = new ArrayList<>();
    for (int w = 0; w < WORKERS; w++) {
      SplittableRandom wr = rng.split();
      Thread t =
          new Thread(
              () -> {
                started.countDown();
                boolean counted = false;
                while (!stop.get()) {
                  int op = wr.nextInt(OPS);
                  try {
                    String diff;
                    if (op == 8) {
                      diff = call(op, s);
                    } else {
                      try (Scope mine = Scope.open()) {
                        diff = call(op, s);
                      }
                    }
                    if (diff.isEmpty()) {
                      correct.incrementAndGet();
                    } else {
                      report(failures, "call " + op + ": " + diff);
                    }
                  } catch (JrnnException e) {
                    if (e.status() == JrnnException.Status.CLOSED) {
                      closedCount.incrementAndGet();
                      if (!counted) {
                        counted = true;
                        sawClosed.countDown();
                      }
                    } else {
                      report(failures, "call " + op + " threw " + e);
                    }
                  } catch (Throwable e) {
                    report(failures, "call " + op + " threw " + e);
                  }
                }
                if (!counted) {
                  sawClosed.countDown();
                }
              },
              "close-race-" + w);
      threads.add(t);
      t.start();
    }
    started.await();
    // Let the calls get going for 0 to 3 ms, then close everything in a random order.
    long pause = System.nanoTime() + rng.nextLong(3_000_000L);
    while (System.nanoTime() < pause) {
      Thread.onSpinWait();
    }
    int first = rng.nextInt(4);
    for (int k = 0; k < 4; k++) {
      switch ((first + k) % 4) {
        case 0 -> s.rnn.close();
        case 1 -> s.model.close();
        case 2 -> s.x.close();
        default -> scope.close();
      }
      if (rng.nextInt(4) == 0) {
        Thread.yield();
      }
    }
    if (rng.nextInt(8) == 0) {
      System.gc();
    }
    if (!sawClosed.await(30, TimeUnit.SECONDS)) {
      report(failures, "a worker saw no CLOSED within 30 s of the close");
    }
    stop.set(true);
    for (Thread t : threads) {
      t.join();
    }
  }

  private static void report(List<String> failures, String message) {
    synchronized (failures) {
      if (failures.size() < MAX_REPORTED) {
        failures.add(message);
      }
    }
  }

  /**
   * Reads the block of a closed tensor on purpose, as the race would without the in-flight counts:
   * under AddressSanitizer (with jrnn's block cache off) this must be reported, which proves that
   * the sanitized library is the one loaded and that ASan reports errors in this JVM.
   */
  static void useAfterFree() {
    Tensor t = Tensor.zeros(1 << 16);
    long address = t.address();
    t.close();
    float[] out = new float[16];
    Native.copyToHost(Device.cpu().context(), out, address, out.length);
    System.out.println("CloseRace: read a freed block and nothing reported it (" + out[0] + ")");
  }

  /**
   * {@code CloseRace [SECONDS]}: races for SECONDS (default 5); exit status 1 on a failure. {@code
   * CloseRace --use-after-free}: see {@link #useAfterFree()}.
   */
  public static void main(String[] args) throws InterruptedException {
    if (args.length > 0 && args[0].equals("--use-after-free")) {
      useAfterFree();
      return;
    }
    long seconds = args.length > 0 ? Long.parseLong(args[0]) : 5;
    Outcome outcome = run(seconds * 1000, System.nanoTime());
    System.out.println("CloseRace: " + outcome);
    if (!outcome.failures().isEmpty() || outcome.leaked() != 0) {
      System.exit(1);
    }
    if (outcome.correct() == 0 || outcome.closed() == 0) {
      System.out.println("CloseRace: the race never overlapped a call with a close");
      System.exit(1);
    }
  }
}
