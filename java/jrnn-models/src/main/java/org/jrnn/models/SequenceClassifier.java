/*
 * SequenceClassifier (many-to-one): embedding -> recurrent stack -> final state at each sequence's
 * length -> dropout -> linear -> softmax cross-entropy (or BCE with one logit for two classes).
 * Mirrors scripts/torch_sentiment.py with the default config.
 */
package org.jrnn.models;

import java.util.LinkedHashMap;
import java.util.Map;
import org.jrnn.Cell;
import org.jrnn.Device;
import org.jrnn.JrnnException;
import org.jrnn.Ops;
import org.jrnn.RecurrentGradients;
import org.jrnn.RecurrentOutput;
import org.jrnn.Scope;
import org.jrnn.SequenceBatch;
import org.jrnn.Tensor;
import org.jrnn.data.PaddedBatch;
import org.jrnn.internal.SplitMix64;
import org.jrnn.data.Vocabulary;
import org.jrnn.internal.Arguments;
import org.jrnn.nn.Dropout;
import org.jrnn.nn.Embedding;
import org.jrnn.nn.Linear;
import org.jrnn.nn.RecurrentInit;
import org.jrnn.nn.RecurrentLayer;
import org.jrnn.train.Task.StepResult;

/**
 * Classifies token sequences: {@code embedding [V, E]} → recurrent stack (L layers, D directions)
 * → the last layer's final hidden state at each sequence's own length ({@code [N, D*H]}, forward
 * and reverse side by side) → dropout → {@code linear [K, D*H]} → softmax cross-entropy with
 * optional label smoothing; or, with {@link Config#binaryLogistic()}, one logit and binary
 * cross-entropy (2 classes).
 *
 * <p>Parameters: {@code embedding.weight}, {@code rnn.weight_ih_l0}, ..., {@code linear.weight},
 * {@code linear.bias} (PyTorch's names for the same modules). The model owns its native memory;
 * {@link #close()} frees it. Not thread-safe.
 */
@SuppressWarnings("try") // each pass opens a Scope only to free its tensors at the end
public final class SequenceClassifier extends AbstractModel {
  /** The {@link #kind()} of this model in model files. */
  public static final String KIND = "sequence-classifier";

