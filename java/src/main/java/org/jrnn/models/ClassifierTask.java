/*
 * ClassifierTask: the Trainer's view of a SequenceClassifier (train step, evaluation, metric).
 */
package org.jrnn.models;

import java.util.Map;
import org.jrnn.train.Task;

/** Trains a {@link SequenceClassifier}; the primary metric is {@code "accuracy"} (higher is better). */
public final class ClassifierTask implements Task<ClassificationBatch> {
  private final SequenceClassifier model;

  public ClassifierTask(SequenceClassifier model) {
    this.model = model;
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

  @Override
  public String primaryMetric() {
    return "accuracy";
  }

  @Override
  public boolean higherIsBetter() {
    return true;
  }
}
