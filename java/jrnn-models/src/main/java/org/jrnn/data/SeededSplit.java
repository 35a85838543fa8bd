// A seeded train/test split that scripts/lib_torch_common.py reproduces exactly (see split()).
package org.jrnn.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jrnn.JrnnException;
import org.jrnn.internal.Arguments;
import org.jrnn.internal.SplitMix64;

/**
 * A fixed, seeded split of {@code n} examples into a training part and a test part.
 *
 * <p>Definition (mirrored by {@code split()} in scripts/lib_torch_common.py): {@code perm = new
 * SplitMix64(seed).permutation(n)}; {@code nTrain = floor(n * trainFraction + 0.5)} computed in
 * IEEE double; {@code train = perm[0 .. nTrain)}, {@code test = perm[nTrain .. n)}, both in
 * permutation order (not sorted).
 *
 * @param train indices of the training examples
 * @param test indices of the test examples
 */
public record SeededSplit(int[] train, int[] test) {
  /** Checks neither array is null. */
  public SeededSplit {
    Arguments.notNull("train", train);
    Arguments.notNull("test", test);
  }

  /** The usual 80/20 split with {@code seed}. */
  public static SeededSplit of(int n, long seed) {
    return of(n, 0.8, seed);
  }

  /**
   * Splits {@code 0..n-1} into {@code floor(n * trainFraction + 0.5)} training indices and the
   * rest.
   *
   * @throws JrnnException if {@code n < 0} or the fraction is not within [0, 1]
   */
  public static SeededSplit of(int n, double trainFraction, long seed) {
    int nTrain = trainCount(n, trainFraction);
    int[] perm = new SplitMix64(seed).permutation(n);
    return new SeededSplit(
        Arrays.copyOfRange(perm, 0, nTrain), Arrays.copyOfRange(perm, nTrain, n));
  }

  /**
   * The number of training examples for {@code n} examples: {@code floor(n * trainFraction + 0.5)}.
   */
  public static int trainCount(int n, double trainFraction) {
    if (n < 0) {
      throw new JrnnException("n must be >= 0, got " + n);
    }
    if (!(trainFraction >= 0.0 && trainFraction <= 1.0)) {
      throw new JrnnException("trainFraction must be in [0, 1], got " + trainFraction);
    }
    return (int) Math.floor(n * trainFraction + 0.5);
  }

  /** The training elements of {@code items}, in split order. */
  public <T> List<T> trainOf(List<T> items) {
    return pick(items, train);
  }

  /** The test elements of {@code items}, in split order. */
  public <T> List<T> testOf(List<T> items) {
    return pick(items, test);
  }

  private static <T> List<T> pick(List<T> items, int[] indices) {
    Arguments.notNull("items", items);
    List<T> out = new ArrayList<>(indices.length);
    for (int i : indices) {
      if (i < 0 || i >= items.size()) {
        throw new JrnnException(
            "split index "
                + i
                + " is outside the "
                + items.size()
                + " items (split a list of the same size)");
      }
      out.add(items.get(i));
    }
    return out;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SeededSplit s
        && Arrays.equals(train, s.train)
        && Arrays.equals(test, s.test);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(train) + Arrays.hashCode(test);
  }

  @Override
  public String toString() {
    return "SeededSplit[train=" + train.length + ", test=" + test.length + "]";
  }
}
