/*
 * Ops: the public, typed and shape-checked face of jrnn's training building blocks (linear,
 * embedding, losses, dropout, gather-last, reductions, optimiser updates), like torch.nn.functional.
 * Every method checks its tensors (open, same device, shapes) and then makes one native call.
 */
package org.jrnn;

import java.util.Arrays;

/**
 * Typed wrappers over the training ops of {@code jrnn.h}. Tensors are float32 and row-major; ids
 * and targets are Java {@code int[]} copied to a native int32 buffer for the call. Notation: M
 * rows, I/O input/output features, V vocabulary, E embedding size, K classes, T steps, N sequences,
 * F features. "{@code [..., I]}" means any rank {@code >= 1} whose last size is I (M is then the
 * product of the other sizes).
 *
 * <p>Outputs are either returned as new tensors (in the current {@link Scope}, or owned by the
 * caller when none is open) or passed in; an output marked "Modified" is overwritten, one marked
 * "ACCUMULATED" gets {@code +=}. Every method throws {@link JrnnException} naming the operation,
 * the argument and its shape when a tensor is null, closed, on another device or of the wrong
 * shape. The ops run on the CPU; a CUDA tensor gives the native NOT_SUPPORTED error until the CUDA
 * backend implements them.
 */
public final class Ops {
  private Ops() {}

  // ------------------------------------------------------------------ linear

  /**
   * {@code y = x · weightᵀ + bias}.
   *
   * @param x {@code [..., I]}. Not modified.
   * @param weight {@code [O, I]}. Not modified.
   * @param bias {@code [O]} or null. Not modified.
   * @return y {@code [..., O]} (x's shape with the last size O), a new tensor
   */
  public static Tensor linear(Tensor x, Tensor weight, Tensor bias) {
    String op = "linear";
    open(op, "x", x);
    long in = lastDim(op, "x", x);
    long[] ws = weight(op, x, weight, in);
    long[] shape = x.shape();
    shape[shape.length - 1] = ws[0];
    Tensor y = Tensor.empty(x.device(), shape);
    try {
      linearInto(x, weight, bias, y);
    } catch (RuntimeException e) {
      y.close();
      throw e;
    }
    return y;
  }

  /**
   * {@code y = x · weightᵀ + bias} into a given output.
   *
   * @param x {@code [..., I]}. Not modified.
   * @param weight {@code [O, I]}. Not modified.
   * @param bias {@code [O]} or null. Not modified.
   * @param y {@code [..., O]} with x's leading sizes. Modified.
   */
  public static void linearInto(Tensor x, Tensor weight, Tensor bias, Tensor y) {
    String op = "linear";
    open(op, "x", x);
    long in = lastDim(op, "x", x);
    long out = weight(op, x, weight, in)[0];
    if (bias != null) {
      same(op, "bias", bias, x);
      shape(op, "bias", bias, out);
    }
    same(op, "y", y, x);
    shape(op, "y", y, withLast(x.shape(), out));
    long m = x.numel() / in;
    positive(op, "rows of x", m);
    Tensor[] use = Tensor.acquireAll(x, weight, bias, y);
    try {
      Native.linearForward(ctx(x), m, in, out, ptr(x), ptr(weight), ptr(bias), ptr(y));
    } finally {
      Tensor.releaseAll(use);
    }
  }

