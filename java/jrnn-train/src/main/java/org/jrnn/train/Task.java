/*
 * Task: the contract between a model (what to compute on a batch) and the Trainer (how to train).
 */
package org.jrnn.train;

import java.util.Map;
import org.jrnn.nn.Trainable;

/**
 * One kind of training work on batches of type {@code B} (classification, language modelling,
 * tagging, sequence-to-sequence, conditioned generation). The {@code Trainer} owns the loop
 * (epochs, optimiser, clipping, schedules, checkpoints, early stopping, logs); the task owns the
 * model's forward, loss and backward on one batch, and its evaluation metrics.
 *
 * @param <B> the batch type, produced by a {@link BatchSource}
 */
public interface Task<B> {

  /** The model whose parameters the trainer updates. */
  Trainable model();

  /**
   * Forward in training mode, loss, and backward: gradients ACCUMULATE into {@code
   * model().parameters()} (the trainer zeroes them before each step). The loss is scaled so the
   * gradient is that of the mean loss over the batch's counted items.
   *
   * @return the summed (unscaled) loss over the batch's items and how many items were counted
   *     (examples, or non-padding tokens)
   */
  StepResult trainStep(B batch);

  /**
   * Evaluates without updating anything. Keys are metric names (e.g. {@code "loss"}, {@code
   * "accuracy"}, {@code "bits_per_char"}); {@link #primaryMetric()} must be among them.
   */
  Map<String, Double> evaluate(Iterable<B> batches);

  /** The metric that early stopping and "best checkpoint" selection use. */
  String primaryMetric();

  /** Whether a larger {@link #primaryMetric()} is better (accuracy) or worse (loss, bits). */
  boolean higherIsBetter();

  /** Called at the start of every epoch (e.g. to reset carried state for truncated BPTT). */
  default void startEpoch(int epoch) {}

  /** Summed loss and the number of items it covers. */
  record StepResult(double lossSum, long count) {
    public double mean() {
      return count == 0 ? 0.0 : lossSum / count;
    }
  }
}
