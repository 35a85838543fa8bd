/*
 * Sequences: small helpers the models share for padded id batches.
 */
package org.jrnn.models;

import java.util.List;
import org.jrnn.JrnnException;
import org.jrnn.data.PaddedBatch;

/** Id-array helpers for padded, time-major batches. */
final class Sequences {
  private Sequences() {}

  /**
   * The ids of a padded batch with every position past a sequence's length set to -1.
   *
   * @throws JrnnException naming the first sequence without tokens
   */
  static int[] idsWithoutPadding(PaddedBatch batch) {
    requireNonEmpty(batch, "sequence");
    int[] ids = batch.ids().clone();
    int n = batch.size();
    for (int s = 0; s < n; s++) {
      for (int t = batch.lengths()[s]; t < batch.maxLength(); t++) {
        ids[t * n + s] = -1;
      }
    }
    return ids;
  }

  /** Checks every sequence of a padded batch has at least one token, naming the first that has none. */
  static void requireNonEmpty(PaddedBatch batch, String what) {
    for (int i = 0; i < batch.size(); i++) {
      if (batch.lengths()[i] < 1) {
        throw new JrnnException(what + " " + i + " of the batch has no tokens (every sequence needs at least one)");
      }
    }
  }

  /** Checks every sequence has at least one token, naming the first that has none. */
  static void requireNonEmpty(List<int[]> sequences, String what) {
    for (int i = 0; i < sequences.size(); i++) {
      if (sequences.get(i) == null || sequences.get(i).length == 0) {
        throw new JrnnException(what + " " + i + " has no tokens (every sequence needs at least one)");
      }
    }
  }

  /** Checks each id is in 0..bound-1, naming the first that is not. */
  static void requireIds(int[] ids, int bound, String what) {
    for (int i = 0; i < ids.length; i++) {
      if (ids[i] < 0 || ids[i] >= bound) {
        throw new JrnnException(what + "[" + i + "] = " + ids[i] + " is outside 0.." + (bound - 1));
      }
    }
  }
}
