/*
 * Captioner: image (or precomputed feature vector) -> optional learned projection (tanh) ->
 * tanh(linear) initial state of a recurrent language model (optionally also appended to every
 * step's input) -> caption tokens. Trains with teacher forcing; decodes through org.jrnn.decode.
 */
package org.jrnn.caption;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
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
import org.jrnn.decode.RecurrentRows;
import org.jrnn.decode.StepModel;
import org.jrnn.decode.StepState;
import org.jrnn.internal.Arguments;
import org.jrnn.internal.FeatureConditioning;
import org.jrnn.internal.FloatMath;
import org.jrnn.internal.Quote;
import org.jrnn.internal.SplitMix64;
import org.jrnn.io.Json;
import org.jrnn.models.AbstractModel;
import org.jrnn.models.ConditionedBatch;
import org.jrnn.nn.Embedding;
import org.jrnn.nn.Linear;
import org.jrnn.nn.RecurrentLayer;
import org.jrnn.train.Task.StepResult;

/**
 * A captioning model. With {@code x [N, F]} the features of N images ({@link ImagePixels} for the
 * built-in encoder, or vectors from elsewhere):
 *
 * <ul>
 *   <li>{@code p = tanh(encoder(x))} ({@code encoder} a linear {@code [P, F]}), or {@code p = x}
 *       when {@link Config#projectionSize()} is 0;
 *   <li>{@code h0 = tanh(init(p))} ({@code init} a linear {@code [L*H, P]}; layer l's h0 is columns
 *       {@code [l*H, (l+1)*H)}; an LSTM's c0 is zero);
 *   <li>a unidirectional recurrent stack whose input at step t is the embedding of the previous
 *       token ({@code <bos>} first), with p appended when {@link Config#concatFeatures()};
 *   <li>{@code linear [V, H]} to the next token's logits.
 * </ul>
 *
 * With {@code projectionSize = 0} the parameters and their names are exactly those of {@link
 * org.jrnn.models.ConditionedLanguageModel} ({@code init.*}, {@code embedding.weight}, {@code
 * rnn.*}, {@code linear.*}), so its files load here too ({@link CaptionModels#load}). As a {@link
 * StepModel} of feature vectors it feeds the decoders of {@link org.jrnn.decode}; its state is
 * {@link RecurrentRows} (with p as the per-row context when concatenated). Not thread-safe.
 */
@SuppressWarnings("try") // scopes opened only to free their tensors
public final class Captioner extends AbstractModel implements StepModel<float[]> {
  /** The {@link #kind()} in model files. */
  public static final String KIND = "captioner";

  /**
   * Tokens a caption never contains, for {@link org.jrnn.decode.DecodeOptions.Builder#suppress}.
   */
  public static final int[] NEVER = {Vocabulary.PAD_ID, Vocabulary.BOS_ID};

  /**
   * The architecture (read-only): what {@link #config()} returns and model files store as JSON
   * ({@link #toJson()}). Made by {@link Builder#config()}; {@link #toBuilder()} gives a builder
   * with these settings, for variations.
   */
  public static final class Config {
    private final int featureSize;
    private final int imageSize;
    private final int projectionSize;
    private final int vocabSize;
    private final int embeddingSize;
    private final Cell cell;
    private final int hiddenSize;
    private final int layers;
    private final boolean concatFeatures;
    private final long seed;
    private final ImagePixels.Mode pixels;

    private Config(Builder b, int featureSize) {
      this.featureSize = featureSize;
      this.imageSize = b.imageSize;
      this.projectionSize = b.projectionSize;
      this.vocabSize = b.vocabSize;
      this.embeddingSize = b.embeddingSize;
      this.cell = b.cell;
      this.hiddenSize = b.hiddenSize;
      this.layers = b.layers;
      this.concatFeatures = b.concatFeatures;
      this.seed = b.seed;
      this.pixels = b.pixels;
    }

    /** F, values per feature vector ({@code channels * S * S} with the built-in encoder). */
    public int featureSize() {
      return featureSize;
    }

    /** S for the built-in image encoder, or 0 when features come from elsewhere. */
    public int imageSize() {
      return imageSize;
    }

    /** P of the learned projection, or 0 for none (features go to init as they are). */
    public int projectionSize() {
      return projectionSize;
    }

    /** V (ids 0..3 are the specials of {@link Vocabulary}). */
    public int vocabSize() {
      return vocabSize;
    }

    /** E. */
    public int embeddingSize() {
      return embeddingSize;
    }

    /** The recurrent cell. */
    public Cell cell() {
      return cell;
    }

