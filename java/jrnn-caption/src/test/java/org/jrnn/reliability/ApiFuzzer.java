/*
 * ApiFuzzer: a seeded fuzzer of jrnn's public Java API. Each call is generated "good" (it must
 * succeed and its result is checked) or "bad/edge" (it must be refused with a JrnnException, or a
 * loader's declared IOException subclass for file inputs, whose message is non-empty and shorter
 * than 1000 characters). Anything else fails: another exception type, an Error, a hang (per-call
 * watchdog), a bad call that succeeds, a wrong result, or native memory a call leaves allocated.
 *
 *   java -cp <test class path> org.jrnn.reliability.ApiFuzzer --calls N --seed S [--report FILE]
 *
 * Optional: --from I (start at call I; "--from I --calls 1" replays call I alone), --api NAME
 * (only that family), --call-timeout-s T (watchdog, default 30). Exit status: 0 no failure,
 * 1 failures, 2 bad usage, 3 a hang.
 */
package org.jrnn.reliability;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.jrnn.JrnnException;
import org.jrnn.Scope;
import org.jrnn.Tensor;
import org.jrnn.data.DataFormatException;
import org.jrnn.io.SafetensorsException;

/** The fuzzer's command line and loop; the calls themselves come from the *Calls classes. */
public final class ApiFuzzer {
  /** Longest accepted exception message (a message must quote at most a short piece of input). */
  static final int MAX_MESSAGE = 1000;

  private static final int MAX_PRINTED_FAILURES = 40;

  /** Failures kept for the report (all are counted): a long soak must not fill the heap. */
  private static final int MAX_KEPT_FAILURES = 1000;

  /** An API family: its name in the counts, its share of the calls and its generator. */
  record Family(String name, int weight, Function<Gen, Call> generator) {}

  /** Every family, in the order of the summary. */
  static List<Family> families() {
    List<Family> all =
        new ArrayList<>(
            List.of(
                new Family("device", 2, CoreCalls::device),
                new Family("tensor", 12, CoreCalls::tensor),
                new Family("scope", 4, CoreCalls::scope),
                new Family("batch", 5, CoreCalls::batch),
                new Family("recurrent", 12, CoreCalls::recurrent),
                new Family("ops", 12, OpsCalls::ops),
                new Family("nn", 6, OpsCalls::nn),
                new Family("models", 10, ModelCalls::models),
                new Family("decode", 6, ModelCalls::decode),
                new Family("optim", 8, OptimCalls::optim),
                new Family("tokenizer", 5, DataCalls::tokenizer),
                new Family("safetensors", 6, DataCalls::safetensors)));
    for (String name : HostileFiles.FAMILIES) {
      all.add(new Family(name, 1, g -> HostileFiles.generate(name, g)));
    }
    return all;
  }

  /** Whether {@code --api only} selects {@code family}: its name, or the prefix before a '-'. */
  static boolean selects(String only, String family) {
    return only == null || family.equals(only) || family.startsWith(only + "-");
  }

  /** Counts for one family or for all. */
  static final class Counts {
    long calls;
    long ok;
    long rejected;
    long failures;
    long nanos;

    String line() {
      return "calls="
          + calls
          + " ok="
          + ok
          + " rejected="
          + rejected
          + " failures="
          + failures
          + " ms="
          + nanos / 1_000_000;
    }
  }

  private record Failure(
      long index, String api, String expect, String problem, String call, String trace) {}

  /** What running one call gave. */
  private record Outcome(boolean rejected, String problem, Throwable thrown) {}

  private final long seed;
  private final long from;
  private final long calls;
  private final String only;
  private final long timeoutSeconds;
  private final PrintStream out;
  private final Map<String, Counts> perApi = new LinkedHashMap<>();
  private final Counts total = new Counts();
  private final List<Failure> failures = new ArrayList<>();
  private long failureCount;
  private final List<String> leakWarnings = new ArrayList<>();

