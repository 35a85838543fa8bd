/*
 * StepModel: what the decoders of org.jrnn.decode need of a decoder model (language model,
 * captioner, sequence-to-sequence decoder): an initial state from the conditioning of each input,
 * and one step that turns the previous tokens into log-probabilities of the next.
 */
package org.jrnn.decode;

import java.util.List;

/**
 * A decoder seen one token at a time, for many independent sequences (rows) at once.
 *
 * <p>The decoders call {@link #initialState} once per group of inputs that join the batch, then
 * {@link #step} once per generated token for all live rows together; between steps they reorder,
 * fork and compact the rows with {@link DecoderState#select(int[])} (one gather per step) and add
 * joining inputs with {@link DecoderState#append(DecoderState)}.
 *
 * @param <C> the conditioning of one input: a feature vector for a captioner, a prompt or nothing
 *     for a language model, an encoded source for a sequence-to-sequence model
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
  DecoderState initialState(List<C> inputs);

  /**
   * Feeds one token per row and advances the state.
   *
   * @param tokens the previous token of each row ({@code state.rows()} of them; the start token at
   *     the first step). Not modified.
   * @param state the rows to advance. Modified: advanced in place by one step.
   * @return the log-probabilities of the next token, row-major {@code [rows, V]} (a new array the
   *     caller may modify)
   */
  float[] step(int[] tokens, DecoderState state);
}
