/*
 * RecurrentState: the carried state of a recurrent layer stack, h (and c for the LSTM).
 */
package org.jrnn;

/**
 * The state of a {@link Recurrent} stack for N sequences: {@code h} {@code [L*D, N, H]} and, for
 * the LSTM, {@code c} {@code [L*D, N, H]} (null for other cells). Row {@code l*D + d} is layer
 * {@code l}, direction {@code d} (PyTorch's {@code h_n} order).
 *
 * <p>Ownership: {@link #zeros} and {@link #copy()} create tensors that this state owns and {@link
 * #close()} frees; {@link #of(Tensor, Tensor)} wraps tensors it does <em>not</em> own.
 */
public final class RecurrentState implements AutoCloseable {
  private final Tensor h;
  private final Tensor c;
  private final boolean owns;

  private RecurrentState(Tensor h, Tensor c, boolean owns) {
    this.h = h;
    this.c = c;
    this.owns = owns;
  }

  /**
   * A zero state for {@code batch} sequences of {@code layer}, on the layer's device: {@code h}
   * {@code [L*D, batch, H]}, and {@code c} of the same shape for the LSTM.
   */
  public static RecurrentState zeros(Recurrent layer, int batch) {
    if (layer == null) {
      throw new JrnnException("layer is null");
    }
    Checks.positive("batch", batch);
    long[] shape = {(long) layer.layers() * layer.directions(), batch, layer.hiddenSize()};
    Tensor h = Tensor.zeros(layer.device(), shape);
    Tensor c = null;
    if (layer.cell().hasCellState()) {
      try {
        c = Tensor.zeros(layer.device(), shape);
      } catch (RuntimeException e) {
        h.close();
        throw e;
      }
    }
    return new RecurrentState(h, c, true);
  }

  /**
   * Wraps existing tensors without taking ownership.
   *
   * @param h {@code [L*D, N, H]}. Not modified here (passes that take the state say what they do).
   * @param c {@code [L*D, N, H]} on the same device, or null (non-LSTM, or zeros for an LSTM pass)
   */
  public static RecurrentState of(Tensor h, Tensor c) {
    Checks.open("h", h);
    if (h.rank() != 3) {
      throw new JrnnException("h must be [L*D, N, H] but is " + h.shapeString());
    }
    if (c != null) {
      Checks.open("c", c);
      Checks.sameDevice("c", c.device(), "h", h.device());
      Checks.shape("c", c, h.shape());
    }
    return new RecurrentState(h, c, false);
  }

  /** The hidden state {@code [L*D, N, H]}. */
  public Tensor h() {
    return h;
  }

  /** The cell state {@code [L*D, N, H]} (LSTM), else null. */
  public Tensor c() {
    return c;
  }

  /** N: the number of sequences. */
  public int batchSize() {
    return (int) h.dim(1);
  }

  /** Where the state lives. */
  public Device device() {
    return h.device();
  }

  /** A deep copy that owns its tensors (they belong to the current scope, like any new tensor). */
  public RecurrentState copy() {
    Checks.open("h", h);
    Tensor h2 = h.copy();
    Tensor c2 = null;
    if (c != null) {
      try {
        c2 = Checks.open("c", c).copy();
      } catch (RuntimeException e) {
        h2.close();
        throw e;
      }
    }
    return new RecurrentState(h2, c2, true);
  }

  /** Whether h (or c) is closed. */
  public boolean isClosed() {
    return h.isClosed() || (c != null && c.isClosed());
  }

  /** Detaches owned tensors from their scope (see {@link Tensor#keep()}). @return this */
  public RecurrentState keep() {
    if (owns) {
      h.keep();
      if (c != null) {
        c.keep();
      }
    }
    return this;
  }

  /** Frees the tensors if this state owns them. Idempotent. */
  @Override
  public void close() {
    if (owns) {
      if (c != null) {
        c.close();
      }
      h.close();
    }
  }

  @Override
  public String toString() {
    return "RecurrentState[h="
        + h.shapeString()
        + (c != null ? ", c=" + c.shapeString() : "")
        + "] on "
        + h.device()
        + (isClosed() ? " (closed)" : "");
  }
}
