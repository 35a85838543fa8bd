/*
 * Captioner: image (or precomputed feature vector) -> optional learned projection (tanh) ->
 * tanh(linear) initial state of a recurrent decoder (optionally also appended to every step's
 * input) -> caption tokens. Trains with teacher forcing; decodes through org.jrnn.decode.
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
import org.jrnn.internal.SplitMix64;
import org.jrnn.data.Vocabulary;
import org.jrnn.decode.DecoderState;
import org.jrnn.decode.RecurrentRows;
import org.jrnn.decode.StepModel;
import org.jrnn.internal.Arguments;
import org.jrnn.internal.Quote;
import org.jrnn.internal.FeatureConditioning;
import org.jrnn.internal.FloatMath;
import org.jrnn.io.Json;
import org.jrnn.models.AbstractModel;
import org.jrnn.models.ConditionedBatch;
import org.jrnn.nn.Embedding;
import org.jrnn.nn.Linear;
import org.jrnn.nn.RecurrentInit;
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
 *   <li>a unidirectional recurrent stack whose input at step t is the embedding of the previous token
 *       ({@code <bos>} first), with p appended when {@link Config#concatFeatures()};
 *   <li>{@code linear [V, H]} to the next token's logits.
 * </ul>
 *
 * With {@code projectionSize = 0} the parameters and their names are exactly those of {@link
 * org.jrnn.models.ConditionedDecoder} ({@code init.*}, {@code embedding.weight}, {@code rnn.*},
 * {@code linear.*}), so its files decode here too ({@link CaptionModels#load}). As a {@link
 * StepModel} of feature vectors it feeds the decoders of {@link org.jrnn.decode}; its state is
 * {@link RecurrentRows} (with p as the per-row context when concatenated). Not thread-safe.
 */
@SuppressWarnings("try") // scopes opened only to free their tensors
public final class Captioner extends AbstractModel implements StepModel<float[]> {
  /** The {@link #kind()} in model files. */
  public static final String KIND = "captioner";

  /** Tokens a caption never contains, for {@link org.jrnn.decode.DecodeOptions.Builder#suppress}. */
  public static final int[] NEVER = {Vocabulary.PAD_ID, Vocabulary.BOS_ID};