  /**
   * The architecture. Start from {@code defaults(...)}; each {@code withX(v)} returns a copy with X
   * replaced; {@link #toJson()} / {@code fromJson} store it in model files.
   *
   * @param vocabSize V, token ids {@code 0..V-1}
   * @param numClasses K {@code >= 2}
   * @param embeddingSize E (default 64)
   * @param cell the recurrent cell (default LSTM)
   * @param hiddenSize H per direction (default 128)
   * @param layers L (default 1)
   * @param bidirectional D = 2 when true (default false)
   * @param dropout drop probability on the final state (default 0)
   * @param binaryLogistic one logit with BCE instead of K logits with softmax (needs K = 2;
   *     default false)
   * @param labelSmoothing for softmax cross-entropy, in [0, 1) (default 0)
   * @param paddingIndex the embedding's padding id, like PyTorch's padding_idx (default {@link
   *     Vocabulary#PAD_ID}); -1 for none
   * @param init recurrent weight initialisation (default PyTorch's)
   * @param seed seed of all initial weights and dropout masks (default 0)
   */
  public record Config(
      int vocabSize,
      int numClasses,
      int embeddingSize,
      Cell cell,
      int hiddenSize,
      int layers,
      boolean bidirectional,
      float dropout,
      boolean binaryLogistic,
      float labelSmoothing,
      int paddingIndex,
      RecurrentInit init,
      long seed) {
    public Config {
      positive("vocabSize", vocabSize);
      positive("embeddingSize", embeddingSize);
      positive("hiddenSize", hiddenSize);
      positive("layers", layers);
      if (numClasses < 2) {
        throw new JrnnException("numClasses must be >= 2 but is " + numClasses);
      }
      if (binaryLogistic && numClasses != 2) {
        throw new JrnnException("binaryLogistic needs numClasses = 2 but it is " + numClasses);
      }
      if (!(dropout >= 0f && dropout < 1f)) {
        throw new JrnnException("dropout must be in [0, 1) but is " + dropout);
      }
      if (!(labelSmoothing >= 0f && labelSmoothing < 1f)) {
        throw new JrnnException("labelSmoothing must be in [0, 1) but is " + labelSmoothing);
      }
      if (paddingIndex < -1 || paddingIndex >= vocabSize) {
        throw new JrnnException("paddingIndex " + paddingIndex + " is outside -1.." + (vocabSize - 1));
      }
      if (cell == null || init == null) {
        throw new JrnnException("cell and init must not be null");
      }
    }

    /** The defaults above for V ids and K classes. */
    public static Config defaults(int vocabSize, int numClasses) {
      return new Config(vocabSize, numClasses, 64, Cell.LSTM, 128, 1, false, 0f, false, 0f,
          Vocabulary.PAD_ID, RecurrentInit.PYTORCH, 0L);
    }

    /** This config as JSON (the {@code "jrnn.config"} of a model file). */
    public String toJson() {
      return ConfigJson.write(this);
    }

    /** A config from {@link #toJson()}. @throws JrnnException naming a bad key */
    public static Config fromJson(String json) {
      return ConfigJson.read(Config.class, json);
    }

    public Config withEmbeddingSize(int v) {
      return new Config(vocabSize, numClasses, v, cell, hiddenSize, layers, bidirectional, dropout,
          binaryLogistic, labelSmoothing, paddingIndex, init, seed);
    }

    public Config withCell(Cell v) {
      return new Config(vocabSize, numClasses, embeddingSize, v, hiddenSize, layers, bidirectional,
          dropout, binaryLogistic, labelSmoothing, paddingIndex, init, seed);
    }

    public Config withHiddenSize(int v) {
      return new Config(vocabSize, numClasses, embeddingSize, cell, v, layers, bidirectional, dropout,
          binaryLogistic, labelSmoothing, paddingIndex, init, seed);
    }

    public Config withLayers(int v) {
      return new Config(vocabSize, numClasses, embeddingSize, cell, hiddenSize, v, bidirectional,
          dropout, binaryLogistic, labelSmoothing, paddingIndex, init, seed);
    }

    public Config withBidirectional(boolean v) {
      return new Config(vocabSize, numClasses, embeddingSize, cell, hiddenSize, layers, v, dropout,
          binaryLogistic, labelSmoothing, paddingIndex, init, seed);
    }

    public Config withDropout(float v) {
      return new Config(vocabSize, numClasses, embeddingSize, cell, hiddenSize, layers, bidirectional,
          v, binaryLogistic, labelSmoothing, paddingIndex, init, seed);
    }

    public Config withBinaryLogistic(boolean v) {
      return new Config(vocabSize, numClasses, embeddingSize, cell, hiddenSize, layers, bidirectional,
          dropout, v, labelSmoothing, paddingIndex, init, seed);
    }

    public Config withLabelSmoothing(float v) {
      return new Config(vocabSize, numClasses, embeddingSize, cell, hiddenSize, layers, bidirectional,
          dropout, binaryLogistic, v, paddingIndex, init, seed);
    }

    public Config withPaddingIndex(int v) {
      return new Config(vocabSize, numClasses, embeddingSize, cell, hiddenSize, layers, bidirectional,
          dropout, binaryLogistic, labelSmoothing, v, init, seed);
    }

    public Config withInit(RecurrentInit v) {
      return new Config(vocabSize, numClasses, embeddingSize, cell, hiddenSize, layers, bidirectional,
          dropout, binaryLogistic, labelSmoothing, paddingIndex, v, seed);
    }

    public Config withSeed(long v) {
      return new Config(vocabSize, numClasses, embeddingSize, cell, hiddenSize, layers, bidirectional,
          dropout, binaryLogistic, labelSmoothing, paddingIndex, init, v);
    }
  }

  private final Config config;
  private final Embedding embedding;
  private final RecurrentLayer rnn;
  private final Dropout dropout;
  private final Linear linear;

