/*
 * JrnnBench: times jrnn through its public Java API on the shapes of the peer benchmarks
 * (../shared/peers), with the peers' timing protocol, so scripts/bench can put jrnn and the peers
 * in one table. Also shows the Java API's overhead against native/bench/bench_rnn (the C API).
 */
package org.jrnn.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.jrnn.Cell;
import org.jrnn.Device;
import org.jrnn.Info;
import org.jrnn.Ops;
import org.jrnn.OptimizerKernels;
import org.jrnn.Recurrent;
import org.jrnn.RecurrentOutput;
import org.jrnn.Scope;
import org.jrnn.SequenceBatch;
import org.jrnn.Tensor;

/**
 * Benchmark main: {@code java -Djrnn.cpu.threads=2 -cp ... org.jrnn.bench.JrnnBench}.
 *
 * <p>For each cell (LSTM, GRU, RNN tanh; one layer, unidirectional, with bias) and shape (N/T/C/H:
 * S1 64/50/256/256, S2 32/100/512/512, S3 1/200/256/256 forward only, S4 128/25/1024/1024) it times
 *
 * <ul>
 *   <li>{@code fwd}: {@link Recurrent#forward(SequenceBatch)} in a {@link Scope} (the outputs are
 *       allocated and freed per call, as in user code);
 *   <li>{@code train}: zero the gradients, {@link Recurrent#forwardTrain}, the MSE loss gradient
 *       ({@link Ops#mse}, mean over all outputs, like PyTorch's {@code MSELoss}), {@link
 *       Recurrent#backward} (weight gradients; no input gradient, as in the peers, whose inputs do
 *       not require grad) and an SGD update of the flat weights ({@link
 *       OptimizerKernels#sgdUpdate}, lr 1e-4): what the peers time as one training step.
 * </ul>
 *
 * <p>Timing (as the peers' {@code BenchUtil}): warm-up of at least {@code BENCH_WARMUP} calls and
 * {@code BENCH_WARMUP_SEC}; then samples of k back-to-back calls (k so a sample lasts at least
 * {@code BENCH_SAMPLE_MS}), each tagged with the CPU other processes used meanwhile (from /proc),
 * until {@code BENCH_REPS} clean samples (other processes below {@code BENCH_CLEAN_CORES} cores)
 * and {@code BENCH_MIN_SEC}, at most {@code BENCH_MAX_REPS} samples or {@code BENCH_MAX_SEC}. One
 * line per measurement: {@code RESULT peer cell shape mode N T C H ms,... other,... k}. {@code
 * BENCH_SHAPES} and {@code BENCH_CELLS} (comma lists) select; {@code -Dpeer.name} names the rows
 * (default jrnn-java).
 */
public final class JrnnBench {
  private JrnnBench() {}

  private record Shape(String name, int n, int t, int c, int h, boolean forwardOnly) {}

  private static final Shape[] SHAPES = {
    new Shape("S1", 64, 50, 256, 256, false),
    new Shape("S2", 32, 100, 512, 512, false),
    new Shape("S3", 1, 200, 256, 256, true),
    new Shape("S4", 128, 25, 1024, 1024, false),
  };

  private record Samples(double[] ms, double[] other, int k) {}

  private static final double HZ = 100.0; // USER_HZ on Linux x86_64

  public static void main(String[] args) {
    String peer = System.getProperty("peer.name", "jrnn-java");
    List<String> shapes = list(System.getenv("BENCH_SHAPES"));
    List<String> cells = list(System.getenv("BENCH_CELLS"));
    cells.replaceAll(c -> c.toLowerCase(Locale.ROOT));
    List<String> modes = list(System.getenv("BENCH_MODES"));
    Device cpu = Device.cpu();
    info(
        peer,
        "jrnn "
            + Info.nativeVersion()
            + " through the public Java API (Recurrent, Ops), JVM "
            + System.getProperty("java.version")
            + ", -Djrnn.cpu.threads="
            + System.getProperty("jrnn.cpu.threads", "<unset: all cores>")
            + ", OPENBLAS_CORETYPE="
            + System.getenv("OPENBLAS_CORETYPE")
            + ", JRNN_CPU_ISA="
            + System.getenv("JRNN_CPU_ISA"));
    fixedCostPerCall(peer, cpu);
    for (Cell cell : new Cell[] {Cell.LSTM, Cell.GRU, Cell.RNN_TANH}) {
      String cellName = cell == Cell.RNN_TANH ? "rnn" : cell.name().toLowerCase(Locale.ROOT);
      if (!cells.isEmpty() && !cells.contains(cellName)) {
        continue;
      }
      for (Shape s : SHAPES) {
        if (!shapes.isEmpty() && !shapes.contains(s.name())) {
          continue;
        }
        run(peer, cpu, cell, cellName, s, modes);
      }
    }
  }

