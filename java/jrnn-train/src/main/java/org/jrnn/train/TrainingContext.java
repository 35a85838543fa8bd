/*
 * TrainingContext: where a Trainer.fit run stands, as its listeners see it.
 */
package org.jrnn.train;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.jrnn.JrnnException;
import org.jrnn.nn.Parameter;
import org.jrnn.nn.Trainable;
import org.jrnn.optim.Optimizer;

/**
 * The state of one {@link Trainer#fit} run, read-only for {@link TrainingListener}s except for
 * {@link #requestStop}. The trainer updates it between calls; a listener should not keep it after
 * {@code fit} returns. Counters include the steps and validations before a resume.
 */
public final class TrainingContext {
  // fixed for the run
  final Task<?> task;
  final Trainable model;
  final List<Parameter> parameters;
  final Optimizer optimizer;
  final int plannedEpochs;
  final int batchesPerEpoch;
  final long plannedSteps;
  final long seed;
  final boolean hasValidation;

  // the position; a checkpoint records these
  int epoch;
  int batchInEpoch;
  long step;
  double trainSeconds;
  double epochLossSum;
  long epochLossCount;
  double bestMetric = Double.NaN;
  long bestStep = -1;
  int validationsSinceBest;
  final List<TrainResult.Validation> history = new ArrayList<>();

  // rebuilt on resume or kept for the result
  long lastValidationStep = -1;
  Task.StepResult lastStepResult;
  double lastGradientNorm = Double.NaN;
  double lastLossOfEpoch = Double.NaN;
  StopReason stopReason;

  /** The checkpoint this run continued from (null: a run from the start). */
  Checkpoint resumedFrom;

  /** Whether the parameters were set back to the best validation's at the end. */
  boolean restoredBest;

  /** Where the current batch's forward pass became non-finite (the task's locator), or null. */
  Supplier<String> nonFiniteLocator;

  TrainingContext(
      Task<?> task,
      Optimizer optimizer,
      int plannedEpochs,
      int batchesPerEpoch,
      long plannedSteps,
      long seed,
      boolean hasValidation) {
    this.task = task;
    this.model = task.model();
    this.parameters = model.parameters();
    this.optimizer = optimizer;
    this.plannedEpochs = plannedEpochs;
    this.batchesPerEpoch = batchesPerEpoch;
    this.plannedSteps = plannedSteps;
    this.seed = seed;
    this.hasValidation = hasValidation;
  }

  /** The task being trained. */
  public Task<?> task() {
    return task;
  }

  /** The model being trained ({@code task().model()}). */
  public Trainable model() {
    return model;
  }

  /** The model's parameters, in model order. */
  public List<Parameter> parameters() {
    return parameters;
  }

  /** The optimiser updating the parameters. */
  public Optimizer optimizer() {
    return optimizer;
  }

  /** The optimiser's current learning rate (the schedule's value for the last step). */
  public double learningRate() {
    return optimizer.learningRate();
  }

  /** The seed of the batch order. */
  public long seed() {
    return seed;
  }

  /** Epochs the run will take at most; 0 when a step limit or time budget decides. */
  public int plannedEpochs() {
    return plannedEpochs;
  }

  /** Batches (steps) in one epoch. */
  public int batchesPerEpoch() {
    return batchesPerEpoch;
  }

  /** Steps the run will take at most when known (epochs or a step limit); 0 otherwise. */
  public long plannedSteps() {
    return plannedSteps;
  }

  /** Whether the run validates (a validation source was given). */
  public boolean hasValidation() {
    return hasValidation;
  }

  /** Whether this run continued from a checkpoint. */
  public boolean resumed() {
    return resumedFrom != null;
  }

  /** The 0-based epoch in progress (after {@code onEpochEnd} of a complete epoch: the next one). */
  public int epoch() {
    return epoch;
  }

  /** Steps done in the current epoch. */
  public int batchInEpoch() {
    return batchInEpoch;
  }

  /** Optimisation steps done. */
  public long step() {
    return step;
  }

  /** Seconds spent in training steps (not validation or checkpoints). */
  public double trainSeconds() {
    return trainSeconds;
  }

  /** The last step's mean loss (NaN before the first step of this run). */
  public double lastLoss() {
    return lastStepResult == null ? Double.NaN : lastStepResult.mean();
  }

