/*
 * Seq2Seq (encoder-decoder): an encoder recurrent stack reads the source; its final state starts
 * the target-side recurrent stack trained with teacher forcing (<bos> + target -> target + <eos>);
 * a StepModel of source sequences for org.jrnn.decode (greedy, sampling, beam search).
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
import org.jrnn.data.Tokenizer;
import org.jrnn.data.Vocabulary;
import org.jrnn.decode.DecodeOptions;
import org.jrnn.decode.Decoded;
import org.jrnn.decode.Decoders;
import org.jrnn.decode.RecurrentRows;
import org.jrnn.decode.StepModel;
import org.jrnn.decode.StepState;
import org.jrnn.internal.Arguments;
import org.jrnn.internal.SplitMix64;
import org.jrnn.metrics.Bleu;
import org.jrnn.metrics.EditDistance;
import org.jrnn.metrics.SequenceMetrics;
import org.jrnn.nn.Embedding;
import org.jrnn.nn.Linear;
import org.jrnn.nn.RecurrentInit;
import org.jrnn.nn.RecurrentLayer;
import org.jrnn.train.Task.StepResult;

/**
 * Sequence to sequence without attention: {@code encoder_embedding [Vs, E]} → encoder stack (L
 * layers) whose final state (at each source's length) is the initial state of the decoder stack
 * (same cell, H and L) over {@code decoder_embedding [Vt, E]} of {@code <bos>} + target → {@code
 * linear [Vt, H]} per step → cross-entropy against target + {@code <eos>}. Gradients flow from the
 * decoder's initial state back into the encoder.
 *
 * <p>Parameters: {@code encoder_embedding.weight}, {@code encoder.weight_ih_l0}, ..., {@code
 * decoder_embedding.weight}, {@code decoder.weight_ih_l0}, ..., {@code linear.weight}, {@code
 * linear.bias}. As a {@link StepModel} of source sequences (token ids) it feeds the decoders of
 * {@link org.jrnn.decode}: {@link #initialState} encodes the sources, {@link #step} runs the
 * target-side stack (its state: {@link RecurrentRows}). {@link #close()} frees the model. Not
 * thread-safe.
 */
@SuppressWarnings("try") // each pass opens a Scope only to free its tensors at the end
public final class Seq2Seq extends AbstractModel implements StepModel<int[]> {
  /** The {@link #kind()} of this model in model files. */
  public static final String KIND = "seq2seq";

  /**
   * The architecture (read-only): what {@link #config()} returns and model files store as JSON
   * ({@link #toJson()}). Made by {@link Builder#config()}; {@link #toBuilder()} gives a builder
   * with these settings, for variations.
   */
  public static final class Config {
    private static final String WHAT = "Seq2Seq config";
    private static final Map<String, Class<?>> SCHEMA =
        ConfigJson.schema(
            "sourceVocabSize", int.class,
            "targetVocabSize", int.class,
            "embeddingSize", int.class,
            "cell", Cell.class,
            "hiddenSize", int.class,
            "layers", int.class,
            "paddingIndex", int.class,
            "init", RecurrentInit.class,
            "seed", long.class);

    private final int sourceVocabSize;
    private final int targetVocabSize;
    private final int embeddingSize;
    private final Cell cell;
    private final int hiddenSize;
    private final int layers;
    private final int paddingIndex;
    private final RecurrentInit init;
    private final long seed;

    private Config(Builder b) {
      this.sourceVocabSize = b.sourceVocabSize;
      this.targetVocabSize = b.targetVocabSize;
      this.embeddingSize = b.embeddingSize;
      this.cell = b.cell;
      this.hiddenSize = b.hiddenSize;
      this.layers = b.layers;
      this.paddingIndex = b.paddingIndex;
      this.init = b.init;
      this.seed = b.seed;
    }

    /** Vs, source ids {@code 0..Vs-1} ({@code >= 1}). */
    public int sourceVocabSize() {
      return sourceVocabSize;
    }

    /**
     * Vt, target ids {@code 0..Vt-1}; ids 0..3 are the specials of {@link Vocabulary}, so {@code Vt
     * >= 4}.
     */
    public int targetVocabSize() {
      return targetVocabSize;
    }

    /** E of both embeddings ({@code >= 1}); default 64. */
    public int embeddingSize() {
      return embeddingSize;
    }

    /** The cell of both stacks; default LSTM. */
    public Cell cell() {
      return cell;
    }