  private static void run(
      String peer, Device cpu, Cell cell, String cellName, Shape s, List<String> modes) {
    SplittableRandom rng = new SplittableRandom(1);
    try (Recurrent layer =
            Recurrent.builder()
                .cell(cell)
                .inputSize(s.c())
                .hiddenSize(s.h())
                .device(cpu)
                .seed(1)
                .build();
        Tensor x = Tensor.of(cpu, random(rng, (long) s.t() * s.n() * s.c()), s.t(), s.n(), s.c());
        Tensor target =
            Tensor.of(cpu, random(rng, (long) s.t() * s.n() * s.h()), s.t(), s.n(), s.h())) {
      SequenceBatch batch = SequenceBatch.of(x, null);
      if (modes.isEmpty() || modes.contains("fwd")) {
        Samples r =
            measure(
                () -> {
                  try (Scope scope = Scope.open()) {
                    layer.forward(batch);
                  }
                });
        emit(peer, cellName, s, "fwd", r);
      }
      if (!s.forwardOnly() && (modes.isEmpty() || modes.contains("train"))) {
        float scale = 1f / ((float) s.t() * s.n() * s.h());
        long[] step = {0};
        Samples r =
            measure(
                () -> {
                  try (Scope scope = Scope.open()) {
                    layer.zeroGradients();
                    RecurrentOutput out = layer.forwardTrain(batch, null);
                    Tensor dy = Tensor.empty(cpu, s.t(), s.n(), s.h()); // mse overwrites it
                    Ops.mse(out.output(), target, null, scale, null, dy);
                    layer.backward(out, dy, null, null, false); // as the peers: x needs no grad
                    OptimizerKernels.sgdUpdate(
                        layer.weights(),
                        layer.gradientBuffer(),
                        null,
                        1e-4f,
                        0f,
                        0f,
                        false,
                        ++step[0]);
                  }
                });
        emit(peer, cellName, s, "train", r);
      }
    }
  }

  /**
   * The Java API's fixed cost per call, measured directly: a forward of one step of one sequence of
   * one feature through one hidden unit (allocation of the outputs, checks, JNI, the native call
   * itself, freeing), in a scope as user code would. Comparing whole processes (jrnn-java vs
   * jrnn-native) also compares where the machine placed them, which moves a case by up to 10-20 %
   * between two runs of the same binary; this number has no such noise.
   */
  private static void fixedCostPerCall(String peer, Device cpu) {
    try (Recurrent tiny =
            Recurrent.builder()
                .cell(Cell.RNN_TANH)
                .inputSize(1)
                .hiddenSize(1)
                .device(cpu)
                .seed(1)
                .build();
        Tensor x = Tensor.of(cpu, new float[] {0.5f}, 1, 1, 1)) {
      SequenceBatch batch = SequenceBatch.of(x, null);
      double best = Double.MAX_VALUE;
      for (int round = 0; round < 5; round++) {
        int calls = 100_000;
        long t0 = System.nanoTime();
        for (int i = 0; i < calls; i++) {
          try (Scope scope = Scope.open()) {
            tiny.forward(batch);
          }
        }
        best = Math.min(best, (System.nanoTime() - t0) / 1e3 / calls);
      }
      info(
          peer,
          String.format(
              Locale.ROOT,
              "fixed_cost_us=%.2f (Recurrent.forward, T=N=C=H=1, best of 5 x 100000 calls)",
              best));
    }
  }

