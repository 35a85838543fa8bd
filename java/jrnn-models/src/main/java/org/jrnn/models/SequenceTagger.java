/*
 * SequenceTagger (many-to-many tagging, e.g. CoNLL part-of-speech or entities): embedding ->
 * bidirectional recurrent stack -> dropout -> linear per token -> cross-entropy over real tokens.
 */
package org.jrnn.models;

import java.util.LinkedHashMap;
import java.util.Map;
import org.jrnn.Cell;
import org.jrnn.Device;
import org.jrnn.JrnnException;
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
 * One tag per token: {@code embedding [V, E]} → recurrent stack (bidirectional by default) →
 * dropout → {@code linear [K, D*H]} at every step → softmax cross-entropy over the real
 * (non-padding) tokens. Parameters: {@code embedding.weight}, {@code rnn.*}, {@code linear.weight},
 * {@code linear.bias}. {@link #close()} frees the model. Not thread-safe.
 */
@SuppressWarnings("try") // each pass opens a Scope only to free its tensors at the end
public final class SequenceTagger extends AbstractModel {
  /** The {@link #kind()} of this model in model files. */
  public static final String KIND = "sequence-tagger";

  /**
   * The architecture (read-only): what {@link #config()} returns and model files store as JSON
   * ({@link #toJson()}). Made by {@link Builder#config()}; {@link #toBuilder()} gives a builder
   * with these settings, for variations.
   */
  public static final class Config {
    private static final String WHAT = "SequenceTagger config";
    private static final Map<String, Class<?>> SCHEMA =
        ConfigJson.schema(
            "vocabSize", int.class,
            "numTags", int.class,
            "embeddingSize", int.class,
            "cell", Cell.class,
            "hiddenSize", int.class,
            "layers", int.class,
            "bidirectional", boolean.class,
            "dropout", float.class,
            "paddingIndex", int.class,
            "init", RecurrentInit.class,
            "seed", long.class);

    private final int vocabSize;
    private final int numTags;
    private final int embeddingSize;
    private final Cell cell;
    private final int hiddenSize;
    private final int layers;
    private final boolean bidirectional;
    private final float dropout;
    private final int paddingIndex;
    private final RecurrentInit init;
    private final long seed;

    private Config(Builder b) {
      this.vocabSize = b.vocabSize;
      this.numTags = b.numTags;
      this.embeddingSize = b.embeddingSize;
      this.cell = b.cell;
      this.hiddenSize = b.hiddenSize;
      this.layers = b.layers;
      this.bidirectional = b.bidirectional;
      this.dropout = b.dropout;
      this.paddingIndex = b.paddingIndex;
      this.init = b.init;
      this.seed = b.seed;
    }

    /** V, token ids {@code 0..V-1} ({@code >= 1}). */
    public int vocabSize() {
      return vocabSize;
    }

    /** K tags ({@code >= 2}). */
    public int numTags() {
      return numTags;
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

    /** D = 2 when true; default true. */
    public boolean bidirectional() {
      return bidirectional;
    }

    /** Drop probability on the recurrent outputs, in [0, 1); default 0. */
    public float dropout() {
      return dropout;
    }

    /** The embedding's padding id, or -1 for none; default {@link Vocabulary#PAD_ID}. */
    public int paddingIndex() {
      return paddingIndex;
    }

    /** Recurrent weight initialisation; default {@link RecurrentInit#PYTORCH}. */
    public RecurrentInit init() {
      return init;
    }

    /** Seed of the initial weights and dropout masks; default 0. */
    public long seed() {
      return seed;
    }

    /** A builder holding these settings (device: the CPU). */
    public Builder toBuilder() {
      Builder b = new Builder();
      b.vocabSize = vocabSize;
      b.numTags = numTags;
      b.embeddingSize = embeddingSize;
      b.cell = cell;
      b.hiddenSize = hiddenSize;
      b.layers = layers;
      b.bidirectional = bidirectional;
      b.dropout = dropout;
      b.paddingIndex = paddingIndex;
      b.init = init;
      b.seed = seed;
      return b;
    }

    private Map<String, Object> values() {
      return ConfigJson.values(
          "vocabSize", vocabSize,
          "numTags", numTags,
          "embeddingSize", embeddingSize,
          "cell", cell,
          "hiddenSize", hiddenSize,
          "layers", layers,
          "bidirectional", bidirectional,
          "dropout", dropout,
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
                  .numTags((int) v.get("numTags"))
                  .embeddingSize((int) v.get("embeddingSize"))
                  .cell((Cell) v.get("cell"))
                  .hiddenSize((int) v.get("hiddenSize"))
                  .layers((int) v.get("layers"))
                  .bidirectional((boolean) v.get("bidirectional"))
                  .dropout((float) v.get("dropout"))
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
   * A builder: {@code SequenceTagger.builder().vocabSize(V).numTags(K).build()}. {@code vocabSize},
   * {@code numTags} are required (checked by {@link Builder#build()}); every other setting has the
   * default its setter names.
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Settings of a {@link SequenceTagger}. Each setter checks its own value and throws {@link
   * JrnnException} naming the setting; {@link #config()} and {@link #build()} check the required
   * settings and those that depend on each other.
   */
  public static final class Builder {
    private int vocabSize;
    private int numTags;
    private int embeddingSize = 64;
    private Cell cell = Cell.LSTM;
    private int hiddenSize = 128;
    private int layers = 1;
    private boolean bidirectional = true;
    private float dropout;
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

    /** Required: K tags ({@code >= 2}). */
    public Builder numTags(int numTags) {
      this.numTags = Arguments.atLeast("numTags", numTags, 2);
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

    /** D = 2 when true; default true. */
    public Builder bidirectional(boolean bidirectional) {
      this.bidirectional = bidirectional;
      return this;
    }

    /** Drop probability on the recurrent outputs, in [0, 1); default 0. */
    public Builder dropout(float dropout) {
      this.dropout = Arguments.fraction("dropout", dropout);
      return this;
    }

    /** The embedding's padding id, or -1 for none; default {@link Vocabulary#PAD_ID}. */
    public Builder paddingIndex(int paddingIndex) {
      this.paddingIndex = Arguments.atLeast("paddingIndex", paddingIndex, -1);
      return this;
    }

    /** Recurrent weight initialisation; default {@link RecurrentInit#PYTORCH}. */
    public Builder init(RecurrentInit init) {
      this.init = Arguments.notNull("init", init);
      return this;
    }

    /** Seed of the initial weights and dropout masks; default 0. */
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
      Arguments.required("numTags", numTags == 0);
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
    public SequenceTagger build() {
      return new SequenceTagger(config(), device);
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
  private SequenceTagger(Config config, Device device) {
    super(KIND, device, Arguments.notNull("config", config)::toJson);
    this.config = config;
    long seed = config.seed();
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
                  .inFeatures(rnn.outputSize())
                  .outFeatures(config.numTags())
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

  /**
   * Where a forward pass over {@code tokens} (inference) first becomes non-finite: embedding
   * output, a recurrent layer's output or the logits, with the time step and sequence; null when it
   * stays finite.
   */
  String locateNonFinite(PaddedBatch tokens) {
    try (Scope scope = Scope.open()) {
      Tensor embedded =
          embedding.forward(
              Sequences.idsWithoutPadding(tokens, config.vocabSize(), "tokens"),
              tokens.maxLength(),
              tokens.size());
      String found = NonFiniteScan.timeMajor(embedded, "embedding output");
      if (found != null) {
        return found;
      }
      RecurrentOutput out = rnn.forward(SequenceBatch.of(embedded, tokens.lengths()), null);
      found = NonFiniteScan.recurrent(rnn, out);
      return found != null
          ? found
          : NonFiniteScan.timeMajor(linear.forward(out.output()), "linear (logits)");
    }
  }

  private record Pass(
      int[] ids, RecurrentOutput out, long dropoutSeed, Tensor dropped, Tensor logits) {}

  private Pass forward(PaddedBatch tokens, boolean training) {
    int[] ids = Sequences.idsWithoutPadding(tokens, config.vocabSize(), "tokens");
    Tensor embedded = embedding.forward(ids, tokens.maxLength(), tokens.size());
    SequenceBatch input = SequenceBatch.of(embedded, tokens.lengths());
    RecurrentOutput out = training ? rnn.forwardTrain(input, null) : rnn.forward(input, null);
    long seed = training ? dropout.nextSeed() : 0L;
    Tensor dropped = dropout.forward(out.output(), seed, training);
    return new Pass(ids, out, seed, dropped, linear.forward(dropped));
  }

  /**
   * Forward in training mode, mean cross-entropy over the batch's real tokens, backward (gradients
   * ACCUMULATE into {@link #parameters()}).
   *
   * @return summed loss and the number of real tokens
   */
  public StepResult trainStep(TaggingBatch batch) {
    int[] targets = checkedTargets(batch);
    long count = CrossEntropy.counted(targets);
    try (Scope scope = Scope.open()) {
      Pass pass = forward(batch.tokens(), true);
      Tensor dLogits = Tensor.zeros(device(), pass.logits().shape());
      double loss =
          CrossEntropy.summed(pass.logits(), targets, count == 0 ? 0f : 1f / count, dLogits);
      Tensor dDropped = linear.backward(pass.dropped(), dLogits);
      Tensor dy = dropout.backward(dDropped, pass.dropoutSeed());
      RecurrentGradients g = rnn.backward(pass.out(), dy, null, null);
      embedding.backward(pass.ids(), g.dx());
      return new StepResult(loss, count);
    }
  }

  /** Tags past each sentence's length forced to -1 (whatever the batch holds there), checked. */
  private int[] checkedTargets(TaggingBatch batch) {
    PaddedBatch t = Arguments.notNull("batch", batch).tokens();
    int[] targets = batch.tags().clone();
    for (int step = 0; step < t.maxLength(); step++) {
      for (int s = 0; s < t.size(); s++) {
        int i = step * t.size() + s;
        if (step >= t.lengths()[s]) {
          targets[i] = -1;
        } else if (targets[i] < 0 || targets[i] >= config.numTags()) {
          throw new JrnnException(
              "tags at step "
                  + step
                  + " of sentence "
                  + s
                  + " = "
                  + targets[i]
                  + " is outside 0.."
                  + (config.numTags() - 1));
        }
      }
    }
    return targets;
  }

  /**
   * The most likely tag of every token (inference).
   *
   * @return one array per sentence, as long as the sentence
   */
  public int[][] predict(PaddedBatch tokens) {
    try (Scope scope = Scope.open()) {
      return argmaxPerToken(forward(tokens, false).logits(), tokens);
    }
  }

  private int[][] argmaxPerToken(Tensor logits, PaddedBatch tokens) {
    float[] z = logits.toArray();
    int k = config.numTags();
    int n = tokens.size();
    int[][] out = new int[n][];
    for (int s = 0; s < n; s++) {
      out[s] = new int[tokens.lengths()[s]];
      for (int step = 0; step < out[s].length; step++) {
        int row = (step * n + s) * k;
        int best = 0;
        for (int j = 1; j < k; j++) {
          if (z[row + j] > z[row + best]) {
            best = j;
          }
        }
        out[s][step] = best;
      }
    }
    return out;
  }

  /**
   * Mean loss per real token and token accuracy (inference), overall and split by whether the model
   * knows the token: a token is unknown when its input id is {@link Vocabulary#UNK_ID} (a word the
   * tokenizer's vocabulary does not hold). Tagging accuracy on unknown words is what taggers are
   * compared by beside the overall accuracy.
   *
   * @return {@code "loss"}, {@code "accuracy"}, {@code "accuracy_known"} (left out when every token
   *     is unknown), {@code "accuracy_unknown"} (left out when no token is unknown) and {@code
   *     "unknown_rate"} (the share of tokens that are unknown); {@code accuracy} is {@code (1 -
   *     unknown_rate) * accuracy_known + unknown_rate * accuracy_unknown}
   */
  public Map<String, Double> evaluate(Iterable<TaggingBatch> batches) {
    double loss = 0;
    long count = 0;
    long correct = 0;
    long unknown = 0;
    long correctUnknown = 0;
    int index = 0;
    for (TaggingBatch b : Arguments.notNull("batches", batches)) {
      int[] targets = checkedTargets(Arguments.notNull("batches[" + index++ + "]", b));
      try (Scope scope = Scope.open()) {
        Tensor logits = forward(b.tokens(), false).logits();
        loss += CrossEntropy.summed(logits, targets, 1f, null);
        int[][] predicted = argmaxPerToken(logits, b.tokens());
        int[] ids = b.tokens().ids();
        for (int s = 0; s < predicted.length; s++) {
          for (int step = 0; step < predicted[s].length; step++) {
            int at = step * b.size() + s;
            boolean right = predicted[s][step] == targets[at];
            correct += right ? 1 : 0;
            if (ids[at] == Vocabulary.UNK_ID) {
              unknown++;
              correctUnknown += right ? 1 : 0;
            }
          }
        }
        count += CrossEntropy.counted(targets);
      }
    }
    if (count == 0) {
      throw new JrnnException("evaluate needs at least one token");
    }
    Map<String, Double> m = new LinkedHashMap<>();
    m.put("loss", loss / count);
    m.put("accuracy", (double) correct / count);
    if (unknown < count) {
      m.put("accuracy_known", (double) (correct - correctUnknown) / (count - unknown));
    }
    if (unknown > 0) {
      m.put("accuracy_unknown", (double) correctUnknown / unknown);
    }
    m.put("unknown_rate", (double) unknown / count);
    return m;
  }

  long dropoutSeedsDrawn() {
    return dropout.seedsDrawn();
  }

  void setDropoutSeedsDrawn(long count) {
    dropout.setSeedsDrawn(count);
  }
}
