/*
 * Gen: the seeded random source of one fuzz call, with helpers for the values a call is built from
 * (sizes, arrays, text, awkward numbers).
 */
package org.jrnn.reliability;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/** Random values for one call; everything follows from the seed, so a call can be replayed. */
final class Gen {
  private final SplittableRandom r;

  /** Random values from {@code seed} (the call's seed). */
  Gen(long seed) {
    this.r = new SplittableRandom(seed);
  }

  /** Mixes a seed and a stream index into an independent seed (SplitMix64's finaliser). */
  static long mix(long seed, long stream) {
    long z = seed + (stream + 1) * 0x9E3779B97F4A7C15L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  long nextLong() {
    return r.nextLong();
  }

  /** Uniform in {@code lo..hi} inclusive. */
  int between(int lo, int hi) {
    return lo + r.nextInt(hi - lo + 1);
  }

  boolean chance(double p) {
    return r.nextDouble() < p;
  }

  boolean coin() {
    return r.nextBoolean();
  }

  double nextDouble() {
    return r.nextDouble();
  }

  @SafeVarargs
  final <T> T pick(T... options) {
    return options[r.nextInt(options.length)];
  }

  <T> T pick(List<T> options) {
    return options.get(r.nextInt(options.size()));
  }

  /** Values uniform in [-2, 2). */
  float[] floats(int n) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) (4 * r.nextDouble() - 2);
    }
    return a;
  }

  /** Ids uniform in {@code lo..hi}. */
  int[] ints(int n, int lo, int hi) {
    int[] a = new int[n];
    for (int i = 0; i < n; i++) {
      a[i] = between(lo, hi);
    }
    return a;
  }

  /** A shape of {@code rank} sizes in {@code 1..max}. */
  long[] shape(int rank, int max) {
    long[] s = new long[rank];
    for (int i = 0; i < rank; i++) {
      s[i] = between(1, max);
    }
    return s;
  }

  /** A float that breaks arithmetic: NaN, an infinity, a huge or tiny value, -0. */
  float weirdFloat() {
    return pick(
        Float.NaN,
        Float.POSITIVE_INFINITY,
        Float.NEGATIVE_INFINITY,
        Float.MAX_VALUE,
        -Float.MAX_VALUE,
        Float.MIN_VALUE,
        -0f,
        1e30f,
        -1e30f);
  }

  /** A double that breaks arithmetic. */
  double weirdDouble() {
    return pick(
        Double.NaN,
        Double.POSITIVE_INFINITY,
        Double.NEGATIVE_INFINITY,
        Double.MAX_VALUE,
        -Double.MAX_VALUE,
        -1.0,
        -1e-9,
        0.0,
        1e300);
  }

  /** An int at or past the edge of a typical range. */
  int weirdInt() {
    return pick(Integer.MIN_VALUE, -1000, -2, -1, 0, Integer.MAX_VALUE, 1 << 30);
  }

  /** A random lengths array of n lengths in 1..t with at least one equal to t. */
  int[] lengths(int n, int t) {
    int[] a = new int[n];
    for (int i = 0; i < n; i++) {
      a[i] = between(1, t);
    }
    a[r.nextInt(n)] = t;
    return a;
  }

  /**
   * Random text up to {@code max} characters: ASCII words and punctuation, tabs and newlines,
   * accented letters, CJK, emoji (surrogate pairs), a lone surrogate, NUL and other control
   * characters.
   */
  String text(int max) {
    int n = between(0, max);
    StringBuilder b = new StringBuilder(n);
    while (b.length() < n) {
      int kind = r.nextInt(20);
      switch (kind) {
        case 0 -> b.append('\t');
        case 1 -> b.append('\n');
        case 2 -> b.append(' ');
        case 3 -> b.append("\r\n");
        case 4 -> b.append((char) between(0, 31));
        case 5 -> b.appendCodePoint(between(0xC0, 0x17F));
        case 6 -> b.appendCodePoint(between(0x4E00, 0x4E80));
        case 7 -> b.appendCodePoint(between(0x1F600, 0x1F64F));
        case 8 -> b.append(r.nextBoolean() ? '\uD800' : '\uDC00'); // unpaired surrogate
        case 9 -> b.append(pick("\"", "\\", "{", "}", "[", "]", ",", ":", "'", "#", "\u2019"));
        default -> b.append((char) between('a', 'z'));
      }
    }
    return b.toString();
  }

  /** A short word of letters. */
  String word() {
    int n = between(1, 6);
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < n; i++) {
      b.append((char) between('a', 'z'));
    }
    return b.toString();
  }

  /** A list of {@code n} random items. */
  <T> List<T> listOf(int n, java.util.function.Supplier<T> item) {
    List<T> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(item.get());
    }
    return out;
  }

  /** {@code [1, 2, 3]} with at most 6 values then "...": for call descriptions. */
  static String brief(float[] a) {
    if (a == null) {
      return "null";
    }
    return a.length <= 6 ? Arrays.toString(a) : "float[" + a.length + "]";
  }

  static String brief(int[] a) {
    if (a == null) {
      return "null";
    }
    return a.length <= 8 ? Arrays.toString(a) : "int[" + a.length + "]";
  }

  static String brief(long[] a) {
    return a == null ? "null" : Arrays.toString(a);
  }

  /** A string cut to 60 characters for a call description, escaped. */
  static String brief(String s) {
    if (s == null) {
      return "null";
    }
    String cut = s.length() <= 60 ? s : s.substring(0, 60) + "...(" + s.length() + " chars)";
    StringBuilder b = new StringBuilder("\"");
    for (char c : cut.toCharArray()) {
      if (c < 32 || c == '"' || c == '\\' || Character.isSurrogate(c)) {
        b.append(String.format("\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    return b.append('"').toString();
  }
}
