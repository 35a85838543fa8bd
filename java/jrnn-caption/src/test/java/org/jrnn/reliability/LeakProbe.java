/*
 * LeakProbe: trains a tiny model for N iterations (ragged batches, Adam, clipping, a forward-only
 * pass, a beam or greedy decode, a raw recurrent forward/backward/step, and now and then an
 * optimiser state round trip and a model file save/load) and checks, after a warm-up, that memory
 * stays flat: the live native allocations (Tensor.liveAllocations) return to the same count after
 * every iteration, the Java heap after a full GC does not grow, the process RSS grows by less than
 * a small bound between the 25 % and 100 % points, and the Cleaner never has to free a forgotten
 * tensor.
 *
 *   java -Xms256m -Xmx256m -XX:+AlwaysPreTouch -cp <test class path> org.jrnn.reliability.LeakProbe \
 *       --iterations N --seed S [--rss-limit-kb K]
 *
 * --inject-leak count|rss (for the probe's own test) leaks on purpose each iteration: one 64-float
 * tensor, or 16 kB of direct (native) memory outside jrnn's count.
 *
 * (A pre-touched, fixed-size heap keeps heap growth out of the RSS; without it the RSS bound is
 * loose.) Exit status: 0 flat, 1 a leak, 2 bad usage.
 */
package org.jrnn.reliability;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.jrnn.Cell;
import org.jrnn.Device;
import org.jrnn.Recurrent;
import org.jrnn.RecurrentOutput;
import org.jrnn.RecurrentState;
import org.jrnn.Scope;
import org.jrnn.SequenceBatch;
import org.jrnn.Tensor;
import org.jrnn.caption.Captioner;
import org.jrnn.data.PaddedBatch;
import org.jrnn.decode.DecodeOptions;
import org.jrnn.decode.Decoded;
import org.jrnn.decode.Decoders;
import org.jrnn.models.ClassificationBatch;
import org.jrnn.models.ModelFiles;
import org.jrnn.models.SequenceClassifier;
import org.jrnn.nn.Parameter;
import org.jrnn.nn.RecurrentInit;
import org.jrnn.optim.Adam;
import org.jrnn.optim.GradientClipping;
import org.jrnn.optim.OptimizerState;

/** The leak probe's command line and loop. */
public final class LeakProbe {
  /**
   * Default bound on RSS growth between the 25 % and 100 % points. Every iteration allocates and
   * frees the same native blocks and the heap is fixed, so a leak of even one small tensor (a few
   * hundred bytes) per iteration grows the RSS by megabytes over 10,000+ iterations. What may still
   * grow legitimately is the JVM's own native memory: the JIT compiling the last cold paths (code
   * cache), metaspace, and glibc malloc arenas settling; on the machines this was written on that
   * stays well under 1 MB after a 25 % warm-up, so 4 MB leaves room without hiding a leak of more
   * than ~200 bytes per iteration at 20,000 iterations.
   */
  static final long DEFAULT_RSS_LIMIT_KB = 4096;

  /** Bound on the growth of the heap used after a full GC between the same two points. */
  static final long HEAP_LIMIT_KB = 1024;

  private LeakProbe() {}

  /** Runs the probe and exits with its status. */
  public static void main(String[] args) throws IOException {
    System.exit(run(args, System.out));
  }

  /** One memory sample. */
  record Sample(
      long iteration, long live, long liveBytes, long rssKb, long heapKb, long cachedBytes) {
    String line() {
      return "LeakProbe sample iteration="
          + iteration
          + " live="
          + live
          + (liveBytes >= 0 ? " live_bytes=" + liveBytes : "")
          + " rss_kb="
          + rssKb
          + " heap_used_kb="
          + heapKb
          + " cpu_cached_bytes="
          + cachedBytes;
    }
  }

