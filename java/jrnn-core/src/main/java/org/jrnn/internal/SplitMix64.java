// SplitMix64: a tiny, fully specified 64-bit PRNG that scripts/lib_torch_common.py reproduces bit
// for bit,
// so that Java and PyTorch shuffle and split data identically.
package org.jrnn.internal;

import org.jrnn.JrnnException;

/**
 * The SplitMix64 generator (Steele, Lea and Flood, 2014; Vigna's reference {@code splitmix64.c}).
 *
 * <p>Every operation here is specified exactly so another language can reproduce it:
 *
 * <pre>
 *   next():        state += 0x9E3779B97F4A7C15; return mix(state)
 *   mix(z):        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9
 *                  z = (z ^ (z >>> 27)) * 0x94D049BB133111EB
 *                  return z ^ (z >>> 31)                        (all arithmetic modulo 2^64)
 *   nextInt(b):    unsigned(next()) % b                          (bias below b / 2^64: irrelevant here)
 *   deriveSeed(seed, k) = mix(seed + (k + 1) * 0x9E3779B97F4A7C15)   (the k-th output of new SplitMix64(seed))
 * </pre>
 *
 * Not thread-safe; not cryptographic.
 */
public final class SplitMix64 {
  /** The golden-ratio increment added to the state at every step. */
  public static final long GAMMA = 0x9E3779B97F4A7C15L;

  private long state;

  /**
   * Creates a generator whose state starts at {@code seed} (any 64-bit value, negative included).
   */
  public SplitMix64(long seed) {
    this.state = seed;
  }

  /** Returns the next 64 random bits. */
  public long nextLong() {
    state += GAMMA;
    return mix(state);
  }

  /**
   * Returns a value in {@code [0, bound)}: the unsigned next 64 bits modulo {@code bound}.
   *
   * @throws JrnnException if {@code bound <= 0}
   */
  public int nextInt(int bound) {
    if (bound <= 0) {
      throw new JrnnException("bound must be positive, got " + bound);
    }
    return (int) Long.remainderUnsigned(nextLong(), bound);
  }

  /** Returns a double in {@code [0, 1)}: the top 53 bits of the next output times 2^-53. */
  public double nextDouble() {
    return (nextLong() >>> 11) * 0x1.0p-53;
  }

  /** The SplitMix64 output function (a bijection on 64-bit values). */
  public static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /**
   * A seed for an independent sub-stream number {@code stream} (e.g. one per epoch) of {@code
   * seed}: the {@code stream}-th output (counting from 0) of {@code new SplitMix64(seed)}.
   */
  public static long deriveSeed(long seed, long stream) {
    return mix(seed + (stream + 1) * GAMMA);
  }

  /**
   * A Fisher-Yates permutation of {@code 0..n-1}: starting from the identity, for {@code i} from
   * {@code n-1} down to 1 swap element {@code i} with element {@code nextInt(i + 1)}.
   */
  public int[] permutation(int n) {
    if (n < 0 || n > Arguments.MAX_ARRAY) {
      throw new JrnnException("n must be in 0.." + Arguments.MAX_ARRAY + ", got " + n);
    }
    int[] perm = new int[n];
    for (int i = 0; i < n; i++) {
      perm[i] = i;
    }
    shuffle(perm);
    return perm;
  }

  /**
   * Shuffles {@code values} in place with the same Fisher-Yates loop as {@link #permutation(int)}.
   */
  public void shuffle(int[] values) {
    Arguments.notNull("values", values);
    for (int i = values.length - 1; i > 0; i--) {
      int j = nextInt(i + 1);
      int tmp = values[i];
      values[i] = values[j];
      values[j] = tmp;
    }
  }

  /** Shuffles a list in place with the same Fisher-Yates loop as {@link #permutation(int)}. */
  public <T> void shuffle(java.util.List<T> values) {
    Arguments.notNull("values", values);
    for (int i = values.size() - 1; i > 0; i--) {
      int j = nextInt(i + 1);
      T tmp = values.get(i);
      values.set(i, values.get(j));
      values.set(j, tmp);
    }
  }
}
