/*
 * Sequences: small helpers the models share for padded id batches and their argument checks.
 */
package org.jrnn.models;

import java.util.List;
import org.jrnn.JrnnException;
import org.jrnn.data.PaddedBatch;
import org.jrnn.internal.Arguments;

/** Id-array helpers for padded, time-major batches. */
final class Sequences {
  private Sequences() {}

  /**
   * The ids of a padded batch with every position past a sequence's length set to -1, after
   * checking the batch is fit for a model with {@code vocab} ids.
   *
   * @param what what the batch is, for messages ("tokens", "sources", ...)
   * @throws JrnnException if the batch is null or empty, a sequence has no tokens, or an id within
   *     a sequence's length is outside {@code 0..vocab-1}
   */
  static int[] idsWithoutPadding(PaddedBatch batch, int vocab, String what) {
    Arguments.notNull(what, batch);
    int n = batch.size();
    if (n == 0) {
      throw new JrnnException(what + " has no sequences (a batch needs at least one)");
    }
    int[] lengths = batch.lengths();
    int[] ids = batch.ids().clone();
    for (int s = 0; s < n; s++) {
      if (lengths[s] < 1) {
        throw new JrnnException(
            what
                + ": sequence "
                + s
                + " of the batch has no tokens (every sequence needs at least one)");
      }
    }
    for (int t = 0; t < batch.maxLength(); t++) {
      for (int s = 0; s < n; s++) {
        int i = t * n + s;
        if (t >= lengths[s]) {
          ids[i] = -1;
        } else if (ids[i] < 0 || ids[i] >= vocab) {
          throw new JrnnException(
              what
                  + ": sequence "
                  + s
                  + ", step "
                  + t
                  + " holds id "
                  + ids[i]
                  + ", outside the vocabulary 0.."
                  + (vocab - 1));
        }
      }
    }
    return ids;
  }

  /** Checks every sequence is there and has at least one token, naming the first that does not. */
  static void requireNonEmpty(List<int[]> sequences, String what) {
    Arguments.notNull(what + "s", sequences);
    for (int i = 0; i < sequences.size(); i++) {
      if (sequences.get(i) == null || sequences.get(i).length == 0) {
        throw new JrnnException(
            what
                + " "
                + i
                + (sequences.get(i) == null ? " is null" : " has no tokens")
                + " (every sequence needs at least one token)");
      }
    }
  }

  /** Checks each id is in 0..bound-1, naming the first that is not. */
  static void requireIds(int[] ids, int bound, String what) {
    Arguments.notNull(what, ids);
    for (int i = 0; i < ids.length; i++) {
      if (ids[i] < 0 || ids[i] >= bound) {
        throw new JrnnException(what + "[" + i + "] = " + ids[i] + " is outside 0.." + (bound - 1));
      }
    }
  }

  /** The number of batches of {@code batchSize} that cover {@code size} items (no int overflow). */
  static int batchCount(int size, int batchSize) {
    return (int) (((long) size + batchSize - 1) / batchSize);
  }
}
