/*
 * Decoding: the token-by-token generation loop that the decoders share (from <bos>, one step per
 * token, until every sequence drew <eos> or reached the length limit).
 */
package org.jrnn.models;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.jrnn.data.Vocabulary;

/** Runs a step function from {@code <bos>} until {@code <eos>} or a length limit. */
final class Decoding {
  private Decoding() {}

  /** One decoder step for N sequences: the logits {@code [N * V]} after feeding {@code tokens}. */
  interface Step {
    float[] logits(int[] tokens);
  }

  /**
   * @return N sequences without {@code <bos>}/{@code <eos>}, each at most {@code maxLength} long
   */
  static int[][] run(int n, int vocab, int maxLength, Sampling sampling, Step step) {
    SplittableRandom random = sampling.random();
    int[][] out = new int[n][maxLength];
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
}
