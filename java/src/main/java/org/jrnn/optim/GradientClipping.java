/*
 * GradientClipping: by global L2 norm (torch.nn.utils.clip_grad_norm_) or by value
 * (clip_grad_value_), over a list of parameters' gradients.
 */
package org.jrnn.optim;

import java.util.List;
import org.jrnn.JrnnException;
import org.jrnn.Ops;
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
    if (kind != Kind.NONE && (!(limit > 0) || Double.isInfinite(limit))) {
      throw new JrnnException("clipping limit must be finite and > 0 but is " + limit);
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
   * @return the global L2 norm of the gradients before clipping (NaN or infinite when a gradient
   *     is; then nothing is changed)
   */
  public double apply(List<Parameter> params) {
    return apply(params, globalNorm(params));
  }

  /**
   * As {@link #apply(List)} when the global norm is already known (the trainer computes it once
   * for its NaN guard, its logs and clipping).
   *
   * @param norm {@link #globalNorm(List)} of {@code params}
   * @return {@code norm}
   */
  public double apply(List<Parameter> params, double norm) {
    if (!Double.isFinite(norm)) {
      return norm;
    }
    switch (kind) {
      case NORM -> clipToNorm(params, norm, limit);
      case VALUE -> {
        for (Parameter p : params) {
          Ops.clipValues(p.grad(), (float) limit);
        }
      }
      default -> {}
    }
    return norm;
  }

  /** The L2 norm of all gradients of {@code params} together (in double). */
  public static double globalNorm(List<Parameter> params) {
    double sum = 0;
    for (Parameter p : params) {
      sum += Ops.sumSquares(p.grad());
    }
    return Math.sqrt(sum);
  }

  /**
   * Scales the gradients by {@code maxNorm / (norm + 1e-6)} when that is below 1 (PyTorch's
   * {@code clip_grad_norm_}), given their global norm {@code norm}.
   *
   * @return the factor applied (1 when nothing was scaled)
   */
  public static double clipToNorm(List<Parameter> params, double norm, double maxNorm) {
    double coef = maxNorm / (norm + 1e-6);
    if (coef >= 1.0) {
      return 1.0;
    }
    float f = (float) coef;
    for (Parameter p : params) {
      Ops.scale(p.grad(), f);
    }
    return coef;
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
