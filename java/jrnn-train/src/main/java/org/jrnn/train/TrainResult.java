/*
 * TrainResult: what Trainer.fit reports at the end of a run.
 */
package org.jrnn.train;

import java.util.List;
import java.util.Map;

/**
 * The outcome of {@link Trainer#fit}.
 *
 * @param stopReason why training ended
 * @param epochs epochs started (the last may be partial)
 * @param steps optimisation steps done (including those before a resume)
 * @param trainSeconds wall-clock seconds of the training loop (steps only; not validation or
 *     checkpoints; including those before a resume)
 * @param lastTrainLoss mean training loss over the last epoch's steps (NaN if none)
 * @param lastValidation the last validation's metrics (empty without validation)
 * @param bestValidation the metrics of the best validation by the task's primary metric
 * @param bestStep the step count at the best validation (-1 without validation)
 * @param restoredBest whether the parameters were set back to the best validation's
 * @param history every validation of the run, in order
 */
public record TrainResult(
    StopReason stopReason,
    int epochs,
    long steps,
    double trainSeconds,
    double lastTrainLoss,
    Map<String, Double> lastValidation,
    Map<String, Double> bestValidation,
    long bestStep,
    boolean restoredBest,
    List<Validation> history) {

  /** One validation: when and what it measured. */
  public record Validation(
      int epoch, long step, double trainSeconds, Map<String, Double> metrics) {}
}
