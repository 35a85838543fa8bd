// Demo: `jrnn demo`, the three shapes of recurrent work trained and evaluated on the bundled
// real data on the CPU in a few minutes: many-to-one sentiment, a many-to-many character language
// model, one-to-many digit spelling; ends with a summary table.
//   scripts/jrnn demo [--only sentiment|lm|digits] [--lm-seconds 100] [--seed 42]
package org.jrnn.examples;

import org.jrnn.cli.Command;
import org.jrnn.cli.CliErrors;
import org.jrnn.cli.CliOptions;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jrnn.data.BundledData;
import org.jrnn.data.CharTokenizer;
import org.jrnn.data.DigitImage;
import org.jrnn.data.LabelIndex;
import org.jrnn.data.LabelledExample;
import org.jrnn.data.PaddedBatch;
import org.jrnn.data.SeededSplit;
import org.jrnn.data.Vocabulary;
import org.jrnn.data.WordTokenizer;
import org.jrnn.io.AtomicFiles;
import org.jrnn.io.Json;
import org.jrnn.models.ClassificationBatches;
import org.jrnn.models.ClassifierTask;
import org.jrnn.models.ConditionedBatches;
import org.jrnn.models.ConditionedLanguageModel;
import org.jrnn.models.ConditionedLanguageModelTask;
import org.jrnn.models.LanguageModel;
import org.jrnn.models.LanguageModelTask;
import org.jrnn.models.LmWindows;
import org.jrnn.models.SequenceClassifier;
import org.jrnn.optim.Adam;
import org.jrnn.optim.GradientClipping;
import org.jrnn.train.TrainResult;
import org.jrnn.train.Trainer;

/** {@code jrnn demo}: see {@link #usage()}. */
public final class Demo implements Command {
  /**
   * Default char-LM updates: a fixed count, so the printed quality is the same on every machine
   * (a time budget gave 2,112 updates on a quiet AVX-512 machine and 276 on a busy AVX2 one).
   */
  static final int DEFAULT_LM_UPDATES = 1000;
  /** The char LM's Adam learning rate (torch_charlm.py --lr). */
  static final double LM_LR = 5e-3;
  /** Default sentiment epochs. */
  static final int SENTIMENT_EPOCHS = 8;
  /** The sentiment model's embedding size (torch_sentiment.py --embed). */
  static final int SENTIMENT_EMBEDDING = 128;
  /** The sentiment model's LSTM size (torch_sentiment.py --hidden). */
  static final int SENTIMENT_HIDDEN = 64;
  /** Least count of a word to get an id (torch_sentiment.py --min-freq). */
  static final int SENTIMENT_MIN_FREQ = 2;

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
        "  --lm-updates N        updates of the language model (default " + DEFAULT_LM_UPDATES + ")",
        "  --lm-seconds S        train the language model for a time budget of S seconds instead",
        "  --sentiment-epochs E  epochs of the sentiment model (default 8)",
        "  --digits-epochs E     epochs of the digits model (default 20)",
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

  /** One part's outcome, for the summary table. */
  record Result(String part, String shape, String metric, double value, String valueText,
      double trainSeconds, double totalSeconds, long steps, String note) {}

  @Override
  public int run(List<String> args, PrintStream out, PrintStream err) throws Exception {
    return CliErrors.run(() -> execute(args, out, err));
  }

