/*
 * LengthPenalty: how a finished hypothesis's summed log-probability becomes its ranking score
 * (none, average per token, or GNMT's ((5 + length) / 6)^alpha).
 */
package org.jrnn.decode;

import org.jrnn.JrnnException;
import org.jrnn.internal.Quote;

/**
 * The score of a hypothesis of {@code length} tokens (the end token counts when the hypothesis
 * ended with it) and summed log-probability {@code logProb} is {@code logProb / divisor(length)}:
 *
 * <ul>
 *   <li>{@link Kind#NONE}: divisor 1 (favours short sequences);
 *   <li>{@link Kind#AVERAGE}: divisor {@code max(length, 1)}, the mean log-probability per token;
 *   <li>{@link Kind#GNMT}: divisor {@code ((5 + length) / 6)^alpha} (Wu et al. 2016; alpha 0 is
 *       NONE, alpha 1 is close to AVERAGE).
 * </ul>
 *
 * @param kind the formula
 * @param alpha GNMT's exponent ({@code >= 0}); ignored otherwise
 */
public record LengthPenalty(Kind kind, double alpha) {
  /** The formulas. */
  public enum Kind {
    NONE,
    AVERAGE,
    GNMT
  }

  /** Raw summed log-probability. */
  public static final LengthPenalty NONE = new LengthPenalty(Kind.NONE, 0);

  /** Mean log-probability per token. */
  public static final LengthPenalty AVERAGE = new LengthPenalty(Kind.AVERAGE, 0);

  public LengthPenalty {
    if (kind == null) {
      throw new JrnnException("kind is null");
    }
    if (!(alpha >= 0) || Double.isInfinite(alpha)) {
      throw new JrnnException("length penalty alpha must be finite and >= 0 but is " + alpha);
    }
  }

  /** GNMT's penalty with exponent {@code alpha}. */
  public static LengthPenalty gnmt(double alpha) {
    return new LengthPenalty(Kind.GNMT, alpha);
  }

  /**
   * Parses {@code none}, {@code average} or {@code gnmt:ALPHA} (e.g. {@code gnmt:0.6}).
   *
   * @throws JrnnException for anything else
   */
  public static LengthPenalty parse(String text) {
    if (text == null) {
      throw new JrnnException("length penalty is null (none, average or gnmt:ALPHA)");
    }
    String t = text.trim().toLowerCase(java.util.Locale.ROOT);
    if (t.equals("none")) {
      return NONE;
    }
    if (t.equals("average") || t.equals("avg")) {
      return AVERAGE;
    }
    if (t.startsWith("gnmt:")) {
      try {
        return gnmt(Double.parseDouble(t.substring(5)));
      } catch (NumberFormatException e) {
        throw new JrnnException(
            "bad GNMT alpha in " + Quote.quote(text) + " (gnmt:ALPHA, ALPHA >= 0)");
      }
    }
    throw new JrnnException(
        "length penalty must be none, average or gnmt:ALPHA, not " + Quote.quote(text));
  }

  /** The divisor for a hypothesis of {@code length >= 0} tokens ({@code > 0}). */
  public double divisor(int length) {
    if (length < 0) {
      throw new JrnnException("length must be >= 0 but is " + length);
    }
    return divisorOf(length);
  }

  private double divisorOf(long length) {
    return switch (kind) {
      case NONE -> 1.0;
      case AVERAGE -> Math.max(length, 1);
      case GNMT -> Math.pow((5.0 + length) / 6.0, alpha);
    };
  }

  /** {@code logProb / divisor(length)}. */
  public double score(double logProb, int length) {
    return logProb / divisor(length);
  }

  /**
   * The best score any extension of a live hypothesis could still reach, for exact stopping: its
   * summed log-probability only falls ({@code <= 0} steps), and the divisor only grows with the
   * length, up to {@code maxFinalLength} (a long: the longest is {@code maxLength} plus the end
   * token, which overflows an int at the largest maxLength).
   */
  double bound(double logProb, long maxFinalLength) {
    if (logProb >= 0) {
      return logProb;
    }
    return kind == Kind.NONE ? logProb : logProb / divisorOf(Math.max(maxFinalLength, 1));
  }

  @Override
  public String toString() {
    return switch (kind) {
      case NONE -> "none";
      case AVERAGE -> "average";
      case GNMT -> "gnmt:" + alpha;
    };
  }
}