  static int run(String[] args, PrintStream out) throws IOException {
    long iterations = 2000;
    long seed = 1;
    long rssLimit = DEFAULT_RSS_LIMIT_KB;
    String inject = null;
    try {
      for (int i = 0; i < args.length; i++) {
        switch (args[i]) {
          case "--iterations" -> iterations = Long.parseLong(args[++i]);
          case "--seed" -> seed = Long.parseLong(args[++i]);
          case "--rss-limit-kb" -> rssLimit = Long.parseLong(args[++i]);
          case "--inject-leak" -> inject = args[++i];
          default -> throw new IllegalArgumentException("unknown option " + args[i]);
        }
      }
      if (iterations < 100) {
        throw new IllegalArgumentException("--iterations must be >= 100");
      }
      if (inject != null && !inject.equals("count") && !inject.equals("rss")) {
        throw new IllegalArgumentException("--inject-leak takes count or rss");
      }
    } catch (RuntimeException e) {
      out.println(
          "usage: LeakProbe --iterations N (>= 100) --seed S [--rss-limit-kb K]: "
              + e.getMessage());
      return 2;
    }
    List<String> warnings = new ArrayList<>();
    Handler h =
        new Handler() {
          @Override
          public void publish(LogRecord r) {
            if (r.getMessage() != null && r.getMessage().contains("was never closed")) {
              synchronized (warnings) {
                warnings.add(r.getMessage());
              }
            }
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    Logger jrnnLogger = Logger.getLogger("org.jrnn");
    jrnnLogger.addHandler(h);
    Path dir = Files.createTempDirectory("jrnn-leak");
    long start = System.nanoTime();
    List<Object> injected = new ArrayList<>();
    try (Workload w = new Workload(seed, dir)) {
      long quarter = iterations / 4;
      long every = Math.max(1, iterations / 20);
      Sample atQuarter = null;
      long liveAtQuarter = -1;
      List<String> problems = new ArrayList<>();
      Sample last = null;
      long minRss = Long.MAX_VALUE;
      for (long i = 1; i <= iterations; i++) {
        w.iteration(i);
        if ("count".equals(inject)) {
          injected.add(Tensor.zeros(64));
        } else if ("rss".equals(inject)) {
          injected.add(java.nio.ByteBuffer.allocateDirect(16 << 10));
        }
        long live = Tensor.liveAllocations();
        if (i == quarter) {
          atQuarter = sample(i, true);
          liveAtQuarter = live;
          out.println(atQuarter.line() + " (baseline)");
        } else if (i > quarter && live != liveAtQuarter && problems.size() < 5) {
          problems.add(
              "after iteration "
                  + i
                  + " "
                  + live
                  + " native allocations are live, "
                  + liveAtQuarter
                  + " after iteration "
                  + quarter);
        }
        if (i == quarter) {
          minRss = atQuarter.rssKb();
        } else if (i % every == 0) {
          // every sample after a full GC, like the baseline: a GC's own first touch of its
          // marking structures adds megabytes of RSS, which must not be read as a leak
          last = sample(i, true);
          out.println(last.line());
          if (i > quarter) {
            minRss = Math.min(minRss, last.rssKb());
          }
        }
      }
      if (last == null || last.iteration() != iterations) {
        last = sample(iterations, true);
        out.println(last.line());
      }
      // from the lowest point after the warm-up: the RSS may fall once (the JIT freeing code,
      // malloc trimming), and a leak after that must not hide behind the fall
      long rssGrowth = last.rssKb() - Math.min(minRss, last.rssKb());
      long heapGrowth = last.heapKb() - atQuarter.heapKb();
      if (rssGrowth >= rssLimit) {
        problems.add(
            "RSS grew by "
                + rssGrowth
                + " kB after iteration "
                + quarter
                + " (limit "
                + rssLimit
                + " kB)");
      }
      if (heapGrowth >= HEAP_LIMIT_KB) {
        problems.add(
            "the heap used after a full GC grew by "
                + heapGrowth
                + " kB (limit "
                + HEAP_LIMIT_KB
                + " kB)");
      }
      if (last.liveBytes() >= 0
          && atQuarter.liveBytes() >= 0
          && last.liveBytes() != atQuarter.liveBytes()) {
        problems.add(
            "live native bytes went from " + atQuarter.liveBytes() + " to " + last.liveBytes());
      }
      synchronized (warnings) {
        if (!warnings.isEmpty()) {
          problems.add(
              "the Cleaner freed "
                  + warnings.size()
                  + " unclosed tensor(s), e.g. "
                  + warnings.get(0));
        }
      }
      out.println(
          String.format(
              Locale.ROOT,
              "LeakProbe summary: iterations=%d seed=%d live_baseline=%d live_end=%d"
                  + " rss_growth_kb=%d heap_growth_kb=%d live_bytes=%s leak_warnings=%d"
                  + " seconds=%.1f status=%s",
              iterations,
              seed,
              liveAtQuarter,
              Tensor.liveAllocations(),
              rssGrowth,
              heapGrowth,
              liveBytes() >= 0 ? Long.toString(liveBytes()) : "n/a",
              warnings.size(),
              (System.nanoTime() - start) / 1e9,
              problems.isEmpty() ? "flat" : "LEAK"));
      if (liveBytes() < 0) {
        out.println(
            "LeakProbe note: jrnn exposes no live native byte count (only"
                + " Tensor.liveAllocations()); bytes are judged through the RSS");
      }
      for (String p : problems) {
        out.println("LeakProbe FAILURE: " + p);
      }
      return problems.isEmpty() ? 0 : 1;
    } finally {
      for (Object o : injected) {
        if (o instanceof Tensor t) {
          t.close();
        }
      }
      jrnnLogger.removeHandler(h);
      ApiFuzzer.deleteTree(dir);
    }
  }

  private static Sample sample(long iteration, boolean gc) {
    MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
    if (gc) {
      System.gc();
      System.gc();
    }
    return new Sample(
        iteration,
        Tensor.liveAllocations(),
        liveBytes(),
        rssKb(),
        mem.getHeapMemoryUsage().getUsed() / 1024,
        Device.cpu().cachedBytes());
  }

  /** The process's resident set (VmRSS of /proc/self/status), or -1 where there is none. */
  static long rssKb() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"), StandardCharsets.UTF_8)) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux: RSS unknown
    }
    return -1;
  }

