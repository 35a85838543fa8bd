/*
 * Init: seeded weight initialisers (uniform, normal, orthogonal) computed in Java, so a seed gives
 * the same weights bit for bit on every machine and JDK.
 */
package org.jrnn.nn;

import java.util.SplittableRandom;
import org.jrnn.JrnnException;
import org.jrnn.internal.Arguments;

/** Seeded initial values as Java arrays (copied into tensors by the layers). */
public final class Init {
  private Init() {}

  /**
   * {@code count} values uniform in {@code [-bound, bound)} from {@code SplittableRandom(seed)}.
   */
  public static float[] uniform(long seed, int count, double bound) {
    Arguments.arrayLength("uniform values", count);
    if (!(bound >= 0) || Double.isInfinite(bound)) {
      throw new JrnnException("bound must be finite and >= 0 but is " + bound);
    }
    SplittableRandom rng = new SplittableRandom(seed);
    float[] out = new float[count];
    for (int i = 0; i < count; i++) {
      out[i] = (float) ((2.0 * rng.nextDouble() - 1.0) * bound);
    }
    return out;
  }

  /** {@code count} values from N(0, std²) (Box-Muller on {@code SplittableRandom(seed)}). */
  public static float[] normal(long seed, int count, double std) {
    Arguments.arrayLength("normal values", count);
    if (!(std >= 0) || Double.isInfinite(std)) {
      throw new JrnnException("std must be finite and >= 0 but is " + std);
    }
    SplittableRandom rng = new SplittableRandom(seed);
    float[] out = new float[count];
    for (int i = 0; i < count; i += 2) {
      double u1 = 1.0 - rng.nextDouble(); // (0, 1]
      double u2 = rng.nextDouble();
      double r = Math.sqrt(-2.0 * Math.log(u1)) * std;
      out[i] = (float) (r * Math.cos(2 * Math.PI * u2));
      if (i + 1 < count) {
        out[i + 1] = (float) (r * Math.sin(2 * Math.PI * u2));
      }
    }
    return out;
  }

  /**
   * A random orthogonal {@code [n, n]} matrix, row-major: the Q of the QR decomposition of a
   * Gaussian matrix, with the signs of R's diagonal folded in (uniform over orthogonal matrices, as
   * {@code torch.nn.init.orthogonal_}).
   */
  public static float[] orthogonal(long seed, int n) {
    if (n < 1) {
      throw new JrnnException("an orthogonal matrix needs n >= 1 but n is " + n);
    }
    Arguments.arrayLength("an orthogonal " + n + " x " + n + " matrix", (long) n * n);
    float[] g = normal(seed, n * n, 1.0);
    double[][] cols = new double[n][n]; // cols[j] = column j
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        cols[j][i] = g[i * n + j];
      }
    }
    // Modified Gram-Schmidt: Q's columns; the sign of R's diagonal is +1 by construction, which is
    // the sign correction.
    for (int j = 0; j < n; j++) {
      for (int k = 0; k < j; k++) {
        double dot = 0;
        for (int i = 0; i < n; i++) {
          dot += cols[k][i] * cols[j][i];
        }
        for (int i = 0; i < n; i++) {
          cols[j][i] -= dot * cols[k][i];
        }
      }
      double norm = 0;
      for (int i = 0; i < n; i++) {
        norm += cols[j][i] * cols[j][i];
      }
      norm = Math.sqrt(norm);
      for (int i = 0; i < n; i++) {
        cols[j][i] /= norm;
      }
    }
    float[] q = new float[n * n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        q[i * n + j] = (float) cols[j][i];
      }
    }
    return q;
  }
}
