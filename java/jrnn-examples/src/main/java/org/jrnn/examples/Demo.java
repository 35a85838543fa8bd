// Demo: `jrnn demo`, the three shapes of recurrent work trained and evaluated on the bundled
// real data on the CPU in a few minutes: many-to-one sentiment (SentimentExample), a many-to-many
// character language model (CharLanguageModelExample), one-to-many digit spelling (DigitsExample);
// ends with a summary table. Each example also runs alone through its main method.
//   scripts/jrnn demo [--only sentiment|lm|digits] [--lm-updates 1000] [--seed 42]
package org.jrnn.examples;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jrnn.cli.CliErrors;
import org.jrnn.cli.CliOptions;
import org.jrnn.cli.Command;
import org.jrnn.data.BundledData;
import org.jrnn.io.AtomicFiles;
import org.jrnn.io.Json;

/** {@code jrnn demo}: see {@link #usage()}. */
public final class Demo implements Command {
  @Override
  public String name() {
    return "demo";
  }

  @Override
  public String summary() {
    return "train and evaluate three small RNNs on the bundled real data (a few minutes on a CPU)";
  }

  @Override
  public String usage() {
    return String.join(
        "\n",
        "usage: jrnn demo [--only sentiment|lm|digits] [--lm-seconds S] [--sentiment-epochs E]",
        "                 [--digits-epochs E] [--seed N] [--data DIR] [--threads N] [--json FILE]",
        "",
        "Trains and evaluates, on the CPU and on data bundled with jrnn (data/), one model of each",
        "shape of recurrent work, and prints what each learned:",
        "",
        "  sentiment  many-to-one: 3,000 review sentences (UCI imdb/yelp/amazon), the seeded 80/20",
        "             split of org.jrnn.data.SeededSplit (the same as scripts/torch_sentiment.py);",
        "             words (seen twice or more) -> embedding 128 -> LSTM 64 -> linear; test accuracy",
        "  lm         many-to-many: character language model on Moby-Dick (first 90% trains, last",
        "             10% validates); chars -> embedding 64 -> 2-layer LSTM 256 -> linear, truncated",
        "             BPTT over 32 streams x 100 chars, Adam 5e-3 for 1,000 updates; validation bits",
        "             per character and a sample",
        "  digits     one-to-many: UCI 8x8 digit images -> the digit's spelled name (\"seven\"); the",
        "             pixels set a GRU language model's initial state; exact match on the test split",
        "",
        "  --only PART           run one part: sentiment, lm or digits (default: all three)",
        "  --lm-updates N        updates of the language model (default "
            + CharLanguageModelExample.UPDATES
            + ")",
        "  --lm-seconds S        train the language model for a time budget of S seconds instead",
        "  --sentiment-epochs E  epochs of the sentiment model (default "
            + SentimentExample.EPOCHS
            + ")",
        "  --digits-epochs E     epochs of the digits model (default " + DigitsExample.EPOCHS + ")",
        "  --seed N              seed of splits, batches, initialisation and sampling (default 42)",
        "  --data DIR            the data/ folder (default: found from the working directory, or",
        "                        -Djrnn.data / $JRNN_DATA)",
        "  --threads N           CPU threads (default 1: the kernels synchronise threads at every time",
        "                        step, which is slow when other programs keep the other cores busy)",
        "  --json FILE           also write the results as JSON (for scripts/bench-demo.sh)",
        "",
        "With the defaults the whole demo takes 2-5 minutes on one core of a 2-core machine (most",
        "of it the language model's 1,000 updates); each part prints its data, model, training,",
        "result and examples, and a summary table ends the run.",
        "");
  }

  @Override
  public int run(List<String> args, PrintStream out, PrintStream err) throws Exception {
    return CliErrors.run(() -> execute(args, out, err));
  }