    /** H. */
    public int hiddenSize() {
      return hiddenSize;
    }

    /** L. */
    public int layers() {
      return layers;
    }

    /** Whether p is appended to every step's input. */
    public boolean concatFeatures() {
      return concatFeatures;
    }

    /** Seed of the initial weights. */
    public long seed() {
      return seed;
    }

    /** What the built-in encoder's features hold (meaningless without it). */
    public ImagePixels.Mode pixels() {
      return pixels;
    }

    /** The built-in image front end (null without one). */
    public ImagePixels.Encoder imageEncoder() {
      return imageSize > 0 ? new ImagePixels.Encoder(imageSize, pixels) : null;
    }

    /** The size of p (P, or F without projection). */
    public int conditionSize() {
      return projectionSize > 0 ? projectionSize : featureSize;
    }

    /**
     * A builder holding these settings (device: the CPU). With the built-in encoder the feature
     * size is left to follow from the image size and pixels, so {@code pixels(...)} may change.
     */
    public Builder toBuilder() {
      Builder b = new Builder();
      b.featureSize = imageSize > 0 ? 0 : featureSize;
      b.imageSize = imageSize;
      b.projectionSize = projectionSize;
      b.vocabSize = vocabSize;
      b.embeddingSize = embeddingSize;
      b.cell = cell;
      b.hiddenSize = hiddenSize;
      b.layers = layers;
      b.concatFeatures = concatFeatures;
      b.seed = seed;
      b.pixels = pixels;
      return b;
    }

    private Map<String, Object> values() {
      Map<String, Object> o = new LinkedHashMap<>();
      o.put("featureSize", featureSize);
      o.put("imageSize", imageSize);
      o.put("projectionSize", projectionSize);
      o.put("vocabSize", vocabSize);
      o.put("embeddingSize", embeddingSize);
      o.put("cell", cell.name());
      o.put("hiddenSize", hiddenSize);
      o.put("layers", layers);
      o.put("concatFeatures", concatFeatures);
      o.put("seed", seed);
      o.put("pixels", pixels.id());
      return o;
    }

