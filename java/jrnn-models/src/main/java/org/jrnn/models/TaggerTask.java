/*
 * TaggerTask: the Trainer's view of a SequenceTagger (train step, evaluation, metric,
 * and the dropout seed counter a checkpoint must carry).
 */
package org.jrnn.models;

import java.util.Map;
import org.jrnn.internal.Arguments;
import org.jrnn.train.NonFiniteLocator;
import org.jrnn.train.ResumableTask;
import org.jrnn.train.Task;

/**
 * Trains a {@link SequenceTagger}; the primary metric is {@code "accuracy"} over real tokens
 * (higher is better).
 */
public final class TaggerTask
    implements Task<TaggingBatch>, ResumableTask, NonFiniteLocator<TaggingBatch> {
  private static final String DROPOUT_SEEDS = "dropout.seeds";
  private final SequenceTagger model;

  public TaggerTask(SequenceTagger model) {
    this.model = Arguments.notNull("model", model);
  }

  @Override
  public SequenceTagger model() {
    return model;
  }

  @Override
  public StepResult trainStep(TaggingBatch batch) {
    return model.trainStep(batch);
  }

  /** {@code "loss"} and {@code "accuracy"}; see {@link SequenceTagger#evaluate}. */
  @Override
  public Map<String, Double> evaluate(Iterable<TaggingBatch> batches) {
    return model.evaluate(batches);
  }

  /**
   * Where the forward pass over {@code batch} first becomes non-finite (see {@link NonFiniteScan}).
   */
  @Override
  public String locateNonFinite(TaggingBatch batch) {
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
