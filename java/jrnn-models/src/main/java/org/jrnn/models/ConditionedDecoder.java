/*
 * ConditionedDecoder (one-to-many): a feature vector -> linear + tanh -> the initial hidden state
 * of a decoder recurrent stack that generates a token sequence (teacher forcing with <bos> in
 * training; a StepModel of feature vectors for org.jrnn.decode: greedy, sampling, beam search).
 * Mirrors scripts/torch_digits.py.
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
import org.jrnn.decode.DecodeOptions;
import org.jrnn.decode.Decoded;
import org.jrnn.decode.DecoderState;
import org.jrnn.decode.Decoders;
import org.jrnn.decode.RecurrentRows;
import org.jrnn.decode.StepModel;
import org.jrnn.internal.SplitMix64;
import org.jrnn.data.Vocabulary;
import org.jrnn.internal.Arguments;
import org.jrnn.internal.FeatureConditioning;
import org.jrnn.nn.Embedding;
import org.jrnn.nn.Linear;
import org.jrnn.nn.RecurrentInit;
import org.jrnn.nn.RecurrentLayer;
import org.jrnn.train.Task.StepResult;

/**
 * Generates a token sequence from a feature vector {@code x [N, F]}: {@code h0 = tanh(init(x))}
 * ({@code init} is a {@code linear [L*H, F]}; layer l's h0 is columns {@code [l*H, (l+1)*H)}; an
 * LSTM's c0 is zero) starts a unidirectional decoder stack whose input at step t is the embedding
 * of the previous token ({@code <bos>} at t = 0), optionally with x appended ({@link
 * Config#concatFeatures()}); {@code linear [V, H]} at every step; softmax cross-entropy against
 * the sequence followed by {@code <eos>}.
 *
 * <p>Parameters: {@code init.weight}, {@code init.bias}, {@code embedding.weight}, {@code
 * rnn.weight_ih_l0}, ..., {@code linear.weight}, {@code linear.bias} (torch_digits.py's {@code
 * init}, {@code embed}, {@code rnn}, {@code out}). The tanh and the feature concatenation run on
 * the host (small arrays). As a {@link StepModel} of feature vectors it feeds the decoders of
 * {@link org.jrnn.decode} (its state: {@link RecurrentRows}, with x as the per-row context when
 * appended). {@link #close()} frees the model. Not thread-safe.
 */
@SuppressWarnings("try") // each pass opens a Scope only to free its tensors at the end
public final class ConditionedDecoder extends AbstractModel implements StepModel<float[]> {
  /** The {@link #kind()} of this model in model files. */
  public static final String KIND = "conditioned-decoder";

