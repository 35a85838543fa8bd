/*
 * OptimOps: typed, validated wrappers over the native training-loop kernels that optimisers and
 * trainers need (fused optimiser updates, sum of squares, finiteness check, scaling, clipping).
 * They live in org.jrnn because a tensor's native address is package-private here.
 */
package org.jrnn;

import org.jrnn.internal.Native;

/**
 * Optimiser and gradient kernels over {@link Tensor}s: one native call each, on the tensors'
 * device. Every method checks that its tensors are open, on one device and of equal element count,
 * and throws {@link JrnnException} naming the argument otherwise. Used by {@code org.jrnn.optim}
 * and {@code org.jrnn.train}; the semantics are PyTorch's (see {@code jrnn.h}).
 */
public final class OptimOps {
  private OptimOps() {}

  private static void same(String name, Tensor t, String refName, Tensor ref) {
    Checks.open(name, t);
    Checks.sameDevice(name, t.device(), refName, ref.device());
    if (t.numel() != ref.numel()) {
      throw new JrnnException(
          name + " has " + t.numel() + " elements but " + refName + " has " + ref.numel());
    }
  }

  /**
   * A zero-filled tensor that belongs to the caller even while a {@link Scope} is open (optimiser
   * state must outlive the step that creates it). The caller closes it.
   */
  public static Tensor ownedZeros(Device device, long... shape) {
    return Tensor.allocate(device, shape, false);
  }

  /**
   * SGD step, PyTorch semantics: {@code g' = g + wd·w; buf = momentum·buf + g'} ({@code buf = g'}
   * on step 1); {@code update = nesterov ? g' + momentum·buf : buf}; {@code w -= lr·update}.
   *
   * @param w parameter (Modified)
   * @param g gradient (Not modified)
   * @param momentumBuffer state (Modified), may be null when {@code momentum == 0}
   * @param step 1-based step count
   */
  public static void sgdUpdate(
      Tensor w,
      Tensor g,
      Tensor momentumBuffer,
      float lr,
      float momentum,
      float weightDecay,
      boolean nesterov,
      long step) {
    Checks.open("w", w);
    same("g", g, "w", w);
    if (momentumBuffer != null) {
      same("momentumBuffer", momentumBuffer, "w", w);
    } else if (momentum != 0f) {
      throw new JrnnException("momentumBuffer is null but momentum is " + momentum);
    }
    if (w.numel() == 0) {
      return;
    }
    Native.sgdUpdate(
        w.device().context(),
        w.numel(),
        w.address(),
        g.address(),
        momentumBuffer == null ? 0 : momentumBuffer.address(),
        lr,
        momentum,
        weightDecay,
        nesterov,
        step);
  }

  /**
   * Adam ({@code decoupled == false}, L2 weight decay added to the gradient) or AdamW ({@code
   * decoupled == true}: {@code w -= lr·wd·w}), PyTorch semantics with bias correction at the
   * 1-based {@code step}. {@code m} and {@code v} are state (Modified, zero before step 1).
   */
  public static void adamUpdate(
      Tensor w,
      Tensor g,
      Tensor m,
      Tensor v,
      float lr,
      float beta1,
      float beta2,
      float eps,
      float weightDecay,
      boolean decoupled,
      long step) {
    Checks.open("w", w);
    same("g", g, "w", w);
    same("m", m, "w", w);
    same("v", v, "w", w);
    if (w.numel() == 0) {
      return;
    }
    Native.adamUpdate(
        w.device().context(),
        w.numel(),
        w.address(),
        g.address(),
        m.address(),
        v.address(),
        lr,
        beta1,
        beta2,
        eps,
        weightDecay,
        decoupled,
        step);
  }

  /**
   * RMSProp, PyTorch semantics (not centred): {@code sq = alpha·sq + (1-alpha)·g'²}; with momentum
   * {@code buf = momentum·buf + g'/(sqrt(sq)+eps), w -= lr·buf}, else {@code w -= lr·g'/(sqrt(sq)+eps)}.
   *
   * @param momentumBuffer state (Modified), may be null when {@code momentum == 0}
   */
  public static void rmspropUpdate(
      Tensor w,
      Tensor g,
      Tensor sq,
      Tensor momentumBuffer,
      float lr,
      float alpha,
      float eps,
      float weightDecay,
      float momentum) {
    Checks.open("w", w);
    same("g", g, "w", w);
    same("sq", sq, "w", w);
    if (momentumBuffer != null) {
      same("momentumBuffer", momentumBuffer, "w", w);
    } else if (momentum != 0f) {
      throw new JrnnException("momentumBuffer is null but momentum is " + momentum);
    }
    if (w.numel() == 0) {
      return;
    }
    Native.rmspropUpdate(
        w.device().context(),
        w.numel(),
        w.address(),
        g.address(),
        sq.address(),
        momentumBuffer == null ? 0 : momentumBuffer.address(),
        lr,
        alpha,
        eps,
        weightDecay,
        momentum);
  }

  /** The sum of the squares of {@code x}'s elements, accumulated in double. */
  public static double sumSquares(Tensor x) {
    Checks.open("x", x);
    return x.numel() == 0 ? 0.0 : Native.sumSquares(x.device().context(), x.numel(), x.address());
  }

  /** The flat (row-major) index of the first NaN or infinity in {@code x}, or -1 if all are finite. */
  public static long firstNonFinite(Tensor x) {
    Checks.open("x", x);
    return x.numel() == 0 ? -1 : Native.firstNonFinite(x.device().context(), x.numel(), x.address());
  }

  /** {@code x *= alpha} in place. */
  public static void scale(Tensor x, float alpha) {
    Checks.open("x", x);
    if (x.numel() > 0) {
      Native.scale(x.device().context(), x.numel(), alpha, x.address());
    }
  }

  /** Clamps every element of {@code x} to {@code [-limit, limit]} in place ({@code limit >= 0}). */
  public static void clipValues(Tensor x, float limit) {
    Checks.open("x", x);
    if (!(limit >= 0f)) {
      throw new JrnnException("limit must be >= 0 but is " + limit);
    }
    if (x.numel() > 0) {
      Native.clipValues(x.device().context(), x.numel(), limit, x.address());
    }
  }

  /** The multi-index of flat element {@code flat} of a tensor of shape {@code shape}. */
  public static long[] unravel(long flat, long[] shape) {
    long[] idx = new long[shape.length];
    for (int i = shape.length - 1; i >= 0; i--) {
      long d = shape[i];
      idx[i] = d == 0 ? 0 : flat % d;
      flat = d == 0 ? 0 : flat / d;
    }
    return idx;
  }
}