  /**
   * Gradients of {@code sum(y * dy)} for {@code y = linear(x, weight, bias)}.
   *
   * @param x {@code [..., I]}, as given to the forward. Not modified.
   * @param weight {@code [O, I]}. Not modified.
   * @param dy {@code [..., O]}. Not modified.
   * @param dx {@code [..., I]} like x, or null when not wanted. Modified (overwritten).
   * @param dWeight {@code [O, I]} or null. ACCUMULATED.
   * @param dBias {@code [O]} or null. ACCUMULATED.
   */
  public static void linearBackward(
      Tensor x, Tensor weight, Tensor dy, Tensor dx, Tensor dWeight, Tensor dBias) {
    String op = "linearBackward";
    open(op, "x", x);
    long in = lastDim(op, "x", x);
    long out = weight(op, x, weight, in)[0];
    same(op, "dy", dy, x);
    shape(op, "dy", dy, withLast(x.shape(), out));
    if (dx != null) {
      same(op, "dx", dx, x);
      shape(op, "dx", dx, x.shape());
    }
    if (dWeight != null) {
      same(op, "dWeight", dWeight, x);
      shape(op, "dWeight", dWeight, out, in);
    }
    if (dBias != null) {
      same(op, "dBias", dBias, x);
      shape(op, "dBias", dBias, out);
    }
    long m = x.numel() / in;
    positive(op, "rows of x", m);
    Tensor[] use = Tensor.acquireAll(x, weight, dy, dx, dWeight, dBias);
    try {
      Native.linearBackward(
          ctx(x), m, in, out, ptr(x), ptr(weight), ptr(dy), ptr(dx), ptr(dWeight), ptr(dBias));
    } finally {
      Tensor.releaseAll(use);
    }
  }

  private static long[] weight(String op, Tensor x, Tensor weight, long in) {
    same(op, "weight", weight, x);
    if (weight.rank() != 2 || weight.dim(1) != in) {
      throw new JrnnException(
          op
              + ": weight must be [O, "
              + in
              + "] (I = "
              + in
              + " from x "
              + x.shapeString()
              + ") but is "
              + weight.shapeString());
    }
    positive(op, "O (rows of weight)", weight.dim(0));
    return weight.shape();
  }

  // ------------------------------------------------------------------ embedding

  /**
   * Rows of {@code table} at {@code ids}; id -1 gives a row of zeros (padding).
   *
   * @param table {@code [V, E]}. Not modified.
   * @param ids M ids, each in {@code 0..V-1} or -1. Not modified.
   * @param shape the leading sizes of the result (their product must be M), or none for {@code [M]}
   * @return {@code [...shape, E]}, a new tensor
   */
  public static Tensor embedding(Tensor table, int[] ids, long... shape) {
    String op = "embedding";
    open(op, "table", table);
    rank(op, "table", table, 2);
    long[] lead =
        shape == null || shape.length == 0 ? new long[] {ids == null ? 0 : ids.length} : shape;
    long[] full = Arrays.copyOf(lead, lead.length + 1);
    full[lead.length] = table.dim(1);
    Tensor y = Tensor.empty(table.device(), full);
    try {
      embeddingInto(table, ids, y);
    } catch (RuntimeException e) {
      y.close();
      throw e;
    }
    return y;
  }

  /**
   * Rows of {@code table} at {@code ids} into a given output.
   *
   * @param table {@code [V, E]}. Not modified.
   * @param ids M ids in {@code 0..V-1} or -1 (a zero row). Not modified.
   * @param y {@code [..., E]} with M rows. Modified.
   */
  public static void embeddingInto(Tensor table, int[] ids, Tensor y) {
    String op = "embedding";
    open(op, "table", table);
    rank(op, "table", table, 2);
    long v = table.dim(0);
    long e = table.dim(1);
    ids(op, "ids", ids, v, true);
    same(op, "y", y, table);
    rows(op, "y", y, ids.length, e);
    try (IntArg buf = new IntArg(table.device(), ids)) {
      Tensor[] use = Tensor.acquireAll(table, y);
      try {
        Native.embeddingForward(ctx(table), ids.length, v, e, buf.address(), ptr(table), ptr(y));
      } finally {
        Tensor.releaseAll(use);
      }
    }
  }

  /**
   * Gradient of an embedding lookup: adds row m of {@code dy} into row {@code ids[m]} of {@code
   * dTable} (rows with id -1 are skipped).
   *
   * @param dTable {@code [V, E]}. ACCUMULATED.
   * @param ids M ids as given to the forward. Not modified.
   * @param dy {@code [..., E]} with M rows. Not modified.
   */
  public static void embeddingBackward(Tensor dTable, int[] ids, Tensor dy) {
    String op = "embeddingBackward";
    open(op, "dTable", dTable);
    rank(op, "dTable", dTable, 2);
    long v = dTable.dim(0);
    long e = dTable.dim(1);
    ids(op, "ids", ids, v, true);
    same(op, "dy", dy, dTable);
    rows(op, "dy", dy, ids.length, e);
    try (IntArg buf = new IntArg(dTable.device(), ids)) {
      Tensor[] use = Tensor.acquireAll(dy, dTable);
      try {
        Native.embeddingBackward(
            ctx(dTable), ids.length, v, e, buf.address(), ptr(dy), ptr(dTable));
      } finally {
        Tensor.releaseAll(use);
      }
    }
  }

