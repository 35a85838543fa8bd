// A batch of token-id sequences padded to the longest one, time-major like org.jrnn.SequenceBatch.
package org.jrnn.data;

import java.util.Arrays;
import java.util.List;
import org.jrnn.JrnnException;
import org.jrnn.internal.Arguments;

/**
 * Token ids of {@code size} sequences padded to {@code maxLength} steps, stored time-major ({@code
 * ids[t * size + n]}, the layout of {@code org.jrnn.SequenceBatch}), with each sequence's length.
 * The constructor checks that the four agree; the models check the ids against their vocabulary.
 *
 * @param ids the padded ids, time-major: {@code size * maxLength} of them
 * @param lengths the real length of each sequence, {@code size} of them, each in {@code
 *     0..maxLength}
 * @param size N, the number of sequences ({@code >= 0})
 * @param maxLength T, the number of steps ({@code >= 0})
 */
public record PaddedBatch(int[] ids, int[] lengths, int size, int maxLength) {

  /**
   * Checks the shapes.
   *
   * @throws JrnnException if an array is null, a size is negative, {@code ids} does not hold {@code
   *     size * maxLength} ids or a length is outside {@code 0..maxLength}
   */
  public PaddedBatch {
    Arguments.notNull("ids", ids);
    Arguments.notNull("lengths", lengths);
    if (size < 0 || maxLength < 0) {
      throw new JrnnException("size and maxLength must be >= 0 but are " + size + ", " + maxLength);
    }
    if (lengths.length != size) {
      throw new JrnnException("lengths has " + lengths.length + " entries but size is " + size);
    }
    if (ids.length != (long) size * maxLength) {
      throw new JrnnException(
          "ids has "
              + ids.length
              + " entries but size * maxLength = "
              + size
              + " * "
              + maxLength
              + " = "
              + (long) size * maxLength);
    }
    for (int i = 0; i < size; i++) {
      if (lengths[i] < 0 || lengths[i] > maxLength) {
        throw new JrnnException(
            "lengths[" + i + "] = " + lengths[i] + " is outside 0.." + maxLength + " (maxLength)");
      }
    }
  }

  /**
   * Pads {@code sequences.get(i)} for each {@code i} of {@code indices} (e.g. one batch from {@link
   * Batches}), in that order, with {@link Vocabulary#PAD_ID}.
   */
  public static PaddedBatch of(List<int[]> sequences, int[] indices) {
    return of(sequences, indices, Vocabulary.PAD_ID);
  }

  /** As {@link #of(List, int[])} with another padding id. */
  public static PaddedBatch of(List<int[]> sequences, int[] indices, int padId) {
    Arguments.notNull("sequences", sequences);
    Arguments.notNull("indices", indices);
    int n = indices.length;
    int[] lengths = new int[n];
    int t = 0;
    for (int k = 0; k < n; k++) {
      int i = indices[k];
      if (i < 0 || i >= sequences.size()) {
        throw new JrnnException(
            "indices["
                + k
                + "] = "
                + i
                + " is outside 0.."
                + (sequences.size() - 1)
                + " (the sequences)");
      }
      lengths[k] = Arguments.notNull("sequence " + i, sequences.get(i)).length;
      t = Math.max(t, lengths[k]);
    }
    int[] ids =
        new int[Arguments.arrayLength("a padded batch of " + n + " x " + t + " ids", (long) t * n)];
    Arrays.fill(ids, padId);
    for (int k = 0; k < n; k++) {
      int[] s = sequences.get(indices[k]);
      for (int step = 0; step < s.length; step++) {
        ids[step * n + k] = s[step];
      }
    }
    return new PaddedBatch(ids, lengths, n, t);
  }

  /** The id at step {@code t} of sequence {@code n} (padding past its length). */
  public int id(int t, int n) {
    if (t < 0 || t >= maxLength || n < 0 || n >= size) {
      throw new JrnnException(
          "(step "
              + t
              + ", sequence "
              + n
              + ") is outside the batch of "
              + size
              + " sequences x "
              + maxLength
              + " steps");
    }
    return ids[t * size + n];
  }

  /** The ids batch-first ({@code [n * maxLength + t]}). */
  public int[] batchFirst() {
    int[] out = new int[ids.length];
    for (int n = 0; n < size; n++) {
      for (int t = 0; t < maxLength; t++) {
        out[n * maxLength + t] = ids[t * size + n];
      }
    }
    return out;
  }
}
