/*
 * RecurrentGradients: what Recurrent.backward returns besides the weight gradients it accumulates.
 */
package org.jrnn;

/**
 * Gradients of a {@link Recurrent#backward} pass with respect to the pass's inputs: {@code dx}
 * {@code [T, N, C]} (zero past each length), {@code dh0} {@code [L*D, N, H]} and, for the LSTM,
 * {@code dc0} {@code [L*D, N, H]}. It owns its tensors; {@link #close()} frees them. (Weight
 * gradients go into {@link Recurrent#gradients()}.)
 */
public final class RecurrentGradients implements AutoCloseable {
  private final Tensor dx;
  private final Tensor dh0;
  private final Tensor dc0;

  RecurrentGradients(Tensor dx, Tensor dh0, Tensor dc0) {
    this.dx = dx;
    this.dh0 = dh0;
    this.dc0 = dc0;
  }

  /** Gradient of the input, {@code [T, N, C]}; null when backward was asked not to compute it. */
  public Tensor dx() {
    return dx;
  }

  /** Gradient of the initial hidden state, {@code [L*D, N, H]}. */
  public Tensor dh0() {
    return dh0;
  }

  /** Gradient of the initial cell state {@code [L*D, N, H]} (LSTM), else null. */
  public Tensor dc0() {
    return dc0;
  }

  /** Detaches all tensors from their scope (see {@link Tensor#keep()}). @return this */
  public RecurrentGradients keep() {
    if (dx != null) {
      dx.keep();
    }
    dh0.keep();
    if (dc0 != null) {
      dc0.keep();
    }
    return this;
  }

  /** Frees all tensors. Idempotent. */
  @Override
  public void close() {
    if (dc0 != null) {
      dc0.close();
    }
    dh0.close();
    if (dx != null) {
      dx.close();
    }
  }
}