  // ------------------------------------------------------------------ losses

  /**
   * Softmax cross-entropy per row with label smoothing {@code s}: the target distribution is {@code
   * (1-s)·onehot(target) + s/K}; a target of -1 ignores the row (loss 0, gradient 0).
   *
   * @param logits {@code [..., K]} with M rows. Not modified (unless it is dLogits).
   * @param targets M class ids in {@code 0..K-1} or -1. Not modified.
   * @param labelSmoothing s in {@code [0, 1)}
   * @param scale factor of the gradient (e.g. 1 / number of counted rows)
   * @param loss {@code [M]} per-row loss, or null. Modified.
   * @param dLogits like logits, or null. Modified: {@code scale · (softmax(logits) - q)}; may be
   *     logits itself (in place).
   */
  public static void softmaxCrossEntropy(
      Tensor logits,
      int[] targets,
      float labelSmoothing,
      float scale,
      Tensor loss,
      Tensor dLogits) {
    String op = "softmaxCrossEntropy";
    open(op, "logits", logits);
    long k = lastDim(op, "logits", logits);
    long m = logits.numel() / k;
    ids(op, "targets", targets, k, true);
    if (targets.length != m) {
      throw new JrnnException(
          op
              + ": targets has "
              + targets.length
              + " entries but logits "
              + logits.shapeString()
              + " has "
              + m
              + " rows");
    }
    if (!(labelSmoothing >= 0f && labelSmoothing < 1f)) {
      throw new JrnnException(op + ": labelSmoothing = " + labelSmoothing + " must be in [0, 1)");
    }
    if (loss != null) {
      same(op, "loss", loss, logits);
      count(op, "loss", loss, m);
    }
    if (dLogits != null) {
      same(op, "dLogits", dLogits, logits);
      shape(op, "dLogits", dLogits, logits.shape());
    }
    positive(op, "rows of logits", m);
    try (IntArg buf = new IntArg(logits.device(), targets)) {
      Tensor[] use = Tensor.acquireAll(logits, loss, dLogits);
      try {
        Native.softmaxCrossEntropy(
            ctx(logits),
            m,
            k,
            ptr(logits),
            buf.address(),
            labelSmoothing,
            scale,
            ptr(loss),
            ptr(dLogits));
      } finally {
        Tensor.releaseAll(use);
      }
    }
  }

  /**
   * Row-wise softmax over the last dimension.
   *
   * @param x {@code [..., K]}. Not modified (unless it is y).
   * @param y like x; may be x itself. Modified.
   */
  public static void softmax(Tensor x, Tensor y) {
    softmax("softmax", x, false, y);
  }

  /** Row-wise log-softmax over the last dimension; see {@link #softmax(Tensor, Tensor)}. */
  public static void logSoftmax(Tensor x, Tensor y) {
    softmax("logSoftmax", x, true, y);
  }

