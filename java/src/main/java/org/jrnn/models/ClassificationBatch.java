/*
 * ClassificationBatch: padded token ids of N sequences and one class label each.
 */
package org.jrnn.models;

import org.jrnn.JrnnException;
import org.jrnn.data.PaddedBatch;

/**
 * The input of {@link SequenceClassifier}: N token sequences (time-major, padded) and their
 * labels.
 *
 * @param tokens ids {@code [T, N]} time-major with each sequence's length ({@code >= 1})
 * @param labels N class ids in {@code 0..K-1}
 */
public record ClassificationBatch(PaddedBatch tokens, int[] labels) {
  public ClassificationBatch {
    if (labels.length != tokens.size()) {
      throw new JrnnException(
          "labels has " + labels.length + " entries but the batch has " + tokens.size() + " sequences");
    }
  }

  /** N, the number of sequences. */
  public int size() {
    return tokens.size();
  }
}
