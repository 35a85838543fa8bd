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
import org.jrnn.decode.DecodeOptions;
import org.jrnn.decode.Decoded;
import org.jrnn.decode.DecoderState;
import org.jrnn.decode.Decoders;
import org.jrnn.decode.RecurrentRows;
import org.jrnn.decode.StepModel;
import org.jrnn.internal.SplitMix64;
import org.jrnn.data.Vocabulary;
import org.jrnn.internal.Arguments;
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
   * The architecture. Start from {@code defaults(...)}; each {@code withX(v)} returns a copy with X
   * replaced; {@link #toJson()} / {@code fromJson} store it in model files.
   *
   * @param sourceVocabSize Vs
   * @param targetVocabSize Vt (ids 0..3 are the specials of {@link Vocabulary})
   * @param embeddingSize E of both embeddings (default 64)
   * @param cell the cell of both stacks (default LSTM)
   * @param hiddenSize H (default 128)
   * @param layers L of both stacks (default 1)
   * @param paddingIndex both embeddings' padding id (default {@link Vocabulary#PAD_ID}); -1 none
   * @param init recurrent weight initialisation (default PyTorch's)
   * @param seed seed of the initial weights (default 0)
   */
  public record Config(
      int sourceVocabSize,
      int targetVocabSize,
      int embeddingSize,
      Cell cell,
      int hiddenSize,
      int layers,
      int paddingIndex,
      RecurrentInit init,
      long seed) {
    public Config {
      for (int v : new int[] {sourceVocabSize, embeddingSize, hiddenSize, layers}) {
        if (v < 1) {
          throw new JrnnException(
              "sourceVocabSize, embeddingSize, hiddenSize and layers must be >= 1 but are "
                  + sourceVocabSize + ", " + embeddingSize + ", " + hiddenSize + ", " + layers);
        }
      }
      if (targetVocabSize <= Vocabulary.EOS_ID) {
        throw new JrnnException(
            "targetVocabSize must hold the special ids 0.." + Vocabulary.EOS_ID + " but is " + targetVocabSize);
      }
      if (paddingIndex < -1 || paddingIndex >= Math.min(sourceVocabSize, targetVocabSize)) {
        throw new JrnnException("paddingIndex " + paddingIndex + " is outside -1.."
            + (Math.min(sourceVocabSize, targetVocabSize) - 1));
      }
      if (cell == null || init == null) {
        throw new JrnnException("cell and init must not be null");
      }
    }

    /** The defaults above for Vs source ids and Vt target ids. */
    public static Config defaults(int sourceVocabSize, int targetVocabSize) {
      return new Config(sourceVocabSize, targetVocabSize, 64, Cell.LSTM, 128, 1, Vocabulary.PAD_ID,
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
      return new Config(sourceVocabSize, targetVocabSize, v, cell, hiddenSize, layers, paddingIndex, init, seed);
    }

    public Config withCell(Cell v) {
      return new Config(sourceVocabSize, targetVocabSize, embeddingSize, v, hiddenSize, layers, paddingIndex,
          init, seed);
    }

    public Config withHiddenSize(int v) {
      return new Config(sourceVocabSize, targetVocabSize, embeddingSize, cell, v, layers, paddingIndex, init,
          seed);
    }

    public Config withLayers(int v) {
      return new Config(sourceVocabSize, targetVocabSize, embeddingSize, cell, hiddenSize, v, paddingIndex,
          init, seed);
    }

    public Config withInit(RecurrentInit v) {
      return new Config(sourceVocabSize, targetVocabSize, embeddingSize, cell, hiddenSize, layers,
          paddingIndex, v, seed);
    }

    public Config withSeed(long v) {
      return new Config(sourceVocabSize, targetVocabSize, embeddingSize, cell, hiddenSize, layers,
          paddingIndex, init, v);
    }
  }

  private final Config config;
  private final Embedding sourceEmbedding;
  private final RecurrentLayer encoder;
  private final Embedding targetEmbedding;
  private final RecurrentLayer decoder;
  private final Linear linear;

  /** A model with freshly initialised weights (seeded by {@code config.seed()}) on {@code device}. */
  public Seq2Seq(Config config, Device device) {
    super(KIND, device, Arguments.notNull("config", config)::toJson);
    this.config = config;
    long seed = config.seed();
    int e = config.embeddingSize();
    int h = config.hiddenSize();
    try {
      sourceEmbedding = own("encoder_embedding", new Embedding(config.sourceVocabSize(), e,
          config.paddingIndex(), SplitMix64.deriveSeed(seed, 0), device));
      encoder = own("encoder", new RecurrentLayer(config.cell(), e, h, config.layers(), false,
          config.init(), SplitMix64.deriveSeed(seed, 1), device));
      targetEmbedding = own("decoder_embedding", new Embedding(config.targetVocabSize(), e,
          config.paddingIndex(), SplitMix64.deriveSeed(seed, 2), device));
      decoder = own("decoder", new RecurrentLayer(config.cell(), e, h, config.layers(), false,
          config.init(), SplitMix64.deriveSeed(seed, 3), device));
      linear = own("linear", new Linear(h, config.targetVocabSize(), true,
          SplitMix64.deriveSeed(seed, 4), device));
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

  private record Pass(int[] sourceIds, RecurrentOutput encoded, int[] targetIds, RecurrentOutput decoded,
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
    RecurrentOutput decoded = training ? decoder.forwardTrain(input, start) : decoder.forward(input, start);
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
      double loss = CrossEntropy.summed(
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
  public DecoderState initialState(List<int[]> sources) {
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
    Arguments.ids("tokens", tokens, config.targetVocabSize());
    Tensor x = targetEmbedding.forward(tokens, r);
    return linear.forward(decoder.step(x, rows.state()));
  }

  // ------------------------------------------------------------------ generation, evaluation

  /**
   * Translates each source with the decoders of {@link org.jrnn.decode} (greedy, sampling or beam
   * search, as {@code options} say): one encoder pass, then one decoder step per token for all
   * rows together, from the start token until the end token or {@code options.maxLength()}
   * tokens.
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
   * @return {@code "loss"} and {@code "exact_match"} (share of examples whose best decoded
   *     sequence equals the target)
   */
  public Map<String, Double> evaluate(Iterable<Seq2SeqBatch> batches, DecodeOptions options) {
    double loss = 0;
    long count = 0;
    long exact = 0;
    long pairs = 0;
    Arguments.notNull("options", options);
    int index = 0;
    for (Seq2SeqBatch b : Arguments.notNull("batches", batches)) {
      Arguments.notNull("batches[" + index++ + "]", b);
      try (Scope scope = Scope.open()) {
        loss += CrossEntropy.summed(forward(b, false).logits(), b.decoderTargets(), 1f, null);
      }
      count += CrossEntropy.counted(b.decoderTargets());
      int[][] got = generate(b.sources(), options);
      for (int s = 0; s < b.size(); s++) {
        exact += Arrays.equals(got[s], b.targets().get(s)) ? 1 : 0;
      }
      pairs += b.size();
    }
    if (pairs == 0) {
      throw new JrnnException("evaluate needs at least one pair");
    }
    Map<String, Double> m = new LinkedHashMap<>();
    m.put("loss", loss / count);
    m.put("exact_match", (double) exact / pairs);
    return m;
  }
}
