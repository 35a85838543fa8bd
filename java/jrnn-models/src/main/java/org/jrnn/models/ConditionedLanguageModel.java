/*
 * ConditionedLanguageModel (one-to-many): a language model conditioned on a feature vector; the
 * vector -> linear + tanh -> the initial hidden state of a recurrent stack that generates a token
 * sequence (teacher forcing with <bos> in training; a StepModel of feature vectors for
 * org.jrnn.decode: greedy, sampling, beam search). Mirrors scripts/torch_digits.py. Its model-file
 * kind is still "conditioned-decoder" (the class's former name), so existing files load.
 */
package org.jrnn.models;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jrnn.Cell;
import org.jrnn.Device;
import org.jrnn.JrnnException;
import org.jrnn.Ops;
import org.jrnn.RecurrentGradients;
import org.jrnn.RecurrentOutput;
import org.jrnn.RecurrentState;
import org.jrnn.Scope;
import org.jrnn.SequenceBatch;
import org.jrnn.Tensor;
import org.jrnn.data.PaddedBatch;
import org.jrnn.data.Vocabulary;
import org.jrnn.decode.DecodeOptions;
import org.jrnn.decode.Decoded;
import org.jrnn.decode.Decoders;
import org.jrnn.decode.RecurrentRows;
import org.jrnn.decode.StepModel;
import org.jrnn.decode.StepState;
import org.jrnn.internal.Arguments;
import org.jrnn.internal.FeatureConditioning;
import org.jrnn.internal.SplitMix64;
import org.jrnn.nn.Embedding;
import org.jrnn.nn.Linear;
import org.jrnn.nn.RecurrentInit;
import org.jrnn.nn.RecurrentLayer;
import org.jrnn.train.Task.StepResult;

/**
 * Generates a token sequence from a feature vector {@code x [N, F]}: {@code h0 = tanh(init(x))}
 * ({@code init} is a {@code linear [L*H, F]}; layer l's h0 is columns {@code [l*H, (l+1)*H)}; an
 * LSTM's c0 is zero) starts a unidirectional recurrent stack whose input at step t is the embedding
 * of the previous token ({@code <bos>} at t = 0), optionally with x appended ({@link
 * Config#concatFeatures()}); {@code linear [V, H]} at every step; softmax cross-entropy against the
 * sequence followed by {@code <eos>}.
 *
 * <p>Parameters: {@code init.weight}, {@code init.bias}, {@code embedding.weight}, {@code
 * rnn.weight_ih_l0}, ..., {@code linear.weight}, {@code linear.bias} (torch_digits.py's {@code
 * init}, {@code embed}, {@code rnn}, {@code out}). The tanh and the feature concatenation run on
 * the host (small arrays). As a {@link StepModel} of feature vectors it feeds the decoders of
 * {@link org.jrnn.decode} (its state: {@link RecurrentRows}, with x as the per-row context when
 * appended). {@link #close()} frees the model. Not thread-safe.
 */
@SuppressWarnings("try") // each pass opens a Scope only to free its tensors at the end
public final class ConditionedLanguageModel extends AbstractModel implements StepModel<float[]> {
  /**
   * The {@link #kind()} of this model in model files: {@code "conditioned-decoder"}, after the
   * class's former name ({@code ConditionedDecoder}). It stays so that model files saved before the
   * rename (and by other tools) load; never change it.
   */
  public static final String KIND = "conditioned-decoder";

  /**
   * The architecture (read-only): what {@link #config()} returns and model files store as JSON
   * ({@link #toJson()}). Made by {@link Builder#config()}; {@link #toBuilder()} gives a builder
   * with these settings, for variations.
   */
  public static final class Config {
    private static final String WHAT = "ConditionedLanguageModel config";
    private static final Map<String, Class<?>> SCHEMA =
        ConfigJson.schema(
            "featureSize", int.class,
            "vocabSize", int.class,
            "embeddingSize", int.class,
            "cell", Cell.class,
            "hiddenSize", int.class,
            "layers", int.class,
            "concatFeatures", boolean.class,
            "paddingIndex", int.class,
            "init", RecurrentInit.class,
            "seed", long.class);

