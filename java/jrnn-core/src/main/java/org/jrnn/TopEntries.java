/*
 * TopEntries: the best few entries of each row of a host array, in the order jrnn_log_softmax_top
 * uses (value descending, ties to the lower column; NaN, -inf and excluded columns never chosen).
 */
package org.jrnn;

import java.util.Arrays;

/** The Java twin of {@code jrnn_log_softmax_top}'s selection, for data already on the host. */
final class TopEntries {
  private TopEntries() {}

  /**
   * @param x {@code [rows, k]} row-major. Not modified.
   * @param exclude columns never chosen (each in 0..k-1). Not modified.
   * @param values {@code [rows, top]}. Modified: each row's best values, descending; -inf past the
   *     row's eligible entries
   * @param indices {@code [rows, top]}. Modified: their columns; -1 past them
   */
  public static void select(
      float[] x, int rows, int k, int top, int[] exclude, float[] values, int[] indices) {
    boolean[] excluded = new boolean[k];
    for (int c : exclude) {
      excluded[c] = true;
    }
    Arrays.fill(values, 0, rows * top, Float.NEGATIVE_INFINITY);
    Arrays.fill(indices, 0, rows * top, -1);
    for (int r = 0; r < rows; r++) {
      int base = r * top;
      int kept = 0;
      for (int c = 0; c < k; c++) {
        float v = x[r * k + c];
        // columns ascend: a value equal to the last kept one is never better (ties: lower column)
        if (!(v > (kept == top ? values[base + top - 1] : Float.NEGATIVE_INFINITY))
            || excluded[c]) {
          continue;
        }
        int at = kept < top ? kept++ : top - 1;
        while (at > 0 && values[base + at - 1] < v) {
          values[base + at] = values[base + at - 1];
          indices[base + at] = indices[base + at - 1];
          at--;
        }
        values[base + at] = v;
        indices[base + at] = c;
      }
    }
  }
}
