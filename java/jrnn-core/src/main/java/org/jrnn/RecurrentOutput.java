/*
 * RecurrentOutput: the result of a Recurrent forward pass; from forwardTrain it also holds what
 * backward needs (the native reserve and references to the pass's inputs).
 */
package org.jrnn;

/**
 * The result of {@link Recurrent#forward} or {@link Recurrent#forwardTrain}: {@code output} {@code
 * [T, N, D*H]} (the last layer, both directions concatenated, zero past each length), {@code hn}
 * {@code [L*D, N, H]} and, for the LSTM, {@code cn} {@code [L*D, N, H]}: the state at each
 * sequence's own length.
 *
 * <p>An output of {@link Recurrent#forwardTrain} also owns the native <em>reserve</em> that {@link
 * Recurrent#backward} reads, and refers to (without owning) the input data and initial state, which
 * must stay open until backward. {@link #close()} frees output, hn, cn and the reserve.
 */
public final class RecurrentOutput implements AutoCloseable {
  final Recurrent layer;
  private final Tensor output;
  private final Tensor hn;
  private final Tensor cn;
  private final int[] lengths;
  // training only
  final Tensor reserve;
  final Tensor x;
  final Tensor h0;
  final Tensor c0;
  private SequenceBatch batchView;

  RecurrentOutput(
      Recurrent layer,
      Tensor output,
      Tensor hn,
      Tensor cn,
      int[] lengths,
      Tensor reserve,
      Tensor x,
      Tensor h0,
      Tensor c0) {
    this.layer = layer;
    this.output = output;
    this.hn = hn;
    this.cn = cn;
    this.lengths = lengths;
    this.reserve = reserve;
    this.x = x;
    this.h0 = h0;
    this.c0 = c0;
  }

  /** The output sequence {@code [T, N, D*H]}, zero at {@code t >= lengths[n]}. */
  public Tensor output() {
    return output;
  }

  /** The final hidden state {@code [L*D, N, H]}, taken at each sequence's length. */
  public Tensor hn() {
    return hn;
  }

  /** The final cell state {@code [L*D, N, H]} (LSTM), else null. */
  public Tensor cn() {
    return cn;
  }

  /** The final state as a {@link RecurrentState} that does not own hn/cn. */
  public RecurrentState state() {
    return RecurrentState.of(hn, cn);
  }

  /** The lengths of the input sequences, {@code [N]} (a copy). */
  public int[] lengths() {
    return lengths.clone();
  }

  /**
   * The output as a batch with the input's lengths, e.g. as the input of another layer. It does not
   * own {@link #output()}: closing it does nothing, closing this output closes its data.
   */
  public SequenceBatch outputBatch() {
    if (batchView == null) {
      batchView = SequenceBatch.of(output, lengths);
    }
    return batchView;
  }

  /** Whether this came from {@link Recurrent#forwardTrain} (and can go to backward). */
  public boolean isTraining() {
    return reserve != null;
  }

  /** Whether this output was closed (or its tensors were, e.g. by their scope). */
  public boolean isClosed() {
    return output.isClosed()
        || hn.isClosed()
        || (cn != null && cn.isClosed())
        || (reserve != null && reserve.isClosed());
  }

  /** Detaches output, hn, cn and the reserve from their scope (see {@link Tensor#keep()}). */
  public RecurrentOutput keep() {
    output.keep();
    hn.keep();
    if (cn != null) {
      cn.keep();
    }
    if (reserve != null) {
      reserve.keep();
    }
    return this;
  }

  /** Frees output, hn, cn and the reserve. Idempotent. */
  @Override
  public void close() {
    if (reserve != null) {
      reserve.close();
    }
    if (cn != null) {
      cn.close();
    }
    hn.close();
    output.close();
  }

  @Override
  public String toString() {
    return "RecurrentOutput[output="
        + output.shapeString()
        + ", hn="
        + hn.shapeString()
        + (cn != null ? ", cn=" + cn.shapeString() : "")
        + (isTraining() ? ", training" : "")
        + "]"
        + (isClosed() ? " (closed)" : "");
  }
}
