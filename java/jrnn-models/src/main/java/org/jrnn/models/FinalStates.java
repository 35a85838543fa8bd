/*
 * FinalStates: the last layer's final hidden state as classifier features ([N, D*H], both
 * directions side by side) and its backward into a state gradient [L*D, N, H].
 */
package org.jrnn.models;

import org.jrnn.Tensor;

/** Moves the last layer's rows of an {@code [L*D, N, H]} state to {@code [N, D*H]} and back. */
final class FinalStates {
  private FinalStates() {}

  /**
   * The last layer's state per sequence: a view of {@code hn} for D = 1, a new tensor with the
   * forward then the reverse direction's state for D = 2.
   *
   * @param hn {@code [L*D, N, H]}. Not modified.
   * @return {@code [N, D*H]} in the current scope
   */
  static Tensor lastLayer(Tensor hn, int directions) {
    long rows = hn.dim(0);
    long n = hn.dim(1);
    long h = hn.dim(2);
    long first = (rows - directions) * n * h;
    if (directions == 1) {
      return hn.view(first, n, h);
    }
    Tensor out = Tensor.zeros(hn.device(), n, directions * h);
    for (long s = 0; s < n; s++) {
      for (int d = 0; d < directions; d++) {
        out.view((s * directions + d) * h, h).copyFrom(hn.view(first + (d * n + s) * h, h));
      }
    }
    return out;
  }

  /**
   * The state gradient whose last layer holds {@code dFeatures} (the inverse of {@link
   * #lastLayer}), zero elsewhere.
   *
   * @param dFeatures {@code [N, D*H]}. Not modified.
   * @return {@code [L*D, N, H]} in the current scope
   */
  static Tensor lastLayerGradient(Tensor dFeatures, long[] stateShape, int directions) {
    Tensor dhn = Tensor.zeros(dFeatures.device(), stateShape);
    long n = stateShape[1];
    long h = stateShape[2];
    long first = (stateShape[0] - directions) * n * h;
    if (directions == 1) {
      dhn.view(first, n, h).copyFrom(dFeatures);
      return dhn;
    }
    for (long s = 0; s < n; s++) {
      for (int d = 0; d < directions; d++) {
        dhn.view(first + (d * n + s) * h, h).copyFrom(dFeatures.view((s * directions + d) * h, h));
      }
    }
    return dhn;
  }
}
