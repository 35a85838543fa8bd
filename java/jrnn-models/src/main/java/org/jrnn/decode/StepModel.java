/*
 * StepModel: what the decoding strategies of org.jrnn.decode (Decoders) need of a generative model
 * (language model, sequence-to-sequence model, conditioned language model, captioner): an initial
 * state from the conditioning of each input, and one step that turns the previous tokens into
 * log-probabilities of the next.
 */
package org.jrnn.decode;

import java.util.List;
import org.jrnn.JrnnException;
import org.jrnn.Ops;
import org.jrnn.internal.Arguments;

/**
 * A generative model seen one token at a time, for many independent sequences (rows) at once.
 * {@code org.jrnn.models.LanguageModel} (conditioning: prompt token ids), {@code
 * org.jrnn.models.Seq2Seq} (source token ids, encoded by {@link #initialState}), {@code
 * org.jrnn.models.ConditionedLanguageModel} and {@code org.jrnn.caption.Captioner} (feature
 * vectors) implement it, so {@link Decoders} gives all of them greedy decoding, sampling and beam
 * search.
 *
 * <p>{@link Decoders} calls {@link #initialState} once per group of inputs that join the batch,
 * then {@link #step} once per generated token for all live rows together; between steps they
 * reorder, fork and compact the rows with {@link StepState#select(int[])} (one gather per step) and
 * add joining inputs with {@link StepState#append(StepState)}.
 *
 * @param <C> the conditioning of one input: a feature vector for a captioner or conditioned
 *     language model, the prompt's token ids for a language model, the source's token ids for a
 *     sequence-to-sequence model
 */
public interface StepModel<C> {

  /** V, the number of token ids; {@link #step} returns V log-probabilities per row. */
  int vocabSize();

  /**
   * The state of one new row per input, in order.
   *
   * @param inputs the conditioning of each input (at least one). Not modified.
   * @return a state with {@code inputs.size()} rows, owned by the caller
   */
  StepState initialState(List<C> inputs);

  /**
   * Feeds one token per row and advances the state.
   *
   * @param tokens the previous token of each row ({@code state.rows()} of them; the start token at
   *     the first step). Not modified.
   * @param state the rows to advance. Modified: advanced in place by one step.
   * @return the log-probabilities of the next token, row-major {@code [rows, V]} (a new array the
   *     caller may modify)
   */
  float[] step(int[] tokens, StepState state);

  /**
   * Like {@link #step}, but hands back only the best {@code top} log-probabilities of each row:
   * what beam search and greedy need when they block no n-grams (a beam keeps at most K + (live
   * beams) of a row's candidates, greedy one, and their rules drop at most one more, the end token
   * before the minimum length), so the whole {@code [rows, V]} array is not copied to the host and
   * scanned. Per row: values in descending order, ties to the lower token id, each identical to the
   * one {@link #step} would give; NaN and -inf entries and the {@code exclude}d tokens never
   * chosen.
   *
   * <p>The default calls {@link #step} and selects on the host; models whose logits live in a
   * tensor override it with {@code Ops.logSoftmaxTop} (one native pass per row on the CPU).
   *
   * @param tokens as for {@link #step}. Not modified.
   * @param state as for {@link #step}. Modified: advanced by one step.
   * @param top entries per row, >= 1
   * @param exclude token ids never chosen (each in 0..V-1). Not modified.
   * @param values at least rows·top floats. Modified: {@code [rows, top]}, -inf past a row's
   *     eligible entries
   * @param indices at least rows·top ints. Modified: {@code [rows, top]} token ids, -1 past them
   */
  default void stepTop(
      int[] tokens, StepState state, int top, int[] exclude, float[] values, int[] indices) {
    Arguments.notNull("tokens", tokens);
    Arguments.notNull("exclude", exclude);
    Arguments.notNull("values", values);
    Arguments.notNull("indices", indices);
    if (top < 1) {
      throw new JrnnException("top must be >= 1 but is " + top);
    }
    for (int i = 0; i < exclude.length; i++) {
      if (exclude[i] < 0 || exclude[i] >= vocabSize()) {
        throw new JrnnException(
            "exclude["
                + i
                + "] = "
                + exclude[i]
                + " is outside the vocabulary 0.."
                + (vocabSize() - 1));
      }
    }
    long need = (long) tokens.length * top;
    if (values.length < need || indices.length < need) {
      throw new JrnnException(
          "values and indices need rows * top = "
              + need
              + " entries but hold "
              + values.length
              + " and "
              + indices.length);
    }
    float[] lp = step(tokens, state);
    if (lp == null || lp.length != (long) tokens.length * vocabSize()) {
      throw new JrnnException(
          "step returned "
              + (lp == null ? "null" : lp.length + " values")
              + " for "
              + tokens.length
              + " rows of V = "
              + vocabSize());
    }
    Ops.topEntries(lp, tokens.length, vocabSize(), top, exclude, values, indices);
  }
}
