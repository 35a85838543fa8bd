/*
 * StopReason: why Trainer.fit ended.
 */
package org.jrnn.train;

/** Why a training run ended. */
public enum StopReason {
  /** All requested epochs ran. */
  EPOCHS,
  /** The step limit was reached. */
  MAX_STEPS,
  /** The time budget was used up. */
  TIME_BUDGET,
  /** The primary metric did not improve for {@code patience} validations. */
  EARLY_STOPPING,
  /** The resumed checkpoint was already complete. */
  ALREADY_DONE,
  /** A {@link TrainingListener} asked to stop ({@link TrainingContext#requestStop}). */
  STOPPED_BY_LISTENER
}
