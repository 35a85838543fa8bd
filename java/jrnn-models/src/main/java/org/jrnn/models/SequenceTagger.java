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
 * One tag per token: {@code embedding [V, E]} → recurrent stack (bidirectional by default) →
 * dropout → {@code linear [K, D*H]} at every step → softmax cross-entropy over the real (non-padding)
 * tokens. Parameters: {@code embedding.weight}, {@code rnn.*}, {@code linear.weight}, {@code
 * linear.bias}. {@link #close()} frees the model. Not thread-safe.
 */
@SuppressWarnings("try") // each pass opens a Scope only to free its tensors at the end
public final class SequenceTagger extends AbstractModel {
  /** The {@link #kind()} of this model in model files. */
  public static final String KIND = "sequence-tagger";

  /**
   * The architecture. Start from {@code defaults(...)}; each {@code withX(v)} returns a copy with X
   * replaced; {@link #toJson()} / {@code fromJson} store it in model files.
   *
   * @param vocabSize V
   * @param numTags K {@code >= 2}
   * @param embeddingSize E (default 64)
   * @param cell the recurrent cell (default LSTM)
   * @param hiddenSize H per direction (default 128)
   * @param layers L (default 1)
   * @param bidirectional D = 2 when true (default true)
   * @param dropout drop probability on the recurrent outputs (default 0)
   * @param paddingIndex the embedding's padding id (default {@link Vocabulary#PAD_ID}); -1 none
   * @param init recurrent weight initialisation (default PyTorch's)
   * @param seed seed of the initial weights and dropout masks (default 0)
   */
  public record Config(
      int vocabSize,
      int numTags,
      int embeddingSize,
      Cell cell,
      int hiddenSize,
      int layers,
      boolean bidirectional,
      float dropout,
      int paddingIndex,
      RecurrentInit init,
      long seed) {
    public Config {
      for (int v : new int[] {vocabSize, embeddingSize, hiddenSize, layers}) {
        if (v < 1) {
          throw new JrnnException(
              "vocabSize, embeddingSize, hiddenSize and layers must be >= 1 but are "
                  + vocabSize + ", " + embeddingSize + ", " + hiddenSize + ", " + layers);
        }
      }
      if (numTags < 2) {
        throw new JrnnException("numTags must be >= 2 but is " + numTags);
      }
      if (!(dropout >= 0f && dropout < 1f)) {
        throw new JrnnException("dropout must be in [0, 1) but is " + dropout);
      }
      if (paddingIndex < -1 || paddingIndex >= vocabSize) {
        throw new JrnnException("paddingIndex " + paddingIndex + " is outside -1.." + (vocabSize - 1));
      }
      if (cell == null || init == null) {
        throw new JrnnException("cell and init must not be null");
      }
    }

    /** The defaults above for V ids and K tags. */
    public static Config defaults(int vocabSize, int numTags) {
      return new Config(vocabSize, numTags, 64, Cell.LSTM, 128, 1, true, 0f, Vocabulary.PAD_ID,
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
      return new Config(vocabSize, numTags, v, cell, hiddenSize, layers, bidirectional, dropout,
          paddingIndex, init, seed);
    }

    public Config withCell(Cell v) {
      return new Config(vocabSize, numTags, embeddingSize, v, hiddenSize, layers, bidirectional,
          dropout, paddingIndex, init, seed);
    }

    public Config withHiddenSize(int v) {
      return new Config(vocabSize, numTags, embeddingSize, cell, v, layers, bidirectional, dropout,
          paddingIndex, init, seed);
    }

    public Config withLayers(int v) {
      return new Config(vocabSize, numTags, embeddingSize, cell, hiddenSize, v, bidirectional,
          dropout, paddingIndex, init, seed);
    }

    public Config withBidirectional(boolean v) {
      return new Config(vocabSize, numTags, embeddingSize, cell, hiddenSize, layers, v, dropout,
          paddingIndex, init, seed);
    }

    public Config withDropout(float v) {
      return new Config(vocabSize, numTags, embeddingSize, cell, hiddenSize, layers, bidirectional,
          v, paddingIndex, init, seed);
    }

    public Config withInit(RecurrentInit v) {
      return new Config(vocabSize, numTags, embeddingSize, cell, hiddenSize, layers, bidirectional,
          dropout, paddingIndex, v, seed);
    }

    public Config withSeed(long v) {
      return new Config(vocabSize, numTags, embeddingSize, cell, hiddenSize, layers, bidirectional,
          dropout, paddingIndex, init, v);
    }
  }

  private final Config config;
  private final Embedding embedding;
  private final RecurrentLayer rnn;
  private final Dropout dropout;
  private final Linear linear;

  /** A model with freshly initialised weights (seeded by {@code config.seed()}) on {@code device}. */
  public SequenceTagger(Config config, Device device) {
    super(KIND, device, Arguments.notNull("config", config)::toJson);
    this.config = config;
    long seed = config.seed();
    try {
      embedding = own("embedding", new Embedding(config.vocabSize(), config.embeddingSize(),
          config.paddingIndex(), SplitMix64.deriveSeed(seed, 0), device));
      rnn = own("rnn", new RecurrentLayer(config.cell(), config.embeddingSize(),
          config.hiddenSize(), config.layers(), config.bidirectional(), config.init(),
          SplitMix64.deriveSeed(seed, 1), device));
      dropout = new Dropout(config.dropout(), SplitMix64.deriveSeed(seed, 2), device);
      linear = own("linear", new Linear(rnn.outputSize(), config.numTags(), true,
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

  /**
   * Where a forward pass over {@code tokens} (inference) first becomes non-finite: embedding
   * output, a recurrent layer's output or the logits, with the time step and sequence; null when
   * it stays finite.
   */
  String locateNonFinite(PaddedBatch tokens) {
    try (Scope scope = Scope.open()) {
      Tensor embedded = embedding.forward(
          Sequences.idsWithoutPadding(tokens, config.vocabSize(), "tokens"), tokens.maxLength(), tokens.size());
      String found = NonFiniteScan.timeMajor(embedded, "embedding output");
      if (found != null) {
        return found;
      }
      RecurrentOutput out = rnn.forward(SequenceBatch.of(embedded, tokens.lengths()), null);
      found = NonFiniteScan.recurrent(rnn, out);
      return found != null ? found : NonFiniteScan.timeMajor(linear.forward(out.output()), "linear (logits)");
    }
  }

  private record Pass(int[] ids, RecurrentOutput out, long dropoutSeed, Tensor dropped, Tensor logits) {}

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
   * Forward in training mode, mean cross-entropy over the batch's real tokens, backward
   * (gradients ACCUMULATE into {@link #parameters()}).
   *
   * @return summed loss and the number of real tokens
   */
  public StepResult trainStep(TaggingBatch batch) {
    int[] targets = checkedTargets(batch);
    long count = CrossEntropy.counted(targets);
    try (Scope scope = Scope.open()) {
      Pass pass = forward(batch.tokens(), true);
      Tensor dLogits = Tensor.zeros(device(), pass.logits().shape());
      double loss = CrossEntropy.summed(pass.logits(), targets, count == 0 ? 0f : 1f / count, dLogits);
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
          throw new JrnnException("tags at step " + step + " of sentence " + s + " = " + targets[i]
              + " is outside 0.." + (config.numTags() - 1));
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
   * Mean loss per real token and token accuracy (inference).
   *
   * @return {@code "loss"} and {@code "accuracy"}
   */
  public Map<String, Double> evaluate(Iterable<TaggingBatch> batches) {
    double loss = 0;
    long count = 0;
    long correct = 0;
    int index = 0;
    for (TaggingBatch b : Arguments.notNull("batches", batches)) {
      int[] targets = checkedTargets(Arguments.notNull("batches[" + index++ + "]", b));
      try (Scope scope = Scope.open()) {
        Tensor logits = forward(b.tokens(), false).logits();
        loss += CrossEntropy.summed(logits, targets, 1f, null);
        int[][] predicted = argmaxPerToken(logits, b.tokens());
        for (int s = 0; s < predicted.length; s++) {
          for (int step = 0; step < predicted[s].length; step++) {
            correct += predicted[s][step] == targets[step * b.size() + s] ? 1 : 0;
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
    return m;
  }

  long dropoutSeedsDrawn() {
    return dropout.seedsDrawn();
  }

  void setDropoutSeedsDrawn(long count) {
    dropout.setSeedsDrawn(count);
  }
}