  /**
   * Failures grouped by signature (family, problem, where it was thrown): count and first index.
   */
  private final Map<String, long[]> distinct = new LinkedHashMap<>();

  private ApiFuzzer(
      long seed, long from, long calls, String only, long timeoutSeconds, PrintStream out) {
    this.seed = seed;
    this.from = from;
    this.calls = calls;
    this.only = only;
    this.timeoutSeconds = timeoutSeconds;
    this.out = out;
  }

  /** Runs the fuzzer and exits with its status (see the file comment). */
  public static void main(String[] args) {
    System.exit(run(args, System.out));
  }

  /** Runs the fuzzer; returns the exit status. */
  static int run(String[] args, PrintStream out) {
    long calls = 1000;
    long seed = 1;
    long from = 0;
    long timeout = 30;
    String only = null;
    String report = null;
    try {
      for (int i = 0; i < args.length; i++) {
        switch (args[i]) {
          case "--calls" -> calls = Long.parseLong(args[++i]);
          case "--seed" -> seed = Long.parseLong(args[++i]);
          case "--from" -> from = Long.parseLong(args[++i]);
          case "--report" -> report = args[++i];
          case "--api" -> only = args[++i];
          case "--call-timeout-s" -> timeout = Long.parseLong(args[++i]);
          default -> throw new IllegalArgumentException("unknown option " + args[i]);
        }
      }
      if (calls < 0 || from < 0 || timeout < 1) {
        throw new IllegalArgumentException("--calls, --from must be >= 0, --call-timeout-s >= 1");
      }
      String wanted = only;
      if (only != null && families().stream().noneMatch(f -> selects(wanted, f.name()))) {
        throw new IllegalArgumentException("unknown --api " + only);
      }
    } catch (RuntimeException e) {
      out.println(
          "usage: ApiFuzzer --calls N --seed S [--report FILE] [--from I] [--api NAME]"
              + " [--call-timeout-s T]: "
              + e.getMessage());
      return 2;
    }
    ApiFuzzer f = new ApiFuzzer(seed, from, calls, only, timeout, out);
    int status = f.loop();
    if (report != null) {
      try {
        Files.writeString(Path.of(report), f.reportJson(status), StandardCharsets.UTF_8);
      } catch (IOException e) {
        out.println("cannot write the report " + report + ": " + e);
        status = Math.max(status, 1);
      }
    }
    return status;
  }

