/*
 * ClassifierTask: the Trainer's view of a SequenceClassifier (train step, evaluation, metric,
 * and the dropout seed counter a checkpoint must carry).
 */
package org.jrnn.models;

import java.util.Map;
import org.jrnn.internal.Arguments;
import org.jrnn.train.NonFiniteLocator;
import org.jrnn.train.ResumableTask;
import org.jrnn.train.Task;

/**
 * Trains a {@link SequenceClassifier}; the primary metric is {@code "accuracy"} (higher is better).
 */
public final class ClassifierTask
    implements Task<ClassificationBatch>, ResumableTask, NonFiniteLocator<ClassificationBatch> {
  private static final String DROPOUT_SEEDS = "dropout.seeds";
  private final SequenceClassifier model;

  public ClassifierTask(SequenceClassifier model) {
    this.model = Arguments.notNull("model", model);
  }

  @Override
  public SequenceClassifier model() {
    return model;
  }

  @Override
  public StepResult trainStep(ClassificationBatch batch) {
    return model.trainStep(batch);
  }

  /** {@code "loss"} and {@code "accuracy"}; see {@link SequenceClassifier#evaluate}. */
  @Override
  public Map<String, Double> evaluate(Iterable<ClassificationBatch> batches) {
    return model.evaluate(batches);
  }

  /**
   * Where the forward pass over {@code batch} first becomes non-finite (see {@link NonFiniteScan}).
   */
  @Override
  public String locateNonFinite(ClassificationBatch batch) {
    return model.locateNonFinite(batch.tokens());
  }

  @Override
  public String primaryMetric() {
    return "accuracy";
  }

  @Override
  public boolean higherIsBetter() {
    return true;
  }

  /** The dropout seed counter ({@code "dropout.seeds"}). */
  @Override
  public State trainingState() {
    return new State(Map.of(), Map.of(DROPOUT_SEEDS, Long.toString(model.dropoutSeedsDrawn())));
  }

  @Override
  public void restoreTrainingState(State state) {
    Arguments.notNull("state", state);
    model.setDropoutSeedsDrawn(TaskStates.longValue(state, DROPOUT_SEEDS));
  }
}
