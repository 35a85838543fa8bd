/*
 * LanguageModel (many-to-many): embedding -> stacked recurrent layers -> dropout -> linear per
 * step -> cross-entropy on the next token; truncated BPTT with the state carried (detached)
 * between consecutive windows; a StepModel of prompts for org.jrnn.decode (greedy, sampling, beam
 * search). Mirrors scripts/torch_charlm.py.
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
import org.jrnn.data.LmBatches;
import org.jrnn.data.PaddedBatch;
import org.jrnn.data.Vocabulary;
import org.jrnn.decode.DecodeOptions;
import org.jrnn.decode.Decoders;
import org.jrnn.decode.Hypothesis;
import org.jrnn.decode.RecurrentRows;
import org.jrnn.decode.StepModel;
import org.jrnn.decode.StepState;
import org.jrnn.internal.Arguments;
import org.jrnn.internal.SplitMix64;
import org.jrnn.nn.Dropout;
import org.jrnn.nn.Embedding;
import org.jrnn.nn.Linear;
import org.jrnn.nn.RecurrentInit;
import org.jrnn.nn.RecurrentLayer;
import org.jrnn.train.Task.StepResult;

/**
 * A next-token model over characters or words: {@code embedding [V, E]} → recurrent stack (L
 * layers, unidirectional) → dropout → {@code linear [V, H]} at every step → softmax cross-entropy
 * against the next token (targets of -1 are ignored).
 *
 * <p><b>Truncated BPTT.</b> {@link #trainStep} takes consecutive {@link LmBatches.Window}s; the
 * final state of one window is the initial state of the next (as a constant: no gradient flows back
 * across windows). With overlapping windows (TBPTT(k1, k2), {@link LmBatches#stride()} k1 below the
 * window length k2) the carried state is the state after the window's first k1 steps, where the
 * next window starts. The carried state is reset at window 0 of a pass, when the number of streams
 * changes, and by {@link #resetState()} (the task calls it at each epoch start).
 *
 * <p><b>Generation.</b> A {@link StepModel} of prompts: the decoders of {@link org.jrnn.decode}
 * (greedy, sampling, beam search) run one forward over each prompt, then one {@link
 * org.jrnn.Recurrent#step} per new token for all rows together; {@link #generate} is the one-prompt
 * shortcut.
 *
 * <p>Parameters: {@code embedding.weight}, {@code rnn.weight_ih_l0}, ..., {@code linear.weight},
 * {@code linear.bias}. {@link #close()} frees the model. Not thread-safe.
 */
@SuppressWarnings("try") // each pass opens a Scope only to free its tensors at the end
public final class LanguageModel extends AbstractModel implements StepModel<int[]> {
  /** The {@link #kind()} of this model in model files. */
  public static final String KIND = "language-model";

  /**
   * The architecture (read-only): what {@link #config()} returns and model files store as JSON
   * ({@link #toJson()}). Made by {@link Builder#config()}; {@link #toBuilder()} gives a builder
   * with these settings, for variations.
   */
  public static final class Config {
    private static final String WHAT = "LanguageModel config";
    private static final Map<String, Class<?>> SCHEMA =
        ConfigJson.schema(
            "vocabSize", int.class,
            "embeddingSize", int.class,
            "cell", Cell.class,
            "hiddenSize", int.class,
            "layers", int.class,
            "dropout", float.class,
            "init", RecurrentInit.class,
            "seed", long.class);

    private final int vocabSize;
    private final int embeddingSize;
    private final Cell cell;
    private final int hiddenSize;
    private final int layers;
    private final float dropout;
    private final RecurrentInit init;
    private final long seed;

    private Config(Builder b) {
      this.vocabSize = b.vocabSize;
      this.embeddingSize = b.embeddingSize;
      this.cell = b.cell;
      this.hiddenSize = b.hiddenSize;
      this.layers = b.layers;
      this.dropout = b.dropout;
      this.init = b.init;
      this.seed = b.seed;
    }