    private final int featureSize;
    private final int vocabSize;
    private final int embeddingSize;
    private final Cell cell;
    private final int hiddenSize;
    private final int layers;
    private final boolean concatFeatures;
    private final int paddingIndex;
    private final RecurrentInit init;
    private final long seed;

    private Config(Builder b) {
      this.featureSize = b.featureSize;
      this.vocabSize = b.vocabSize;
      this.embeddingSize = b.embeddingSize;
      this.cell = b.cell;
      this.hiddenSize = b.hiddenSize;
      this.layers = b.layers;
      this.concatFeatures = b.concatFeatures;
      this.paddingIndex = b.paddingIndex;
      this.init = b.init;
      this.seed = b.seed;
    }

    /** F, the size of each conditioning vector ({@code >= 1}). */
    public int featureSize() {
      return featureSize;
    }

    /**
     * V, token ids {@code 0..V-1}; ids 0..3 are the specials of {@link Vocabulary}, so {@code V >=
     * 4}.
     */
    public int vocabSize() {
      return vocabSize;
    }

    /** E ({@code >= 1}); default 16. */
    public int embeddingSize() {
      return embeddingSize;
    }

    /** The recurrent cell; default GRU. */
    public Cell cell() {
      return cell;
    }

    /** H ({@code >= 1}); default 128. */
    public int hiddenSize() {
      return hiddenSize;
    }

    /** L ({@code >= 1}); default 1. */
    public int layers() {
      return layers;
    }

    /** Append x to every step's input; default false. */
    public boolean concatFeatures() {
      return concatFeatures;
    }

    /** The embedding's padding id, or -1 for none; default {@link Vocabulary#PAD_ID}. */
    public int paddingIndex() {
      return paddingIndex;
    }

    /** Recurrent weight initialisation; default {@link RecurrentInit#PYTORCH}. */
    public RecurrentInit init() {
      return init;
    }

    /** Seed of the initial weights; default 0. */
    public long seed() {
      return seed;
    }

    /** A builder holding these settings (device: the CPU). */
    public Builder toBuilder() {
      Builder b = new Builder();
      b.featureSize = featureSize;
      b.vocabSize = vocabSize;
      b.embeddingSize = embeddingSize;
      b.cell = cell;
      b.hiddenSize = hiddenSize;
      b.layers = layers;
      b.concatFeatures = concatFeatures;
      b.paddingIndex = paddingIndex;
      b.init = init;
      b.seed = seed;
      return b;
    }