  private int execute(List<String> args, PrintStream out, PrintStream err) throws Exception {
    CliOptions o =
        CliOptions.parse(
            args,
            Set.of(
                "only", "lm-seconds", "lm-updates", "sentiment-epochs", "digits-epochs", "seed",
                "data", "threads", "json"),
            Set.of(),
            false);
    String only = o.choice("only", null, "sentiment", "lm", "digits");
    if (o.has("lm-updates") && o.has("lm-seconds")) {
      throw new UsageException("give --lm-seconds or --lm-updates, not both");
    }
    int lmSeconds = o.integer("lm-seconds", 0, 1, 24 * 3600);
    int lmUpdates = o.has("lm-seconds") ? 0 : o.integer("lm-updates", DEFAULT_LM_UPDATES, 1, 100_000_000);
    int sentimentEpochs = o.integer("sentiment-epochs", SENTIMENT_EPOCHS, 1, 1000);
    int digitsEpochs = o.integer("digits-epochs", 20, 1, 1000);
    long seed = o.longValue("seed", 42, Long.MIN_VALUE);
    // One thread unless told otherwise: the native CPU kernels synchronise their threads at every
    // time step, so on a shared machine whose other cores are busy, more threads can be much slower.
    if (o.has("threads") || System.getProperty("jrnn.cpu.threads") == null) {
      System.setProperty("jrnn.cpu.threads", Integer.toString(o.integer("threads", 1, 1, 1024)));
    }
    Path data = o.has("data") ? o.path("data") : BundledData.findDataDir();
    long start = System.nanoTime();
    out.println("jrnn demo: three shapes of recurrent networks, trained and evaluated on real data");
    out.println("  data   " + data.toAbsolutePath().normalize());
    out.println("  device cpu, " + threads() + " thread(s)");
    List<Result> results = new ArrayList<>();
    int parts = only == null ? 3 : 1;
    int index = 0;
    if (only == null || only.equals("sentiment")) {
      results.add(sentiment(out, data, seed, sentimentEpochs, ++index, parts));
    }
    if (only == null || only.equals("lm")) {
      results.add(languageModel(out, data, seed, lmUpdates > 0 ? 0 : lmSeconds, lmUpdates, ++index, parts));
    }
    if (only == null || only.equals("digits")) {
      results.add(digits(out, data, seed, digitsEpochs, ++index, parts));
    }
    double total = (System.nanoTime() - start) / 1e9;
    summary(out, results, total);
    if (o.has("json")) {
      Map<String, Object> j = new java.util.LinkedHashMap<>();
      j.put("threads", (long) threads());
      j.put("seed", seed);
      j.put("total_seconds", total);
      List<Object> rs = new ArrayList<>();
      for (Result r : results) {
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

  // ------------------------------------------------------------------ sentiment

  Result sentiment(PrintStream out, Path data, long seed, int epochs, int index, int parts)
      throws Exception {
    long t0 = System.nanoTime();
    out.println(header(index, parts, "many-to-one: sentiment of review sentences"));
    List<LabelledExample> all = BundledData.sentiment(data);
    SeededSplit split = SeededSplit.of(all.size(), 0.8, seed);
    List<LabelledExample> train = split.trainOf(all);
    List<LabelledExample> test = split.testOf(all);
    WordTokenizer words =
        WordTokenizer.builder()
            .minFrequency(SENTIMENT_MIN_FREQ)
            .build(train.stream().map(LabelledExample::text).toList());
    LabelIndex labels = LabelIndex.ofExamples(all);
    List<int[]> trainX = train.stream().map(e -> words.encode(e.text())).toList();
    List<int[]> testX = test.stream().map(e -> words.encode(e.text())).toList();
    int[] trainY = labels.ids(train);
    int[] testY = labels.ids(test);
    out.printf(
        Locale.ROOT,
        "  data   %,d sentences (imdb, yelp, amazon): %,d train / %,d test, seeded 80/20 split (seed %d);"
            + " %,d words in the vocabulary%n",
        all.size(),
        train.size(),
        test.size(),
        seed,
        words.vocabulary().size(),
        SENTIMENT_MIN_FREQ);
    try (SequenceClassifier model =
        SequenceClassifier.builder()
            .vocabSize(words.vocabulary().size())
            .numClasses(labels.size())
            .embeddingSize(SENTIMENT_EMBEDDING)
            .hiddenSize(SENTIMENT_HIDDEN)
            .seed(seed)
            .build()) {
      SequenceClassifier.Config config = model.config();
      out.printf(
          Locale.ROOT,
          "  model  words -> embedding %d -> %s %d -> linear %d (%,d parameters)%n",
          config.embeddingSize(),
          config.cell(),
          config.hiddenSize(),
          labels.size(),
          model.parameterCount());
      double lr = 2e-3;
      out.printf(Locale.ROOT, "  train  Adam %s, batch 32 (length-bucketed), %d epochs, gradient clipping 1.0%n",
          lr, epochs);
      ClassifierTask task = new ClassifierTask(model);
      ClassificationBatches trainBatches = new ClassificationBatches(trainX, trainY, 32, 50);
      ClassificationBatches testBatches = new ClassificationBatches(testX, testY, 256, 0);
      TrainResult r;
      try (Trainer trainer =
          Trainer.builder()
              .optimizer(Adam.builder().lr(lr)::build)
              .clipping(GradientClipping.byNorm(1.0))
              .epochs(epochs)
              .seed(seed)
              .log(indented(out))
              .progress(System.err, null)
              .build()) {
        r = trainer.fit(task, trainBatches, testBatches);
      }
      double acc = r.lastValidation().get("accuracy");
      long correct = Math.round(acc * test.size());
      out.printf(
          Locale.ROOT,
          "  result test accuracy %.4f (%d of %d sentences) after %d updates, %.1f s of training%n",
          acc,
          correct,
          test.size(),
          r.steps(),
          r.trainSeconds());
      // a few predictions, to see what it learned
      String[] samples = {
        "The food was absolutely wonderful and the staff were friendly.",
        "I want my money back, this phone broke after two days.",
        "Not bad at all, I would watch it again.",
        "The plot was boring and the acting was even worse."
      };
      List<int[]> ids = new ArrayList<>();
      for (String s : samples) {
        ids.add(words.encode(s));
      }
      int[] idx = {0, 1, 2, 3};
      float[][] p = model.predictProbabilities(PaddedBatch.of(ids, idx));
      out.println("  examples (label 1 = positive):");
      for (int i = 0; i < samples.length; i++) {
        int best = p[i][1] > p[i][0] ? 1 : 0;
        out.printf(
            Locale.ROOT,
            "    %-66s -> %s (p = %.2f)%n",
            '"' + samples[i] + '"',
            best == 1 ? "positive" : "negative",
            p[i][best]);
      }
      return new Result(
          "sentiment",
          "many-to-one",
          "test accuracy",
          acc,
          String.format(Locale.ROOT, "%.4f", acc),
          r.trainSeconds(),
          (System.nanoTime() - t0) / 1e9,
          r.steps(),
          String.format(Locale.ROOT, "floor 0.80: %s", acc >= 0.80 ? "met" : "NOT met"));
    }
  }

  // ------------------------------------------------------------------ char LM

  Result languageModel(
      PrintStream out, Path data, long seed, int seconds, int updates, int index, int parts)
      throws Exception {
    long t0 = System.nanoTime();
    out.println(header(index, parts, "many-to-many: character language model on Moby-Dick"));
    String text = BundledData.mobyDick(data);
    int[] cps = text.codePoints().toArray();
    int nTrain = SeededSplit.trainCount(cps.length, 0.9);
    String trainText = new String(cps, 0, nTrain);
    String validText = new String(cps, nTrain, cps.length - nTrain);
    CharTokenizer chars = CharTokenizer.build(trainText);
    int[] trainIds = chars.encode(trainText);
    int[] validIds = chars.encode(validText);
    int streams = 32;
    int window = 100;
    LmWindows trainWindows = new LmWindows(trainIds, streams, window);
    LmWindows validWindows = new LmWindows(validIds, streams, window);
    out.printf(
        Locale.ROOT,
        "  data   Moby-Dick, %,d characters: the first 90%% (%,d) trains, the last 10%% (%,d) validates;"
            + " %d character ids%n",
        cps.length,
        trainIds.length,
        validIds.length,
        chars.vocabulary().size());
    try (LanguageModel model =
        LanguageModel.builder().vocabSize(chars.vocabulary().size()).seed(seed).build()) {
      LanguageModel.Config config = model.config();
      out.printf(
          Locale.ROOT,
          "  model  chars -> embedding %d -> %d-layer %s %d -> linear %d (%,d parameters)%n",
          config.embeddingSize(),
          config.layers(),
          config.cell(),
          config.hiddenSize(),
          config.vocabSize(),
          model.parameterCount());
      double lr = LM_LR;
      out.printf(
          Locale.ROOT,
          "  train  Adam %s, %d streams x %d-character windows (truncated BPTT, state carried), clipping 1.0,"
              + " %s (%d windows make one pass)%n",
          lr,
          streams,
          window,
          updates > 0 ? updates + " updates" : "budget " + seconds + " s",
          trainWindows.batchesPerEpoch());
      LanguageModelTask task = new LanguageModelTask(model);
      TrainResult r;
      try (Trainer trainer =
          Trainer.builder()
              .optimizer(Adam.builder().lr(lr)::build)
              .clipping(GradientClipping.byNorm(1.0))
              .epochs(0)
              .timeBudget(updates > 0 ? null : Duration.ofSeconds(seconds))
              .maxSteps(updates)
              .seed(seed)
              .log(indented(out))
              .progress(System.err, null)
              .build()) {
        r = trainer.fit(task, trainWindows, validWindows);
      }
      double bpc = r.lastValidation().get("bits_per_token");
      double charsPerSecond = r.steps() * (double) streams * window / r.trainSeconds();
      out.printf(
          Locale.ROOT,
          "  result validation %.3f bits per character after %d updates (%,.0f training characters,"
              + " %.1f s, %,.0f chars/s)%n",
          bpc,
          r.steps(),
          r.steps() * (double) streams * window,
          r.trainSeconds(),
          charsPerSecond);
      String prime = "The ";
      int[] sample = model.generate(chars.encode(prime),
          org.jrnn.decode.DecodeOptions.builder().maxLength(200).temperature(0.8).seed(seed).build());
      out.println("  sample (temperature 0.8): " + oneLine(prime + chars.decode(sample)));
      return new Result(
          "char-lm",
          "many-to-many",
          "valid bits/char",
          bpc,
          String.format(Locale.ROOT, "%.3f", bpc),
          r.trainSeconds(),
          (System.nanoTime() - t0) / 1e9,
          r.steps(),
          (updates > 0
                  ? String.format(Locale.ROOT, "%d updates", r.steps())
                  : String.format(Locale.ROOT, "%d updates in a %d s budget", r.steps(), seconds))
              + String.format(Locale.ROOT, "; floor 2.6: %s", bpc <= 2.6 ? "met" : "NOT met"));
    }
  }

  static String oneLine(String s) {
    return s.replace("\n", " / ").replace("\r", "");
  }

  // ------------------------------------------------------------------ digits

  Result digits(PrintStream out, Path data, long seed, int epochs, int index, int parts) throws Exception {
    long t0 = System.nanoTime();
    out.println(header(index, parts, "one-to-many: spell the digit in an 8x8 image"));
    List<DigitImage> all = BundledData.digits(data);
    SeededSplit split = SeededSplit.of(all.size(), 0.8, seed);
    List<DigitImage> train = split.trainOf(all);
    List<DigitImage> test = split.testOf(all);
    CharTokenizer chars = CharTokenizer.build(String.join("", DigitImage.NAMES));
    List<float[]> trainX = train.stream().map(DigitImage::pixels).toList();
    List<float[]> testX = test.stream().map(DigitImage::pixels).toList();
    List<int[]> trainY = train.stream().map(d -> chars.encode(d.name())).toList();
    List<int[]> testY = test.stream().map(d -> chars.encode(d.name())).toList();
    out.printf(
        Locale.ROOT,
        "  data   %,d UCI handwritten digits (8x8, 16 grey levels): %,d train / %,d test, seeded 80/20"
            + " split; target: the name, %d character ids%n",
        all.size(),
        train.size(),
        test.size(),
        chars.vocabulary().size());
    int maxLength = 10;
    try (ConditionedLanguageModel model =
        ConditionedLanguageModel.builder()
            .featureSize(64)
            .vocabSize(chars.vocabulary().size())
            .seed(seed)
            .build()) {
      ConditionedLanguageModel.Config config = model.config();
      out.printf(
          Locale.ROOT,
          "  model  64 pixels -> linear -> tanh = initial state of a %s %d language model over characters"
              + " (embedding %d) -> linear %d (%,d parameters)%n",
          config.cell(),
          config.hiddenSize(),
          config.embeddingSize(),
          config.vocabSize(),
          model.parameterCount());
      double lr = 2e-3;
      out.printf(
          Locale.ROOT,
          "  train  Adam %s, batch 32, %d epochs, teacher forcing, clipping 1.0; test: greedy decoding%n",
          lr,
          epochs);
      ConditionedLanguageModelTask task = new ConditionedLanguageModelTask(model, maxLength);
      ConditionedBatches trainBatches = new ConditionedBatches(trainX, trainY, 32);
      ConditionedBatches testBatches = new ConditionedBatches(testX, testY, 512);
      TrainResult r;
      try (Trainer trainer =
          Trainer.builder()
              .optimizer(Adam.builder().lr(lr)::build)
              .clipping(GradientClipping.byNorm(1.0))
              .epochs(epochs)
              .seed(seed)
              .validateEvery(0)
              .log(null)
              .progress(System.err, null)
              .build()) {
        r = trainer.fit(task, trainBatches, testBatches);
      }
      for (TrainResult.Validation v : r.history()) {
        if ((v.epoch() + 1) % 5 == 0 || v.epoch() + 1 == epochs) {
          out.printf(
              Locale.ROOT,
              "  epoch %d/%d: valid loss %.4f, exact match %.4f, %.1f s%n",
              v.epoch() + 1,
              epochs,
              v.metrics().get("loss"),
              v.metrics().get("exact_match"),
              v.trainSeconds());
        }
      }
      double em = r.lastValidation().get("exact_match");
      out.printf(
          Locale.ROOT,
          "  result test exact match %.4f (%d of %d names exactly right) after %d updates, %.1f s of"
              + " training%n",
          em,
          Math.round(em * test.size()),
          test.size(),
          r.steps(),
          r.trainSeconds());
      int shown = 8;
      float[] features = new float[shown * 64];
      for (int i = 0; i < shown; i++) {
        System.arraycopy(testX.get(i), 0, features, i * 64, 64);
      }
      int[][] names = model.generate(features, shown, maxLength);
      out.println("  examples (the first test images; greedy decoding):");
      for (int row = 0; row < 8; row++) {
        StringBuilder line = new StringBuilder("   ");
        for (int i = 0; i < shown; i++) {
          line.append("  ").append(pixelRow(test.get(i), row));
        }
        out.println(line);
      }
      StringBuilder said = new StringBuilder("   ");
      StringBuilder marks = new StringBuilder("   ");
      int right = 0;
      for (int i = 0; i < shown; i++) {
        String got = decodeName(chars, names[i]);
        right += got.equals(test.get(i).name()) ? 1 : 0;
        said.append(String.format(Locale.ROOT, "  %-8s", '"' + got + '"'));
        marks.append(String.format(Locale.ROOT, "  %-8s", got.equals(test.get(i).name()) ? "right" : "WRONG"));
      }
      out.println(said);
      out.println(marks);
      return new Result(
          "digits",
          "one-to-many",
          "test exact match",
          em,
          String.format(Locale.ROOT, "%.4f", em),
          r.trainSeconds(),
          (System.nanoTime() - t0) / 1e9,
          r.steps(),
          String.format(Locale.ROOT, "%d of %d examples right", right, shown));
    }
  }

  /** The generated ids up to (not including) {@code <eos>}, decoded. */
  static String decodeName(CharTokenizer chars, int[] ids) {
    int end = 0;
    while (end < ids.length && ids[end] != Vocabulary.EOS_ID) {
      end++;
    }
    return chars.decode(java.util.Arrays.copyOf(ids, end));
  }

  /** One row of an 8x8 image as 8 shade characters. */
  static String pixelRow(DigitImage d, int row) {
    String shades = " .:-=+*#";
    StringBuilder b = new StringBuilder();
    float[] p = d.pixels();
    for (int c = 0; c < 8; c++) {
      int k = Math.min(shades.length() - 1, (int) (p[row * 8 + c] * shades.length()));
      b.append(shades.charAt(k));
    }
    return b.toString();
  }

  // ------------------------------------------------------------------ summary

  static void summary(PrintStream out, List<Result> results, double totalSeconds) {
    out.println();
    out.println("summary");
    out.printf(Locale.ROOT, "  %-10s %-13s %-22s %-8s %9s %9s  %s%n",
        "task", "shape", "metric", "value", "train s", "total s", "note");
    for (Result r : results) {
      out.printf(Locale.ROOT, "  %-10s %-13s %-22s %-8s %9.1f %9.1f  %s%n",
          r.part(), r.shape(), r.metric(), r.valueText(), r.trainSeconds(), r.totalSeconds(), r.note());
    }
    out.printf(Locale.ROOT, "  total %s (%.1f s)%n", clock(totalSeconds), totalSeconds);
  }

  static String clock(double seconds) {
    long s = Math.round(seconds);
    return String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
  }

  /** A stream that indents every line by two spaces (the trainer's epoch lines). */
  static PrintStream indented(PrintStream target) {
    return new PrintStream(target, true) {
      @Override
      public void println(String x) {
        target.println("  " + x);
      }
    };
  }

  static Map<String, Object> json(Result r) {
    Map<String, Object> m = new java.util.LinkedHashMap<>();
    m.put("part", r.part());
    m.put("metric", r.metric());
    m.put("value", r.value());
    m.put("train_seconds", r.trainSeconds());
    m.put("total_seconds", r.totalSeconds());
    m.put("steps", r.steps());
    return m;
  }
}