    /** V, token ids {@code 0..V-1} ({@code >= 1}). */
    public int vocabSize() {
      return vocabSize;
    }

    /** E ({@code >= 1}); default 64. */
    public int embeddingSize() {
      return embeddingSize;
    }

    /** The recurrent cell; default LSTM. */
    public Cell cell() {
      return cell;
    }

    /** H ({@code >= 1}); default 256. */
    public int hiddenSize() {
      return hiddenSize;
    }

    /** L ({@code >= 1}); default 2. */
    public int layers() {
      return layers;
    }

    /** Drop probability on the last layer's outputs, in [0, 1); default 0. */
    public float dropout() {
      return dropout;
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
      b.embeddingSize = embeddingSize;
      b.cell = cell;
      b.hiddenSize = hiddenSize;
      b.layers = layers;
      b.dropout = dropout;
      b.init = init;
      b.seed = seed;
      return b;
    }

    private Map<String, Object> values() {
      return ConfigJson.values(
          "vocabSize", vocabSize,
          "embeddingSize", embeddingSize,
          "cell", cell,
          "hiddenSize", hiddenSize,
          "layers", layers,
          "dropout", dropout,
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
                  .embeddingSize((int) v.get("embeddingSize"))
                  .cell((Cell) v.get("cell"))
                  .hiddenSize((int) v.get("hiddenSize"))
                  .layers((int) v.get("layers"))
                  .dropout((float) v.get("dropout"))
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
   * A builder: {@code LanguageModel.builder().vocabSize(V).hiddenSize(512).build()} (the defaults
   * are torch_charlm.py's model). {@code vocabSize} is required (checked by {@link
   * Builder#build()}); every other setting has the default its setter names.
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Settings of a {@link LanguageModel}. Each setter checks its own value and throws {@link
   * JrnnException} naming the setting; {@link #config()} and {@link #build()} check the required
   * settings and those that depend on each other.
   */
  public static final class Builder {
    private int vocabSize;
    private int embeddingSize = 64;
    private Cell cell = Cell.LSTM;
    private int hiddenSize = 256;
    private int layers = 2;
    private float dropout;
    private RecurrentInit init = RecurrentInit.PYTORCH;
    private long seed;
    private Device device = Device.cpu();

    private Builder() {}

    /** Required: V, token ids {@code 0..V-1} ({@code >= 1}). */
    public Builder vocabSize(int vocabSize) {
      this.vocabSize = Arguments.atLeast("vocabSize", vocabSize, 1);
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

    /** H ({@code >= 1}); default 256. */
    public Builder hiddenSize(int hiddenSize) {
      this.hiddenSize = Arguments.atLeast("hiddenSize", hiddenSize, 1);
      return this;
    }

    /** L ({@code >= 1}); default 2. */
    public Builder layers(int layers) {
      this.layers = Arguments.atLeast("layers", layers, 1);
      return this;
    }

    /** Drop probability on the last layer's outputs, in [0, 1); default 0. */
    public Builder dropout(float dropout) {
      this.dropout = Arguments.fraction("dropout", dropout);
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
      return new Config(this);
    }

    /**
     * A model with freshly initialised weights (seeded by {@code seed}) on the device.
     *
     * @throws JrnnException as {@link #config()} does, or when the device cannot hold it
     */
    public LanguageModel build() {
      return new LanguageModel(config(), device);
    }
  }

  private final Config config;
  private final Embedding embedding;
  private final RecurrentLayer rnn;
  private final Dropout dropout;
  private final Linear linear;

  /** The state carried to the next training window (owned), or null for zeros. */
  private RecurrentState carried;

  /**
   * A model with freshly initialised weights (seeded by {@code config.seed()}) on {@code device}.
   */
  private LanguageModel(Config config, Device device) {
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

  /** The recurrent stack. */
  public RecurrentLayer rnn() {
    return rnn;
  }

  // ------------------------------------------------------------------ training

  /** The activations of one forward pass that backward needs. */
  private record Pass(
      int[] ids, RecurrentOutput out, long dropoutSeed, Tensor dropped, Tensor logits) {}

  /** ids [T*N] time-major → logits [T, N, V]. */
  private Pass forward(
      int[] ids, int steps, int streams, RecurrentState initial, boolean training) {
    Tensor embedded = embedding.forward(ids, steps, streams);
    SequenceBatch input = SequenceBatch.of(embedded, null);
    RecurrentOutput out = training ? rnn.forwardTrain(input, initial) : rnn.forward(input, initial);
    long seed = training ? dropout.nextSeed() : 0L;
    Tensor dropped = dropout.forward(out.output(), seed, training);
    return new Pass(ids, out, seed, dropped, linear.forward(dropped));
  }

  /**
   * One truncated-BPTT step on a window: forward from the carried state, mean cross-entropy over
   * the window's counted targets, backward within the window (gradients ACCUMULATE into {@link
   * #parameters()}); the window's final state (or, for overlapping windows, its state after {@link
   * LmBatches.Window#advance()} steps) becomes the carried state.
   *
   * @param window N streams × T steps of inputs and next-token targets (-1: not counted). Not
   *     modified.
   * @return summed loss and the number of counted targets
   */
  public StepResult trainStep(LmBatches.Window window) {
    checkWindow(Arguments.notNull("window", window));
    if (window.index() == 0 || (carried != null && carried.batchSize() != window.streams())) {
      resetState();
    }
    RecurrentState next;
    double loss;
    long count;
    try (Scope scope = Scope.open()) {
      int[] targets = window.targetsTimeMajor();
      count = CrossEntropy.counted(targets);
      Pass pass =
          forward(window.inputsTimeMajor(), window.length(), window.streams(), carried, true);
      Tensor dLogits = Tensor.zeros(device(), pass.logits().shape());
      loss = CrossEntropy.summed(pass.logits(), targets, count == 0 ? 0f : 1f / count, dLogits);
      Tensor dDropped = linear.backward(pass.dropped(), dLogits);
      Tensor dy = dropout.backward(dDropped, pass.dropoutSeed());
      RecurrentGradients g = rnn.backward(pass.out(), dy, null, null);
      embedding.backward(pass.ids(), g.dx());
      next = stateAfterAdvance(window, carried, pass.out().state()).copy().keep();
    }
    replaceCarried(next);
    return new StepResult(loss, count);
  }

  /**
   * The state to carry into the window after {@code window}: {@code finalState} when the next
   * window starts right after this one, else (TBPTT(k1, k2), overlapping windows) the state after
   * the first {@link LmBatches.Window#advance()} steps, from an inference forward over them from
   * {@code initial} (in the caller's scope).
   */
  private RecurrentState stateAfterAdvance(
      LmBatches.Window window, RecurrentState initial, RecurrentState finalState) {
    int k1 = window.advance();
    if (k1 >= window.length()) {
      return finalState;
    }
    int[] ids = java.util.Arrays.copyOf(window.inputsTimeMajor(), k1 * window.streams());
    Tensor embedded = embedding.forward(ids, k1, window.streams());
    return rnn.forward(SequenceBatch.of(embedded, null), initial).state();
  }

  /** Forgets the carried state: the next training window starts from zeros. */
  public void resetState() {
    replaceCarried(null);
  }

  private void replaceCarried(RecurrentState next) {
    RecurrentState old = carried;
    carried = next;
    if (old != null) {
      old.close();
    }
  }

  /** The carried state as host arrays {h, c} ({@code [L, N, H]}; c null unless LSTM), or null. */
  float[][] carriedState() {
    if (carried == null) {
      return null;
    }
    return new float[][] {
      carried.h().toArray(), carried.c() == null ? null : carried.c().toArray()
    };
  }

  /** Restores {@link #carriedState()} for {@code streams} streams (null: zeros). */
  void setCarriedState(float[][] hc, int streams) {
    if (hc == null) {
      resetState();
      return;
    }
    RecurrentState state = RecurrentState.zeros(rnn.recurrent(), streams).keep();
    try {
      state.h().copyFrom(hc[0]);
      if (state.c() != null) {
        if (hc[1] == null) {
          throw new JrnnException("the carried state of an LSTM needs a cell state c");
        }
        state.c().copyFrom(hc[1]);
      }
    } catch (RuntimeException e) {
      state.close();
      throw e;
    }
    replaceCarried(state);
  }

  /** The dropout seeds drawn so far (for checkpoints). */
  long dropoutSeedsDrawn() {
    return dropout.seedsDrawn();
  }

  void setDropoutSeedsDrawn(long count) {
    dropout.setSeedsDrawn(count);
  }

  private void checkWindow(LmBatches.Window w) {
    Sequences.requireIds(w.inputs(), config.vocabSize(), "inputs");
    for (int i = 0; i < w.targets().length; i++) {
      if (w.targets()[i] < -1 || w.targets()[i] >= config.vocabSize()) {
        throw new JrnnException(
            "targets["
                + i
                + "] = "
                + w.targets()[i]
                + " is outside 0.."
                + (config.vocabSize() - 1)
                + " (or -1)");
      }
    }
  }

  // ------------------------------------------------------------------ evaluation

  /**
   * Where a forward pass over {@code window} (inference, from a zero state) first becomes
   * non-finite: embedding output, a recurrent layer's output or the logits, with the time step and
   * stream, e.g. {@code "rnn layer 1 (LSTM), time step 3, sequence 1"}; null when it stays finite.
   */
  String locateNonFinite(LmBatches.Window window) {
    try (Scope scope = Scope.open()) {
      Tensor embedded =
          embedding.forward(window.inputsTimeMajor(), window.length(), window.streams());
      String found = NonFiniteScan.timeMajor(embedded, "embedding output");
      if (found != null) {
        return found;
      }
      RecurrentOutput out = rnn.forward(SequenceBatch.of(embedded, null), null);
      found = NonFiniteScan.recurrent(rnn, out);
      return found != null
          ? found
          : NonFiniteScan.timeMajor(linear.forward(out.output()), "linear (logits)");
    }
  }

  /** Summed loss and count of one window from {@code initial} (inference); state after in out. */
  double[] lossFrom(LmBatches.Window window, RecurrentState initial, RecurrentState[] after) {
    checkWindow(window);
    int[] targets = window.targetsTimeMajor();
    Pass pass =
        forward(window.inputsTimeMajor(), window.length(), window.streams(), initial, false);
    if (after != null) {
      after[0] = stateAfterAdvance(window, initial, pass.out().state());
    }
    return new double[] {
      CrossEntropy.summed(pass.logits(), targets, 1f, null), CrossEntropy.counted(targets)
    };
  }

  /**
   * Loss over consecutive windows with the state carried from each to the next, starting from zeros
   * (inference; the training state is untouched).
   *
   * @return {@code "loss"} (mean per counted target), {@code "bits_per_token"} (loss / ln 2; bits
   *     per character for a character model) and {@code "perplexity"}
   */
  public Map<String, Double> evaluate(Iterable<LmBatches.Window> windows) {
    double loss = 0;
    long count = 0;
    RecurrentState state = null;
    int index = 0;
    try (Scope outer = Scope.open()) {
      for (LmBatches.Window w : Arguments.notNull("windows", windows)) {
        Arguments.notNull("windows[" + index++ + "]", w);
        if (w.index() == 0 || (state != null && state.batchSize() != w.streams())) {
          state = null;
        }
        RecurrentState[] after = new RecurrentState[1];
        double[] r = lossFrom(w, state, after);
        loss += r[0];
        count += (long) r[1];
        state = after[0];
      }
    }
    if (count == 0) {
      throw new JrnnException("evaluate needs at least one counted target");
    }
    Map<String, Double> m = new LinkedHashMap<>();
    m.put("loss", loss / count);
    m.put("bits_per_token", loss / count / Math.log(2));
    m.put("perplexity", Math.exp(loss / count));
    return m;
  }

  // ------------------------------------------------------------------ generation (StepModel)

  @Override
  public int vocabSize() {
    return config.vocabSize();
  }

  /**
   * One row per prompt: the state after every token of the prompt but the last, which the first
   * {@link #step} feeds in place of the start token the decoders give (so the first generated token
   * is drawn from the distribution after the whole prompt).
   *
   * @param prompts N prompts of at least one token id each. Not modified.
   * @return a {@link StepState} of N rows (owned by the caller)
   */
  @Override
  public StepState initialState(List<int[]> prompts) {
    Sequences.requireNonEmpty(prompts, "prompt");
    int n = prompts.size();
    if (n == 0) {
      throw new JrnnException("initialState needs at least one prompt");
    }
    int[] pending = new int[n];
    List<int[]> prefixes = new ArrayList<>();
    int[] withPrefix = new int[n];
    int[] without = new int[n];
    int m = 0;
    int z = 0;
    for (int i = 0; i < n; i++) {
      int[] p = prompts.get(i);
      Sequences.requireIds(p, config.vocabSize(), "prompt " + i + ": token");
      pending[i] = p[p.length - 1];
      if (p.length > 1) {
        prefixes.add(Arrays.copyOf(p, p.length - 1));
        withPrefix[m++] = i;
      } else {
        without[z++] = i;
      }
    }
    RecurrentRows rows = null;
    try (Scope scope = Scope.open()) {
      if (m > 0) {
        int[] order = new int[m];
        for (int k = 0; k < m; k++) {
          order[k] = k;
        }
        PaddedBatch batch = PaddedBatch.of(prefixes, order);
        int[] ids = Sequences.idsWithoutPadding(batch, config.vocabSize(), "prompts");
        Tensor embedded = embedding.forward(ids, batch.maxLength(), m);
        rows =
            RecurrentRows.copyOf(
                rnn.forward(SequenceBatch.of(embedded, batch.lengths()), null).state());
      }
      if (z > 0) {
        RecurrentRows zeros = RecurrentRows.zeros(rnn.recurrent(), z);
        if (rows == null) {
          rows = zeros;
        } else {
          try {
            rows.append(zeros);
          } finally {
            zeros.close();
          }
          // rows 0..m-1 are the prompts with a prefix, m..n-1 the one-token prompts: back to input
          // order
          int[] back = new int[n];
          for (int k = 0; k < m; k++) {
            back[withPrefix[k]] = k;
          }
          for (int k = 0; k < z; k++) {
            back[without[k]] = m + k;
          }
          rows.select(back);
        }
      }
      return new PromptRows(rows, pending);
    } catch (RuntimeException e) {
      if (rows != null) {
        rows.close();
      }
      throw e;
    }
  }

  /**
   * Embeds the tokens (a prompt's last token where one is pending), steps the stack: log-softmax
   * {@code [R, V]}.
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
    if (!(state instanceof PromptRows rows)) {
      throw new JrnnException(
          "the state must be the one initialState gave but is "
              + (state == null ? "null" : "another model's state"));
    }
    int r = rows.rows();
    if (tokens.length != r) {
      throw new JrnnException(tokens.length + " tokens for " + r + " rows");
    }
    Arguments.ids("tokens", tokens, config.vocabSize());
    int[] fed = rows.consumePending(tokens);
    Tensor x = embedding.forward(fed, r);
    return linear.forward(rnn.step(x, rows.rows.state()));
  }

  /**
   * The decoding state of a language model: the recurrent rows, and per row the prompt's last token
   * while it is still to be fed (-1 once fed); both follow the rows through select/append.
   */
  private static final class PromptRows implements StepState {
    private final RecurrentRows rows;
    private int[] pending;

    PromptRows(RecurrentRows rows, int[] pending) {
      this.rows = rows;
      this.pending = pending;
    }

    /**
     * The tokens to feed: {@code tokens} with each pending prompt token in its place (then
     * cleared).
     */
    int[] consumePending(int[] tokens) {
      int[] fed = tokens;
      for (int i = 0; i < pending.length; i++) {
        if (pending[i] >= 0) {
          if (fed == tokens) {
            fed = tokens.clone();
          }
          fed[i] = pending[i];
          pending[i] = -1;
        }
      }
      return fed;
    }

    @Override
    public int rows() {
      return rows.rows();
    }

    @Override
    public void select(int[] order) {
      rows.select(order);
      int[] next = new int[order.length];
      for (int j = 0; j < order.length; j++) {
        next[j] = pending[order[j]];
      }
      pending = next;
    }

    @Override
    public void append(StepState other) {
      if (!(Arguments.notNull("other", other) instanceof PromptRows o)) {
        throw new JrnnException(
            "cannot append a " + other.getClass().getSimpleName() + " to a language model's state");
      }
      rows.append(o.rows);
      int[] next = Arrays.copyOf(pending, pending.length + o.pending.length);
      System.arraycopy(o.pending, 0, next, pending.length, o.pending.length);
      pending = next;
    }

    @Override
    public StepState copy() {
      return to(device());
    }

    @Override
    public StepState to(Device target) {
      return new PromptRows(rows.to(target), pending.clone());
    }

    @Override
    public Device device() {
      return rows.device();
    }

    @Override
    public void close() {
      rows.close();
    }
  }

  /**
   * Continues a prompt with the decoders of {@link org.jrnn.decode} (greedy, sampling or beam
   * search, as {@code options} say; {@link Vocabulary#BOS_ID}/{@link Vocabulary#EOS_ID} as start
   * and end tokens unless the options name others): one forward over the prompt warms up the state,
   * then each new token is fed back with one recurrent step. Stops after {@code
   * options.maxLength()} tokens or at the end token (which is included).
   *
   * @param prompt at least one token id. Not modified.
   * @param options strategy and limits ({@link DecodeOptions#maxLength()}: tokens to generate at
   *     most, the end token included; the output grows with the tokens drawn)
   * @return the best hypothesis's ids (without the prompt), followed by the end token when it ended
   *     there
   */
  public int[] generate(int[] prompt, DecodeOptions options) {
    if (prompt == null || prompt.length == 0) {
      throw new JrnnException("prompt needs at least one token");
    }
    Sequences.requireIds(prompt, config.vocabSize(), "prompt");
    Arguments.notNull("options", options);
    Hypothesis best = Decoders.decode(this, List.of(prompt), options).get(0).best();
    if (best == null) {
      return new int[0];
    }
    int[] t = best.tokens();
    if (!best.ended()) {
      return t;
    }
    int[] out = Arrays.copyOf(t, t.length + 1);
    out[t.length] = options.endToken();
    return out;
  }

  /**
   * Greedy continuation of a prompt: {@link #generate(int[], DecodeOptions)} with at most {@code
   * maxTokens} tokens.
   *
   * @param maxTokens how many tokens to generate at most ({@code >= 1})
   */
  public int[] generate(int[] prompt, int maxTokens) {
    if (maxTokens < 1) {
      throw new JrnnException("maxTokens must be >= 1 but is " + maxTokens);
    }
    return generate(prompt, DecodeOptions.builder().maxLength(maxTokens).build());
  }

  /** Drops the carried state, then frees the layers. */
  @Override
  public void close() {
    resetState();
    super.close();
  }
}
