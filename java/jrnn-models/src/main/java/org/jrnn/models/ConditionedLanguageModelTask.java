/*
 * ConditionedLanguageModelTask: the Trainer's view of a ConditionedLanguageModel (teacher-forced
 * steps, evaluation by greedy exact match).
 */
package org.jrnn.models;

import java.util.Map;
import org.jrnn.JrnnException;
import org.jrnn.internal.Arguments;
import org.jrnn.train.NonFiniteLocator;
import org.jrnn.train.Task;

/**
 * Trains a {@link ConditionedLanguageModel}; the primary metric is {@code "exact_match"} of greedy
 * decoding (higher is better).
 */
public final class ConditionedLanguageModelTask
    implements Task<ConditionedBatch>, NonFiniteLocator<ConditionedBatch> {
  private final ConditionedLanguageModel model;
  private final int maxLength;

  /**
   * @param model the conditioned language model
   * @param maxLength the most tokens greedy decoding may produce in evaluation (torch_digits.py:
   *     10)
   */
  public ConditionedLanguageModelTask(ConditionedLanguageModel model, int maxLength) {
    if (maxLength < 1) {
      throw new JrnnException("maxLength must be >= 1 but is " + maxLength);
    }
    this.model = Arguments.notNull("model", model);
    this.maxLength = maxLength;
  }

  @Override
  public ConditionedLanguageModel model() {
    return model;
  }

  @Override
  public StepResult trainStep(ConditionedBatch batch) {
    return model.trainStep(batch);
  }

  /** {@code "loss"} and {@code "exact_match"}; see {@link ConditionedLanguageModel#evaluate}. */
  @Override
  public Map<String, Double> evaluate(Iterable<ConditionedBatch> batches) {
    return model.evaluate(batches, maxLength);
  }

  /**
   * Where the forward pass over {@code batch} first becomes non-finite (see {@link NonFiniteScan}).
   */
  @Override
  public String locateNonFinite(ConditionedBatch batch) {
    return model.locateNonFinite(batch);
  }

  @Override
  public String primaryMetric() {
    return "exact_match";
  }

  @Override
  public boolean higherIsBetter() {
    return true;
  }
}
