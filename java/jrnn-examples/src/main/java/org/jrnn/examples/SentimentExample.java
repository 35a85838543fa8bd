// SentimentExample: many-to-one. A word-level LSTM classifier learns whether a review sentence is
// positive or negative from the 3,000 bundled UCI sentences (data/sentiment/) and reports its
// accuracy on a seeded 20% test split. Part 1 of `jrnn demo`; standalone:
//   java -cp ... org.jrnn.examples.SentimentExample [EPOCHS [SEED]]
package org.jrnn.examples;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jrnn.data.BundledData;
import org.jrnn.data.LabelIndex;
import org.jrnn.data.LabelledExample;
import org.jrnn.data.PaddedBatch;
import org.jrnn.data.SeededSplit;
import org.jrnn.data.WordTokenizer;
import org.jrnn.models.ClassificationBatches;
import org.jrnn.models.ClassifierTask;
import org.jrnn.models.SequenceClassifier;
import org.jrnn.optim.Adam;
import org.jrnn.optim.GradientClipping;
import org.jrnn.train.TrainResult;
import org.jrnn.train.Trainer;

/** Sentiment of review sentences: words -> embedding -> LSTM -> linear over two labels. */
public final class SentimentExample {
  /** The example's title. */
  public static final String TITLE = "many-to-one: sentiment of review sentences";

  /** Default epochs. */
  public static final int EPOCHS = 8;

  /** The embedding size (torch_sentiment.py --embed). */
  static final int EMBEDDING = 128;

  /** The LSTM size (torch_sentiment.py --hidden). */
  static final int HIDDEN = 64;

  /** Least count of a word to get an id (torch_sentiment.py --min-freq). */
  static final int MIN_FREQ = 2;

  /** Adam's learning rate. */
  static final double LR = 2e-3;

  private SentimentExample() {}

  /** Trains and evaluates on the bundled data: {@code [EPOCHS [SEED]]} (default 8 and 42). */
  public static void main(String[] args) throws Exception {
    int epochs = args.length > 0 ? Integer.parseInt(args[0]) : EPOCHS;
    long seed = args.length > 1 ? Long.parseLong(args[1]) : 42;
    Examples.oneThreadUnlessSet();
    System.out.println(TITLE);
    run(System.out, BundledData.findDataDir(), seed, epochs);
  }

  /**
   * Trains the classifier for {@code epochs} on the seeded 80% of the sentences, prints the data,
   * the model, the training log, the test accuracy and four predictions to {@code out}.
   */
  public static ExampleResult run(PrintStream out, Path data, long seed, int epochs)
      throws Exception {
    long t0 = System.nanoTime();
    List<LabelledExample> all = BundledData.sentiment(data);
    SeededSplit split = SeededSplit.of(all.size(), 0.8, seed);
    List<LabelledExample> train = split.trainOf(all);
    List<LabelledExample> test = split.testOf(all);
    WordTokenizer words =
        WordTokenizer.builder()
            .minFrequency(MIN_FREQ)
            .build(train.stream().map(LabelledExample::text).toList());
    LabelIndex labels = LabelIndex.ofExamples(all);
    List<int[]> trainX = train.stream().map(e -> words.encode(e.text())).toList();
    List<int[]> testX = test.stream().map(e -> words.encode(e.text())).toList();
    int[] trainY = labels.ids(train);
    int[] testY = labels.ids(test);
    out.printf(
        Locale.ROOT,
        "  data   %,d sentences (imdb, yelp, amazon): %,d train / %,d test, seeded 80/20 split"
            + " (seed %d); %,d words in the vocabulary%n",
        all.size(),
        train.size(),
        test.size(),
        seed,
        words.vocabulary().size());
    try (SequenceClassifier model =
        SequenceClassifier.builder()
            .vocabSize(words.vocabulary().size())
            .numClasses(labels.size())
            .embeddingSize(EMBEDDING)
            .hiddenSize(HIDDEN)
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
      out.printf(
          Locale.ROOT,
          "  train  Adam %s, batch 32 (length-bucketed), %d epochs, gradient clipping 1.0%n",
          LR,
          epochs);
      ClassifierTask task = new ClassifierTask(model);
      ClassificationBatches trainBatches = new ClassificationBatches(trainX, trainY, 32, 50);
      ClassificationBatches testBatches = new ClassificationBatches(testX, testY, 256, 0);
      TrainResult r;
      try (Trainer trainer =
          Trainer.builder()
              .optimizer(Adam.builder().lr(LR)::build)
              .clipping(GradientClipping.byNorm(1.0))
              .epochs(epochs)
              .seed(seed)
              .log(Examples.indented(out))
              .progress(System.err, null)
              .build()) {
        r = trainer.fit(task, trainBatches, testBatches);
      }
      double acc = r.lastValidation().get("accuracy");
      out.printf(
          Locale.ROOT,
          "  result test accuracy %.4f (%d of %d sentences) after %d updates, %.1f s of training%n",
          acc,
          Math.round(acc * test.size()),
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
      float[][] p = model.predictProbabilities(PaddedBatch.of(ids, new int[] {0, 1, 2, 3}));
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
      return new ExampleResult(
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
}
