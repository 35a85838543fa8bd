/*
 * RecurrentInit: how a RecurrentLayer draws its initial weights.
 */
package org.jrnn.nn;

import org.jrnn.JrnnException;
import org.jrnn.internal.Arguments;
import org.jrnn.internal.Quote;

/**
 * Initial weights of a {@link RecurrentLayer}. Every weight and bias starts uniform in {@code
 * [-1/sqrt(H), 1/sqrt(H))} (PyTorch's default); then, optionally:
 *
 * @param orthogonalRecurrent replace each gate's {@code [H, H]} block of every {@code weight_hh}
 *     by a random orthogonal matrix
 * @param forgetBiasOne (LSTM only) set the forget-gate rows of {@code bias_ih} to 1 and those of
 *     {@code bias_hh} to 0, so the forget gate starts at σ(1 + W·) and the cell remembers
 */
public record RecurrentInit(boolean orthogonalRecurrent, boolean forgetBiasOne) {
  /** PyTorch's default: uniform only. */
  public static final RecurrentInit PYTORCH = new RecurrentInit(false, false);

  /** {@code "pytorch"}, {@code "orthogonal"}, {@code "forget-bias-1"} or {@code "orthogonal+forget-bias-1"}. */
  public String id() {
    if (!orthogonalRecurrent && !forgetBiasOne) {
      return "pytorch";
    }
    return (orthogonalRecurrent ? "orthogonal" : "") + (orthogonalRecurrent && forgetBiasOne ? "+" : "")
        + (forgetBiasOne ? "forget-bias-1" : "");
  }

  /** Parses {@link #id()}. @throws JrnnException for another text */
  public static RecurrentInit parse(String id) {
    return switch (Arguments.notNull("recurrent init", id)) {
      case "pytorch" -> PYTORCH;
      case "orthogonal" -> new RecurrentInit(true, false);
      case "forget-bias-1" -> new RecurrentInit(false, true);
      case "orthogonal+forget-bias-1" -> new RecurrentInit(true, true);
      default -> throw new JrnnException(
          "unknown recurrent init " + Quote.quote(id)
              + " (pytorch, orthogonal, forget-bias-1, orthogonal+forget-bias-1)");
    };
  }
}