  /**
   * The architecture.
   *
   * @param featureSize F, values per feature vector ({@code 3 * S * S} with the built-in encoder)
   * @param imageSize S for the built-in image encoder, or 0 when features come from elsewhere
   * @param projectionSize P of the learned projection, or 0 for none (features go to init as is)
   * @param vocabSize V (ids 0..3 are the specials of {@link Vocabulary})
   * @param embeddingSize E
   * @param cell the decoder cell
   * @param hiddenSize H
   * @param layers L
   * @param concatFeatures append p to every step's input
   * @param seed seed of the initial weights
   * @param pixels what the built-in encoder's features hold (ignored without it; default RGB)
   */
  public record Config(
      int featureSize,
      int imageSize,
      int projectionSize,
      int vocabSize,
      int embeddingSize,
      Cell cell,
      int hiddenSize,
      int layers,
      boolean concatFeatures,
      long seed,
      ImagePixels.Mode pixels) {
    public Config {
      if (pixels == null) {
        pixels = ImagePixels.Mode.RGB;
      }
      if (featureSize < 1 || embeddingSize < 1 || hiddenSize < 1 || layers < 1) {
        throw new JrnnException("featureSize, embeddingSize, hiddenSize and layers must be >= 1 but are "
            + featureSize + ", " + embeddingSize + ", " + hiddenSize + ", " + layers);
      }
      if (imageSize < 0 || projectionSize < 0) {
        throw new JrnnException("imageSize and projectionSize must be >= 0");
      }
      if (imageSize > 0 && featureSize != (long) pixels.channels() * imageSize * imageSize) {
        throw new JrnnException("an image encoder of size " + imageSize + " (" + pixels.id()
            + ") needs featureSize " + (long) pixels.channels() * imageSize * imageSize + " but it is " + featureSize);
      }
      if (vocabSize <= Vocabulary.EOS_ID) {
        throw new JrnnException(
            "vocabSize must hold the special ids 0.." + Vocabulary.EOS_ID + " but is " + vocabSize);
      }
      if (cell == null) {
        throw new JrnnException("cell is null");
      }
    }

    /** The RGB-pixel config with these sizes. */
    public Config(int featureSize, int imageSize, int projectionSize, int vocabSize, int embeddingSize, Cell cell,
        int hiddenSize, int layers, boolean concatFeatures, long seed) {
      this(featureSize, imageSize, projectionSize, vocabSize, embeddingSize, cell, hiddenSize, layers, concatFeatures,
          seed, ImagePixels.Mode.RGB);
    }

    /** The built-in image front end (null without one). */
    public ImagePixels.Encoder imageEncoder() {
      return imageSize > 0 ? new ImagePixels.Encoder(imageSize, pixels) : null;
    }

    /** Built-in encoder on S x S images: projection 256, embedding 64, GRU 256, one layer. */
    public static Config forImages(int imageSize, int vocabSize) {
      return new Config(3 * imageSize * imageSize, imageSize, 256, vocabSize, 64, Cell.GRU, 256, 1, false, 0);
    }

    /** Precomputed features of size F: projection 256, embedding 64, GRU 256, one layer. */
    public static Config forFeatures(int featureSize, int vocabSize) {
      return new Config(featureSize, 0, 256, vocabSize, 64, Cell.GRU, 256, 1, false, 0);
    }

    /** The size of p (P, or F without projection). */
    public int conditionSize() {
      return projectionSize > 0 ? projectionSize : featureSize;
    }

    public Config withProjectionSize(int v) {
      return new Config(featureSize, imageSize, v, vocabSize, embeddingSize, cell, hiddenSize, layers, concatFeatures, seed, pixels);
    }

    public Config withEmbeddingSize(int v) {
      return new Config(featureSize, imageSize, projectionSize, vocabSize, v, cell, hiddenSize, layers, concatFeatures, seed, pixels);
    }

    public Config withCell(Cell v) {
      return new Config(featureSize, imageSize, projectionSize, vocabSize, embeddingSize, v, hiddenSize, layers, concatFeatures, seed, pixels);
    }

    public Config withHiddenSize(int v) {
      return new Config(featureSize, imageSize, projectionSize, vocabSize, embeddingSize, cell, v, layers, concatFeatures, seed, pixels);
    }

    public Config withLayers(int v) {
      return new Config(featureSize, imageSize, projectionSize, vocabSize, embeddingSize, cell, hiddenSize, v, concatFeatures, seed, pixels);
    }

    public Config withConcatFeatures(boolean v) {
      return new Config(featureSize, imageSize, projectionSize, vocabSize, embeddingSize, cell, hiddenSize, layers, v, seed, pixels);
    }

    public Config withPixels(ImagePixels.Mode v) {
      int f = imageSize > 0 ? v.channels() * imageSize * imageSize : featureSize;
      return new Config(f, imageSize, projectionSize, vocabSize, embeddingSize, cell, hiddenSize, layers,
          concatFeatures, seed, v);
    }

    public Config withSeed(long v) {
      return new Config(featureSize, imageSize, projectionSize, vocabSize, embeddingSize, cell, hiddenSize, layers, concatFeatures, v, pixels);
    }

    /** This config as a JSON object (cell as its name, e.g. "GRU"). */
    public String toJson() {
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
      return Json.write(o);
    }

    /** A config from {@link #toJson()}. @throws JrnnException naming a bad key */
    public static Config fromJson(String json) {
      Arguments.notNull("captioner config", json);
      Json.Fields o;
      try {
        o = Json.parseFields(json, "captioner config");
      } catch (JrnnException e) {
        throw new JrnnException(
            "captioner config is not a JSON object: " + Quote.reason(e), e);
      }
      String cellName = o.string("cell");
      Cell cell;
      try {
        cell = Cell.valueOf(cellName.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new JrnnException("captioner config: \"cell\" must be one of "
            + java.util.Arrays.toString(Cell.values()) + " but is " + Quote.doubleQuote(cellName), e);
      }
      ImagePixels.Mode pixels = ImagePixels.Mode.RGB;
      if (o.has("pixels")) {
        String id = o.string("pixels");
        try {
          pixels = ImagePixels.Mode.parse(id);
        } catch (JrnnException e) {
          throw new JrnnException(
              "captioner config: \"pixels\" must be rgb or rgb+std but is " + Quote.doubleQuote(id), e);
        }
      }
      return new Config(o.intValue("featureSize"), o.intValue("imageSize"), o.intValue("projectionSize"),
          o.intValue("vocabSize"), o.intValue("embeddingSize"), cell, o.intValue("hiddenSize"),
          o.intValue("layers"), o.bool("concatFeatures"), o.longValue("seed"), pixels);
    }
  }

  private final Config config;
  private final Linear encoder;
  private final Linear init;
  private final Embedding embedding;
  private final RecurrentLayer rnn;
  private final Linear linear;

  /** A model with fresh weights (seeded by {@code config.seed()}) on {@code device}. */
  public Captioner(Config config, Device device) {
    super(KIND, device, Arguments.notNull("config", config)::toJson);
    this.config = config;
    long seed = config.seed();
    int p = config.conditionSize();
    int input = config.embeddingSize() + (config.concatFeatures() ? p : 0);
    try {
      // made first so that its parameters come first; seed stream 4 keeps ConditionedDecoder's
      // streams 0..3 for init/embedding/rnn/linear
      encoder = config.projectionSize() > 0
          ? own("encoder", new Linear(config.featureSize(), config.projectionSize(), true,
              SplitMix64.deriveSeed(seed, 4), device))
          : null;
      init = own("init", new Linear(p, config.layers() * config.hiddenSize(), true,
          SplitMix64.deriveSeed(seed, 0), device));
      embedding = own("embedding", new Embedding(config.vocabSize(), config.embeddingSize(), Vocabulary.PAD_ID,
          SplitMix64.deriveSeed(seed, 1), device));
      rnn = own("rnn", new RecurrentLayer(config.cell(), input, config.hiddenSize(), config.layers(), false,
          RecurrentInit.PYTORCH, SplitMix64.deriveSeed(seed, 2), device));
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

  /** h0 {@code [L, N, H]} from p {@code [N, P]}; {@code tanhOut} gets the host values {@code [N, L*H]}. */
  private Tensor initialHidden(Tensor p, int n, float[][] tanhOut) {
    float[] pre = init.forward(p).toArray(); // [N, L*H]; the call below makes it tanh(pre)
    if (tanhOut != null) {
      tanhOut[0] = pre;
    }
    return FeatureConditioning.initialHidden(pre, n, config.layers(), config.hiddenSize(), device());
  }

  /** The decoder input {@code [steps, N, E(+P)]} for ids {@code [steps*N]} (time-major). */
  private Tensor decoderInput(int[] ids, int steps, int n, float[] p) {
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
            throw new JrnnException("inputs: sequence " + s + ", step " + t + " holds id " + ids[t * n + s]
                + ", outside the vocabulary 0.." + (config.vocabSize() - 1));
          }
        }
      }
      SequenceBatch input = SequenceBatch.of(decoderInput(ids, steps, n, p), lengths);
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
      Tensor dpreT = FeatureConditioning.initialHiddenGradient(tanh[0], g.dh0(), n, config.layers(),
          config.hiddenSize());
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
      throw new JrnnException("features have " + b.featureSize() + " values per example but the model takes "
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
      float[] p = condition(x, flat);
      Tensor pt = encoder == null ? x : Tensor.of(device(), p, n, config.conditionSize());
      Tensor h0 = initialHidden(pt, n, null);
      Tensor c0 = config.cell().hasCellState() ? Tensor.zeros(device(), h0.shape()) : null;
      boolean ctx = config.concatFeatures();
      return RecurrentRows.own(h0, c0, ctx ? p.clone() : null, ctx ? config.conditionSize() : 0);
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

  /** Embeds the tokens, steps the stack and returns the logits {@code [R, V]} (in the current scope). */
  private Tensor stepLogits(int[] tokens, DecoderState state) {
    Arguments.notNull("tokens", tokens);
    if (!(state instanceof RecurrentRows rows)) {
      throw new JrnnException("the state must be the RecurrentRows of initialState but is "
          + (state == null ? "null" : "another decoder's state"));
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