  /**
   * The architecture. Start from {@code defaults(...)}; each {@code withX(v)} returns a copy with X
   * replaced; {@link #toJson()} / {@code fromJson} store it in model files.
   *
   * @param featureSize F
   * @param vocabSize V (ids 0..3 are the specials of {@link Vocabulary})
   * @param embeddingSize E (default 16)
   * @param cell the decoder cell (default GRU)
   * @param hiddenSize H (default 128)
   * @param layers L (default 1)
   * @param concatFeatures append x to every step's input (default false)
   * @param paddingIndex the embedding's padding id (default {@link Vocabulary#PAD_ID}); -1 none
   * @param init recurrent weight initialisation (default PyTorch's)
   * @param seed seed of the initial weights (default 0)
   */
  public record Config(
      int featureSize,
      int vocabSize,
      int embeddingSize,
      Cell cell,
      int hiddenSize,
      int layers,
      boolean concatFeatures,
      int paddingIndex,
      RecurrentInit init,
      long seed) {
    public Config {
      for (int v : new int[] {featureSize, embeddingSize, hiddenSize, layers}) {
        if (v < 1) {
          throw new JrnnException(
              "featureSize, embeddingSize, hiddenSize and layers must be >= 1 but are "
                  + featureSize + ", " + embeddingSize + ", " + hiddenSize + ", " + layers);
        }
      }
      if (vocabSize <= Vocabulary.EOS_ID) {
        throw new JrnnException(
            "vocabSize must hold the special ids 0.." + Vocabulary.EOS_ID + " but is " + vocabSize);
      }
      if (paddingIndex < -1 || paddingIndex >= vocabSize) {
        throw new JrnnException("paddingIndex " + paddingIndex + " is outside -1.." + (vocabSize - 1));
      }
      if (cell == null || init == null) {
        throw new JrnnException("cell and init must not be null");
      }
    }

    /** The defaults above (torch_digits.py's model) for F features and V ids. */
    public static Config defaults(int featureSize, int vocabSize) {
      return new Config(featureSize, vocabSize, 16, Cell.GRU, 128, 1, false, Vocabulary.PAD_ID,
          RecurrentInit.PYTORCH, 0L);
    }

    /** This config as JSON. */
    public String toJson() {
      return ConfigJson.write(this);
    }

    /** A config from {@link #toJson()}. @throws JrnnException naming a bad key */
    public static Config fromJson(String json) {
      return ConfigJson.read(Config.class, json);
    }

    public Config withEmbeddingSize(int v) {
      return new Config(featureSize, vocabSize, v, cell, hiddenSize, layers, concatFeatures,
          paddingIndex, init, seed);
    }

    public Config withCell(Cell v) {
      return new Config(featureSize, vocabSize, embeddingSize, v, hiddenSize, layers, concatFeatures,
          paddingIndex, init, seed);
    }

    public Config withHiddenSize(int v) {
      return new Config(featureSize, vocabSize, embeddingSize, cell, v, layers, concatFeatures,
          paddingIndex, init, seed);
    }

    public Config withLayers(int v) {
      return new Config(featureSize, vocabSize, embeddingSize, cell, hiddenSize, v, concatFeatures,
          paddingIndex, init, seed);
    }

    public Config withConcatFeatures(boolean v) {
      return new Config(featureSize, vocabSize, embeddingSize, cell, hiddenSize, layers, v,
          paddingIndex, init, seed);
    }

    public Config withInit(RecurrentInit v) {
      return new Config(featureSize, vocabSize, embeddingSize, cell, hiddenSize, layers,
          concatFeatures, paddingIndex, v, seed);
    }

    public Config withSeed(long v) {
      return new Config(featureSize, vocabSize, embeddingSize, cell, hiddenSize, layers,
          concatFeatures, paddingIndex, init, v);
    }
  }

  private final Config config;
  private final Linear init;
  private final Embedding embedding;
  private final RecurrentLayer rnn;
  private final Linear linear;