  /** A model with freshly initialised weights (seeded by {@code config.seed()}) on {@code device}. */
  public SequenceClassifier(Config config, Device device) {
    super(KIND, device, Arguments.notNull("config", config)::toJson);
    this.config = config;
    long seed = config.seed();
    int features = (config.bidirectional() ? 2 : 1) * config.hiddenSize();
    try {
      embedding = own("embedding", new Embedding(config.vocabSize(), config.embeddingSize(),
          config.paddingIndex(), SplitMix64.deriveSeed(seed, 0), device));
      rnn = own("rnn", new RecurrentLayer(config.cell(), config.embeddingSize(), config.hiddenSize(),
          config.layers(), config.bidirectional(), config.init(), SplitMix64.deriveSeed(seed, 1), device));
      dropout = new Dropout(config.dropout(), SplitMix64.deriveSeed(seed, 2), device);
      linear = own("linear", new Linear(features, config.binaryLogistic() ? 1 : config.numClasses(), true,
          SplitMix64.deriveSeed(seed, 3), device));
    } catch (RuntimeException e) {
      closeAfterFailure();
      throw e;
    }
  }

  /** The architecture. */
  public Config config() {
    return config;
  }

  /** The recurrent stack (e.g. to inspect or import weights). */
  public RecurrentLayer rnn() {
    return rnn;
  }

  /** The dropout seeds drawn so far (for checkpoints). */
  long dropoutSeedsDrawn() {
    return dropout.seedsDrawn();
  }

  void setDropoutSeedsDrawn(long count) {
    dropout.setSeedsDrawn(count);
  }

  // ------------------------------------------------------------------ passes

  /**
   * Where a forward pass over {@code tokens} (inference) first becomes non-finite: embedding
   * output, a recurrent layer's output (time step and sequence), or the logits (sequence); null
   * when it stays finite.
   */
  String locateNonFinite(PaddedBatch tokens) {
    try (Scope scope = Scope.open()) {
      Pass pass = forward(tokens, false);
      String found = NonFiniteScan.timeMajor(pass.embedded(), "embedding output");
      if (found == null) {
        found = NonFiniteScan.recurrent(rnn, pass.out());
      }
      return found != null ? found : NonFiniteScan.perSequence(pass.logits(), "linear (logits)");
    }
  }

  /** The activations of one forward pass that backward needs. */
  private record Pass(int[] ids, Tensor embedded, RecurrentOutput out, Tensor features,
      long dropoutSeed, Tensor dropped, Tensor logits) {}

  private Pass forward(PaddedBatch tokens, boolean training) {
    int[] ids = Sequences.idsWithoutPadding(tokens, config.vocabSize(), "tokens");
    Tensor embedded = embedding.forward(ids, tokens.maxLength(), tokens.size());
    SequenceBatch input = SequenceBatch.of(embedded, tokens.lengths());
    RecurrentOutput out = training ? rnn.forwardTrain(input, null) : rnn.forward(input, null);
    Tensor features = FinalStates.lastLayer(out.hn(), rnn.recurrent().directions());
    long seed = training ? dropout.nextSeed() : 0L;
    Tensor dropped = dropout.forward(features, seed, training);
    return new Pass(ids, embedded, out, features, seed, dropped, linear.forward(dropped));
  }

  /**
   * Forward in training mode, mean loss over the batch, and backward: gradients ACCUMULATE into
   * {@link #parameters()}. Dropout draws a fresh mask.
   *
   * @param batch N sequences and labels. Not modified.
   * @return the summed loss over the N sequences and N
   */
  public StepResult trainStep(ClassificationBatch batch) {
    checkLabels(Arguments.notNull("batch", batch));
    try (Scope scope = Scope.open()) {
      Pass pass = forward(batch.tokens(), true);
      int n = batch.size();
      Tensor dLogits = Tensor.zeros(device(), pass.logits().shape());
      double loss = loss(pass.logits(), batch.labels(), config.labelSmoothing(), 1f / n, dLogits);
      Tensor dDropped = linear.backward(pass.dropped(), dLogits);
      Tensor dFeatures = dropout.backward(dDropped, pass.dropoutSeed());
      Tensor dhn = FinalStates.lastLayerGradient(
          dFeatures, pass.out().hn().shape(), rnn.recurrent().directions());
      RecurrentGradients g = rnn.backward(pass.out(), null, dhn, null);
      embedding.backward(pass.ids(), g.dx());
      return new StepResult(loss, n);
    }
  }

