/*
 * NonFiniteLocator: an optional extension of Task that says where a forward pass first became
 * non-finite (layer and time step), for the trainer's NaN/Inf guard.
 */
package org.jrnn.train;

/**
 * Implemented by a {@link Task} that can re-run its forward pass on a batch and find the first
 * layer and time step whose activations are NaN or infinite. The trainer calls it only after its
 * guard has found a non-finite loss or gradient, and adds the answer to the exception's message.
 *
 * @param <B> the batch type
 */
public interface NonFiniteLocator<B> {

  /**
   * Where the forward pass over {@code batch} first produced a non-finite value, e.g. {@code "layer
   * rnn (LSTM layer 1), time step 37, sequence 4"}, or null when it stays finite.
   */
  String locateNonFinite(B batch);
}