  /**
   * The last step's global gradient norm before clipping (NaN before the first step of this run).
   */
  public double lastGradientNorm() {
    return lastGradientNorm;
  }

  /** Mean training loss over the current epoch's steps so far (NaN without steps). */
  public double epochTrainLoss() {
    return epochLossCount == 0 ? Double.NaN : epochLossSum / epochLossCount;
  }

  /** Every validation so far, in order (read-only). */
  public List<TrainResult.Validation> validations() {
    return Collections.unmodifiableList(history);
  }

  /** The metrics of the last validation; empty before the first. */
  public Map<String, Double> lastValidation() {
    return history.isEmpty() ? Map.of() : history.get(history.size() - 1).metrics();
  }

  /** The best value of the task's primary metric so far (NaN before the first validation). */
  public double bestMetric() {
    return bestMetric;
  }

  /** The step of the best validation (-1 before the first). */
  public long bestStep() {
    return bestStep;
  }

  /** Validations since the primary metric last improved (0 right after an improvement). */
  public int validationsSinceBest() {
    return validationsSinceBest;
  }

  /** Why training stopped or will stop; null while it goes on. */
  public StopReason stopReason() {
    return stopReason;
  }

  /**
   * Asks the trainer to stop after the current step (or before the next epoch, when called between
   * epochs). The first request of a run wins; later ones are ignored.
   *
   * @param reason what {@link TrainResult#stopReason()} will say, e.g. {@link
   *     StopReason#STOPPED_BY_LISTENER}
   * @throws JrnnException when {@code reason} is null or {@link StopReason#ALREADY_DONE}
   */
  public void requestStop(StopReason reason) {
    if (reason == null || reason == StopReason.ALREADY_DONE) {
      throw new JrnnException("a stop needs a reason other than " + reason);
    }
    if (stopReason == null) {
      stopReason = reason;
    }
  }

  // ------------------------------------------------------------------ the trainer's updates

  void recordStep(Task.StepResult result, double gradientNorm, double seconds) {
    trainSeconds += seconds;
    step++;
    batchInEpoch++;
    epochLossSum += result.lossSum();
    epochLossCount += result.count();
    lastStepResult = result;
    lastGradientNorm = gradientNorm;
  }

  /** Records a validation; {@code value} is the primary metric. */
  void recordValidation(Map<String, Double> metrics, double value, boolean higherIsBetter) {
    history.add(new TrainResult.Validation(epoch, step, trainSeconds, metrics));
    lastValidationStep = step;
    boolean better =
        Double.isNaN(bestMetric) || (higherIsBetter ? value > bestMetric : value < bestMetric);
    if (better && !Double.isNaN(value)) {
      bestMetric = value;
      bestStep = step;
      validationsSinceBest = 0;
    } else {
      validationsSinceBest++;
    }
  }

  /** Moves to the start of the next epoch; returns the finished epoch's mean training loss. */
  double finishEpoch() {
    double loss = epochTrainLoss();
    epoch++;
    batchInEpoch = 0;
    lastLossOfEpoch = loss;
    epochLossSum = 0;
    epochLossCount = 0;
    return loss;
  }

  /** The position for a checkpoint (the metrics log's part from its listener). */
  Checkpoint.TrainerState state(
      double windowLossSum, long windowLossCount, Checkpoint.MetricsLogState log) {
    return new Checkpoint.TrainerState(
        epoch,
        batchInEpoch,
        step,
        seed,
        trainSeconds,
        epochLossSum,
        epochLossCount,
        bestMetric,
        bestStep,
        validationsSinceBest,
        history,
        windowLossSum,
        windowLossCount,
        log);
  }

  /** Continues from {@code c}'s position (model and optimiser are restored by the caller). */
  void resumeFrom(Checkpoint c) {
    Checkpoint.TrainerState s = c.trainer();
    epoch = s.epoch();
    batchInEpoch = s.batchInEpoch();
    step = s.step();
    trainSeconds = s.trainSeconds();
    epochLossSum = s.epochLossSum();
    epochLossCount = s.epochLossCount();
    bestMetric = s.bestMetric();
    bestStep = s.bestStep();
    validationsSinceBest = s.badValidations();
    history.addAll(s.history());
    lastValidationStep = history.isEmpty() ? -1 : history.get(history.size() - 1).step();
    resumedFrom = c;
  }
}