  /** Summed loss; dLogits (or null) gets the gradient of {@code scale · summed loss}. */
  private double loss(Tensor logits, int[] labels, float smoothing, float scale, Tensor dLogits) {
    int n = labels.length;
    Tensor perRow = Tensor.zeros(device(), n);
    if (config.binaryLogistic()) {
      float[] t = new float[n];
      for (int i = 0; i < n; i++) {
        t[i] = labels[i];
      }
      Tensor z = logits.view(0, n);
      Ops.bceWithLogits(z, Tensor.of(device(), t, n), null, scale,
          perRow, dLogits == null ? null : dLogits.view(0, n));
    } else {
      Ops.softmaxCrossEntropy(logits, labels, smoothing, scale, perRow, dLogits);
    }
    double sum = 0;
    for (float v : perRow.toArray()) {
      sum += v;
    }
    return sum;
  }

  /**
   * Class probabilities (inference: no dropout).
   *
   * @param tokens N sequences. Not modified.
   * @return {@code [N][K]}, each row summing to 1
   */
  public float[][] predictProbabilities(PaddedBatch tokens) {
    try (Scope scope = Scope.open()) {
      return probabilities(forward(tokens, false).logits(), tokens.size());
    }
  }

  /** The most probable class of each sequence, {@code [N]}. */
  public int[] predict(PaddedBatch tokens) {
    return argmax(predictProbabilities(tokens));
  }

  private float[][] probabilities(Tensor logits, int n) {
    int k = config.numClasses();
    float[][] out = new float[n][k];
    if (config.binaryLogistic()) {
      float[] z = logits.toArray();
      for (int i = 0; i < n; i++) {
        float p = (float) (1.0 / (1.0 + Math.exp(-z[i])));
        out[i][0] = 1f - p;
        out[i][1] = p;
      }
      return out;
    }
    Tensor probs = Tensor.zeros(device(), n, k);
    Ops.softmax(logits, probs);
    float[] flat = probs.toArray();
    for (int i = 0; i < n; i++) {
      System.arraycopy(flat, i * k, out[i], 0, k);
    }
    return out;
  }

  private static int[] argmax(float[][] rows) {
    int[] out = new int[rows.length];
    for (int i = 0; i < rows.length; i++) {
      for (int k = 1; k < rows[i].length; k++) {
        if (rows[i][k] > rows[i][out[i]]) {
          out[i] = k;
        }
      }
    }
    return out;
  }

  /**
   * Mean loss and accuracy over the batches (inference mode; nothing is updated).
   *
   * @return {@code "loss"} (mean cross-entropy per sequence, without label smoothing) and {@code
   *     "accuracy"}
   */
  public Map<String, Double> evaluate(Iterable<ClassificationBatch> batches) {
    double loss = 0;
    long correct = 0;
    long count = 0;
    int index = 0;
    for (ClassificationBatch b : Arguments.notNull("batches", batches)) {
      checkLabels(Arguments.notNull("batches[" + index++ + "]", b));
      try (Scope scope = Scope.open()) {
        Tensor logits = forward(b.tokens(), false).logits();
        loss += loss(logits, b.labels(), 0f, 1f, null);
        int[] predicted = argmax(probabilities(logits, b.size()));
        for (int i = 0; i < predicted.length; i++) {
          correct += predicted[i] == b.labels()[i] ? 1 : 0;
        }
        count += b.size();
      }
    }
    if (count == 0) {
      throw new JrnnException("evaluate needs at least one sequence");
    }
    Map<String, Double> m = new LinkedHashMap<>();
    m.put("loss", loss / count);
    m.put("accuracy", (double) correct / count);
    return m;
  }

  private void checkLabels(ClassificationBatch b) {
    Sequences.requireIds(b.labels(), config.numClasses(), "labels");
  }

  private static void positive(String name, int v) {
    if (v < 1) {
      throw new JrnnException(name + " must be >= 1 but is " + v);
    }
  }
}
