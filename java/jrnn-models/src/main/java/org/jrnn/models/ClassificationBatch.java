/*
 * ClassificationBatch: padded token ids of N sequences and one class label each.
 */
package org.jrnn.models;

import org.jrnn.JrnnException;
import org.jrnn.data.PaddedBatch;
import org.jrnn.internal.Arguments;

/**
 * The input of {@link SequenceClassifier}: N token sequences (time-major, padded) and their labels.
 *
 * @param tokens ids {@code [T, N]} time-major with each sequence's length ({@code >= 1})
 * @param labels N class ids in {@code 0..K-1}
 */
public record ClassificationBatch(PaddedBatch tokens, int[] labels) {
  /**
   * Checks the parts agree.
   *
   * @throws JrnnException if either is null or there is not one label per sequence
   */
  public ClassificationBatch {
    Arguments.notNull("tokens", tokens);
    Arguments.notNull("labels", labels);
    if (labels.length != tokens.size()) {
      throw new JrnnException(
          "labels has "
              + labels.length
              + " entries but the batch has "
              + tokens.size()
              + " sequences");
    }
  }

  /** N, the number of sequences. */
  public int size() {
    return tokens.size();
  }
}