  /**
   * The best {@code top} entries of each row of a host array, selected as {@link #logSoftmaxTop}
   * selects them (descending, ties to the lower column; NaN, -inf and excluded columns never
   * chosen): for scores that are already on the host, e.g. a decoder step written in Java.
   *
   * @param x {@code [rows, k]} row-major, at least rows·k floats. Not modified.
   * @param rows rows of x, >= 0
   * @param k columns of x, >= 1
   * @param top entries per row, >= 1
   * @param exclude columns never chosen (each in 0..k-1), or null. Not modified.
   * @param values at least rows·top floats. Modified: {@code [rows, top]}, -inf past a row's
   *     eligible entries
   * @param indices at least rows·top ints. Modified: {@code [rows, top]} columns, -1 past them
   */
  public static void topEntries(
      float[] x, int rows, int k, int top, int[] exclude, float[] values, int[] indices) {
    String op = "topEntries";
    if (x == null || values == null || indices == null) {
      throw new JrnnException(op + ": x, values and indices must not be null");
    }
    if (rows < 0 || k < 1 || top < 1) {
      throw new JrnnException(
          op + ": rows must be >= 0, k and top >= 1 but are " + rows + ", " + k + ", " + top);
    }
    long cells = (long) rows * k;
    long need = (long) rows * top;
    if (x.length < cells || values.length < need || indices.length < need) {
      throw new JrnnException(
          op
              + ": x must hold rows·k = "
              + cells
              + " entries and values, indices rows·top = "
              + need);
    }
    int[] ex = exclude == null ? new int[0] : exclude;
    for (int i = 0; i < ex.length; i++) {
      if (ex[i] < 0 || ex[i] >= k) {
        throw new JrnnException(
            op + ": exclude[" + i + "] = " + ex[i] + " is outside 0.." + (k - 1));
      }
    }
    TopEntries.select(x, rows, k, top, ex, values, indices);
  }

  /**
   * The best {@code top} entries of each row of {@code logSoftmax(x)}, for beam search without
   * copying whole rows to the host: per row, the values in descending order (ties: the lower column
   * first), each identical to the one {@link #logSoftmax} gives; NaN, -inf and excluded columns are
   * never chosen. On the CPU one native pass per row; on other devices through {@link #logSoftmax}
   * and a host copy.
   *
   * @param x logits {@code [..., K]}. Not modified.
   * @param top entries per row, >= 1
   * @param exclude columns never chosen (each in 0..K-1), or null. Not modified.
   * @param values at least rows·top floats. Modified: {@code [rows, top]}, -inf past a row's
   *     eligible entries
   * @param indices at least rows·top ints. Modified: {@code [rows, top]} columns, -1 past them
   */
  public static void logSoftmaxTop(
      Tensor x, int top, int[] exclude, float[] values, int[] indices) {
    String op = "logSoftmaxTop";
    open(op, "x", x);
    long k = lastDim(op, "x", x);
    long m = x.numel() / k;
    positive(op, "rows of x", m);
    positive(op, "top", top);
    int[] ex = exclude == null ? new int[0] : exclude;
    for (int i = 0; i < ex.length; i++) {
      if (ex[i] < 0 || ex[i] >= k) {
        throw new JrnnException(
            op + ": exclude[" + i + "] = " + ex[i] + " is outside 0.." + (k - 1));
      }
    }
    if (values == null || indices == null || values.length < m * top || indices.length < m * top) {
      throw new JrnnException(
          op + ": values and indices must hold rows·top = " + m * top + " entries");
    }
    if (x.device().isCpu()) {
      x.acquire();
      try {
        Native.logSoftmaxTop(ctx(x), m, k, ptr(x), top, ex, values, indices);
      } finally {
        x.release();
      }
      return;
    }
    try (Scope scope = Scope.open()) {
      Tensor lp = Tensor.empty(x.device(), x.shape());
      logSoftmax(x, lp);
      TopEntries.select(lp.toArray(), (int) m, (int) k, top, ex, values, indices);
    }
  }

  private static void softmax(String op, Tensor x, boolean log, Tensor y) {
    open(op, "x", x);
    long k = lastDim(op, "x", x);
    same(op, "y", y, x);
    shape(op, "y", y, x.shape());
    long m = x.numel() / k;
    positive(op, "rows of x", m);
    Tensor[] use = Tensor.acquireAll(x, y);
    try {
      Native.softmax(ctx(x), m, k, ptr(x), log, ptr(y));
    } finally {
      Tensor.releaseAll(use);
    }
  }

