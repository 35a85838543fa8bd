/*
 * OptimizerKernels: the native kernels behind jrnn's optimisers and gradient clipping (SGD, Adam,
 * AdamW, RMSProp updates; sum of squares, scaling, clamping), kept out of the functional Ops. They
 * live here, beside the package-private binding, because they pass tensors to native code.
 */
package org.jrnn;

import java.util.Arrays;

/**
 * In-place update kernels for optimisers. Each checks its tensors (open, same device, element
 * counts) and keeps them from being freed for the duration of the native call, like {@link
 * org.jrnn.Ops}. jrnn-train's optimisers (org.jrnn.optim) are built on these; users train through
 * an {@code Optimizer} and need them only to write an optimiser of their own.
 */
public final class OptimizerKernels {
  private OptimizerKernels() {}

  // ------------------------------------------------------------------ reductions, elementwise

  /** Σ x², accumulated in double. @param x any non-empty shape. Not modified. */
  public static double sumSquares(Tensor x) {
    open("sumSquares", "x", x);
    positive("sumSquares", "elements of x", x.numel());
    Tensor[] use = Tensor.acquireAll(x);
    try {
      return Native.sumSquares(ctx(x), x.numel(), ptr(x));
    } finally {
      Tensor.releaseAll(use);
    }
  }

  /** {@code x *= alpha}. Modified: x. */
  public static void scale(Tensor x, float alpha) {
    open("scale", "x", x);
    positive("scale", "elements of x", x.numel());
    Tensor[] use = Tensor.acquireAll(x);
    try {
      Native.scale(ctx(x), x.numel(), alpha, ptr(x));
    } finally {
      Tensor.releaseAll(use);
    }
  }

  /** {@code x = clamp(x, -limit, limit)}, {@code limit > 0}. Modified: x. */
  public static void clipValues(Tensor x, float limit) {
    open("clipValues", "x", x);
    if (!(limit > 0f)) {
      throw new JrnnException("clipValues: limit = " + limit + " must be > 0");
    }
    positive("clipValues", "elements of x", x.numel());
    Tensor[] use = Tensor.acquireAll(x);
    try {
      Native.clipValues(ctx(x), x.numel(), limit, ptr(x));
    } finally {
      Tensor.releaseAll(use);
    }
  }

  // ------------------------------------------------------------------ updates