    /** H ({@code >= 1}); default 128. */
    public int hiddenSize() {
      return hiddenSize;
    }

    /** L of both stacks ({@code >= 1}); default 1. */
    public int layers() {
      return layers;
    }

    /** Both embeddings' padding id, or -1 for none; default {@link Vocabulary#PAD_ID}. */
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
      b.sourceVocabSize = sourceVocabSize;
      b.targetVocabSize = targetVocabSize;
      b.embeddingSize = embeddingSize;
      b.cell = cell;
      b.hiddenSize = hiddenSize;
      b.layers = layers;
      b.paddingIndex = paddingIndex;
      b.init = init;
      b.seed = seed;
      return b;
    }

    private Map<String, Object> values() {
      return ConfigJson.values(
          "sourceVocabSize", sourceVocabSize,
          "targetVocabSize", targetVocabSize,
          "embeddingSize", embeddingSize,
          "cell", cell,
          "hiddenSize", hiddenSize,
          "layers", layers,
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
                  .sourceVocabSize((int) v.get("sourceVocabSize"))
                  .targetVocabSize((int) v.get("targetVocabSize"))
                  .embeddingSize((int) v.get("embeddingSize"))
                  .cell((Cell) v.get("cell"))
                  .hiddenSize((int) v.get("hiddenSize"))
                  .layers((int) v.get("layers"))
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
   * A builder: {@code Seq2Seq.builder().sourceVocabSize(Vs).targetVocabSize(Vt).build()}. {@code
   * sourceVocabSize}, {@code targetVocabSize} are required (checked by {@link Builder#build()});
   * every other setting has the default its setter names.
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Settings of a {@link Seq2Seq}. Each setter checks its own value and throws {@link
   * JrnnException} naming the setting; {@link #config()} and {@link #build()} check the required
   * settings and those that depend on each other.
   */
  public static final class Builder {
    private int sourceVocabSize;
    private int targetVocabSize;
    private int embeddingSize = 64;
    private Cell cell = Cell.LSTM;
    private int hiddenSize = 128;
    private int layers = 1;
    private int paddingIndex = Vocabulary.PAD_ID;
    private RecurrentInit init = RecurrentInit.PYTORCH;
    private long seed;
    private Device device = Device.cpu();

    private Builder() {}

    /** Required: Vs, source ids {@code 0..Vs-1} ({@code >= 1}). */
    public Builder sourceVocabSize(int sourceVocabSize) {
      this.sourceVocabSize = Arguments.atLeast("sourceVocabSize", sourceVocabSize, 1);
      return this;
    }

    /**
     * Required: Vt, target ids {@code 0..Vt-1}; ids 0..3 are the specials of {@link Vocabulary}, so
     * {@code Vt >= 4}.
     */
    public Builder targetVocabSize(int targetVocabSize) {
      this.targetVocabSize = Arguments.atLeast("targetVocabSize", targetVocabSize, 4);
      return this;
    }

    /** E of both embeddings ({@code >= 1}); default 64. */
    public Builder embeddingSize(int embeddingSize) {
      this.embeddingSize = Arguments.atLeast("embeddingSize", embeddingSize, 1);
      return this;
    }

    /** The cell of both stacks; default LSTM. */
    public Builder cell(Cell cell) {
      this.cell = Arguments.notNull("cell", cell);
      return this;
    }

    /** H ({@code >= 1}); default 128. */
    public Builder hiddenSize(int hiddenSize) {
      this.hiddenSize = Arguments.atLeast("hiddenSize", hiddenSize, 1);
      return this;
    }

    /** L of both stacks ({@code >= 1}); default 1. */
    public Builder layers(int layers) {
      this.layers = Arguments.atLeast("layers", layers, 1);
      return this;
    }

    /** Both embeddings' padding id, or -1 for none; default {@link Vocabulary#PAD_ID}. */
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
      Arguments.required("sourceVocabSize", sourceVocabSize == 0);
      Arguments.required("targetVocabSize", targetVocabSize == 0);
      if (paddingIndex >= Math.min(sourceVocabSize, targetVocabSize)) {
        throw new JrnnException(
            "paddingIndex "
                + paddingIndex
                + " is outside -1.."
                + (Math.min(sourceVocabSize, targetVocabSize) - 1));
      }
      return new Config(this);
    }

    /**
     * A model with freshly initialised weights (seeded by {@code seed}) on the device.
     *
     * @throws JrnnException as {@link #config()} does, or when the device cannot hold it
     */
    public Seq2Seq build() {
      return new Seq2Seq(config(), device);
    }
  }

  private final Config config;
  private final Embedding sourceEmbedding;
  private final RecurrentLayer encoder;
  private final Embedding targetEmbedding;
  private final RecurrentLayer decoder;
  private final Linear linear;

  /**
   * A model with freshly initialised weights (seeded by {@code config.seed()}) on {@code device}.
   */
  private Seq2Seq(Config config, Device device) {
    super(KIND, device, Arguments.notNull("config", config)::toJson);
    this.config = config;
    long seed = config.seed();
    int e = config.embeddingSize();
    int h = config.hiddenSize();
    try {
      sourceEmbedding =
          own(
              "encoder_embedding",
              Embedding.builder()
                  .vocabSize(config.sourceVocabSize())
                  .dim(e)
                  .paddingIndex(config.paddingIndex())
                  .seed(SplitMix64.deriveSeed(seed, 0))
                  .device(device)
                  .build());
      encoder =
          own(
              "encoder",
              RecurrentLayer.builder()
                  .cell(config.cell())
                  .inputSize(e)
                  .hiddenSize(h)
                  .layers(config.layers())
                  .init(config.init())
                  .seed(SplitMix64.deriveSeed(seed, 1))
                  .device(device)
                  .build());
      targetEmbedding =
          own(
              "decoder_embedding",
              Embedding.builder()
                  .vocabSize(config.targetVocabSize())
                  .dim(e)
                  .paddingIndex(config.paddingIndex())
                  .seed(SplitMix64.deriveSeed(seed, 2))
                  .device(device)
                  .build());
      decoder =
          own(
              "decoder",
              RecurrentLayer.builder()
                  .cell(config.cell())
                  .inputSize(e)
                  .hiddenSize(h)
                  .layers(config.layers())
                  .init(config.init())
                  .seed(SplitMix64.deriveSeed(seed, 3))
                  .device(device)
                  .build());
      linear =
          own(
              "linear",
              Linear.builder()
                  .inFeatures(h)
                  .outFeatures(config.targetVocabSize())
                  .seed(SplitMix64.deriveSeed(seed, 4))
                  .device(device)
                  .build());
    } catch (RuntimeException ex) {
      closeAfterFailure();
      throw ex;
    }
  }

  /** The architecture. */
  public Config config() {
    return config;
  }

  private RecurrentOutput encode(PaddedBatch sources, int[] ids, boolean training) {
    Tensor embedded = sourceEmbedding.forward(ids, sources.maxLength(), sources.size());
    SequenceBatch input = SequenceBatch.of(embedded, sources.lengths());
    return training ? encoder.forwardTrain(input, null) : encoder.forward(input, null);
  }

  private record Pass(
      int[] sourceIds,
      RecurrentOutput encoded,
      int[] targetIds,
      RecurrentOutput decoded,
      Tensor logits) {}

  private Pass forward(Seq2SeqBatch b, boolean training) {
    checkBatch(b);
    int[] sourceIds = Sequences.idsWithoutPadding(b.sources(), config.sourceVocabSize(), "sources");
    PaddedBatch in = b.decoderInputs();
    int[] targetIds = Sequences.idsWithoutPadding(in, config.targetVocabSize(), "decoderInputs");
    RecurrentOutput encoded = encode(b.sources(), sourceIds, training);
    Tensor embedded = targetEmbedding.forward(targetIds, in.maxLength(), in.size());
    SequenceBatch input = SequenceBatch.of(embedded, in.lengths());
    RecurrentState start = encoded.state();
    RecurrentOutput decoded =
        training ? decoder.forwardTrain(input, start) : decoder.forward(input, start);
    return new Pass(sourceIds, encoded, targetIds, decoded, linear.forward(decoded.output()));
  }

  /**
   * Teacher-forced forward, mean cross-entropy over the decoder targets (target + {@code <eos>}),
   * backward through the decoder into the encoder (gradients ACCUMULATE into {@link
   * #parameters()}).
   *
   * @return summed loss and the number of decoder targets
   */
  public StepResult trainStep(Seq2SeqBatch batch) {
    try (Scope scope = Scope.open()) {
      Pass pass = forward(batch, true);
      long count = CrossEntropy.counted(batch.decoderTargets());
      Tensor dLogits = Tensor.zeros(device(), pass.logits().shape());
      double loss =
          CrossEntropy.summed(
              pass.logits(), batch.decoderTargets(), count == 0 ? 0f : 1f / count, dLogits);
      Tensor dy = linear.backward(pass.decoded().output(), dLogits);
      RecurrentGradients dec = decoder.backward(pass.decoded(), dy, null, null);
      targetEmbedding.backward(pass.targetIds(), dec.dx());
      RecurrentGradients enc = encoder.backward(pass.encoded(), null, dec.dh0(), dec.dc0());
      sourceEmbedding.backward(pass.sourceIds(), enc.dx());
      return new StepResult(loss, count);
    }
  }

  private void checkBatch(Seq2SeqBatch b) {
    Arguments.notNull("batch", b);
    for (int[] t : b.targets()) {
      Sequences.requireIds(t, config.targetVocabSize(), "target");
    }
  }

  // ------------------------------------------------------------------ StepModel

  /** Vt: {@link #step} gives log-probabilities of target tokens. */
  @Override
  public int vocabSize() {
    return config.targetVocabSize();
  }

  /**
   * One row per source: one encoder pass over the sources together; each row starts from its
   * source's final encoder state.
   *
   * @param sources N source sequences of at least one id each. Not modified.
   */
  @Override
  public StepState initialState(List<int[]> sources) {
    Sequences.requireNonEmpty(sources, "source");
    int n = sources.size();
    if (n == 0) {
      throw new JrnnException("initialState needs at least one source");
    }
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    PaddedBatch batch = PaddedBatch.of(sources, order);
    int[] ids = Sequences.idsWithoutPadding(batch, config.sourceVocabSize(), "sources");
    try (Scope scope = Scope.open()) {
      return RecurrentRows.copyOf(encode(batch, ids, false).state());
    }
  }

  /** Embeds the target tokens, steps the decoder stack: log-softmax {@code [R, Vt]}. */
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
    Arguments.ids("tokens", tokens, config.targetVocabSize());
    Tensor x = targetEmbedding.forward(tokens, r);
    return linear.forward(decoder.step(x, rows.state()));
  }

  // ------------------------------------------------------------------ generation, evaluation

  /**
   * Translates each source with the decoders of {@link org.jrnn.decode} (greedy, sampling or beam
   * search, as {@code options} say): one encoder pass, then one decoder step per token for all rows
   * together, from the start token until the end token or {@code options.maxLength()} tokens.
   *
   * @param sources N source sequences (padded). Not modified.
   * @param options strategy and limits
   * @return N target sequences (each source's best hypothesis) without {@code <bos>}/{@code <eos>}
   */
  public int[][] generate(PaddedBatch sources, DecodeOptions options) {
    Sequences.idsWithoutPadding(sources, config.sourceVocabSize(), "sources");
    Arguments.notNull("options", options);
    int n = sources.size();
    int[] all = sources.batchFirst();
    List<int[]> list = new ArrayList<>(n);
    int t = sources.maxLength();
    for (int i = 0; i < n; i++) {
      list.add(Arrays.copyOfRange(all, i * t, i * t + sources.lengths()[i]));
    }
    List<Decoded> decoded = Decoders.decode(this, list, options);
    int[][] out = new int[n][];
    for (int i = 0; i < n; i++) {
      out[i] = decoded.get(i).tokens();
    }
    return out;
  }

  /** Greedy {@link #generate(PaddedBatch, DecodeOptions)} of at most {@code maxLength} tokens. */
  public int[][] generate(PaddedBatch sources, int maxLength) {
    Sequences.idsWithoutPadding(sources, config.sourceVocabSize(), "sources");
    return generate(sources, DecodeOptions.builder().maxLength(maxLength).build());
  }

  /**
   * Teacher-forced loss per target token and greedy exact match (inference).
   *
   * @return {@code "loss"} and {@code "exact_match"}
   */
  public Map<String, Double> evaluate(Iterable<Seq2SeqBatch> batches, int maxLength) {
    return evaluate(batches, DecodeOptions.builder().maxLength(maxLength).build());
  }

  /**
   * Teacher-forced loss per target token and the exact match of decoding with {@code options}
   * (greedy, beam search, ...; inference).
   *
   * @return {@code "loss"} and {@code "exact_match"} (share of examples whose best decoded sequence
   *     equals the target)
   */
  public Map<String, Double> evaluate(Iterable<Seq2SeqBatch> batches, DecodeOptions options) {
    return evaluated(batches, options, null);
  }

  /**
   * Teacher-forced loss per target token and, for the best sequence of decoding with {@code
   * options} (greedy, beam search, ...; inference), the metrics users compare with:
   *
   * <ul>
   *   <li>{@code "exact_match"}: the share of examples whose decoded sequence equals the target;
   *   <li>{@code "per"}: the token error rate over the model's target tokens, that is summed {@link
   *       EditDistance edit distances} over summed target lengths: the phoneme (symbol) error rate
   *       when the targets are space-separated symbols tokenised as words, the character error rate
   *       with a character tokenizer;
   *   <li>{@code "wer"}: the same over the whitespace-separated words of {@code target.decode} of
   *       the decoded and the target ids (the word error rate of text targets; with a word
   *       tokenizer it equals {@code per});
   *   <li>{@code "bleu"}: corpus {@link Bleu BLEU-4} over those words, in [0, 1] like the {@code
   *       bleu4} of {@code jrnn caption} (multiply by 100 for the usual percentage).
   * </ul>
   *
   * <p>The error rates can exceed 1 when decoded sequences are longer than their targets; each is
   * left out when the targets hold no token (or no word). The references are the target ids, so a
   * target token outside the vocabulary reads {@code <unk>} on both sides and matches a decoded
   * {@code <unk>}. For G2P data note that the "word error rate" of the G2P literature (the share of
   * words whose pronunciation has any error) is {@code 1 - exact_match}; {@code per} is the phoneme
   * error rate there.
   *
   * @param target the target tokenizer the model was trained with (for the words of {@code wer} and
   *     {@code bleu})
   * @return {@code "loss"}, {@code "exact_match"}, {@code "wer"}, {@code "per"} and {@code "bleu"}
   * @throws JrnnException if the tokenizer's vocabulary size is not the model's target vocabulary
   *     size, or there is no pair
   */
  public Map<String, Double> evaluate(
      Iterable<Seq2SeqBatch> batches, DecodeOptions options, Tokenizer target) {
    Arguments.notNull("target", target);
    if (target.vocabSize() != config.targetVocabSize()) {
      throw new JrnnException(
          "the target tokenizer has "
              + target.vocabSize()
              + " ids but the model "
              + config.targetVocabSize()
              + " target ids: not the tokenizer it was trained with");
    }
    return evaluated(batches, options, target);
  }

  private Map<String, Double> evaluated(
      Iterable<Seq2SeqBatch> batches, DecodeOptions options, Tokenizer target) {
    double loss = 0;
    long count = 0;
    long exact = 0;
    long pairs = 0;
    Arguments.notNull("options", options);
    SequenceMetrics tokens = new SequenceMetrics();
    SequenceMetrics words = new SequenceMetrics();
    int index = 0;
    for (Seq2SeqBatch b : Arguments.notNull("batches", batches)) {
      Arguments.notNull("batches[" + index++ + "]", b);
      try (Scope scope = Scope.open()) {
        loss += CrossEntropy.summed(forward(b, false).logits(), b.decoderTargets(), 1f, null);
      }
      count += CrossEntropy.counted(b.decoderTargets());
      int[][] got = generate(b.sources(), options);
      for (int s = 0; s < b.size(); s++) {
        int[] ref = b.targets().get(s);
        exact += Arrays.equals(got[s], ref) ? 1 : 0;
        if (target != null) {
          tokens.add(tokenStrings(target, ref), tokenStrings(target, got[s]));
          words.add(words(target.decode(ref)), words(target.decode(got[s])));
        }
      }
      pairs += b.size();
    }
    if (pairs == 0) {
      throw new JrnnException("evaluate needs at least one pair");
    }
    Map<String, Double> m = new LinkedHashMap<>();
    m.put("loss", loss / count);
    m.put("exact_match", (double) exact / pairs);
    if (target != null) {
      if (words.referenceTokens() > 0) {
        m.put("wer", words.errorRate());
      }
      if (tokens.referenceTokens() > 0) {
        m.put("per", tokens.errorRate());
      }
      m.put("bleu", words.bleu4());
    }
    return m;
  }

  /** The vocabulary entries of {@code ids} (one string per id, so equal strings mean equal ids). */
  private static List<String> tokenStrings(Tokenizer t, int[] ids) {
    List<String> out = new ArrayList<>(ids.length);
    for (int id : ids) {
      out.add(t.vocabulary().token(id));
    }
    return out;
  }

  private static List<String> words(String text) {
    String s = text.strip();
    return s.isEmpty() ? List.of() : List.of(s.split("\\s+"));
  }
}
