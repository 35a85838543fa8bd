/*
 * Seq2SeqTask: the Trainer's view of a Seq2Seq model (teacher-forced steps,
 * evaluation by greedy exact match).
 */
package org.jrnn.models;

import java.util.Map;
import org.jrnn.JrnnException;
import org.jrnn.internal.Arguments;
import org.jrnn.train.Task;

/**
 * Trains a {@link Seq2Seq}; the primary metric is {@code "exact_match"} of greedy decoding (higher
 * is better).
 */
public final class Seq2SeqTask implements Task<Seq2SeqBatch> {
  private final Seq2Seq model;
  private final int maxLength;

  /**
   * @param model the encoder-decoder
   * @param maxLength the most tokens greedy decoding may produce in evaluation
   */
  public Seq2SeqTask(Seq2Seq model, int maxLength) {
    if (maxLength < 1) {
      throw new JrnnException("maxLength must be >= 1 but is " + maxLength);
    }
    this.model = Arguments.notNull("model", model);
    this.maxLength = maxLength;
  }

  @Override
  public Seq2Seq model() {
    return model;
  }

  @Override
  public StepResult trainStep(Seq2SeqBatch batch) {
    return model.trainStep(batch);
  }

  /** {@code "loss"} and {@code "exact_match"}; see {@link Seq2Seq#evaluate}. */
  @Override
  public Map<String, Double> evaluate(Iterable<Seq2SeqBatch> batches) {
    return model.evaluate(batches, maxLength);
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