  /**
   * One SGD step (PyTorch semantics): {@code g' = g + wd·w}; {@code buf = momentum·buf + g'}
   * ({@code buf = g'} at step 1); update = nesterov ? {@code g' + momentum·buf} : buf; {@code w -=
   * lr·update}.
   *
   * @param w parameters. Modified.
   * @param g gradient, same element count. Not modified.
   * @param momentumBuffer same element count, zeroed before step 1; null allowed when momentum is
   *     0. Modified.
   * @param step 1-based step number
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
    String op = "sgdUpdate";
    long n = update(op, w, g);
    if (momentumBuffer != null) {
      same(op, "momentumBuffer", momentumBuffer, w);
      count(op, "momentumBuffer", momentumBuffer, n);
    } else if (momentum != 0f) {
      throw new JrnnException(op + ": momentumBuffer is null but momentum = " + momentum);
    }
    Tensor[] use = Tensor.acquireAll(w, g, momentumBuffer);
    try {
      Native.sgdUpdate(
          ctx(w),
          n,
          ptr(w),
          ptr(g),
          ptr(momentumBuffer),
          lr,
          momentum,
          weightDecay,
          nesterov,
          step);
    } finally {
      Tensor.releaseAll(use);
    }
  }

  /**
   * One Adam step (AdamW when {@code decoupled}), PyTorch semantics with bias correction at the
   * 1-based {@code step}.
   *
   * @param w parameters. Modified.
   * @param g gradient, same element count. Not modified.
   * @param m first moment, same element count, zeroed before step 1. Modified.
   * @param v second moment, same element count, zeroed before step 1. Modified.
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
    String op = "adamUpdate";
    long n = update(op, w, g);
    same(op, "m", m, w);
    count(op, "m", m, n);
    same(op, "v", v, w);
    count(op, "v", v, n);
    Tensor[] use = Tensor.acquireAll(w, g, m, v);
    try {
      Native.adamUpdate(
          ctx(w),
          n,
          ptr(w),
          ptr(g),
          ptr(m),
          ptr(v),
          lr,
          beta1,
          beta2,
          eps,
          weightDecay,
          decoupled,
          step);
    } finally {
      Tensor.releaseAll(use);
    }
  }

  /**
   * One RMSProp step, PyTorch semantics (not centred): {@code sq = alpha·sq + (1-alpha)·g'²}; with
   * momentum {@code buf = momentum·buf + g'/(sqrt(sq)+eps)}, {@code w -= lr·buf}; else {@code w -=
   * lr·g'/(sqrt(sq)+eps)}.
   *
   * @param w parameters. Modified.
   * @param g gradient, same element count. Not modified.
   * @param square running mean of squares, zeroed at the start. Modified.
   * @param momentumBuffer same element count, or null when momentum is 0. Modified.
   */
  public static void rmspropUpdate(
      Tensor w,
      Tensor g,
      Tensor square,
      Tensor momentumBuffer,
      float lr,
      float alpha,
      float eps,
      float weightDecay,
      float momentum) {
    String op = "rmspropUpdate";
    long n = update(op, w, g);
    same(op, "square", square, w);
    count(op, "square", square, n);
    if (momentumBuffer != null) {
      same(op, "momentumBuffer", momentumBuffer, w);
      count(op, "momentumBuffer", momentumBuffer, n);
    } else if (momentum != 0f) {
      throw new JrnnException(op + ": momentumBuffer is null but momentum = " + momentum);
    }
    Tensor[] use = Tensor.acquireAll(w, g, square, momentumBuffer);
    try {
      Native.rmspropUpdate(
          ctx(w),
          n,
          ptr(w),
          ptr(g),
          ptr(square),
          ptr(momentumBuffer),
          lr,
          alpha,
          eps,
          weightDecay,
          momentum);
    } finally {
      Tensor.releaseAll(use);
    }
  }

  private static long update(String op, Tensor w, Tensor g) {
    open(op, "w", w);
    same(op, "g", g, w);
    count(op, "g", g, w.numel());
    positive(op, "elements of w", w.numel());
    return w.numel();
  }

  // ------------------------------------------------------------------ checks

  private static NativeContext ctx(Tensor t) {
    return t.device().context();
  }

  /** The address of a tensor acquired for the call, or 0 (NULL) for null. */
  private static long ptr(Tensor t) {
    return Tensor.acquiredOrNull(t);
  }

  private static void open(String op, String name, Tensor t) {
    if (t == null) {
      throw new JrnnException(op + ": " + name + " is null");
    }
    if (t.isClosed()) {
      throw new JrnnException(
          JrnnException.Status.CLOSED,
          op
              + ": "
              + name
              + " (tensor "
              + Arrays.toString(t.shape())
              + " on "
              + t.device()
              + ") is closed");
    }
  }

  /** t is open and on the device of {@code ref} (an argument checked before). */
  private static void same(String op, String name, Tensor t, Tensor ref) {
    open(op, name, t);
    if (!t.device().equals(ref.device())) {
      throw new JrnnException(
          op
              + ": "
              + name
              + " is on "
              + t.device()
              + " but the other arguments are on "
              + ref.device());
    }
  }

  private static void count(String op, String name, Tensor t, long n) {
    if (t.numel() != n) {
      throw new JrnnException(
          op + ": " + name + " must have " + n + " elements but is " + Arrays.toString(t.shape()));
    }
  }

  private static void positive(String op, String what, long n) {
    if (n < 1) {
      throw new JrnnException(op + ": " + what + " must be >= 1 but is " + n);
    }
  }
}
