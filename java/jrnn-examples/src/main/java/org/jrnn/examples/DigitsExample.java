// DigitsExample: one-to-many. The 64 pixels of a UCI 8x8 handwritten digit (data/digits.csv) set
// the initial state of a GRU decoder that spells the digit's name ("seven") one character at a
// time; reports the exact-match rate of greedy decoding on a seeded 20% test split and draws the
// first test images with what the model said. Part 3 of `jrnn demo`; standalone:
//   java -cp ... org.jrnn.examples.DigitsExample [EPOCHS [SEED]]
package org.jrnn.examples;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.jrnn.data.BundledData;
import org.jrnn.data.CharTokenizer;
import org.jrnn.data.DigitImage;
import org.jrnn.data.SeededSplit;
import org.jrnn.data.Vocabulary;
import org.jrnn.models.ConditionedBatches;
import org.jrnn.models.ConditionedLanguageModel;
import org.jrnn.models.ConditionedLanguageModelTask;
import org.jrnn.optim.Adam;
import org.jrnn.optim.GradientClipping;
import org.jrnn.train.TrainResult;
import org.jrnn.train.Trainer;

/** Spelling digits: 64 pixels -> linear -> tanh = a GRU's initial state -> the name's chars. */
public final class DigitsExample {
  /** The example's title. */
  public static final String TITLE = "one-to-many: spell the digit in an 8x8 image";

  /** Default epochs. */
  public static final int EPOCHS = 20;

  /** Adam's learning rate. */
  static final double LR = 2e-3;

  /** The longest name generated, in characters. */
  static final int MAX_LENGTH = 10;

  /** Test images drawn with their generated names. */
  static final int SHOWN = 8;

  private DigitsExample() {}

  /** Trains and evaluates on the bundled data: {@code [EPOCHS [SEED]]} (default 20 and 42). */
  public static void main(String[] args) throws Exception {
    int epochs = args.length > 0 ? Integer.parseInt(args[0]) : EPOCHS;
    long seed = args.length > 1 ? Long.parseLong(args[1]) : 42;
    Examples.oneThreadUnlessSet();
    System.out.println(TITLE);
    run(System.out, BundledData.findDataDir(), seed, epochs);
  }

  /**
   * Trains the decoder for {@code epochs} on the seeded 80% of the images; prints the data, the
   * model, every fifth epoch's test metrics, the test exact match and the first test images with
   * their generated names to {@code out}.
   */
  public static ExampleResult run(PrintStream out, Path data, long seed, int epochs)
      throws Exception {
    long t0 = System.nanoTime();
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
        "  data   %,d UCI handwritten digits (8x8, 16 grey levels): %,d train / %,d test, seeded"
            + " 80/20 split; target: the name, %d character ids%n",
        all.size(),
        train.size(),
        test.size(),
        chars.vocabulary().size());
    try (ConditionedLanguageModel model =
        ConditionedLanguageModel.builder()
            .featureSize(64)
            .vocabSize(chars.vocabulary().size())
            .seed(seed)
            .build()) {
      var config = model.config();
      out.printf(
          Locale.ROOT,
          "  model  64 pixels -> linear -> tanh = initial state of a %s %d language model over characters"
              + " (embedding %d) -> linear %d (%,d parameters)%n",
          config.cell(),
          config.hiddenSize(),
          config.embeddingSize(),
          config.vocabSize(),
          model.parameterCount());
      out.printf(
          Locale.ROOT,
          "  train  Adam %s, batch 32, %d epochs, teacher forcing, clipping 1.0; test: greedy"
              + " decoding%n",
          LR,
          epochs);
      var task = new ConditionedLanguageModelTask(model, MAX_LENGTH);
      ConditionedBatches trainBatches = new ConditionedBatches(trainX, trainY, 32);
      ConditionedBatches testBatches = new ConditionedBatches(testX, testY, 512);
      TrainResult r;
      try (Trainer trainer =
          Trainer.builder()
              .optimizer(Adam.builder().lr(LR)::build)
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
          "  result test exact match %.4f (%d of %d names exactly right) after %d updates, %.1f s"
              + " of training%n",
          em,
          Math.round(em * test.size()),
          test.size(),
          r.steps(),
          r.trainSeconds());
      // the first test images, drawn side by side, with the names the model generated
      float[] features = new float[SHOWN * 64];
      for (int i = 0; i < SHOWN; i++) {
        System.arraycopy(testX.get(i), 0, features, i * 64, 64);
      }
      int[][] names = model.generate(features, SHOWN, MAX_LENGTH);
      out.println("  examples (the first test images; greedy decoding):");
      for (int row = 0; row < 8; row++) {
        StringBuilder line = new StringBuilder("   ");
        for (int i = 0; i < SHOWN; i++) {
          line.append("  ").append(pixelRow(test.get(i), row));
        }
        out.println(line);
      }
      StringBuilder said = new StringBuilder("   ");
      StringBuilder marks = new StringBuilder("   ");
      int right = 0;
      for (int i = 0; i < SHOWN; i++) {
        String got = decodeName(chars, names[i]);
        boolean ok = got.equals(test.get(i).name());
        right += ok ? 1 : 0;
        said.append(String.format(Locale.ROOT, "  %-8s", '"' + got + '"'));
        marks.append(String.format(Locale.ROOT, "  %-8s", ok ? "right" : "WRONG"));
      }
      out.println(said);
      out.println(marks);
      return new ExampleResult(
          "digits",
          "one-to-many",
          "test exact match",
          em,
          String.format(Locale.ROOT, "%.4f", em),
          r.trainSeconds(),
          (System.nanoTime() - t0) / 1e9,
          r.steps(),
          String.format(Locale.ROOT, "%d of %d examples right", right, SHOWN));
    }
  }

  /** The generated ids up to (not including) {@code <eos>}, decoded. */
  static String decodeName(CharTokenizer chars, int[] ids) {
    int end = 0;
    while (end < ids.length && ids[end] != Vocabulary.EOS_ID) {
      end++;
    }
    return chars.decode(Arrays.copyOf(ids, end));
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
}
