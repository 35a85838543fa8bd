/*
 * GradientClipping: by global L2 norm (torch.nn.utils.clip_grad_norm_) or by value
 * (clip_grad_value_), over a list of parameters' gradients.
 */
package org.jrnn.optim;

import java.util.List;
import org.jrnn.JrnnException;
import org.jrnn.OptimizerKernels;
import org.jrnn.nn.Parameter;

/**
 * How gradients are clipped before each update. {@link #byNorm(double)} rescales all gradients
 * together when their global L2 norm exceeds the limit, exactly as {@code
 * torch.nn.utils.clip_grad_norm_(params, max_norm)} (factor {@code max_norm / (norm + 1e-6)},
 * applied only when below 1); {@link #byValue(double)} clamps every element to {@code [-limit,
 * limit]} ({@code clip_grad_value_}); {@link #none()} does nothing. Every variant reports the
 * global norm before clipping.
 */
public final class GradientClipping {
  /** Kinds of clipping. */
  public enum Kind {
    NONE,
    NORM,
    VALUE
  }

  private final Kind kind;
  private final double limit;

  private GradientClipping(Kind kind, double limit) {
    // Below the smallest normal float the limit (or, by norm, every clipped gradient) would be
    // flushed to zero by the native kernels; by value it is also applied as a float.
    double max = kind == Kind.VALUE ? Float.MAX_VALUE : Double.MAX_VALUE;
    if (kind != Kind.NONE && !(limit >= Float.MIN_NORMAL && limit <= max)) {
      throw new JrnnException(
          "clipping limit must be in [" + Float.MIN_NORMAL + ", " + max + "] but is " + limit);
    }
    this.kind = kind;
    this.limit = limit;
  }

  /** Rescale when the global L2 norm exceeds {@code maxNorm}. */
  public static GradientClipping byNorm(double maxNorm) {
    return new GradientClipping(Kind.NORM, maxNorm);
  }

  /** Clamp every gradient element to {@code [-limit, limit]}. */
  public static GradientClipping byValue(double limit) {
    return new GradientClipping(Kind.VALUE, limit);
  }

  /** No clipping. */
  public static GradientClipping none() {
    return new GradientClipping(Kind.NONE, 0);
  }

  /** The kind. */
  public Kind kind() {
    return kind;
  }

  /** The norm or value limit (0 for none). */
  public double limit() {
    return limit;
  }

  /**
   * Clips the gradients of {@code params} in place.
   *
   * @param params parameters whose gradients are open
   * @return the global L2 norm of the gradients before clipping (NaN or infinite when a gradient
   *     is; then clipping by norm changes nothing, and clipping by value clamps the finite values
   *     and infinities and leaves NaN as it is)
   */
  public double apply(List<Parameter> params) {
    return apply(params, globalNorm(params));
  }

  /**
   * As {@link #apply(List)} when the global norm is already known (the trainer computes it once for
   * its NaN guard, its logs and clipping).
   *
   * @param norm {@link #globalNorm(List)} of {@code params}: {@code >= 0}, or NaN or infinite when
   *     a gradient is
   * @return {@code norm}
   */
  public double apply(List<Parameter> params, double norm) {
    Optimizer.checkParameters("gradient clipping", params, false);
    if (norm < 0) {
      throw new JrnnException("gradient clipping: the global norm must be >= 0 but is " + norm);
    }
    switch (kind) {
      case NORM -> {
        if (Double.isFinite(norm)) {
          clipToNorm(params, norm, limit);
        }
      }
      case VALUE -> {
        // torch.clamp semantics element by element: NaN stays NaN for the guard to report.
        for (Parameter p : params) {
          if (p.grad().numel() > 0) {
            OptimizerKernels.clipValues(p.grad(), (float) limit);
          }
        }
      }
      default -> {}
    }
    return norm;
  }

  /**
   * The L2 norm of all gradients of {@code params} together. Each tensor's sum of squares is
   * accumulated in double, which cannot overflow for float gradients: even {@code 2^63} elements of
   * {@code Float.MAX_VALUE} square and sum to about {@code 1e96}. So the norm is finite whenever
   * every gradient is (it may exceed {@code Float.MAX_VALUE}).
   */
  public static double globalNorm(List<Parameter> params) {
    Optimizer.checkParameters("global norm", params, false);
    double sum = 0;
    for (Parameter p : params) {
      if (p.grad().numel() > 0) {
        sum += OptimizerKernels.sumSquares(p.grad());
      }
    }
    return Math.sqrt(sum);
  }

  /**
   * Scales the gradients by {@code maxNorm / (norm + 1e-6)} when that is below 1 (PyTorch's {@code
   * clip_grad_norm_}), given their global norm {@code norm}. The factor is computed in double and
   * applied correctly however small it is.
   *
   * @param norm the global norm of the gradients, finite and {@code >= 0}
   * @param maxNorm the limit, finite and {@code > 0}
   * @return the factor applied (1 when nothing was scaled)
   */
  public static double clipToNorm(List<Parameter> params, double norm, double maxNorm) {
    Optimizer.checkParameters("gradient clipping", params, false);
    if (!(norm >= 0) || Double.isInfinite(norm)) {
      throw new JrnnException(
          "gradient clipping: the global norm must be finite and >= 0 but is " + norm);
    }
    if (!(maxNorm > 0) || Double.isInfinite(maxNorm)) {
      throw new JrnnException(
          "gradient clipping: the maximum norm must be finite and > 0 but is " + maxNorm);
    }
    double coef = maxNorm / (norm + 1e-6);
    if (coef >= 1.0) {
      return 1.0;
    }
    scaleAll(params, coef);
    return coef;
  }

  /**
   * Multiplies every gradient by {@code coef} in {@code (0, 1)}. The native kernels run with
   * denormals-are-zero, so a factor below {@link Float#MIN_NORMAL} (a norm above about {@code
   * 8.5e37 · maxNorm}) would zero every gradient: such a factor is applied as exact powers of two
   * and a normal remainder. Every factor is at most 1, so no intermediate value is smaller than its
   * final value and none that ends up normal is flushed on the way.
   */
  private static void scaleAll(List<Parameter> params, double coef) {
    final double step = 0x1p-100; // a normal float, and exact
    while (coef < Float.MIN_NORMAL && coef > 0) {
      scaleBy(params, (float) step);
      coef /= step;
    }
    scaleBy(params, (float) coef);
  }

  private static void scaleBy(List<Parameter> params, float factor) {
    for (Parameter p : params) {
      if (p.grad().numel() > 0) {
        OptimizerKernels.scale(p.grad(), factor);
      }
    }
  }

  /** Clips by global norm; returns the norm before clipping. */
  public static double clipByNorm(List<Parameter> params, double maxNorm) {
    return byNorm(maxNorm).apply(params);
  }

  /** Clips by value; returns the global norm before clipping. */
  public static double clipByValue(List<Parameter> params, double limit) {
    return byValue(limit).apply(params);
  }

  @Override
  public String toString() {
    return switch (kind) {
      case NONE -> "none";
      case NORM -> "global norm " + limit;
      case VALUE -> "value " + limit;
    };
  }
}