  /**
   * Binary cross-entropy on logits, per element: {@code w·(max(z,0) - z·t + log(1+exp(-|z|)))}.
   *
   * @param z logits, any shape with M elements. Not modified.
   * @param t targets in [0, 1], same shape. Not modified.
   * @param weights same shape, or null for ones (a weight 0 masks an element). Not modified.
   * @param scale factor of the gradient
   * @param loss {@code [M]} or z's shape, or null. Modified.
   * @param dz like z, or null. Modified: {@code scale · w · (σ(z) - t)}.
   */
  public static void bceWithLogits(
      Tensor z, Tensor t, Tensor weights, float scale, Tensor loss, Tensor dz) {
    String op = "bceWithLogits";
    open(op, "z", z);
    long m = z.numel();
    same(op, "t", t, z);
    shape(op, "t", t, z.shape());
    if (weights != null) {
      same(op, "weights", weights, z);
      shape(op, "weights", weights, z.shape());
    }
    if (loss != null) {
      same(op, "loss", loss, z);
      count(op, "loss", loss, m);
    }
    if (dz != null) {
      same(op, "dz", dz, z);
      shape(op, "dz", dz, z.shape());
    }
    positive(op, "elements of z", m);
    Tensor[] use = Tensor.acquireAll(z, t, weights, loss, dz);
    try {
      Native.bceWithLogits(ctx(z), m, ptr(z), ptr(t), ptr(weights), scale, ptr(loss), ptr(dz));
    } finally {
      Tensor.releaseAll(use);
    }
  }

  /**
   * Squared error per row: {@code loss[m] = w[m] · Σ_k (p[m,k] - t[m,k])²}.
   *
   * @param p predictions {@code [..., K]} with M rows. Not modified.
   * @param t targets, same shape. Not modified.
   * @param weights {@code [M]} row weights, or null for ones. Not modified.
   * @param scale factor of the gradient
   * @param loss {@code [M]} or null. Modified.
   * @param dp like p, or null. Modified: {@code scale · 2 w (p - t)}.
   */
  public static void mse(Tensor p, Tensor t, Tensor weights, float scale, Tensor loss, Tensor dp) {
    String op = "mse";
    open(op, "p", p);
    long k = lastDim(op, "p", p);
    long m = p.numel() / k;
    same(op, "t", t, p);
    shape(op, "t", t, p.shape());
    if (weights != null) {
      same(op, "weights", weights, p);
      count(op, "weights", weights, m);
    }
    if (loss != null) {
      same(op, "loss", loss, p);
      count(op, "loss", loss, m);
    }
    if (dp != null) {
      same(op, "dp", dp, p);
      shape(op, "dp", dp, p.shape());
    }
    positive(op, "rows of p", m);
    Tensor[] use = Tensor.acquireAll(p, t, weights, loss, dp);
    try {
      Native.mse(ctx(p), m, k, ptr(p), ptr(t), ptr(weights), scale, ptr(loss), ptr(dp));
    } finally {
      Tensor.releaseAll(use);
    }
  }

  // ------------------------------------------------------------------ dropout, gather

  /**
   * Inverted dropout: element i is kept when a counter-based hash of {@code (seed, i)} passes
   * {@code p}, and then scaled by {@code 1/(1-p)}. The same call on the output gradient with the
   * same seed is the backward pass (no mask is stored).
   *
   * @param x any shape. Not modified (unless it is y).
   * @param p drop probability in {@code [0, 1)}
   * @param seed the mask's seed
   * @param y same shape as x; may be x itself. Modified.
   */
  public static void dropout(Tensor x, float p, long seed, Tensor y) {
    String op = "dropout";
    open(op, "x", x);
    same(op, "y", y, x);
    shape(op, "y", y, x.shape());
    if (!(p >= 0f && p < 1f)) {
      throw new JrnnException(op + ": p = " + p + " must be in [0, 1)");
    }
    positive(op, "elements of x", x.numel());
    Tensor[] use = Tensor.acquireAll(x, y);
    try {
      Native.dropout(ctx(x), x.numel(), p, seed, ptr(x), ptr(y));
    } finally {
      Tensor.releaseAll(use);
    }
  }

