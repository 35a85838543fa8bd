/*
 * Cell: the recurrent cell kinds of jrnn (the jrnn_cell enum), with their equations.
 */
package org.jrnn;

/**
 * The kind of recurrent cell. Weight rows are gate-major in PyTorch's gate order, so PyTorch state
 * dicts import exactly. With input {@code x}, previous hidden state {@code h} and, for the LSTM,
 * previous cell state {@code c}; {@code σ} is the logistic sigmoid and {@code *} is element-wise:
 *
 * <ul>
 *   <li>{@link #RNN_TANH}: {@code h' = tanh(W_ih x + b_ih + W_hh h + b_hh)}
 *   <li>{@link #RNN_RELU}: {@code h' = relu(W_ih x + b_ih + W_hh h + b_hh)}
 *   <li>{@link #LSTM} (gates i, f, g, o): {@code i = σ(W_ii x + b_ii + W_hi h + b_hi)}, {@code f =
 *       σ(..)}, {@code g = tanh(..)}, {@code o = σ(..)}; {@code c' = f * c + i * g}; {@code h' = o
 *       * tanh(c')}
 *   <li>{@link #GRU} (gates r, z, n), the PyTorch/cuDNN form with the reset gate applied
 *       <em>after</em> the recurrent product (ONNX {@code linear_before_reset = 1}): {@code r =
 *       σ(W_ir x + b_ir + W_hr h + b_hr)}, {@code z = σ(W_iz x + b_iz + W_hz h + b_hz)}, {@code n =
 *       tanh(W_in x + b_in + r * (W_hn h + b_hn))}, {@code h' = (1 - z) * n + z * h}
 * </ul>
 */
public enum Cell {
  /** Elman RNN with tanh; 1 gate. */
  RNN_TANH(0, 1),
  /** Elman RNN with ReLU; 1 gate. */
  RNN_RELU(1, 1),
  /** Long short-term memory; 4 gates (i, f, g, o); has a cell state. */
  LSTM(2, 4),
  /** Gated recurrent unit, reset after the recurrent product; 3 gates (r, z, n). */
  GRU(3, 3);

  private final int nativeValue;
  private final int gates;

  Cell(int nativeValue, int gates) {
    this.nativeValue = nativeValue;
    this.gates = gates;
  }

  /** Gates per cell G: weight matrices have {@code G * hiddenSize} rows. */
  public int gatesPerCell() {
    return gates;
  }

  /** The {@code jrnn_cell} value in {@code jrnn.h}. */
  public int nativeValue() {
    return nativeValue;
  }

  /** Whether the cell carries a cell state {@code c} besides {@code h} (LSTM only). */
  public boolean hasCellState() {
    return this == LSTM;
  }

  /** The cell for a {@code jrnn_cell} value. */
  public static Cell fromNative(int value) {
    for (Cell c : values()) {
      if (c.nativeValue == value) {
        return c;
      }
    }
    throw new JrnnException("no cell kind has native value " + value);
  }
}