    private Map<String, Object> values() {
      return ConfigJson.values(
          "featureSize", featureSize,
          "vocabSize", vocabSize,
          "embeddingSize", embeddingSize,
          "cell", cell,
          "hiddenSize", hiddenSize,
          "layers", layers,
          "concatFeatures", concatFeatures,
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
                  .featureSize((int) v.get("featureSize"))
                  .vocabSize((int) v.get("vocabSize"))
                  .embeddingSize((int) v.get("embeddingSize"))
                  .cell((Cell) v.get("cell"))
                  .hiddenSize((int) v.get("hiddenSize"))
                  .layers((int) v.get("layers"))
                  .concatFeatures((boolean) v.get("concatFeatures"))
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
   * A builder: {@code ConditionedLanguageModel.builder().featureSize(F).vocabSize(V).build()} (the
   * defaults are torch_digits.py's model). {@code featureSize}, {@code vocabSize} are required
   * (checked by {@link Builder#build()}); every other setting has the default its setter names.
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Settings of a {@link ConditionedLanguageModel}. Each setter checks its own value and throws
   * {@link JrnnException} naming the setting; {@link #config()} and {@link #build()} check the
   * required settings and those that depend on each other.
   */
  public static final class Builder {
    private int featureSize;
    private int vocabSize;
    private int embeddingSize = 16;
    private Cell cell = Cell.GRU;
    private int hiddenSize = 128;
    private int layers = 1;
    private boolean concatFeatures;
    private int paddingIndex = Vocabulary.PAD_ID;
    private RecurrentInit init = RecurrentInit.PYTORCH;
    private long seed;
    private Device device = Device.cpu();

    private Builder() {}

    /** Required: F, the size of each conditioning vector ({@code >= 1}). */
    public Builder featureSize(int featureSize) {
      this.featureSize = Arguments.atLeast("featureSize", featureSize, 1);
      return this;
    }

    /**
     * Required: V, token ids {@code 0..V-1}; ids 0..3 are the specials of {@link Vocabulary}, so
     * {@code V >= 4}.
     */
    public Builder vocabSize(int vocabSize) {
      this.vocabSize = Arguments.atLeast("vocabSize", vocabSize, 4);
      return this;
    }

    /** E ({@code >= 1}); default 16. */
    public Builder embeddingSize(int embeddingSize) {
      this.embeddingSize = Arguments.atLeast("embeddingSize", embeddingSize, 1);
      return this;
    }

    /** The recurrent cell; default GRU. */
    public Builder cell(Cell cell) {
      this.cell = Arguments.notNull("cell", cell);
      return this;
    }

    /** H ({@code >= 1}); default 128. */
    public Builder hiddenSize(int hiddenSize) {
      this.hiddenSize = Arguments.atLeast("hiddenSize", hiddenSize, 1);
      return this;
    }

    /** L ({@code >= 1}); default 1. */
    public Builder layers(int layers) {
      this.layers = Arguments.atLeast("layers", layers, 1);
      return this;
    }

    /** Append x to every step's input; default false. */
    public Builder concatFeatures(boolean concatFeatures) {
      this.concatFeatures = concatFeatures;
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

    /** Seed of the initial weights; default 0. */
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
      Arguments.required("featureSize", featureSize == 0);
      Arguments.required("vocabSize", vocabSize == 0);
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
    public ConditionedLanguageModel build() {
      return new ConditionedLanguageModel(config(), device);
    }
  }

  private final Config config;
  private final Linear init;
  private final Embedding embedding;
  private final RecurrentLayer rnn;
  private final Linear linear;

  /**
   * A model with freshly initialised weights (seeded by {@code config.seed()}) on {@code device}.
   */
  private ConditionedLanguageModel(Config config, Device device) {
    super(KIND, device, Arguments.notNull("config", config)::toJson);
    this.config = config;
    long seed = config.seed();
    int input = config.embeddingSize() + (config.concatFeatures() ? config.featureSize() : 0);
    try {
      init =
          own(
              "init",
              Linear.builder()
                  .inFeatures(config.featureSize())
                  .outFeatures(config.layers() * config.hiddenSize())
                  .seed(SplitMix64.deriveSeed(seed, 0))
                  .device(device)
                  .build());
      embedding =
          own(
              "embedding",
              Embedding.builder()
                  .vocabSize(config.vocabSize())
                  .dim(config.embeddingSize())
                  .paddingIndex(config.paddingIndex())
                  .seed(SplitMix64.deriveSeed(seed, 1))
                  .device(device)
                  .build());
      rnn =
          own(
              "rnn",
              RecurrentLayer.builder()
                  .cell(config.cell())
                  .inputSize(input)
                  .hiddenSize(config.hiddenSize())
                  .layers(config.layers())
                  .init(config.init())
                  .seed(SplitMix64.deriveSeed(seed, 2))
                  .device(device)
                  .build());
      linear =
          own(
              "linear",
              Linear.builder()
                  .inFeatures(config.hiddenSize())
                  .outFeatures(config.vocabSize())
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

  // ------------------------------------------------------------------ pieces

  /** h0 = tanh(init(x)) as {@code [L, N, H]}; also returns the host values {@code [N, L*H]}. */
  private Tensor initialHidden(Tensor x, int n, float[][] tanhOut) {
    float[] pre = init.forward(x).toArray(); // [N, L*H]; the call below makes it tanh(pre)
    tanhOut[0] = pre;
    return FeatureConditioning.initialHidden(
        pre, n, config.layers(), config.hiddenSize(), device());
  }

  /** Backward of {@link #initialHidden}, into init's gradients. */
  private void initialHiddenBackward(Tensor x, int n, float[] tanh, Tensor dh0) {
    init.backwardParameters(
        x,
        FeatureConditioning.initialHiddenGradient(
            tanh, dh0, n, config.layers(), config.hiddenSize()));
  }

  /** The recurrent input {@code [steps, N, E(+F)]} for ids {@code [steps*N]}. */
  private Tensor recurrentInput(int[] ids, int steps, int n, float[] features) {
    Tensor embedded = embedding.forward(ids, steps, n);
    return config.concatFeatures()
        ? FeatureConditioning.appendFeatures(embedded, features, config.featureSize())
        : embedded;
  }

  /** The embedding part of a recurrent-input gradient. */
  private Tensor embeddingGradient(Tensor dx, int steps, int n) {
    if (!config.concatFeatures()) {
      return dx;
    }
    int e = config.embeddingSize();
    int f = config.featureSize();
    float[] d = dx.toArray();
    float[] out = new float[steps * n * e];
    for (int r = 0; r < steps * n; r++) {
      System.arraycopy(d, r * (e + f), out, r * e, e);
    }
    return Tensor.of(device(), out, steps, n, e);
  }

  /**
   * Where a teacher-forced forward pass over {@code b} (inference) first becomes non-finite: the
   * initial state {@code tanh(init(features))}, the recurrent input (embedding), a recurrent
   * layer's output or the logits, with the time step and sequence; null when it stays finite.
   */
  String locateNonFinite(ConditionedBatch b) {
    checkBatch(b);
    try (Scope scope = Scope.open()) {
      int n = b.size();
      Tensor x = Tensor.of(device(), b.features(), n, config.featureSize());
      Tensor h0 = initialHidden(x, n, new float[1][]);
      long bad = Ops.firstNonFinite(h0);
      if (bad >= 0) {
        return "init (initial state), layer "
            + (bad / (n * h0.dim(2)) + 1)
            + ", sequence "
            + (bad / h0.dim(2)) % n;
      }
      PaddedBatch in = b.inputs();
      Tensor input =
          recurrentInput(
              Sequences.idsWithoutPadding(in, config.vocabSize(), "inputs"),
              in.maxLength(),
              n,
              b.features());
      String found = NonFiniteScan.timeMajor(input, "embedding output");
      if (found != null) {
        return found;
      }
      RecurrentOutput out =
          rnn.forward(SequenceBatch.of(input, in.lengths()), RecurrentState.of(h0, null));
      found = NonFiniteScan.recurrent(rnn, out);
      return found != null
          ? found
          : NonFiniteScan.timeMajor(linear.forward(out.output()), "linear (logits)");
    }
  }

  private record Pass(int[] ids, Tensor x, float[] tanh, RecurrentOutput out, Tensor logits) {}

  private Pass forward(ConditionedBatch b, boolean training) {
    checkBatch(b);
    int n = b.size();
    Tensor x = Tensor.of(device(), b.features(), n, config.featureSize());
    float[][] tanh = new float[1][];
    Tensor h0 = initialHidden(x, n, tanh);
    PaddedBatch in = b.inputs();
    int[] ids = Sequences.idsWithoutPadding(in, config.vocabSize(), "inputs");
    SequenceBatch input =
        SequenceBatch.of(recurrentInput(ids, in.maxLength(), n, b.features()), in.lengths());
    RecurrentState start = RecurrentState.of(h0, null);
    RecurrentOutput out = training ? rnn.forwardTrain(input, start) : rnn.forward(input, start);
    return new Pass(ids, x, tanh[0], out, linear.forward(out.output()));
  }

  // ------------------------------------------------------------------ training

  /**
   * Teacher-forced forward, mean cross-entropy over the target tokens (sequence + {@code <eos>}),
   * backward (gradients ACCUMULATE into {@link #parameters()}).
   *
   * @return summed loss and the number of target tokens
   */
  public StepResult trainStep(ConditionedBatch batch) {
    try (Scope scope = Scope.open()) {
      Pass pass = forward(batch, true);
      long count = CrossEntropy.counted(batch.targets());
      Tensor dLogits = Tensor.zeros(device(), pass.logits().shape());
      double loss =
          CrossEntropy.summed(
              pass.logits(), batch.targets(), count == 0 ? 0f : 1f / count, dLogits);
      Tensor dy = linear.backward(pass.out().output(), dLogits);
      RecurrentGradients g = rnn.backward(pass.out(), dy, null, null);
      int steps = batch.inputs().maxLength();
      embedding.backward(pass.ids(), embeddingGradient(g.dx(), steps, batch.size()));
      initialHiddenBackward(pass.x(), batch.size(), pass.tanh(), g.dh0());
      return new StepResult(loss, count);
    }
  }

  private void checkBatch(ConditionedBatch b) {
    if (Arguments.notNull("batch", b).featureSize() != config.featureSize()) {
      throw new JrnnException(
          "features have "
              + b.featureSize()
              + " values per example but the model takes "
              + config.featureSize());
    }
    for (int[] s : b.sequences()) {
      Sequences.requireIds(s, config.vocabSize(), "sequence");
    }
  }

  // ------------------------------------------------------------------ StepModel

  @Override
  public int vocabSize() {
    return config.vocabSize();
  }

  /**
   * One row per feature vector: h0 = tanh(init(x)), c0 = 0, and x as the row context when it is
   * appended to the step inputs.
   *
   * @param inputs N feature vectors of F finite values. Not modified.
   */
  @Override
  public StepState initialState(List<float[]> inputs) {
    int n = Arguments.noNulls("inputs", inputs).size();
    if (n == 0) {
      throw new JrnnException("initialState needs at least one feature vector");
    }
    int f = config.featureSize();
    float[] flat = new float[Arguments.arrayLength(n + " feature vectors of " + f, (long) n * f)];
    for (int i = 0; i < n; i++) {
      float[] v = inputs.get(i);
      if (v.length != f) {
        throw new JrnnException(
            "feature vector " + i + " has " + v.length + " values but the model takes " + f);
      }
      Arguments.finite("feature vector " + i, v);
      System.arraycopy(v, 0, flat, i * f, f);
    }
    try (Scope scope = Scope.open()) {
      Tensor x = Tensor.of(device(), flat, n, f);
      Tensor h0 = initialHidden(x, n, new float[1][]);
      Tensor c0 = config.cell().hasCellState() ? Tensor.zeros(device(), h0.shape()) : null;
      boolean ctx = config.concatFeatures();
      return RecurrentRows.own(h0, c0, ctx ? flat : null, ctx ? f : 0);
    }
  }

  /**
   * Embeds the tokens, steps the stack, and returns the log-softmax of the logits {@code [R, V]}.
   */
  @Override
  public float[] step(int[] tokens, StepState state) {
    try (Scope scope = Scope.open()) {
      Tensor logits = stepLogits(tokens, state);
      Ops.logSoftmax(logits, logits);
      return logits.toArray();
    }
  }

  /** Beam search and greedy: only each row's best log-probabilities leave the device. */
  @Override
  public void stepTop(
      int[] tokens, StepState state, int top, int[] exclude, float[] values, int[] indices) {
    try (Scope scope = Scope.open()) {
      Ops.logSoftmaxTop(stepLogits(tokens, state), top, exclude, values, indices);
    }
  }

  private Tensor stepLogits(int[] tokens, StepState state) {
    Arguments.notNull("tokens", tokens);
    if (!(state instanceof RecurrentRows rows)) {
      throw new JrnnException(
          "the state must be the RecurrentRows of initialState but is "
              + (state == null ? "null" : "another model's state"));
    }
    int r = rows.rows();
    if (tokens.length != r) {
      throw new JrnnException(tokens.length + " tokens for " + r + " rows");
    }
    Arguments.ids("tokens", tokens, config.vocabSize());
    int inputSize = rnn.recurrent().inputSize();
    Tensor input = recurrentInput(tokens, 1, r, rows.context()).view(0, r, inputSize);
    return linear.forward(rnn.step(input, rows.state()));
  }

  // ------------------------------------------------------------------ generation, evaluation

  /**
   * Generates a sequence for each feature vector with the decoders of {@link org.jrnn.decode}
   * (greedy, sampling or beam search, as {@code options} say): from the start token, one recurrent
   * step per token for all rows together, until the end token or {@code options.maxLength()}
   * tokens.
   *
   * @param features {@code [N, F]} row-major, finite. Not modified.
   * @param n N
   * @param options strategy and limits
   * @return N sequences (each input's best hypothesis) without the start and end tokens
   */
  public int[][] generate(float[] features, int n, DecodeOptions options) {
    Arguments.notNull("features", features);
    if (n < 1 || features.length != (long) n * config.featureSize()) {
      throw new JrnnException(
          "features must hold N = "
              + n
              + " rows of "
              + config.featureSize()
              + " values but has "
              + features.length);
    }
    Arguments.finite("features", features);
    Arguments.notNull("options", options);
    int f = config.featureSize();
    List<float[]> rows = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      rows.add(Arrays.copyOfRange(features, i * f, (i + 1) * f));
    }
    List<Decoded> decoded = Decoders.decode(this, rows, options);
    int[][] out = new int[n][];
    for (int i = 0; i < n; i++) {
      out[i] = decoded.get(i).tokens();
    }
    return out;
  }

  /** Greedy {@link #generate(float[], int, DecodeOptions)} of at most {@code maxLength} tokens. */
  public int[][] generate(float[] features, int n, int maxLength) {
    return generate(features, n, DecodeOptions.builder().maxLength(maxLength).build());
  }

  /**
   * Teacher-forced loss per target token and greedy exact match (inference).
   *
   * @param maxLength the most tokens greedy decoding may produce
   * @return {@code "loss"} and {@code "exact_match"} (share of examples whose greedy sequence
   *     equals the target)
   */
  public Map<String, Double> evaluate(Iterable<ConditionedBatch> batches, int maxLength) {
    return evaluate(batches, DecodeOptions.builder().maxLength(maxLength).build());
  }

  /**
   * Teacher-forced loss per target token and the exact match of decoding with {@code options}
   * (greedy, beam search, ...; inference).
   *
   * @return {@code "loss"} and {@code "exact_match"} (share of examples whose best decoded sequence
   *     equals the target)
   */
  public Map<String, Double> evaluate(Iterable<ConditionedBatch> batches, DecodeOptions options) {
    double loss = 0;
    long count = 0;
    long exact = 0;
    long examples = 0;
    Arguments.notNull("options", options);
    int index = 0;
    for (ConditionedBatch b : Arguments.notNull("batches", batches)) {
      Arguments.notNull("batches[" + index++ + "]", b);
      try (Scope scope = Scope.open()) {
        loss += CrossEntropy.summed(forward(b, false).logits(), b.targets(), 1f, null);
      }
      count += CrossEntropy.counted(b.targets());
      int[][] got = generate(b.features(), b.size(), options);
      for (int s = 0; s < b.size(); s++) {
        exact += Arrays.equals(got[s], b.sequences().get(s)) ? 1 : 0;
      }
      examples += b.size();
    }
    if (examples == 0) {
      throw new JrnnException("evaluate needs at least one example");
    }
    Map<String, Double> m = new LinkedHashMap<>();
    m.put("loss", loss / count);
    m.put("exact_match", (double) exact / examples);
    return m;
  }
}
