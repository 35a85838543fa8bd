/*
 * CrossEntropy: the token-level softmax cross-entropy the decoders, the tagger and the language
 * model share, where a target of -1 (padding, or a position not counted) adds no loss.
 */
package org.jrnn.models;

import org.jrnn.Ops;
import org.jrnn.Tensor;

/** Summed softmax cross-entropy over rows whose target may be -1 (not counted). */
final class CrossEntropy {
  private CrossEntropy() {}

  /** How many targets count (are {@code >= 0}). */
  static long counted(int[] targets) {
    long n = 0;
    for (int t : targets) {
      n += t >= 0 ? 1 : 0;
    }
    return n;
  }

  /**
   * The summed loss of {@code logits [rows, V]} against {@code targets [rows]}, without label
   * smoothing; {@code dLogits} (or null) gets the gradient of {@code scale · summed loss}.
   */
  static double summed(Tensor logits, int[] targets, float scale, Tensor dLogits) {
    Tensor perRow = Tensor.zeros(logits.device(), targets.length);
    Ops.softmaxCrossEntropy(logits, targets, 0f, scale, perRow, dLogits);
    double sum = 0;
    for (float v : perRow.toArray()) {
      sum += v;
    }
    return sum;
  }
}