  /**
   * The step {@code t = lengths[n]-1} of each sequence.
   *
   * @param y {@code [T, N, F]}. Not modified.
   * @param lengths {@code [N]} each in {@code 1..T}, or null for all T. Not modified.
   * @return {@code [N, F]}, a new tensor
   */
  public static Tensor gatherLast(Tensor y, int[] lengths) {
    String op = "gatherLast";
    open(op, "y", y);
    rank(op, "y", y, 3);
    Tensor out = Tensor.empty(y.device(), y.dim(1), y.dim(2));
    try {
      gatherLastInto(y, lengths, out);
    } catch (RuntimeException e) {
      out.close();
      throw e;
    }
    return out;
  }

  /**
   * The step {@code t = lengths[n]-1} of each sequence into a given output.
   *
   * @param y {@code [T, N, F]}. Not modified.
   * @param lengths {@code [N]} each in {@code 1..T}, or null for all T. Not modified.
   * @param out {@code [N, F]}. Modified.
   */
  public static void gatherLastInto(Tensor y, int[] lengths, Tensor out) {
    String op = "gatherLast";
    open(op, "y", y);
    rank(op, "y", y, 3);
    long t = y.dim(0);
    long n = y.dim(1);
    long f = y.dim(2);
    same(op, "out", out, y);
    shape(op, "out", out, n, f);
    lengths(op, lengths, n, t);
    positive(op, "T", t);
    positive(op, "N", n);
    positive(op, "F", f);
    Tensor[] use = Tensor.acquireAll(y, out);
    try {
      Native.gatherLast(ctx(y), t, n, f, lengths, ptr(y), ptr(out));
    } finally {
      Tensor.releaseAll(use);
    }
  }

  /**
   * Gradient of {@link #gatherLast}: adds {@code dOut[n]} into {@code dy[lengths[n]-1, n]}.
   *
   * @param dOut {@code [N, F]}. Not modified.
   * @param lengths {@code [N]} as in the forward, or null for all T. Not modified.
   * @param dy {@code [T, N, F]}. ACCUMULATED.
   */
  public static void gatherLastBackward(Tensor dOut, int[] lengths, Tensor dy) {
    String op = "gatherLastBackward";
    open(op, "dy", dy);
    rank(op, "dy", dy, 3);
    long t = dy.dim(0);
    long n = dy.dim(1);
    long f = dy.dim(2);
    same(op, "dOut", dOut, dy);
    shape(op, "dOut", dOut, n, f);
    lengths(op, lengths, n, t);
    positive(op, "T", t);
    positive(op, "N", n);
    positive(op, "F", f);
    Tensor[] use = Tensor.acquireAll(dOut, dy);
    try {
      Native.gatherLastBackward(ctx(dy), t, n, f, lengths, ptr(dOut), ptr(dy));
    } finally {
      Tensor.releaseAll(use);
    }
  }

  // ------------------------------------------------------------------ reductions, elementwise

  /**
   * Index (row-major) of the first NaN or infinity of x, or -1 when all are finite. Not modified.
   */
  public static long firstNonFinite(Tensor x) {
    open("firstNonFinite", "x", x);
    positive("firstNonFinite", "elements of x", x.numel());
    x.acquire();
    try {
      return Native.firstNonFinite(ctx(x), x.numel(), ptr(x));
    } finally {
      x.release();
    }
  }

  /** Whether every element of x is finite. Not modified. */
  public static boolean allFinite(Tensor x) {
    return firstNonFinite(x) < 0;
  }

  /**
   * {@code y += alpha · x}.
   *
   * @param x any shape. Not modified.
   * @param y same number of elements as x. Modified.
   */
  public static void axpy(float alpha, Tensor x, Tensor y) {
    String op = "axpy";
    open(op, "x", x);
    same(op, "y", y, x);
    count(op, "y", y, x.numel());
    positive(op, "elements of x", x.numel());
    Tensor[] use = Tensor.acquireAll(x, y);
    try {
      Native.axpy(ctx(x), x.numel(), alpha, ptr(x), ptr(y));
    } finally {
      Tensor.releaseAll(use);
    }
  }

  // ------------------------------------------------------------------ checks

  /** A native int32 copy of a Java array, freed by close(). */
  private static final class IntArg implements AutoCloseable {
    private final NativeMemory memory;