  /** A model with freshly initialised weights (seeded by {@code config.seed()}) on {@code device}. */
  public ConditionedDecoder(Config config, Device device) {
    super(KIND, device, Arguments.notNull("config", config)::toJson);
    this.config = config;
    long seed = config.seed();
    int input = config.embeddingSize() + (config.concatFeatures() ? config.featureSize() : 0);
    try {
      init = own("init", new Linear(config.featureSize(),
          config.layers() * config.hiddenSize(), true, SplitMix64.deriveSeed(seed, 0), device));
      embedding = own("embedding", new Embedding(config.vocabSize(), config.embeddingSize(),
          config.paddingIndex(), SplitMix64.deriveSeed(seed, 1), device));
      rnn = own("rnn", new RecurrentLayer(config.cell(), input, config.hiddenSize(),
          config.layers(), false, config.init(), SplitMix64.deriveSeed(seed, 2), device));
      linear = own("linear", new Linear(config.hiddenSize(), config.vocabSize(), true,
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

  // ------------------------------------------------------------------ pieces

  /** h0 = tanh(init(x)) as {@code [L, N, H]}; also returns the host values {@code [N, L*H]}. */
  private Tensor initialHidden(Tensor x, int n, float[][] tanhOut) {
    float[] pre = init.forward(x).toArray(); // [N, L*H]; the call below makes it tanh(pre)
    tanhOut[0] = pre;
    return FeatureConditioning.initialHidden(pre, n, config.layers(), config.hiddenSize(), device());
  }

  /** Backward of {@link #initialHidden}, into init's gradients. */
  private void initialHiddenBackward(Tensor x, int n, float[] tanh, Tensor dh0) {
    init.backwardParameters(x,
        FeatureConditioning.initialHiddenGradient(tanh, dh0, n, config.layers(), config.hiddenSize()));
  }

  /** The decoder input {@code [steps, N, E(+F)]} for ids {@code [steps*N]}. */
  private Tensor decoderInput(int[] ids, int steps, int n, float[] features) {
    Tensor embedded = embedding.forward(ids, steps, n);
    return config.concatFeatures()
        ? FeatureConditioning.appendFeatures(embedded, features, config.featureSize())
        : embedded;
  }

  /** The embedding part of a decoder-input gradient. */
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
   * initial state {@code tanh(init(features))}, the decoder input (embedding), a recurrent layer's
   * output or the logits, with the time step and sequence; null when it stays finite.
   */
  String locateNonFinite(ConditionedBatch b) {
    checkBatch(b);
    try (Scope scope = Scope.open()) {
      int n = b.size();
      Tensor x = Tensor.of(device(), b.features(), n, config.featureSize());
      Tensor h0 = initialHidden(x, n, new float[1][]);
      long bad = Ops.firstNonFinite(h0);
      if (bad >= 0) {
        return "init (initial state), layer " + (bad / (n * h0.dim(2)) + 1) + ", sequence " + (bad / h0.dim(2)) % n;
      }
      PaddedBatch in = b.inputs();
      Tensor input = decoderInput(
          Sequences.idsWithoutPadding(in, config.vocabSize(), "inputs"), in.maxLength(), n, b.features());
      String found = NonFiniteScan.timeMajor(input, "embedding output");
      if (found != null) {
        return found;
      }
      RecurrentOutput out = rnn.forward(SequenceBatch.of(input, in.lengths()), RecurrentState.of(h0, null));
      found = NonFiniteScan.recurrent(rnn, out);
      return found != null ? found : NonFiniteScan.timeMajor(linear.forward(out.output()), "linear (logits)");
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
    SequenceBatch input = SequenceBatch.of(decoderInput(ids, in.maxLength(), n, b.features()), in.lengths());
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
          CrossEntropy.summed(pass.logits(), batch.targets(), count == 0 ? 0f : 1f / count, dLogits);
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
          "features have " + b.featureSize() + " values per example but the model takes " + config.featureSize());
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
  public DecoderState initialState(List<float[]> inputs) {
    int n = Arguments.noNulls("inputs", inputs).size();
    if (n == 0) {
      throw new JrnnException("initialState needs at least one feature vector");
    }
    int f = config.featureSize();
    float[] flat = new float[Arguments.arrayLength(n + " feature vectors of " + f, (long) n * f)];
    for (int i = 0; i < n; i++) {
      float[] v = inputs.get(i);
      if (v.length != f) {
        throw new JrnnException("feature vector " + i + " has " + v.length + " values but the model takes " + f);
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

  /** Embeds the tokens, steps the stack, and returns the log-softmax of the logits {@code [R, V]}. */
  @Override
  public float[] step(int[] tokens, DecoderState state) {
    try (Scope scope = Scope.open()) {
      Tensor logits = stepLogits(tokens, state);
      Ops.logSoftmax(logits, logits);
      return logits.toArray();
    }
  }

  /** Beam search and greedy: only each row's best log-probabilities leave the device. */
  @Override
  public void stepTop(
      int[] tokens, DecoderState state, int top, int[] exclude, float[] values, int[] indices) {
    try (Scope scope = Scope.open()) {
      Ops.logSoftmaxTop(stepLogits(tokens, state), top, exclude, values, indices);
    }
  }

  private Tensor stepLogits(int[] tokens, DecoderState state) {
    Arguments.notNull("tokens", tokens);
    if (!(state instanceof RecurrentRows rows)) {
      throw new JrnnException("the state must be the RecurrentRows of initialState but is "
          + (state == null ? "null" : "another model's state"));
    }
    int r = rows.rows();
    if (tokens.length != r) {
      throw new JrnnException(tokens.length + " tokens for " + r + " rows");
    }
    Arguments.ids("tokens", tokens, config.vocabSize());
    int inputSize = rnn.recurrent().inputSize();
    Tensor input = decoderInput(tokens, 1, r, rows.context()).view(0, r, inputSize);
    return linear.forward(rnn.step(input, rows.state()));
  }

  // ------------------------------------------------------------------ generation, evaluation

  /**
   * Generates a sequence for each feature vector with the decoders of {@link org.jrnn.decode}
   * (greedy, sampling or beam search, as {@code options} say): from the start token, one
   * recurrent step per token for all rows together, until the end token or {@code
   * options.maxLength()} tokens.
   *
   * @param features {@code [N, F]} row-major, finite. Not modified.
   * @param n N
   * @param options strategy and limits
   * @return N sequences (each input's best hypothesis) without the start and end tokens
   */
  public int[][] generate(float[] features, int n, DecodeOptions options) {
    Arguments.notNull("features", features);
    if (n < 1 || features.length != (long) n * config.featureSize()) {
      throw new JrnnException("features must hold N = " + n + " rows of " + config.featureSize()
          + " values but has " + features.length);
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
   * @return {@code "loss"} and {@code "exact_match"} (share of examples whose best decoded
   *     sequence equals the target)
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