  private static float[] random(SplittableRandom rng, long count) {
    float[] v = new float[Math.toIntExact(count)];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) (2 * rng.nextDouble() - 1);
    }
    return v;
  }

  private static List<String> list(String csv) {
    if (csv == null || csv.isBlank()) {
      return new ArrayList<>();
    }
    return new ArrayList<>(Arrays.asList(csv.trim().split(",")));
  }

  private static double env(String key, double dflt) {
    String v = System.getenv(key);
    return v == null || v.isBlank() ? dflt : Double.parseDouble(v.trim());
  }

  /** {machine busy ticks, this process's ticks} from /proc. */
  private static long[] ticks() {
    try {
      String[] p = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
      long sum = 0;
      for (int i = 1; i <= 8 && i < p.length; i++) {
        sum += Long.parseLong(p[i]);
      }
      long busy = sum - Long.parseLong(p[4]) - Long.parseLong(p[5]);
      String self = Files.readString(Path.of("/proc/self/stat"));
      String[] f = self.substring(self.lastIndexOf(')') + 2).trim().split("\\s+");
      return new long[] {busy, Long.parseLong(f[11]) + Long.parseLong(f[12])};
    } catch (IOException | RuntimeException e) {
      return new long[] {0, 0};
    }
  }

  /**
   * Nanoseconds: wall clock, or with {@code BENCH_CLOCK=cpu} the process's CPU time (development
   * runs with one thread on a busy machine, as native/bench/bench_rnn).
   */
  private static long now() {
    if (CPU_CLOCK) {
      return ((com.sun.management.OperatingSystemMXBean)
              java.lang.management.ManagementFactory.getOperatingSystemMXBean())
          .getProcessCpuTime();
    }
    return System.nanoTime();
  }

  private static final boolean CPU_CLOCK = "cpu".equals(System.getenv("BENCH_CLOCK"));

  private static Samples measure(Runnable call) {
    int minWarm = (int) env("BENCH_WARMUP", 3);
    double warmSec = env("BENCH_WARMUP_SEC", 1.0);
    int reps = (int) env("BENCH_REPS", 7);
    double minSec = env("BENCH_MIN_SEC", 1.5);
    int maxReps = (int) env("BENCH_MAX_REPS", 40);
    double maxSec = env("BENCH_MAX_SEC", 60.0);
    double sampleMs = env("BENCH_SAMPLE_MS", 200.0);
    double clean = env("BENCH_CLEAN_CORES", 0.25);
    long t0 = now();
    List<Double> warm = new ArrayList<>();
    while (warm.size() < minWarm || (now() - t0) < warmSec * 1e9) {
      long a = now();
      call.run();
      warm.add((now() - a) / 1e6);
    }
    List<Double> last = new ArrayList<>(warm.subList(Math.max(0, warm.size() - 5), warm.size()));
    last.sort(null);
    double per = last.get(last.size() / 2);
    int k = Math.max(1, (int) Math.ceil(sampleMs / Math.max(per, 1e-4)));
    List<Double> ms = new ArrayList<>();
    List<Double> other = new ArrayList<>();
    int nClean = 0;
    long start = now();
    while (true) {
      double el = (now() - start) / 1e9;
      if (ms.size() >= maxReps || (el >= maxSec && ms.size() >= reps)) {
        break;
      }
      if (nClean >= reps && ms.size() >= reps && el >= minSec) {
        break;
      }
      long[] b0 = ticks();
      long a = now();
      for (int j = 0; j < k; j++) {
        call.run();
      }
      double d = (now() - a) / 1e9;
      long[] b1 = ticks();
      double oth = Math.max(0.0, ((b1[0] - b0[0]) - (b1[1] - b0[1])) / HZ / d);
      ms.add(d * 1e3 / k);
      other.add(oth);
      if (oth < clean) {
        nClean++;
      }
    }
    return new Samples(
        ms.stream().mapToDouble(Double::doubleValue).toArray(),
        other.stream().mapToDouble(Double::doubleValue).toArray(),
        k);
  }

  private static void emit(String peer, String cell, Shape s, String mode, Samples r) {
    StringBuilder sb = new StringBuilder("RESULT");
    for (Object o : new Object[] {peer, cell, s.name(), mode, s.n(), s.t(), s.c(), s.h()}) {
      sb.append('\t').append(o);
    }
    sb.append('\t');
    for (int q = 0; q < r.ms().length; q++) {
      sb.append(q > 0 ? "," : "").append(String.format(Locale.ROOT, "%.4f", r.ms()[q]));
    }
    sb.append('\t');
    for (int q = 0; q < r.other().length; q++) {
      sb.append(q > 0 ? "," : "").append(String.format(Locale.ROOT, "%.2f", r.other()[q]));
    }
    sb.append('\t').append(r.k());
    System.out.println(sb);
    System.out.flush();
    double[] sorted = r.ms().clone();
    Arrays.sort(sorted);
    System.err.printf(
        Locale.ROOT,
        "  %-12s %-5s %-3s %-5s n=%2d k=%3d median=%9.3f ms min=%9.3f%n",
        peer,
        cell,
        s.name(),
        mode,
        sorted.length,
        r.k(),
        sorted[sorted.length / 2],
        sorted[0]);
  }

  private static void info(String peer, String text) {
    System.out.println("INFO\t" + peer + "\t" + text);
    System.out.flush();
  }
}