  private int execute(List<String> args, PrintStream out, PrintStream err) throws Exception {
    CliOptions o =
        CliOptions.parse(
            args,
            Set.of(
                "only",
                "lm-seconds",
                "lm-updates",
                "sentiment-epochs",
                "digits-epochs",
                "seed",
                "data",
                "threads",
                "json"),
            Set.of(),
            false);
    String only = o.choice("only", null, "sentiment", "lm", "digits");
    if (o.has("lm-updates") && o.has("lm-seconds")) {
      throw new UsageException("give --lm-seconds or --lm-updates, not both");
    }
    int lmSeconds = o.integer("lm-seconds", 0, 1, 24 * 3600);
    int lmUpdates =
        o.has("lm-seconds")
            ? 0
            : o.integer("lm-updates", CharLanguageModelExample.UPDATES, 1, 100_000_000);
    int sentimentEpochs = o.integer("sentiment-epochs", SentimentExample.EPOCHS, 1, 1000);
    int digitsEpochs = o.integer("digits-epochs", DigitsExample.EPOCHS, 1, 1000);
    long seed = o.longValue("seed", 42, Long.MIN_VALUE);
    // One thread unless told otherwise: the native CPU kernels synchronise their threads at every
    // time step, so on a shared machine whose other cores are busy, more threads can be much
    // slower.
    if (o.has("threads") || System.getProperty("jrnn.cpu.threads") == null) {
      System.setProperty("jrnn.cpu.threads", Integer.toString(o.integer("threads", 1, 1, 1024)));
    }
    Path data = o.has("data") ? o.path("data") : BundledData.findDataDir();
    long start = System.nanoTime();
    out.println(
        "jrnn demo: three shapes of recurrent networks, trained and evaluated on real data");
    out.println("  data   " + data.toAbsolutePath().normalize());
    out.println("  device cpu, " + threads() + " thread(s)");
    List<ExampleResult> results = new ArrayList<>();
    int parts = only == null ? 3 : 1;
    int index = 0;
    if (only == null || only.equals("sentiment")) {
      out.println(header(++index, parts, SentimentExample.TITLE));
      results.add(SentimentExample.run(out, data, seed, sentimentEpochs));
    }
    if (only == null || only.equals("lm")) {
      out.println(header(++index, parts, CharLanguageModelExample.TITLE));
      results.add(
          CharLanguageModelExample.run(out, data, seed, lmUpdates, lmUpdates > 0 ? 0 : lmSeconds));
    }
    if (only == null || only.equals("digits")) {
      out.println(header(++index, parts, DigitsExample.TITLE));
      results.add(DigitsExample.run(out, data, seed, digitsEpochs));
    }
    double total = (System.nanoTime() - start) / 1e9;
    summary(out, results, total);
    if (o.has("json")) {
      Map<String, Object> j = new LinkedHashMap<>();
      j.put("threads", (long) threads());
      j.put("seed", seed);
      j.put("total_seconds", total);
      List<Object> rs = new ArrayList<>();
      for (ExampleResult r : results) {
        rs.add(json(r));
      }
      j.put("results", rs);
      AtomicFiles.deleteStaleTemps(o.path("json")); // left by a run killed while writing
      AtomicFiles.writeString(o.path("json"), Json.writePretty(j) + "\n");
    }
    return 0;
  }

  /** The CPU threads of jrnn's context. */
  static int threads() {
    int t = Integer.getInteger("jrnn.cpu.threads", 0);
    return t > 0 ? t : Runtime.getRuntime().availableProcessors();
  }

  static String header(int index, int parts, String title) {
    return String.format(Locale.ROOT, "%n[%d/%d] %s", index, parts, title);
  }

  // ------------------------------------------------------------------ summary

  static void summary(PrintStream out, List<ExampleResult> results, double totalSeconds) {
    out.println();
    out.println("summary");
    out.printf(
        Locale.ROOT,
        "  %-10s %-13s %-22s %-8s %9s %9s  %s%n",
        "task",
        "shape",
        "metric",
        "value",
        "train s",
        "total s",
        "note");
    for (ExampleResult r : results) {
      out.printf(
          Locale.ROOT,
          "  %-10s %-13s %-22s %-8s %9.1f %9.1f  %s%n",
          r.part(),
          r.shape(),
          r.metric(),
          r.valueText(),
          r.trainSeconds(),
          r.totalSeconds(),
          r.note());
    }
    out.printf(Locale.ROOT, "  total %s (%.1f s)%n", clock(totalSeconds), totalSeconds);
  }

  static String clock(double seconds) {
    long s = Math.round(seconds);
    return String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
  }

  static Map<String, Object> json(ExampleResult r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("part", r.part());
    m.put("metric", r.metric());
    m.put("value", r.value());
    m.put("train_seconds", r.trainSeconds());
    m.put("total_seconds", r.totalSeconds());
    m.put("steps", r.steps());
    return m;
  }
}