  private int loop() {
    List<Family> all = families().stream().filter(f -> selects(only, f.name())).toList();
    for (Family f : all) {
      perApi.put(f.name(), new Counts());
    }
    int weights = all.stream().mapToInt(Family::weight).sum();
    Handler leakHandler = watchLeakWarnings();
    Path dir;
    try {
      dir = Files.createTempDirectory("jrnn-fuzz");
    } catch (IOException e) {
      out.println("cannot create a scratch directory: " + e);
      return 2;
    }
    ExecutorService worker =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(null, r, "fuzz-worker", 16L << 20);
              t.setDaemon(true); // a hung call must not keep the JVM alive
              return t;
            });
    long start = System.nanoTime();
    int status = 0;
    try {
      for (long i = from; i < from + calls; i++) {
        Gen g = new Gen(Gen.mix(seed, i));
        int pick = g.between(0, weights - 1);
        Family family = null;
        for (Family f : all) {
          pick -= f.weight();
          if (pick < 0) {
            family = f;
            break;
          }
        }
        boolean scoped = g.chance(0.7);
        Call call;
        try {
          call = family.generator().apply(g);
        } catch (RuntimeException | Error e) {
          // a bug in the generator, not in jrnn; still a failure to fix
          record(i, family.name(), "generate", "the generator threw", "(none)", e);
          continue;
        }
        long t0 = System.nanoTime();
        Future<Outcome> result = worker.submit(() -> execute(call, scoped, dir));
        Outcome o;
        try {
          o = result.get(timeoutSeconds, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
          Thread t = findWorker();
          StringBuilder stack = new StringBuilder();
          if (t != null) {
            for (StackTraceElement el : t.getStackTrace()) {
              stack.append("    at ").append(el).append('\n');
            }
          }
          record(
              i,
              call.api,
              call.expect.name(),
              "hang: no result after " + timeoutSeconds + " s",
              call.description,
              null);
          out.println("  worker stack:\n" + stack);
          status = 3;
          break;
        } catch (ExecutionException | InterruptedException e) {
          o = new Outcome(false, "the harness failed: " + e, e);
        }
        Counts c = perApi.get(call.api);
        c.nanos += System.nanoTime() - t0;
        total.nanos += System.nanoTime() - t0;
        c.calls++;
        total.calls++;
        if (o.problem() != null) {
          c.failures++;
          record(i, call.api, call.expect.name(), o.problem(), call.description, o.thrown());
        } else if (o.rejected()) {
          c.rejected++;
          total.rejected++;
        } else {
          c.ok++;
          total.ok++;
        }
        synchronized (leakWarnings) {
          if (!leakWarnings.isEmpty()) {
            c.failures++;
            record(
                i,
                call.api,
                call.expect.name(),
                "the Cleaner freed unclosed native memory (a leak in this call or an earlier one): "
                    + leakWarnings,
                call.description,
                null);
            leakWarnings.clear();
          }
        }
      }
    } finally {
      worker.shutdownNow();
      Logger.getLogger("org.jrnn").removeHandler(leakHandler);
      deleteTree(dir);
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    total.failures = failureCount;
    out.println(
        String.format(
            Locale.ROOT,
            "ApiFuzzer summary: %s seed=%d from=%d seconds=%.1f",
            total.line(),
            seed,
            from,
            seconds));
    for (Map.Entry<String, Counts> e : perApi.entrySet()) {
      out.println("ApiFuzzer api=" + e.getKey() + " " + e.getValue().line());
    }
    for (Map.Entry<String, long[]> e : distinct.entrySet()) {
      out.println(
          "ApiFuzzer distinct failure x"
              + e.getValue()[0]
              + " (first at call "
              + e.getValue()[1]
              + "): "
              + e.getKey());
    }
    if (status == 0 && failureCount > 0) {
      status = 1;
    }
    return status;
  }

  /**
   * Runs one call on this thread, outside any scope, and returns what is wrong with what it did, or
   * null when it behaved (for the harness's own tests).
   */
  static String problemOf(Call call) throws IOException {
    Path dir = Files.createTempDirectory("jrnn-fuzz");
    try {
      return execute(call, false, dir).problem();
    } finally {
      deleteTree(dir);
    }
  }

  /** Runs one call on the worker thread and classifies what happened. */
  private static Outcome execute(Call call, boolean scoped, Path dir) {
    long live = Tensor.liveAllocations();
    Throwable thrown = null;
    Throwable cleanup = null;
    Call.Ctx ctx = new Call.Ctx(dir);
    Scope scope = scoped ? Scope.open() : null;
    try {
      call.body.run(ctx);
    } catch (Throwable t) {
      thrown = t;
    }
    try {
      ctx.closeAll();
    } catch (Throwable t) {
      cleanup = t;
    }
    try {
      if (scope != null) {
        scope.close();
      }
    } catch (Throwable t) {
      cleanup = cleanup == null ? t : cleanup;
    }
    if (Scope.isOpen() && thrown == null) {
      // a call that leaves a scope open would make every later tensor belong to it
      thrown = new Call.CheckFailure("the call left a Scope open");
    }
    clearDir(dir);
    Outcome o = classify(call, thrown);
    if (o.problem() != null) {
      return o;
    }
    if (cleanup != null) {
      return new Outcome(false, "closing what the call made threw " + cleanup, cleanup);
    }
    long leaked = Tensor.liveAllocations() - live;
    if (leaked > 0) {
      return new Outcome(false, "the call left " + leaked + " native allocation(s) unfreed", null);
    }
    return o;
  }

  private static Outcome classify(Call call, Throwable t) {
    if (t == null) {
      return call.expect == Call.Expect.BAD
          ? new Outcome(false, "a bad call succeeded silently", null)
          : new Outcome(false, null, null);
    }
    if (t instanceof Call.CheckFailure) {
      return new Outcome(false, "wrong result: " + t.getMessage(), t);
    }
    boolean clean =
        t instanceof JrnnException
            || (call.fileInput
                && (t instanceof SafetensorsException || t instanceof DataFormatException))
            || (call.plainIo && t instanceof IOException);
    if (!clean) {
      return new Outcome(false, "threw " + t.getClass().getName() + " (not a JrnnException)", t);
    }
    String m = t.getMessage();
    if (m == null || m.isBlank()) {
      return new Outcome(false, "threw " + t.getClass().getName() + " with an empty message", t);
    }
    if (m.length() >= MAX_MESSAGE) {
      return new Outcome(
          false,
          "threw "
              + t.getClass().getName()
              + " with a "
              + m.length()
              + "-character message (limit "
              + MAX_MESSAGE
              + "): "
              + m.substring(0, 200)
              + "...",
          t);
    }
    if (t instanceof JrnnException j && j.status() == null) {
      return new Outcome(false, "threw a JrnnException without a status", t);
    }
    if (call.expect == Call.Expect.GOOD) {
      return new Outcome(false, "a good call was refused: " + t, t);
    }
    return new Outcome(true, null, t);
  }

  private void record(
      long index, String api, String expect, String problem, String call, Throwable t) {
    Failure f = new Failure(index, api, expect, problem, call, t == null ? "" : trace(t));
    failureCount++;
    if (failures.size() < MAX_KEPT_FAILURES) {
      failures.add(f);
    }
    distinct.computeIfAbsent(signature(api, problem, call, t), k -> new long[] {0, index})[0]++;
    if (failureCount > MAX_PRINTED_FAILURES) {
      return;
    }
    out.println(
        "FAILURE call " + index + " (api " + api + ", expected " + expect + "): " + problem);
    out.println("  call: " + call);
    out.println(
        "  reproduce: java -cp <test class path> "
            + ApiFuzzer.class.getName()
            + " --seed "
            + seed
            + " --from "
            + index
            + " --calls 1"
            + (only != null ? " --api " + only : ""));
    if (!f.trace().isEmpty()) {
      out.print(f.trace().indent(2));
    }
    if (failureCount == MAX_PRINTED_FAILURES) {
      out.println("(further failures are counted, not printed)");
    }
  }

  /**
   * What identifies a failure across calls: the family, the problem and the call without numbers,
   * and the innermost jrnn frame of the exception.
   */
  private static String signature(String api, String problem, String call, Throwable t) {
    String where = "";
    if (t != null) {
      for (StackTraceElement el : t.getStackTrace()) {
        if (el.getClassName().startsWith("org.jrnn.")
            && !el.getClassName().startsWith("org.jrnn.reliability.")) {
          where = " at " + el;
          break;
        }
      }
    }
    String p = problem.length() > 50 ? problem.substring(0, 50) : problem;
    int paren = call.indexOf('(');
    String c = call.substring(0, Math.min(call.length(), paren > 0 ? Math.min(paren, 60) : 60));
    return api + ": " + p.replaceAll("[0-9]+", "#") + " | " + c.replaceAll("[0-9.]+", "#") + where;
  }

  private static String trace(Throwable t) {
    StringWriter w = new StringWriter();
    t.printStackTrace(new PrintWriter(w));
    String[] lines = w.toString().split("\n");
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < Math.min(lines.length, 14); i++) {
      String line = lines[i];
      b.append(line.length() > 300 ? line.substring(0, 300) + "..." : line).append('\n');
    }
    return b.toString();
  }

  /** Counts the Cleaner's "was never closed" warnings: native memory a call dropped unclosed. */
  private Handler watchLeakWarnings() {
    Handler h =
        new Handler() {
          @Override
          public void publish(LogRecord r) {
            String m = r.getMessage();
            if (m != null && m.contains("was never closed")) {
              synchronized (leakWarnings) {
                if (leakWarnings.size() < 5) {
                  leakWarnings.add(m);
                }
              }
            }
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    Logger.getLogger("org.jrnn").addHandler(h);
    return h;
  }

  private static Thread findWorker() {
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.getName().equals("fuzz-worker")) {
        return t;
      }
    }
    return null;
  }

  private static void clearDir(Path dir) {
    try (Stream<Path> s = Files.list(dir)) {
      s.forEach(ApiFuzzer::deleteTree);
    } catch (IOException e) {
      // a file that cannot be deleted only costs disk space
    }
  }

  static void deleteTree(Path p) {
    try (Stream<Path> s = Files.walk(p)) {
      s.sorted(Comparator.reverseOrder())
          .forEach(
              q -> {
                try {
                  Files.deleteIfExists(q);
                } catch (IOException e) {
                  // see clearDir
                }
              });
    } catch (IOException e) {
      // see clearDir
    }
  }

  private String reportJson(int status) {
    StringBuilder b = new StringBuilder("{\n");
    b.append("  \"tool\": \"ApiFuzzer\",\n");
    b.append("  \"seed\": ").append(seed).append(",\n");
    b.append("  \"from\": ").append(from).append(",\n");
    b.append("  \"status\": ").append(status).append(",\n");
    b.append("  \"calls\": ").append(total.calls).append(",\n");
    b.append("  \"ok\": ").append(total.ok).append(",\n");
    b.append("  \"rejected\": ").append(total.rejected).append(",\n");
    b.append("  \"failures\": ").append(failureCount).append(",\n");
    b.append("  \"apis\": {");
    String sep = "\n";
    for (Map.Entry<String, Counts> e : perApi.entrySet()) {
      Counts c = e.getValue();
      b.append(sep)
          .append("    ")
          .append(quote(e.getKey()))
          .append(": {\"calls\": ")
          .append(c.calls)
          .append(", \"ok\": ")
          .append(c.ok)
          .append(", \"rejected\": ")
          .append(c.rejected)
          .append(", \"failures\": ")
          .append(c.failures)
          .append('}');
      sep = ",\n";
    }
    b.append("\n  },\n  \"distinct_failures\": [");
    sep = "\n";
    for (Map.Entry<String, long[]> e : distinct.entrySet()) {
      b.append(sep)
          .append("    {\"signature\": ")
          .append(quote(e.getKey()))
          .append(", \"count\": ")
          .append(e.getValue()[0])
          .append(", \"first_index\": ")
          .append(e.getValue()[1])
          .append('}');
      sep = ",\n";
    }
    b.append("\n  ],\n  \"failure_list\": [");
    sep = "\n";
    for (Failure f : failures) {
      b.append(sep)
          .append("    {\"index\": ")
          .append(f.index())
          .append(", \"api\": ")
          .append(quote(f.api()))
          .append(", \"expected\": ")
          .append(quote(f.expect()))
          .append(", \"problem\": ")
          .append(quote(f.problem()))
          .append(", \"call\": ")
          .append(quote(f.call()))
          .append(", \"trace\": ")
          .append(quote(f.trace()))
          .append('}');
      sep = ",\n";
    }
    return b.append("\n  ]\n}\n").toString();
  }

  private static String quote(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      if (c == '"' || c == '\\') {
        b.append('\\').append(c);
      } else if (c < 32 || Character.isSurrogate(c)) {
        b.append(String.format("\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    return b.append('"').toString();
  }
}