    IntArg(Device device, int[] values) {
      memory = new NativeMemory(device, 4L * values.length, "int32 argument");
      try {
        if (values.length > 0) {
          Native.copyIntsFromHost(memory.context, memory.address, values, values.length);
        }
      } catch (RuntimeException e) {
        memory.free();
        throw e;
      }
    }

    long address() {
      return memory.address;
    }

    @Override
    public void close() {
      memory.free();
    }
  }

  private static NativeContext ctx(Tensor t) {
    return t.device().context();
  }

  /** The address of a tensor acquired for the call (Tensor.acquireAll), or 0 (NULL) for null. */
  private static long ptr(Tensor t) {
    return Tensor.acquiredOrNull(t);
  }

  private static void open(String op, String name, Tensor t) {
    if (t == null) {
      throw new JrnnException(op + ": " + name + " is null");
    }
    if (t.isClosed()) {
      throw new JrnnException(
          JrnnException.Status.CLOSED, op + ": " + name + " (" + t.describe() + ") is closed");
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

  private static void shape(String op, String name, Tensor t, long... expected) {
    if (!Arrays.equals(t.shape(), expected)) {
      throw new JrnnException(
          op
              + ": "
              + name
              + " must be "
              + Arrays.toString(expected)
              + " but is "
              + t.shapeString());
    }
  }

  private static void rank(String op, String name, Tensor t, int rank) {
    if (t.rank() != rank) {
      String dims = rank == 2 ? "[V, E]" : rank == 3 ? "[T, N, F]" : "rank " + rank;
      throw new JrnnException(op + ": " + name + " must be " + dims + " but is " + t.shapeString());
    }
  }

  private static long lastDim(String op, String name, Tensor t) {
    if (t.rank() < 1 || t.dim(-1) < 1) {
      throw new JrnnException(
          op + ": " + name + " must be [..., K] with K >= 1 but is " + t.shapeString());
    }
    return t.dim(-1);
  }

  /** t has {@code rows} rows of {@code width}: shape [..., width] with rows·width elements. */
  private static void rows(String op, String name, Tensor t, long rows, long width) {
    if (t.rank() < 1 || t.dim(-1) != width || t.numel() != rows * width) {
      throw new JrnnException(
          op
              + ": "
              + name
              + " must be [..., "
              + width
              + "] with "
              + rows
              + " rows but is "
              + t.shapeString());
    }
  }

  private static void count(String op, String name, Tensor t, long n) {
    if (t.numel() != n) {
      throw new JrnnException(
          op + ": " + name + " must have " + n + " elements but is " + t.shapeString());
    }
  }

  private static void positive(String op, String what, long n) {
    if (n < 1) {
      throw new JrnnException(op + ": " + what + " must be >= 1 but is " + n);
    }
  }

  private static long[] withLast(long[] shape, long last) {
    long[] s = shape.clone();
    s[s.length - 1] = last;
    return s;
  }

  private static void ids(String op, String name, int[] ids, long bound, boolean allowIgnore) {
    if (ids == null) {
      throw new JrnnException(op + ": " + name + " is null");
    }
    positive(op, "length of " + name, ids.length);
    for (int i = 0; i < ids.length; i++) {
      if (ids[i] >= bound || ids[i] < (allowIgnore ? -1 : 0)) {
        throw new JrnnException(
            op
                + ": "
                + name
                + "["
                + i
                + "] = "
                + ids[i]
                + " is outside 0.."
                + (bound - 1)
                + (allowIgnore ? " (or -1)" : ""));
      }
    }
  }

  private static void lengths(String op, int[] lengths, long n, long t) {
    if (lengths == null) {
      return;
    }
    if (lengths.length != n) {
      throw new JrnnException(op + ": lengths has " + lengths.length + " entries but N = " + n);
    }
    for (int i = 0; i < lengths.length; i++) {
      if (lengths[i] < 1 || lengths[i] > t) {
        throw new JrnnException(
            op
                + ": lengths["
                + i
                + "] = "
                + lengths[i]
                + " is outside 1.."
                + t
                + " (T = "
                + t
                + ")");
      }
    }
  }
}
