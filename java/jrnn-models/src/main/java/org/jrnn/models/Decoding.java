/*
 * Decoding: the token-by-token generation loop that the decoders share (from <bos>, one step per
 * token, until every sequence drew <eos> or reached the length limit).
 */
package org.jrnn.models;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.jrnn.JrnnException;
import org.jrnn.data.Vocabulary;
import org.jrnn.internal.Arguments;

/** Runs a step function from {@code <bos>} until {@code <eos>} or a length limit. */
final class Decoding {
  private Decoding() {}

  /** One decoder step for N sequences: the logits {@code [N * V]} after feeding {@code tokens}. */
  interface Step {
    float[] logits(int[] tokens);
  }

  /** Checks a generation limit: "maxLength must be >= 1 but is 0". */
  static void checkMaxLength(int maxLength) {
    if (maxLength < 1) {
      throw new JrnnException("maxLength must be >= 1 but is " + maxLength);
    }
  }

  /**
   * The outputs grow with the tokens drawn (never sized by {@code maxLength} up front, which may
   * be far beyond what a sequence reaches before {@code <eos>}).
   *
   * @return N sequences without {@code <bos>}/{@code <eos>}, each at most {@code maxLength} long
   */
  static int[][] run(int n, int vocab, int maxLength, Sampling sampling, Step step) {
    SplittableRandom random = sampling.random();
    int[][] out = new int[n][Math.min(maxLength, 16)];
    int[] lengths = new int[n];
    boolean[] done = new boolean[n];
    int[] tokens = new int[n];
    Arrays.fill(tokens, Vocabulary.BOS_ID);
    int finished = 0;
    for (int t = 0; t < maxLength && finished < n; t++) {
      float[] logits = step.logits(tokens);
      for (int s = 0; s < n; s++) {
        tokens[s] = sampling.pick(Arrays.copyOfRange(logits, s * vocab, (s + 1) * vocab), random);
        if (done[s]) {
          continue;
        }
        if (tokens[s] == Vocabulary.EOS_ID) {
          done[s] = true;
          finished++;
        } else {
          if (lengths[s] == out[s].length) {
            out[s] = Arrays.copyOf(out[s], grown(out[s].length, maxLength));
          }
          out[s][lengths[s]++] = tokens[s];
        }
      }
    }
    int[][] result = new int[n][];
    for (int s = 0; s < n; s++) {
      result[s] = Arrays.copyOf(out[s], lengths[s]);
    }
    return result;
  }

  /** The next capacity of a growing output: doubled, at most {@code limit}. */
  static int grown(int capacity, int limit) {
    return (int) Math.min(Math.max(2L * capacity, 16), Math.min(limit, Arguments.MAX_ARRAY));
  }
}
