/*
 * Sampling: how generation picks the next token from logits (greedy, or temperature + top-k with
 * a seed), and the picking itself.
 */
package org.jrnn.models;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.jrnn.JrnnException;

/**
 * Token choice for generation. {@code temperature <= 0} is greedy (argmax); otherwise the logits
 * are divided by the temperature, only the {@code topK} largest kept ({@code topK <= 0}: all), and
 * a token is drawn from their softmax with a generator seeded by {@code seed} (the same seed gives
 * the same text).
 *
 * @param temperature 0 for greedy, else {@code > 0} (1: the model's distribution)
 * @param topK keep the k most likely tokens, or 0 for all
 * @param seed seed of the draws
 */
public record Sampling(float temperature, int topK, long seed) {
  /** Always the most likely token. */
  public static final Sampling GREEDY = new Sampling(0f, 0, 0L);

  public Sampling {
    if (!(temperature >= 0f) || Float.isInfinite(temperature)) {
      throw new JrnnException(
          "temperature must be finite and >= 0 (0: greedy) but is " + temperature);
    }
    if (topK < 0) {
      throw new JrnnException("topK must be >= 0 (0: all tokens) but is " + topK);
    }
  }

  /** A generator for one generation run. */
  SplittableRandom random() {
    return new SplittableRandom(seed);
  }

  /** Picks a token id from one row of logits. Not modified: logits. */
  int pick(float[] logits, SplittableRandom random) {
    int best = 0;
    for (int i = 1; i < logits.length; i++) {
      if (logits[i] > logits[best]) {
        best = i;
      }
    }
    if (temperature == 0f) {
      return best;
    }
    double cut = Double.NEGATIVE_INFINITY;
    if (topK > 0 && topK < logits.length) {
      float[] sorted = logits.clone();
      Arrays.sort(sorted);
      cut = sorted[sorted.length - topK];
    }
    double[] p = new double[logits.length];
    double sum = 0;
    for (int i = 0; i < logits.length; i++) {
      if (logits[i] >= cut) {
        p[i] = Math.exp((logits[i] - logits[best]) / (double) temperature);
        sum += p[i];
      }
    }
    double u = random.nextDouble() * sum;
    for (int i = 0; i < p.length; i++) {
      u -= p[i];
      if (u < 0 && p[i] > 0) {
        return i;
      }
    }
    return best;
  }
}
