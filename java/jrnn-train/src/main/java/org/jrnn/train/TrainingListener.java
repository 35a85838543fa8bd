/*
 * TrainingListener: what a Trainer tells observers while it trains (user listeners and the
 * built-in checkpoints, early stopping, non-finite guard, metrics log, progress bar and text log).
 */
package org.jrnn.train;

import java.util.Map;

/**
 * Callbacks of a {@link Trainer#fit} run; every method does nothing unless overridden. Add one with
 * {@link Trainer.Builder#listener(TrainingListener)}.
 *
 * <p>The calls of one run, in order:
 *
 * <pre>
 * onStart
 * for each epoch:
 *   onEpochStart
 *   for each step:
 *     beforeUpdate      gradients computed; clipping and the optimiser step come next
 *     afterUpdate       parameters updated
 *     afterValidation   when the step is a validation step ({@code validateEvery})
 *     onStepEnd
 *   afterValidation     when validating at epoch ends
 *   onEpochEnd          also for the last, partial epoch of a run stopped inside one
 * onEnd                 only when the run ends without an exception
 * </pre>
 *
 * <p>Each call goes to the built-in listeners first, in this order: non-finite guard, progress bar,
 * metrics log, text log, early stopping, best-parameter restore, checkpoint (so a checkpoint
 * records what the others did at the same call); then to the listeners given to the builder, in the
 * order they were given.
 *
 * <p>A listener stops training with {@link TrainingContext#requestStop}: the trainer checks after
 * every step and before every epoch. An exception thrown by a listener ends {@link Trainer#fit}: it
 * reaches the caller unchanged, the listeners after it do not see that call, and {@code onEnd} is
 * not called.
 */
public interface TrainingListener {

  /**
   * Before the first epoch; {@link TrainingContext#resumed()} says whether a checkpoint was loaded.
   */
  default void onStart(TrainingContext context) {}

  /**
   * After {@link Task#startEpoch}, before the epoch's first step ({@link TrainingContext#epoch()}).
   */
  default void onEpochStart(TrainingContext context) {}

  /**
   * After the backward pass of a step, before clipping and the optimiser step; throwing here keeps
   * the parameters as they are. {@link TrainingContext#step()} is still the number of updates made
   * before this one.
   *
   * @param loss the step's mean loss
   * @param gradientNorm the global L2 norm of all parameters' gradients, before clipping
   */
  default void beforeUpdate(TrainingContext context, double loss, double gradientNorm) {}

  /**
   * After the optimiser step: {@link TrainingContext#step()} counts it, {@link
   * TrainingContext#lastLoss()} is its loss.
   */
  default void afterUpdate(TrainingContext context) {}

  /**
   * After a validation (recorded in {@link TrainingContext#validations()}).
   *
   * @param metrics the task's metrics on the validation batches (read-only)
   */
  default void afterValidation(TrainingContext context, Map<String, Double> metrics) {}

  /** At the end of a step, after its validation if it had one. */
  default void onStepEnd(TrainingContext context) {}

  /**
   * At the end of an epoch, or of the partial epoch a stopped run ends in. The context already
   * shows where training would continue: the next epoch's start after a complete epoch.
   */
  default void onEpochEnd(TrainingContext context, EpochSummary epoch) {}

  /**
   * When training has stopped ({@link TrainingContext#stopReason()}), after the last checkpoint;
   * the parameters may still change here (the best-parameter restore runs in this call).
   */
  default void onEnd(TrainingContext context) {}

  /**
   * What an epoch did.
   *
   * @param epoch the 0-based epoch
   * @param complete false for the partial epoch a stopped run ends in
   * @param trainLoss mean training loss over the epoch's steps (NaN without steps)
   * @param validation the metrics of the validation at the epoch's end, empty if there was none
   */
  record EpochSummary(
      int epoch, boolean complete, double trainLoss, Map<String, Double> validation) {}
}
