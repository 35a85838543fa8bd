/*
 * Hypothesis: one decoded sequence with its log-probability and ranking score.
 */
package org.jrnn.decode;

import java.util.Arrays;
import org.jrnn.internal.Arguments;

/**
 * A decoded sequence.
 *
 * @param tokens the generated tokens, without the start and end tokens
 * @param logProb the summed log-probability of the tokens (and of the end token if {@code ended})
 * @param score the ranking score: {@code logProb} after the {@link LengthPenalty}
 * @param ended whether the sequence ended with its end token (false: cut at the length limit)
 */
public record Hypothesis(int[] tokens, double logProb, double score, boolean ended) {
  /** Copies the tokens. */
  public Hypothesis {
    tokens = Arguments.notNull("tokens", tokens).clone();
  }

  /** The tokens (a copy). */
  @Override
  public int[] tokens() {
    return tokens.clone();
  }

  /** The number of tokens the penalty counts: the tokens, plus one for the end token. */
  public int length() {
    return tokens.length + (ended ? 1 : 0);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Hypothesis h
        && Arrays.equals(tokens, h.tokens)
        && logProb == h.logProb
        && score == h.score
        && ended == h.ended;
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(tokens) * 31 + Double.hashCode(score);
  }

  @Override
  public String toString() {
    return Arrays.toString(tokens)
        + " logProb="
        + logProb
        + " score="
        + score
        + (ended ? "" : " (cut)");
  }
}