  /**
   * Live native bytes, if jrnn counts them (a static {@code liveBytes()} on Tensor or the
   * package-private NativeMemory); -1 when it does not.
   */
  static long liveBytes() {
    for (String cls : new String[] {"org.jrnn.Tensor", "org.jrnn.NativeMemory"}) {
      try {
        Method m = Class.forName(cls).getDeclaredMethod("liveBytes");
        m.setAccessible(true);
        return ((Number) m.invoke(null)).longValue();
      } catch (ReflectiveOperationException | RuntimeException e) {
        // not there (yet)
      }
    }
    return -1;
  }

  /** The model, optimiser, layers and data the iterations reuse. */
  static final class Workload implements AutoCloseable {
    private static final int VOCAB = 12;
    private final Gen g;
    private final Path dir;
    private final SequenceClassifier model;
    private final Adam adam;
    private final GradientClipping clipping = GradientClipping.byNorm(1.0);
    private final Captioner captioner;
    private final Recurrent lstm;

    Workload(long seed, Path dir) {
      this.g = new Gen(seed);
      this.dir = dir;
      model =
          SequenceClassifier.builder()
              .vocabSize(VOCAB)
              .numClasses(3)
              .embeddingSize(4)
              .hiddenSize(8)
              .layers(2)
              .bidirectional(true)
              .dropout(0.2f)
              .init(RecurrentInit.ORTHOGONAL_FORGET_BIAS_ONE)
              .seed(seed)
              .device(Device.cpu())
              .build();
      adam = Adam.builder().lr(0.01).weightDecay(1e-4).build(model.parameters());
      captioner =
          Captioner.builder()
              .featureSize(3)
              .imageSize(0)
              .projectionSize(4)
              .vocabSize(9)
              .embeddingSize(4)
              .cell(Cell.GRU)
              .hiddenSize(6)
              .layers(1)
              .concatFeatures(true)
              .seed(seed)
              .device(Device.cpu())
              .build();
      lstm =
          Recurrent.builder()
              .cell(Cell.LSTM)
              .inputSize(3)
              .hiddenSize(5)
              .layers(2)
              .seed(seed)
              .build();
    }

    void iteration(long i) throws IOException {
      try (Scope scope = Scope.open()) {
        int n = g.between(1, 5);
        List<int[]> seqs = ModelCalls.sequences(g, n, VOCAB, 7);
        PaddedBatch tokens = ModelCalls.padded(seqs);
        int[] labels = g.ints(n, 0, 2);
        for (Parameter p : model.parameters()) {
          p.grad().zero();
        }
        model.trainStep(new ClassificationBatch(tokens, labels));
        clipping.apply(model.parameters());
        adam.step();
        model.predict(tokens);

        List<float[]> inputs = g.listOf(g.between(1, 3), () -> g.floats(3));
        DecodeOptions o =
            g.coin()
                ? DecodeOptions.builder().maxLength(4).suppress(Captioner.NEVER).build()
                : DecodeOptions.builder().beamSize(3).nBest(2).maxLength(4).maxActive(2).build();
        List<Decoded> decoded = Decoders.decode(captioner, inputs, o);
        if (decoded.size() != inputs.size()) {
          throw new IllegalStateException("decode gave " + decoded.size() + " results");
        }

        int t = g.between(1, 4);
        SequenceBatch x =
            SequenceBatch.of(Tensor.of(g.floats(t * n * 3), t, n, 3), g.lengths(n, t));
        RecurrentOutput y = lstm.forwardTrain(x, null);
        lstm.backward(y, y.output(), null, null);
        RecurrentState s = RecurrentState.zeros(lstm, n);
        lstm.step(Tensor.of(g.floats(n * 3), n, 3), s);
        lstm.zeroGradients();

        if (i % 200 == 0) {
          OptimizerState st = adam.state();
          adam.loadState(st);
          Path p = dir.resolve("m.safetensors");
          ModelFiles.save(p, model, null, null);
          try (ModelFiles.Contents back = ModelFiles.load(p, Device.cpu())) {
            back.model().parameters().get(0).value().toArray();
          }
        }
      }
    }

    @Override
    public void close() {
      lstm.close();
      captioner.close();
      adam.close();
      model.close();
    }
  }
}
