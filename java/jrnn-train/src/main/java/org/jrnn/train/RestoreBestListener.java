/*
 * RestoreBestListener: keeps a copy of the parameters at the best validation and puts it back when
 * training ends.
 */
package org.jrnn.train;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Snapshots the parameters (host copies) whenever the primary metric improves and restores them at
 * the end unless the last step was the best. The snapshot travels in checkpoints.
 */
final class RestoreBestListener implements TrainingListener {
  private Map<String, float[]> best;

  @Override
  public void onStart(TrainingContext context) {
    if (context.resumedFrom != null && !context.resumedFrom.best().isEmpty()) {
      best = new LinkedHashMap<>(context.resumedFrom.best());
    }
  }

  @Override
  public void afterValidation(TrainingContext context, Map<String, Double> metrics) {
    if (context.validationsSinceBest() == 0) {
      best = Checkpoint.snapshot(context.model());
    }
  }

  @Override
  public void onEnd(TrainingContext context) {
    if (best != null && context.bestStep() != context.step()) {
      Checkpoint.restoreParameters(context.model(), best, "best snapshot");
      context.restoredBest = true;
    }
  }

  /** The parameters at the best validation so far (for checkpoints), or null. */
  Map<String, float[]> best() {
    return best;
  }
}
