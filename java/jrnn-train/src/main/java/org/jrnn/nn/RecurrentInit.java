/*
 * RecurrentInit: how a RecurrentLayer draws its initial weights.
 */
package org.jrnn.nn;

import org.jrnn.JrnnException;
import org.jrnn.internal.Arguments;
import org.jrnn.internal.Quote;

/**
 * Initial weights of a {@link RecurrentLayer}. Every weight and bias starts uniform in {@code
 * [-1/sqrt(H), 1/sqrt(H))} (PyTorch's default); then, optionally, {@link #orthogonalRecurrent()}
 * replaces each gate's {@code [H, H]} block of every {@code weight_hh} by a random orthogonal
 * matrix, and {@link #forgetBiasOne()} (LSTM only) sets the forget-gate rows of {@code bias_ih} to
 * 1 and those of {@code bias_hh} to 0, so the forget gate starts at σ(1 + W·) and the cell
 * remembers.
 */
public enum RecurrentInit {
  /** PyTorch's default: uniform only ({@code "pytorch"}). */
  PYTORCH(false, false),
  /** Orthogonal recurrent blocks ({@code "orthogonal"}). */
  ORTHOGONAL(true, false),
  /** Forget-gate bias 1, LSTM only ({@code "forget-bias-1"}). */
  FORGET_BIAS_ONE(false, true),
  /** Both ({@code "orthogonal+forget-bias-1"}). */
  ORTHOGONAL_FORGET_BIAS_ONE(true, true);

  private final boolean orthogonalRecurrent;
  private final boolean forgetBiasOne;

  RecurrentInit(boolean orthogonalRecurrent, boolean forgetBiasOne) {
    this.orthogonalRecurrent = orthogonalRecurrent;
    this.forgetBiasOne = forgetBiasOne;
  }

  /** Whether each gate's block of every {@code weight_hh} is a random orthogonal matrix. */
  public boolean orthogonalRecurrent() {
    return orthogonalRecurrent;
  }

  /** Whether the LSTM forget-gate bias starts at 1 ({@code bias_ih}) and 0 ({@code bias_hh}). */
  public boolean forgetBiasOne() {
    return forgetBiasOne;
  }

  /**
   * {@code "pytorch"}, {@code "orthogonal"}, {@code "forget-bias-1"} or {@code
   * "orthogonal+forget-bias-1"}.
   */
  public String id() {
    if (!orthogonalRecurrent && !forgetBiasOne) {
      return "pytorch";
    }
    return (orthogonalRecurrent ? "orthogonal" : "")
        + (orthogonalRecurrent && forgetBiasOne ? "+" : "")
        + (forgetBiasOne ? "forget-bias-1" : "");
  }

  /** Parses {@link #id()}. @throws JrnnException for another text */
  public static RecurrentInit parse(String id) {
    return switch (Arguments.notNull("recurrent init", id)) {
      case "pytorch" -> PYTORCH;
      case "orthogonal" -> ORTHOGONAL;
      case "forget-bias-1" -> FORGET_BIAS_ONE;
      case "orthogonal+forget-bias-1" -> ORTHOGONAL_FORGET_BIAS_ONE;
      default ->
          throw new JrnnException(
              "unknown recurrent init "
                  + Quote.quote(id)
                  + " (pytorch, orthogonal, forget-bias-1, orthogonal+forget-bias-1)");
    };
  }
}