    /** This config as a JSON object (cell as its name, e.g. "GRU"). */
    public String toJson() {
      return Json.write(values());
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

    /** "Config{...}" with every setting. */
    @Override
    public String toString() {
      return "Config" + toJson();
    }

    /** A config from {@link #toJson()}. @throws JrnnException naming a bad key or setting */
    public static Config fromJson(String json) {
      Arguments.notNull("captioner config", json);
      Json.Fields o;
      try {
        o = Json.parseFields(json, "captioner config");
      } catch (JrnnException e) {
        throw new JrnnException("captioner config is not a JSON object: " + Quote.reason(e), e);
      }
      String cellName = o.string("cell");
      Cell cell;
      try {
        cell = Cell.valueOf(cellName.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new JrnnException(
            "captioner config: \"cell\" must be one of "
                + java.util.Arrays.toString(Cell.values())
                + " but is "
                + Quote.doubleQuote(cellName),
            e);
      }
      ImagePixels.Mode pixels = ImagePixels.Mode.RGB;
      if (o.has("pixels")) {
        String id = o.string("pixels");
        try {
          pixels = ImagePixels.Mode.parse(id);
        } catch (JrnnException e) {
          throw new JrnnException(
              "captioner config: \"pixels\" must be rgb or rgb+std but is " + Quote.doubleQuote(id),
              e);
        }
      }
      Builder b = new Builder();
      b.featureSize = o.intValue("featureSize"); // checked against imageSize by config()
      int imageSize = o.intValue("imageSize");
      int projectionSize = o.intValue("projectionSize");
      int vocabSize = o.intValue("vocabSize");
      int embeddingSize = o.intValue("embeddingSize");
      int hiddenSize = o.intValue("hiddenSize");
      int layers = o.intValue("layers");
      boolean concat = o.bool("concatFeatures");
      long seed = o.longValue("seed");
      try {
        if (b.featureSize < 1) {
          throw new JrnnException("featureSize must be >= 1 but is " + b.featureSize);
        }
        return b.imageSize(imageSize)
            .projectionSize(projectionSize)
            .vocabSize(vocabSize)
            .embeddingSize(embeddingSize)
            .cell(cell)
            .hiddenSize(hiddenSize)
            .layers(layers)
            .concatFeatures(concat)
            .seed(seed)
            .pixels(pixels)
            .config();
      } catch (JrnnException e) {
        throw new JrnnException("captioner config: " + Quote.reason(e), e);
      }
    }
  }

  /**
   * A builder: {@code Captioner.builder().imageSize(S).vocabSize(V).build()} for the built-in image
   * encoder, or {@code .featureSize(F)} for precomputed features. {@code vocabSize} and one of
   * {@code imageSize} / {@code featureSize} are required (checked by {@link Builder#build()}); the
   * other settings default to a projection of 256, embedding 64, one GRU layer of 256.
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Settings of a {@link Captioner}. Each setter checks its own value and throws {@link
   * JrnnException} naming the setting; {@link #config()} and {@link #build()} check the required
   * settings and those that depend on each other.
   */
  public static final class Builder {
    private int featureSize;
    private int imageSize;
    private int projectionSize = 256;
    private int vocabSize;
    private int embeddingSize = 64;
    private Cell cell = Cell.GRU;
    private int hiddenSize = 256;
    private int layers = 1;
    private boolean concatFeatures;
    private long seed;
    private ImagePixels.Mode pixels = ImagePixels.Mode.RGB;
    private Device device = Device.cpu();

    private Builder() {}

    /**
     * F, values per precomputed feature vector ({@code >= 1}). Required without the built-in
     * encoder; with it, it follows from {@link #imageSize} and {@link #pixels} (and must match when
     * given).
     */
    public Builder featureSize(int featureSize) {
      this.featureSize = Arguments.atLeast("featureSize", featureSize, 1);
      return this;
    }

    /** S, to use the built-in encoder on S x S images, or 0 for none; default 0. */
    public Builder imageSize(int imageSize) {
      this.imageSize = Arguments.atLeast("imageSize", imageSize, 0);
      return this;
    }

    /**
     * P of the learned projection, or 0 for none (features go to init as they are); default 256.
     */
    public Builder projectionSize(int projectionSize) {
      this.projectionSize = Arguments.atLeast("projectionSize", projectionSize, 0);
      return this;
    }

    /** Required: V; ids 0..3 are the specials of {@link Vocabulary}, so {@code V >= 4}. */
    public Builder vocabSize(int vocabSize) {
      this.vocabSize = Arguments.atLeast("vocabSize", vocabSize, Vocabulary.EOS_ID + 1);
      return this;
    }

    /** E ({@code >= 1}); default 64. */
    public Builder embeddingSize(int embeddingSize) {
      this.embeddingSize = Arguments.atLeast("embeddingSize", embeddingSize, 1);
      return this;
    }

    /** The recurrent cell; default GRU. */
    public Builder cell(Cell cell) {
      this.cell = Arguments.notNull("cell", cell);
      return this;
    }

    /** H ({@code >= 1}); default 256. */
    public Builder hiddenSize(int hiddenSize) {
      this.hiddenSize = Arguments.atLeast("hiddenSize", hiddenSize, 1);
      return this;
    }

    /** L ({@code >= 1}); default 1. */
    public Builder layers(int layers) {
      this.layers = Arguments.atLeast("layers", layers, 1);
      return this;
    }

    /** Append p to every step's input; default false. */
    public Builder concatFeatures(boolean concatFeatures) {
      this.concatFeatures = concatFeatures;
      return this;
    }

    /** Seed of the initial weights; default 0. */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /** What the built-in encoder's features hold; default {@link ImagePixels.Mode#RGB}. */
    public Builder pixels(ImagePixels.Mode pixels) {
      this.pixels = Arguments.notNull("pixels", pixels);
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
      int features = featureSize;
      if (imageSize > 0) {
        long expected = (long) pixels.channels() * imageSize * imageSize;
        if (expected > Integer.MAX_VALUE) {
          throw new JrnnException(
              "an image encoder of size "
                  + imageSize
                  + " ("
                  + pixels.id()
                  + ") needs featureSize "
                  + expected
                  + ", more than an int holds");
        }
        if (features == 0) {
          features = (int) expected;
        } else if (features != expected) {
          throw new JrnnException(
              "an image encoder of size "
                  + imageSize
                  + " ("
                  + pixels.id()
                  + ") needs featureSize "
                  + expected
                  + " but it is "
                  + features);
        }
      } else if (features == 0) {
        throw new JrnnException(
            "featureSize is required: set it with .featureSize(...), or .imageSize(...) for the built-in encoder");
      }
      return new Config(this, features);
    }

    /**
     * A model with freshly initialised weights (seeded by {@code seed}) on the device.
     *
     * @throws JrnnException as {@link #config()} does, or when the device cannot hold it
     */
    public Captioner build() {
      return new Captioner(config(), device);
    }
  }

  private final Config config;
  private final Linear encoder;
  private final Linear init;
  private final Embedding embedding;
  private final RecurrentLayer rnn;
  private final Linear linear;

  /** A model with fresh weights (seeded by {@code config.seed()}) on {@code device}. */
  private Captioner(Config config, Device device) {
    super(KIND, device, Arguments.notNull("config", config)::toJson);
    this.config = config;
    long seed = config.seed();
    int p = config.conditionSize();
    int input = config.embeddingSize() + (config.concatFeatures() ? p : 0);
    try {
      // made first so that its parameters come first; seed stream 4 keeps
      // ConditionedLanguageModel's streams 0..3 for init/embedding/rnn/linear
      encoder =
          config.projectionSize() > 0
              ? own(
                  "encoder",
                  Linear.builder()
                      .inFeatures(config.featureSize())
                      .outFeatures(config.projectionSize())
                      .seed(SplitMix64.deriveSeed(seed, 4))
                      .device(device)
                      .build())
              : null;
      init =
          own(
              "init",
              Linear.builder()
                  .inFeatures(p)
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
                  .paddingIndex(Vocabulary.PAD_ID)
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

  // ------------------------------------------------------------------ conditioning

  /** p for {@code x [N, F]} as host values {@code [N, P]} (tanh of the projection, or x). */
  private float[] condition(Tensor x, float[] features) {
    if (encoder == null) {
      return features;
    }
    float[] pre = encoder.forward(x).toArray();
    for (int i = 0; i < pre.length; i++) {
      pre[i] = FloatMath.tanh(pre[i]);
    }
    return pre;
  }

  /**
   * h0 {@code [L, N, H]} from p {@code [N, P]}; {@code tanhOut} gets the host values {@code [N,
   * L*H]}.
   */
  private Tensor initialHidden(Tensor p, int n, float[][] tanhOut) {
    float[] pre = init.forward(p).toArray(); // [N, L*H]; the call below makes it tanh(pre)
    if (tanhOut != null) {
      tanhOut[0] = pre;
    }
    return FeatureConditioning.initialHidden(
        pre, n, config.layers(), config.hiddenSize(), device());
  }

  /** The recurrent input {@code [steps, N, E(+P)]} for ids {@code [steps*N]} (time-major). */
  private Tensor recurrentInput(int[] ids, int steps, int n, float[] p) {
    Tensor embedded = embedding.forward(ids, steps, n);
    return config.concatFeatures()
        ? FeatureConditioning.appendFeatures(embedded, p, config.conditionSize())
        : embedded;
  }

  // ------------------------------------------------------------------ training

  /**
   * Teacher-forced forward, mean cross-entropy over the target tokens (caption + {@code <eos>}),
   * backward: gradients ACCUMULATE into {@link #parameters()}.
   *
   * @return the summed loss and the number of target tokens
   */
  public StepResult trainStep(ConditionedBatch batch) {
    return pass(batch, true);
  }

  /** The summed teacher-forced loss and token count of a batch (no gradients). */
  public StepResult loss(ConditionedBatch batch) {
    return pass(batch, false);
  }

  private StepResult pass(ConditionedBatch b, boolean train) {
    checkBatch(Arguments.notNull("batch", b));
    int n = b.size();
    int f = config.featureSize();
    int pSize = config.conditionSize();
    int e = config.embeddingSize();
    try (Scope scope = Scope.open()) {
      Tensor x = Tensor.of(device(), b.features(), n, f);
      float[] p = condition(x, b.features());
      Tensor pt = encoder == null ? x : Tensor.of(device(), p, n, pSize);
      float[][] tanh = new float[1][];
      Tensor h0 = initialHidden(pt, n, tanh);
      PaddedBatch in = b.inputs();
      int steps = in.maxLength();
      int[] ids = in.ids().clone();
      int[] lengths = in.lengths();
      for (int t = 0; t < steps; t++) {
        for (int s = 0; s < n; s++) {
          if (t >= lengths[s]) {
            ids[t * n + s] = -1;
          } else if (ids[t * n + s] < 0 || ids[t * n + s] >= config.vocabSize()) {
            throw new JrnnException(
                "inputs: sequence "
                    + s
                    + ", step "
                    + t
                    + " holds id "
                    + ids[t * n + s]
                    + ", outside the vocabulary 0.."
                    + (config.vocabSize() - 1));
          }
        }
      }
      SequenceBatch input = SequenceBatch.of(recurrentInput(ids, steps, n, p), lengths);
      RecurrentState start = RecurrentState.of(h0, null);
      RecurrentOutput out = train ? rnn.forwardTrain(input, start) : rnn.forward(input, start);
      // the output layer only at the target positions (captions are short, batches padded)
      int[] allTargets = b.targets();
      int[] rowsAt = new int[allTargets.length];
      int count = 0;
      for (int r = 0; r < allTargets.length; r++) {
        if (allTargets[r] >= 0) {
          rowsAt[count++] = r;
        }
      }
      rowsAt = java.util.Arrays.copyOf(rowsAt, count);
      int[] targets = new int[count];
      for (int k = 0; k < count; k++) {
        targets[k] = allTargets[rowsAt[k]];
      }
      int hSize = config.hiddenSize();
      Tensor flat = out.output().view(0, (long) steps * n, hSize);
      Tensor hv = Ops.embedding(flat, rowsAt, count);
      Tensor logits = linear.forward(hv);
      Tensor perRow = Tensor.zeros(device(), count);
      Tensor dLogits = train ? Tensor.zeros(device(), logits.shape()) : null;
      Ops.softmaxCrossEntropy(logits, targets, 0f, 1f / Math.max(count, 1), perRow, dLogits);
      double loss = 0;
      for (float v : perRow.toArray()) {
        loss += v;
      }
      if (!train) {
        return new StepResult(loss, count);
      }
      Tensor dhv = linear.backward(hv, dLogits);
      Tensor dy = Tensor.zeros(device(), steps, n, hSize);
      Ops.embeddingBackward(dy.view(0, (long) steps * n, hSize), rowsAt, dhv); // scatter back
      RecurrentGradients g = rnn.backward(out, dy, null, null);
      float[] dx = g.dx().toArray(); // [T, N, E(+P)]
      int width = e + (config.concatFeatures() ? pSize : 0);
      float[] dEmb = dx;
      float[] dp = encoder != null || config.concatFeatures() ? new float[n * pSize] : null;
      if (config.concatFeatures()) {
        dEmb = new float[steps * n * e];
        for (int r = 0; r < steps * n; r++) {
          System.arraycopy(dx, r * width, dEmb, r * e, e);
          if (r / n < lengths[r % n]) {
            int s = r % n;
            for (int k = 0; k < pSize; k++) {
              dp[s * pSize + k] += dx[r * width + e + k];
            }
          }
        }
      }
      embedding.backward(ids, Tensor.of(device(), dEmb, steps, n, e));
      Tensor dpreT =
          FeatureConditioning.initialHiddenGradient(
              tanh[0], g.dh0(), n, config.layers(), config.hiddenSize());
      if (encoder == null) {
        init.backwardParameters(pt, dpreT);
        return new StepResult(loss, count);
      }
      float[] dpInit = init.backward(pt, dpreT).toArray();
      float[] dq = new float[n * pSize];
      for (int i = 0; i < dq.length; i++) {
        dq[i] = (dp[i] + dpInit[i]) * (1f - p[i] * p[i]);
      }
      encoder.backwardParameters(x, Tensor.of(device(), dq, n, pSize));
      return new StepResult(loss, count);
    }
  }

  private void checkBatch(ConditionedBatch b) {
    if (b.featureSize() != config.featureSize()) {
      throw new JrnnException(
          "features have "
              + b.featureSize()
              + " values per example but the model takes "
              + config.featureSize());
    }
    for (int[] s : b.sequences()) {
      for (int id : s) {
        if (id < 0 || id >= config.vocabSize()) {
          throw new JrnnException("token id " + id + " is outside 0.." + (config.vocabSize() - 1));
        }
      }
    }
  }

  // ------------------------------------------------------------------ StepModel

  @Override
  public int vocabSize() {
    return config.vocabSize();
  }

  /**
   * One row per feature vector: h0 = tanh(init(p)), c0 = 0, and p as the row context when it is
   * appended to the step inputs.
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
      float[] p = condition(x, flat);
      Tensor pt = encoder == null ? x : Tensor.of(device(), p, n, config.conditionSize());
      Tensor h0 = initialHidden(pt, n, null);
      Tensor c0 = config.cell().hasCellState() ? Tensor.zeros(device(), h0.shape()) : null;
      boolean ctx = config.concatFeatures();
      return RecurrentRows.own(h0, c0, ctx ? p.clone() : null, ctx ? config.conditionSize() : 0);
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

  /**
   * Embeds the tokens, steps the stack and returns the logits {@code [R, V]} (in the current
   * scope).
   */
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
    Tensor x = embedding.forward(tokens, r);
    if (config.concatFeatures()) {
      x = FeatureConditioning.appendFeatures(x, rows.context(), config.conditionSize());
    }
    return linear.forward(rnn.step(x, rows.state()));
  }
}
