/*
 * Decoded: the result of decoding one input: its n best hypotheses, best first.
 */
package org.jrnn.decode;

import java.util.List;
import org.jrnn.JrnnException;
import org.jrnn.internal.Arguments;

/**
 * The hypotheses kept for one input, best first (by score, ties: the one found first).
 *
 * @param input the input's index in the list given to the decoder
 * @param nbest at most {@code nBest} hypotheses; empty only when every continuation was forbidden
 *     (e.g. by repeat blocking) before any sequence ended
 */
public record Decoded(int input, List<Hypothesis> nbest) {
  /** Copies the list. */
  public Decoded {
    if (input < 0) {
      throw new JrnnException("input must be >= 0 but is " + input);
    }
    nbest = List.copyOf(Arguments.noNulls("nbest", nbest));
  }

  /** The best hypothesis, or null when there is none. */
  public Hypothesis best() {
    return nbest.isEmpty() ? null : nbest.get(0);
  }

  /** The best tokens, or an empty array when there is no hypothesis. */
  public int[] tokens() {
    return nbest.isEmpty() ? new int[0] : nbest.get(0).tokens();
  }
}
