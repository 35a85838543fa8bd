// CharLanguageModelExample: many-to-many. A 2-layer character LSTM learns to predict the next
// character of Moby-Dick (data/moby-dick.txt), trained by truncated backpropagation through time
// over 32 parallel streams; reports validation bits per character and prints a sample. Part 2 of
// `jrnn demo`; standalone:
//   java -cp ... org.jrnn.examples.CharLanguageModelExample [UPDATES [SEED]]
package org.jrnn.examples;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import org.jrnn.data.BundledData;
import org.jrnn.data.CharTokenizer;
import org.jrnn.data.SeededSplit;
import org.jrnn.decode.DecodeOptions;
import org.jrnn.models.LanguageModel;
import org.jrnn.models.LanguageModelTask;
import org.jrnn.models.LmWindows;
import org.jrnn.optim.Adam;
import org.jrnn.optim.GradientClipping;
import org.jrnn.train.TrainResult;
import org.jrnn.train.Trainer;

/** A character language model: chars -> embedding -> 2-layer LSTM -> linear over the chars. */
public final class CharLanguageModelExample {
  /** The example's title. */
  public static final String TITLE = "many-to-many: character language model on Moby-Dick";

  /**
   * Default updates: a fixed count, so the printed quality is the same on every machine (a time
   * budget gave 2,112 updates on a quiet AVX-512 machine and 276 on a busy AVX2 one).
   */
  public static final int UPDATES = 1000;

  /** Adam's learning rate (torch_charlm.py --lr). */
  static final double LR = 5e-3;

  /** Parallel streams of text: the batch size. */
  static final int STREAMS = 32;

  /** Characters per window: the truncated BPTT length. */
  static final int WINDOW = 100;

  private CharLanguageModelExample() {}

  /** Trains and evaluates on the bundled data: {@code [UPDATES [SEED]]} (default 1000 and 42). */
  public static void main(String[] args) throws Exception {
    int updates = args.length > 0 ? Integer.parseInt(args[0]) : UPDATES;
    long seed = args.length > 1 ? Long.parseLong(args[1]) : 42;
    Examples.oneThreadUnlessSet();
    System.out.println(TITLE);
    run(System.out, BundledData.findDataDir(), seed, updates, 0);
  }

  /**
   * Trains the model on the first 90% of Moby-Dick, for {@code updates} updates when that is
   * positive, else for a time budget of {@code seconds}; prints the data, the model, the training
   * log, the validation bits per character on the last 10% and a sample to {@code out}.
   */
  public static ExampleResult run(PrintStream out, Path data, long seed, int updates, int seconds)
      throws Exception {
    long t0 = System.nanoTime();
    String text = BundledData.mobyDick(data);
    int[] cps = text.codePoints().toArray();
    int nTrain = SeededSplit.trainCount(cps.length, 0.9);
    String trainText = new String(cps, 0, nTrain);
    String validText = new String(cps, nTrain, cps.length - nTrain);
    CharTokenizer chars = CharTokenizer.build(trainText);
    int[] trainIds = chars.encode(trainText);
    int[] validIds = chars.encode(validText);
    LmWindows trainWindows = new LmWindows(trainIds, STREAMS, WINDOW);
    LmWindows validWindows = new LmWindows(validIds, STREAMS, WINDOW);
    out.printf(
        Locale.ROOT,
        "  data   Moby-Dick, %,d characters: the first 90%% (%,d) trains, the last 10%% (%,d)"
            + " validates; %d character ids%n",
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
      out.printf(
          Locale.ROOT,
          "  train  Adam %s, %d streams x %d-character windows (truncated BPTT, state carried),"
              + " clipping 1.0, %s (%d windows make one pass)%n",
          LR,
          STREAMS,
          WINDOW,
          updates > 0 ? updates + " updates" : "budget " + seconds + " s",
          trainWindows.batchesPerEpoch());
      LanguageModelTask task = new LanguageModelTask(model);
      TrainResult r;
      try (Trainer trainer =
          Trainer.builder()
              .optimizer(Adam.builder().lr(LR)::build)
              .clipping(GradientClipping.byNorm(1.0))
              .epochs(0)
              .timeBudget(updates > 0 ? null : Duration.ofSeconds(seconds))
              .maxSteps(updates)
              .seed(seed)
              .log(Examples.indented(out))
              .progress(System.err, null)
              .build()) {
        r = trainer.fit(task, trainWindows, validWindows);
      }
      double bpc = r.lastValidation().get("bits_per_token");
      double trainChars = r.steps() * (double) STREAMS * WINDOW;
      out.printf(
          Locale.ROOT,
          "  result validation %.3f bits per character after %d updates (%,.0f training"
              + " characters, %.1f s, %,.0f chars/s)%n",
          bpc,
          r.steps(),
          trainChars,
          r.trainSeconds(),
          trainChars / r.trainSeconds());
      String prime = "The ";
      DecodeOptions sampling =
          DecodeOptions.builder().maxLength(200).temperature(0.8).seed(seed).build();
      int[] sample = model.generate(chars.encode(prime), sampling);
      out.println("  sample (temperature 0.8): " + oneLine(prime + chars.decode(sample)));
      return new ExampleResult(
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

  /** The text on one line: line breaks shown as " / ". */
  static String oneLine(String s) {
    return s.replace("\n", " / ").replace("\r", "");
  }
}
