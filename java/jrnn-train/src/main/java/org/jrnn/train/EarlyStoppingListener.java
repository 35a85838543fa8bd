/*
 * EarlyStoppingListener: stops training when the task's primary metric has not improved for a
 * number of validations.
 */
package org.jrnn.train;

import java.util.Map;

/**
 * Requests {@link StopReason#EARLY_STOPPING} after {@code patience} validations without
 * improvement.
 */
final class EarlyStoppingListener implements TrainingListener {
  private final int patience;

  /**
   * @param patience validations without improvement that end training, {@code >= 1}
   */
  EarlyStoppingListener(int patience) {
    this.patience = patience;
  }

  /** A resumed run whose checkpoint had run out of patience does not start again. */
  @Override
  public void onStart(TrainingContext context) {
    stopIfOutOfPatience(context);
  }

  @Override
  public void afterValidation(TrainingContext context, Map<String, Double> metrics) {
    stopIfOutOfPatience(context);
  }

  private void stopIfOutOfPatience(TrainingContext context) {
    if (context.validationsSinceBest() >= patience) {
      context.requestStop(StopReason.EARLY_STOPPING);
    }
  }
}
