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
import org.jrnn.data.Vocabulary;
import org.jrnn.internal.Arguments;
import org.jrnn.internal.SplitMix64;
import org.jrnn.nn.Dropout;
import org.jrnn.nn.Embedding;
import org.jrnn.nn.Linear;
import org.jrnn.nn.RecurrentInit;
import org.jrnn.nn.RecurrentLayer;
import org.jrnn.train.Task.StepResult;

/**
 * Classifies token sequences: {@code embedding [V, E]} → recurrent stack (L layers, D directions) →
 * the last layer's final hidden state at each sequence's own length ({@code [N, D*H]}, forward and
 * reverse side by side) → dropout → {@code linear [K, D*H]} → softmax cross-entropy with optional
 * label smoothing; or, with {@link Config#binaryLogistic()}, one logit and binary cross-entropy (2
 * classes).
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
   * The architecture (read-only): what {@link #config()} returns and model files store as JSON
   * ({@link #toJson()}). Made by {@link Builder#config()}; {@link #toBuilder()} gives a builder
   * with these settings, for variations.
   */
  public static final class Config {
    private static final String WHAT = "SequenceClassifier config";
    private static final Map<String, Class<?>> SCHEMA =
        ConfigJson.schema(
            "vocabSize", int.class,
            "numClasses", int.class,
            "embeddingSize", int.class,
            "cell", Cell.class,
            "hiddenSize", int.class,
            "layers", int.class,
            "bidirectional", boolean.class,
            "dropout", float.class,
            "binaryLogistic", boolean.class,
            "labelSmoothing", float.class,
            "paddingIndex", int.class,
            "init", RecurrentInit.class,
            "seed", long.class);

    private final int vocabSize;
    private final int numClasses;
    private final int embeddingSize;
    private final Cell cell;
    private final int hiddenSize;
    private final int layers;
    private final boolean bidirectional;
    private final float dropout;
    private final boolean binaryLogistic;
    private final float labelSmoothing;
    private final int paddingIndex;
    private final RecurrentInit init;
    private final long seed;

    private Config(Builder b) {
      this.vocabSize = b.vocabSize;
      this.numClasses = b.numClasses;
      this.embeddingSize = b.embeddingSize;
      this.cell = b.cell;
      this.hiddenSize = b.hiddenSize;
      this.layers = b.layers;
      this.bidirectional = b.bidirectional;
      this.dropout = b.dropout;
      this.binaryLogistic = b.binaryLogistic;
      this.labelSmoothing = b.labelSmoothing;
      this.paddingIndex = b.paddingIndex;
      this.init = b.init;
      this.seed = b.seed;
    }

    /** V, token ids {@code 0..V-1} ({@code >= 1}). */
    public int vocabSize() {
      return vocabSize;
    }

    /** K classes ({@code >= 2}). */
    public int numClasses() {
      return numClasses;
    }

    /** E ({@code >= 1}); default 64. */
    public int embeddingSize() {
      return embeddingSize;
    }

    /** The recurrent cell; default LSTM. */
    public Cell cell() {
      return cell;
    }

    /** H per direction ({@code >= 1}); default 128. */
    public int hiddenSize() {
      return hiddenSize;
    }

    /** L ({@code >= 1}); default 1. */
    public int layers() {
      return layers;
    }

    /** D = 2 when true; default false. */
    public boolean bidirectional() {
      return bidirectional;
    }

    /** Drop probability on the final state, in [0, 1); default 0. */
    public float dropout() {
      return dropout;
    }

    /** One logit with BCE instead of K logits with softmax (needs K = 2); default false. */
    public boolean binaryLogistic() {
      return binaryLogistic;
    }

    /** Label smoothing of the softmax cross-entropy, in [0, 1); default 0. */
    public float labelSmoothing() {
      return labelSmoothing;
    }

    /**
     * The embedding's padding id, like PyTorch's padding_idx, or -1 for none; default {@link
     * Vocabulary#PAD_ID}.
     */
    public int paddingIndex() {
      return paddingIndex;
    }

    /** Recurrent weight initialisation; default {@link RecurrentInit#PYTORCH}. */
    public RecurrentInit init() {
      return init;
    }

    /** Seed of all initial weights and dropout masks; default 0. */
    public long seed() {
      return seed;
    }

    /** A builder holding these settings (device: the CPU). */
    public Builder toBuilder() {
      Builder b = new Builder();
      b.vocabSize = vocabSize;
      b.numClasses = numClasses;
      b.embeddingSize = embeddingSize;
      b.cell = cell;
      b.hiddenSize = hiddenSize;
      b.layers = layers;
      b.bidirectional = bidirectional;
      b.dropout = dropout;
      b.binaryLogistic = binaryLogistic;
      b.labelSmoothing = labelSmoothing;
      b.paddingIndex = paddingIndex;
      b.init = init;
      b.seed = seed;
      return b;
    }

    private Map<String, Object> values() {
      return ConfigJson.values(
          "vocabSize", vocabSize,
          "numClasses", numClasses,
          "embeddingSize", embeddingSize,
          "cell", cell,
          "hiddenSize", hiddenSize,
          "layers", layers,
          "bidirectional", bidirectional,
          "dropout", dropout,
          "binaryLogistic", binaryLogistic,
          "labelSmoothing", labelSmoothing,
          "paddingIndex", paddingIndex,
          "init", init,
          "seed", seed);
    }

    /** This config as JSON (the {@code "jrnn.config"} of a model file). */
    public String toJson() {
      return ConfigJson.write(values());
    }

    /**
     * A config from {@link #toJson()}.
     *
     * @throws JrnnException naming a missing, unknown or mistyped key, or the setting the builder
     *     rejects
     */
    public static Config fromJson(String json) {
      Map<String, Object> v = ConfigJson.read(WHAT, SCHEMA, json);
      return ConfigJson.build(
          WHAT,
          () ->
              new Builder()
                  .vocabSize((int) v.get("vocabSize"))
                  .numClasses((int) v.get("numClasses"))
                  .embeddingSize((int) v.get("embeddingSize"))
                  .cell((Cell) v.get("cell"))
                  .hiddenSize((int) v.get("hiddenSize"))
                  .layers((int) v.get("layers"))
                  .bidirectional((boolean) v.get("bidirectional"))
                  .dropout((float) v.get("dropout"))
                  .binaryLogistic((boolean) v.get("binaryLogistic"))
                  .labelSmoothing((float) v.get("labelSmoothing"))
                  .paddingIndex((int) v.get("paddingIndex"))
                  .init((RecurrentInit) v.get("init"))
                  .seed((long) v.get("seed"))
                  .config());
    }

    /** Equal when every setting is. */
    @Override
    public boolean equals(Object o) {
      return o instanceof Config c && values().equals(c.values());
    }

    @Override
    public int hashCode() {
      return values().hashCode();
    }

    /** "Config[name=value, ...]". */
    @Override
    public String toString() {
      return ConfigJson.describe(values());
    }
  }

  /**
   * A builder: {@code
   * SequenceClassifier.builder().vocabSize(V).numClasses(K).hiddenSize(64).build()}. {@code
   * vocabSize}, {@code numClasses} are required (checked by {@link Builder#build()}); every other
   * setting has the default its setter names.
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Settings of a {@link SequenceClassifier}. Each setter checks its own value and throws {@link
   * JrnnException} naming the setting; {@link #config()} and {@link #build()} check the required
   * settings and those that depend on each other.
   */
  public static final class Builder {
    private int vocabSize;
    private int numClasses;
    private int embeddingSize = 64;
    private Cell cell = Cell.LSTM;
    private int hiddenSize = 128;
    private int layers = 1;
    private boolean bidirectional;
    private float dropout;
    private boolean binaryLogistic;
    private float labelSmoothing;
    private int paddingIndex = Vocabulary.PAD_ID;
    private RecurrentInit init = RecurrentInit.PYTORCH;
    private long seed;
    private Device device = Device.cpu();

    private Builder() {}

    /** Required: V, token ids {@code 0..V-1} ({@code >= 1}). */
    public Builder vocabSize(int vocabSize) {
      this.vocabSize = Arguments.atLeast("vocabSize", vocabSize, 1);
      return this;
    }

    /** Required: K classes ({@code >= 2}). */
    public Builder numClasses(int numClasses) {
      this.numClasses = Arguments.atLeast("numClasses", numClasses, 2);
      return this;
    }

    /** E ({@code >= 1}); default 64. */
    public Builder embeddingSize(int embeddingSize) {
      this.embeddingSize = Arguments.atLeast("embeddingSize", embeddingSize, 1);
      return this;
    }

    /** The recurrent cell; default LSTM. */
    public Builder cell(Cell cell) {
      this.cell = Arguments.notNull("cell", cell);
      return this;
    }

    /** H per direction ({@code >= 1}); default 128. */
    public Builder hiddenSize(int hiddenSize) {
      this.hiddenSize = Arguments.atLeast("hiddenSize", hiddenSize, 1);
      return this;
    }

    /** L ({@code >= 1}); default 1. */
    public Builder layers(int layers) {
      this.layers = Arguments.atLeast("layers", layers, 1);
      return this;
    }

    /** D = 2 when true; default false. */
    public Builder bidirectional(boolean bidirectional) {
      this.bidirectional = bidirectional;
      return this;
    }

    /** Drop probability on the final state, in [0, 1); default 0. */
    public Builder dropout(float dropout) {
      this.dropout = Arguments.fraction("dropout", dropout);
      return this;
    }

    /** One logit with BCE instead of K logits with softmax (needs K = 2); default false. */
    public Builder binaryLogistic(boolean binaryLogistic) {
      this.binaryLogistic = binaryLogistic;
      return this;
    }

    /** Label smoothing of the softmax cross-entropy, in [0, 1); default 0. */
    public Builder labelSmoothing(float labelSmoothing) {
      this.labelSmoothing = Arguments.fraction("labelSmoothing", labelSmoothing);
      return this;
    }

    /**
     * The embedding's padding id, like PyTorch's padding_idx, or -1 for none; default {@link
     * Vocabulary#PAD_ID}.
     */
    public Builder paddingIndex(int paddingIndex) {
      this.paddingIndex = Arguments.atLeast("paddingIndex", paddingIndex, -1);
      return this;
    }

    /** Recurrent weight initialisation; default {@link RecurrentInit#PYTORCH}. */
    public Builder init(RecurrentInit init) {
      this.init = Arguments.notNull("init", init);
      return this;
    }

    /** Seed of all initial weights and dropout masks; default 0. */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /** Where the model's parameters live; default {@link Device#cpu()}. Not part of the config. */
    public Builder device(Device device) {
      this.device = Arguments.notNull("device", device);
      return this;
    }

    /**
     * The checked settings, without allocating a model.
     *
     * @throws JrnnException naming a missing required setting or two that do not fit together
     */
    public Config config() {
      Arguments.required("vocabSize", vocabSize == 0);
      Arguments.required("numClasses", numClasses == 0);
      if (binaryLogistic && numClasses != 2) {
        throw new JrnnException("binaryLogistic needs numClasses = 2 but it is " + numClasses);
      }
      if (paddingIndex >= vocabSize) {
        throw new JrnnException(
            "paddingIndex " + paddingIndex + " is outside -1.." + (vocabSize - 1));
      }
      return new Config(this);
    }

    /**
     * A model with freshly initialised weights (seeded by {@code seed}) on the device.
     *
     * @throws JrnnException as {@link #config()} does, or when the device cannot hold it
     */
    public SequenceClassifier build() {
      return new SequenceClassifier(config(), device);
    }
  }

  private final Config config;
  private final Embedding embedding;
  private final RecurrentLayer rnn;
  private final Dropout dropout;
  private final Linear linear;

  /**
   * A model with freshly initialised weights (seeded by {@code config.seed()}) on {@code device}.
   */
  private SequenceClassifier(Config config, Device device) {
    super(KIND, device, Arguments.notNull("config", config)::toJson);
    this.config = config;
    long seed = config.seed();
    int features = (config.bidirectional() ? 2 : 1) * config.hiddenSize();
    try {
      embedding =
          own(
              "embedding",
              Embedding.builder()
                  .vocabSize(config.vocabSize())
                  .dim(config.embeddingSize())
                  .paddingIndex(config.paddingIndex())
                  .seed(SplitMix64.deriveSeed(seed, 0))
                  .device(device)
                  .build());
      rnn =
          own(
              "rnn",
              RecurrentLayer.builder()
                  .cell(config.cell())
                  .inputSize(config.embeddingSize())
                  .hiddenSize(config.hiddenSize())
                  .layers(config.layers())
                  .bidirectional(config.bidirectional())
                  .init(config.init())
                  .seed(SplitMix64.deriveSeed(seed, 1))
                  .device(device)
                  .build());
      dropout =
          Dropout.builder()
              .p(config.dropout())
              .seed(SplitMix64.deriveSeed(seed, 2))
              .device(device)
              .build();
      linear =
          own(
              "linear",
              Linear.builder()
                  .inFeatures(features)
                  .outFeatures(config.binaryLogistic() ? 1 : config.numClasses())
                  .seed(SplitMix64.deriveSeed(seed, 3))
                  .device(device)
                  .build());
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
  private record Pass(
      int[] ids,
      Tensor embedded,
      RecurrentOutput out,
      Tensor features,
      long dropoutSeed,
      Tensor dropped,
      Tensor logits) {}

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
      Tensor dhn =
          FinalStates.lastLayerGradient(
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
      Ops.bceWithLogits(
          z,
          Tensor.of(device(), t, n),
          null,
          scale,
          perRow,
          dLogits == null ? null : dLogits.view(0, n));
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
