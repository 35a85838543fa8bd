/*
 * Native: the typed facade over the generated binding (JrnnNative). It loads the native libraries
 * (OpenBLAS's preset first, so libopenblas.so.0 resolves, then libjrnn.so and the JNI glue), owns
 * the per-device contexts, runs every context call under the context's lock and turns every failed
 * status or NULL result into a JrnnException carrying jrnn_last_error(). It checks nothing about
 * shapes: org.jrnn does that before calling here. Internal API, not for users.
 */
package org.jrnn;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.annotation.Platform;
import org.jrnn.JrnnException.Status;

/**
 * Typed access to {@code jrnn.h}. Addresses are {@code long}s of memory from {@link #alloc}; every
 * method throws {@link JrnnException} with the native message when the native call fails. Internal
 * API: it trusts its arguments (the public classes in {@code org.jrnn} validate them), so a wrong
 * address here can crash the JVM.
 */
final class Native {
  /** {@code JRNN_DEVICE_CPU}. */
  public static final int DEVICE_CPU = 0;

  /** {@code JRNN_DEVICE_CUDA}. */
  public static final int DEVICE_CUDA = 1;

  /** {@code JRNN_PASS_INFERENCE}. */
  public static final int PASS_INFERENCE = 0;

  /** {@code JRNN_PASS_TRAINING_FORWARD}. */
  public static final int PASS_TRAINING_FORWARD = 1;

  /** {@code JRNN_PASS_BACKWARD}. */
  public static final int PASS_BACKWARD = 2;

  /** {@code JRNN_PASS_STEP}. */
  public static final int PASS_STEP = 3;

  private static final Throwable LOAD_ERROR;

  static {
    Throwable error = null;
    try {
      // OpenBLAS first: libjrnn.so needs libopenblas.so.0, which only the openblas preset's
      // extraction puts on disk; once loaded, the dynamic linker resolves it by soname.
      Loader.load(org.bytedeco.openblas.global.openblas_nolapack.class);
      Loader.load(JrnnNative.class);
    } catch (Throwable t) {
      error = t;
    }
    LOAD_ERROR = error;
  }

  private static final Map<Long, NativeContext> CONTEXTS = new ConcurrentHashMap<>();

  private Native() {}

  /** Throws a JrnnException explaining why the native libraries did not load, if they did not. */
  public static void ensureLoaded() {
    if (LOAD_ERROR != null) {
      throw new JrnnException(
          Status.INTERNAL, loadFailure(Loader.getPlatform(), platforms(), LOAD_ERROR), LOAD_ERROR);
    }
  }

  /** The platforms jrnn ships native libraries for: those JrnnNative's {@code @Platform} names. */
  static List<String> platforms() {
    return List.of(JrnnNative.class.getAnnotation(Platform.class).value());
  }

  /** Why loading failed, in words: an unsupported platform, or the natives jar's absence. */
  static String loadFailure(String platform, List<String> supported, Throwable error) {
    if (!supported.contains(platform)) {
      return "jrnn has no native libraries for platform "
          + platform
          + ": it ships them for "
          + String.join(" and ", supported)
          + " only";
    }
    return "could not load jrnn's native libraries for platform "
        + platform
        + " (they are in jrnn-core-VERSION-"
        + platform
        + ".jar, which jrnn-platform brings unless -Djavacpp.platform named another platform): "
        + error;
  }

  private static JrnnException failure(int status, String what) {
    String message = JrnnNative.jrnn_last_error();
    if (message == null || message.isEmpty()) {
      message = what + " failed with status " + Status.of(status);
    }
    return new JrnnException(Status.of(status), message);
  }

  private static void check(int status, String what) {
    if (status != 0) {
      throw failure(status, what);
    }
  }

  // ------------------------------------------------------------------ library

  /** The native library's version, e.g. "0.1.0". */
  public static String version() {
    ensureLoaded();
    return JrnnNative.jrnn_version();
  }

  /** Whether libjrnn was compiled with its CUDA backend. */
  public static boolean hasCuda() {
    ensureLoaded();
    return JrnnNative.jrnn_has_cuda() != 0;
  }

  /** Usable CUDA devices (0 without a CUDA build, a driver or a GPU). */
  public static int cudaDeviceCount() {
    ensureLoaded();
    return JrnnNative.jrnn_cuda_device_count();
  }

  /**
   * The context of a device, created on first use and kept for the life of the JVM. CPU contexts
   * use {@code -Djrnn.cpu.threads=N} worker threads (default: all cores).
   */
  public static NativeContext context(int deviceType, int deviceIndex) {
    ensureLoaded();
    long key = ((long) deviceType << 32) | (deviceIndex & 0xffffffffL);
    NativeContext ctx = CONTEXTS.get(key);
    if (ctx != null) {
      return ctx;
    }
    synchronized (CONTEXTS) {
      ctx = CONTEXTS.get(key);
      if (ctx == null) {
        int threads = Integer.getInteger("jrnn.cpu.threads", 0);
        long handle = JrnnNative.jrnn_context_create(deviceType, deviceIndex, threads);
        if (handle == 0) {
          throw failure(Status.INTERNAL.code(), "jrnn_context_create");
        }
        ctx = new NativeContext(handle, deviceType, deviceIndex);
        CONTEXTS.put(key, ctx);
      }
      return ctx;
    }
  }

  /** Waits for all queued work on the context (a no-op on the CPU). */
  public static void synchronize(NativeContext ctx) {
    ctx.lock.lock();
    try {
      check(JrnnNative.jrnn_context_synchronize(ctx.handle), "jrnn_context_synchronize");
    } finally {
      ctx.lock.unlock();
    }
  }

  // ------------------------------------------------------------------ memory

  /**
   * Allocates {@code bytes} (> 0) of 64-byte aligned device memory, zero-filled when {@code zeroed}
   * (else its contents are unspecified). Never returns 0.
   */
  public static long alloc(NativeContext ctx, long bytes, boolean zeroed) {
    ctx.lock.lock();
    try {
      long p =
          zeroed
              ? JrnnNative.jrnn_alloc(ctx.handle, bytes)
              : JrnnNative.jrnn_alloc_uninitialized(ctx.handle, bytes);
      if (p == 0) {
        String message = JrnnNative.jrnn_last_error();
        throw new JrnnException(
            Status.OUT_OF_MEMORY,
            message == null || message.isEmpty()
                ? "could not allocate " + bytes + " bytes on " + ctx
                : message);
      }
      return p;
    } finally {
      ctx.lock.unlock();
    }
  }

  /** Frees memory from {@link #alloc} on the same context; 0 is ignored. */
  public static void free(NativeContext ctx, long ptr) {
    ctx.lock.lock();
    try {
      JrnnNative.jrnn_free(ctx.handle, ptr);
    } finally {
      ctx.lock.unlock();
    }
  }

  /** Bytes of freed blocks the context keeps for reuse (CPU; 0 for CUDA). */
  public static long cachedBytes(NativeContext ctx) {
    ctx.lock.lock();
    try {
      return JrnnNative.jrnn_context_cached_bytes(ctx.handle);
    } finally {
      ctx.lock.unlock();
    }
  }

  /** Returns the context's cached blocks to the system. */
  public static void releaseCached(NativeContext ctx) {
    ctx.lock.lock();
    try {
      check(JrnnNative.jrnn_context_release_cached(ctx.handle), "jrnn_context_release_cached");
    } finally {
      ctx.lock.unlock();
    }
  }

  /** Copies {@code count} floats of {@code src} (Not modified) to device memory {@code dst}. */
  public static void copyFromHost(NativeContext ctx, long dst, float[] src, long count) {
    ctx.lock.lock();
    try {
      check(JrnnNative.jrnn_copy_from_host(ctx.handle, dst, src, count * 4), "jrnn_copy_from_host");
    } finally {
      ctx.lock.unlock();
    }
  }

  /** Copies {@code bytes} from host memory at {@code src} to device memory {@code dst}. */
  public static void copyFromHostAddress(NativeContext ctx, long dst, long src, long bytes) {
    ctx.lock.lock();
    try {
      check(JrnnNative.jrnn_copy_from_host(ctx.handle, dst, src, bytes), "jrnn_copy_from_host");
    } finally {
      ctx.lock.unlock();
    }
  }

  /** Copies {@code count} floats of device memory {@code src} into {@code dst} (Modified). */
  public static void copyToHost(NativeContext ctx, float[] dst, long src, long count) {
    ctx.lock.lock();
    try {
      check(JrnnNative.jrnn_copy_to_host(ctx.handle, dst, src, count * 4), "jrnn_copy_to_host");
    } finally {
      ctx.lock.unlock();
    }
  }

  /** Copies {@code bytes} of device memory {@code src} to host memory at {@code dst}. */
  public static void copyToHostAddress(NativeContext ctx, long dst, long src, long bytes) {
    ctx.lock.lock();
    try {
      check(JrnnNative.jrnn_copy_to_host(ctx.handle, dst, src, bytes), "jrnn_copy_to_host");
    } finally {
      ctx.lock.unlock();
    }
  }

  /** Copies {@code bytes} between two non-overlapping buffers of the context's device. */
  public static void copyOnDevice(NativeContext ctx, long dst, long src, long bytes) {
    ctx.lock.lock();
    try {
      check(JrnnNative.jrnn_copy_on_device(ctx.handle, dst, src, bytes), "jrnn_copy_on_device");
    } finally {
      ctx.lock.unlock();
    }
  }

  /** Sets {@code bytes} of device memory to zero. */
  public static void zero(NativeContext ctx, long dst, long bytes) {
    ctx.lock.lock();
    try {
      check(JrnnNative.jrnn_zero(ctx.handle, dst, bytes), "jrnn_zero");
    } finally {
      ctx.lock.unlock();
    }
  }

  // ------------------------------------------------------------------ descriptors

  /** Creates a layer-stack descriptor; see {@code jrnn_rnn_desc_create}. Never returns 0. */
  public static long rnnDescCreate(
      int cell, long inputSize, long hiddenSize, int layers, boolean bidirectional, boolean bias) {
    ensureLoaded();
    long d =
        JrnnNative.jrnn_rnn_desc_create(
            cell, inputSize, hiddenSize, layers, bidirectional ? 1 : 0, bias ? 1 : 0);
    if (d == 0) {
      throw failure(Status.INVALID_ARGUMENT.code(), "jrnn_rnn_desc_create");
    }
    return d;
  }

  /** Destroys a descriptor (0 is ignored). */
  public static void rnnDescDestroy(long desc) {
    if (desc != 0) {
      JrnnNative.jrnn_rnn_desc_destroy(desc);
    }
  }

  /** Floats in the flat weight (and gradient) buffer. */
  public static long rnnWeightsCount(long desc) {
    return JrnnNative.jrnn_rnn_weights_count(desc);
  }

  /** Number of named parameter views. */
  public static int rnnParamCount(long desc) {
    return JrnnNative.jrnn_rnn_param_count(desc);
  }

  /** One named view of the flat buffer: PyTorch name, offset (floats), rows, cols. */
  public record ParamInfo(String name, long offset, long rows, long cols) {}

  /** The view at {@code index} (0 .. {@link #rnnParamCount}-1). */
  public static ParamInfo rnnParam(long desc, int index) {
    String name = JrnnNative.jrnn_rnn_param_name(desc, index);
    long offset = JrnnNative.jrnn_rnn_param_offset(desc, index);
    long rows = JrnnNative.jrnn_rnn_param_rows(desc, index);
    long cols = JrnnNative.jrnn_rnn_param_cols(desc, index);
    if (name == null || offset < 0 || rows < 0 || cols < 0) {
      throw new JrnnException(Status.INTERNAL, "no parameter view at index " + index);
    }
    return new ParamInfo(name, offset, rows, cols);
  }

  /** Bytes of reserve for a training forward of T steps, N sequences. */
  public static long rnnReserveBytes(NativeContext ctx, long desc, long t, long n) {
    long b = JrnnNative.jrnn_rnn_reserve_bytes(ctx.handle, desc, t, n);
    if (b == 0) {
      String message = JrnnNative.jrnn_last_error();
      if (message != null && !message.isEmpty()) {
        throw new JrnnException(Status.INVALID_ARGUMENT, message);
      }
    }
    return b;
  }

  /** Bytes of scratch for one pass (one of the PASS_ constants); 0 may be a valid answer. */
  public static long rnnScratchBytes(NativeContext ctx, long desc, long t, long n, int pass) {
    return JrnnNative.jrnn_rnn_scratch_bytes(ctx.handle, desc, t, n, pass);
  }

  // ------------------------------------------------------------------ passes

  /** {@code jrnn_rnn_forward}; 0 stands for NULL. See jrnn.h for shapes and Modified/Not. */
  public static void rnnForward(
      NativeContext ctx,
      long desc,
      long t,
      long n,
      int[] lengths,
      long x,
      long h0,
      long c0,
      long w,
      long y,
      long hy,
      long cy,
      long reserve,
      long scratch) {
    ctx.lock.lock();
    try {
      check(
          JrnnNative.jrnn_rnn_forward(
              ctx.handle, desc, t, n, lengths, x, h0, c0, w, y, hy, cy, reserve, scratch),
          "jrnn_rnn_forward");
    } finally {
      ctx.lock.unlock();
    }
  }

  /** {@code jrnn_rnn_backward}; 0 stands for NULL. dw is accumulated (+=). */
  public static void rnnBackward(
      NativeContext ctx,
      long desc,
      long t,
      long n,
      int[] lengths,
      long x,
      long h0,
      long c0,
      long w,
      long dy,
      long dhy,
      long dcy,
      long dx,
      long dh0,
      long dc0,
      long dw,
      long reserve,
      long scratch) {
    ctx.lock.lock();
    try {
      check(
          JrnnNative.jrnn_rnn_backward(
              ctx.handle,
              desc,
              t,
              n,
              lengths,
              x,
              h0,
              c0,
              w,
              dy,
              dhy,
              dcy,
              dx,
              dh0,
              dc0,
              dw,
              reserve,
              scratch),
          "jrnn_rnn_backward");
    } finally {
      ctx.lock.unlock();
    }
  }

  /** {@code jrnn_rnn_step}; 0 stands for NULL; hy may equal hx and cy may equal cx. */
  public static void rnnStep(
      NativeContext ctx,
      long desc,
      long n,
      long x,
      long hx,
      long cx,
      long w,
      long y,
      long hy,
      long cy,
      long scratch) {
    ctx.lock.lock();
    try {
      check(
          JrnnNative.jrnn_rnn_step(ctx.handle, desc, n, x, hx, cx, w, y, hy, cy, scratch),
          "jrnn_rnn_step");
    } finally {
      ctx.lock.unlock();
    }
  }

  // ------------------------------------------------------------------ int32 buffers

  /** Copies {@code count} ints of {@code src} (Not modified) to device memory {@code dst}. */
  public static void copyIntsFromHost(NativeContext ctx, long dst, int[] src, long count) {
    ctx.lock.lock();
    try {
      check(JrnnNative.jrnn_copy_from_host(ctx.handle, dst, src, count * 4), "jrnn_copy_from_host");
    } finally {
      ctx.lock.unlock();
    }
  }

  /** Copies {@code count} ints of device memory {@code src} into {@code dst} (Modified). */
  public static void copyIntsToHost(NativeContext ctx, int[] dst, long src, long count) {
    ctx.lock.lock();
    try {
      check(JrnnNative.jrnn_copy_to_host(ctx.handle, dst, src, count * 4), "jrnn_copy_to_host");
    } finally {
      ctx.lock.unlock();
    }
  }

  // ------------------------------------------------------------------ layers, losses, optimisers
  // Thin wrappers of the jrnn.h functions of the same name (see jrnn.h for shapes, Modified/Not
  // modified and what ACCUMULATES); 0 stands for NULL; ids/targets are int32 device memory.

  /** {@code jrnn_linear_forward}: y [M, O] = x [M, I] · wᵀ + b (b may be 0). Modified: y. */
  public static void linearForward(
      NativeContext ctx, long m, long i, long o, long x, long w, long b, long y) {
    ctx.lock.lock();
    try {
      check(JrnnNative.jrnn_linear_forward(ctx.handle, m, i, o, x, w, b, y), "jrnn_linear_forward");
    } finally {
      ctx.lock.unlock();
    }
  }

  /** {@code jrnn_linear_backward}: dx overwritten (or 0); dw, db ACCUMULATE (or 0). */
  public static void linearBackward(
      NativeContext ctx,
      long m,
      long i,
      long o,
      long x,
      long w,
      long dy,
      long dx,
      long dw,
      long db) {
    ctx.lock.lock();
    try {
      check(
          JrnnNative.jrnn_linear_backward(ctx.handle, m, i, o, x, w, dy, dx, dw, db),
          "jrnn_linear_backward");
    } finally {
      ctx.lock.unlock();
    }
  }

  /** {@code jrnn_embedding_forward}: y [M, E] = table [V, E] rows at int32 ids [M] (-1: zeros). */
  public static void embeddingForward(
      NativeContext ctx, long m, long v, long e, long ids, long table, long y) {
    ctx.lock.lock();
    try {
      check(
          JrnnNative.jrnn_embedding_forward(ctx.handle, m, v, e, ids, table, y),
          "jrnn_embedding_forward");
    } finally {
      ctx.lock.unlock();
    }
  }

  /** {@code jrnn_embedding_backward}: dtable [V, E] ACCUMULATES dy [M, E] rows at ids. */
  public static void embeddingBackward(
      NativeContext ctx, long m, long v, long e, long ids, long dy, long dtable) {
    ctx.lock.lock();
    try {
      check(
          JrnnNative.jrnn_embedding_backward(ctx.handle, m, v, e, ids, dy, dtable),
          "jrnn_embedding_backward");
    } finally {
      ctx.lock.unlock();
    }
  }

  /** {@code jrnn_softmax_cross_entropy}: per-row loss [M] and dlogits [M, K] (each or 0). */
  public static void softmaxCrossEntropy(
      NativeContext ctx,
      long m,
      long k,
      long logits,
      long targets,
      float labelSmoothing,
      float scale,
      long loss,
      long dlogits) {
    ctx.lock.lock();
    try {
      check(
          JrnnNative.jrnn_softmax_cross_entropy(
              ctx.handle, m, k, logits, targets, labelSmoothing, scale, loss, dlogits),
          "jrnn_softmax_cross_entropy");
    } finally {
      ctx.lock.unlock();
    }
  }

  /** {@code jrnn_softmax}: y [M, K] = (log_)softmax(x) row-wise; y may equal x. */
  public static void softmax(NativeContext ctx, long m, long k, long x, boolean log, long y) {
    ctx.lock.lock();
    try {
      check(JrnnNative.jrnn_softmax(ctx.handle, m, k, x, log ? 1 : 0, y), "jrnn_softmax");
    } finally {
      ctx.lock.unlock();
    }
  }

  /**
   * {@code jrnn_log_softmax_top}: the best {@code top} log-probabilities of each row of x [M, K]
   * (host arrays values/indices [M*top]); exclude may be empty.
   */
  public static void logSoftmaxTop(
      NativeContext ctx,
      long m,
      long k,
      long x,
      int top,
      int[] exclude,
      float[] values,
      int[] indices) {
    ctx.lock.lock();
    try {
      check(
          JrnnNative.jrnn_log_softmax_top(
              ctx.handle, m, k, x, top, exclude, exclude.length, values, indices),
          "jrnn_log_softmax_top");
    } finally {
      ctx.lock.unlock();
    }
  }

  /** {@code jrnn_bce_with_logits}: loss [M] and dz [M] (each or 0); w [M] or 0 for ones. */
  public static void bceWithLogits(
      NativeContext ctx, long m, long z, long t, long w, float scale, long loss, long dz) {
    ctx.lock.lock();
    try {
      check(
          JrnnNative.jrnn_bce_with_logits(ctx.handle, m, z, t, w, scale, loss, dz),
          "jrnn_bce_with_logits");
    } finally {
      ctx.lock.unlock();
    }
  }

  /** {@code jrnn_mse}: per-row squared error loss [M] and dp [M, K] (each or 0). */
  public static void mse(
      NativeContext ctx, long m, long k, long p, long t, long w, float scale, long loss, long dp) {
    ctx.lock.lock();
    try {
      check(JrnnNative.jrnn_mse(ctx.handle, m, k, p, t, w, scale, loss, dp), "jrnn_mse");
    } finally {
      ctx.lock.unlock();
    }
  }

  /**
   * {@code jrnn_dropout}: inverted dropout of count floats, counter-based on seed; y may equal x.
   */
  public static void dropout(NativeContext ctx, long count, float p, long seed, long x, long y) {
    ctx.lock.lock();
    try {
      check(JrnnNative.jrnn_dropout(ctx.handle, count, p, seed, x, y), "jrnn_dropout");
    } finally {
      ctx.lock.unlock();
    }
  }

  /** {@code jrnn_gather_last}: out [N, F] = y [T, N, F] at t = lengths[n]-1. */
  public static void gatherLast(
      NativeContext ctx, long t, long n, long f, int[] lengths, long y, long out) {
    ctx.lock.lock();
    try {
      check(JrnnNative.jrnn_gather_last(ctx.handle, t, n, f, lengths, y, out), "jrnn_gather_last");
    } finally {
      ctx.lock.unlock();
    }
  }

  /** {@code jrnn_gather_last_backward}: dy [T, N, F] ACCUMULATES dout [N, F]. */
  public static void gatherLastBackward(
      NativeContext ctx, long t, long n, long f, int[] lengths, long dout, long dy) {
    ctx.lock.lock();
    try {
      check(
          JrnnNative.jrnn_gather_last_backward(ctx.handle, t, n, f, lengths, dout, dy),
          "jrnn_gather_last_backward");
    } finally {
      ctx.lock.unlock();
    }
  }

  /** Sum of squares of {@code count} floats at {@code x}, in double. */
  public static double sumSquares(NativeContext ctx, long count, long x) {
    double[] result = new double[1];
    ctx.lock.lock();
    try {
      check(JrnnNative.jrnn_sum_squares(ctx.handle, count, x, result), "jrnn_sum_squares");
    } finally {
      ctx.lock.unlock();
    }
    return result[0];
  }

  /**
   * Index of the first NaN/Inf among {@code count} floats at {@code x}, or -1 when all are finite.
   */
  public static long firstNonFinite(NativeContext ctx, long count, long x) {
    int[] result = new int[1];
    long[] firstBad = new long[1];
    ctx.lock.lock();
    try {
      check(
          JrnnNative.jrnn_check_finite(ctx.handle, count, x, result, firstBad),
          "jrnn_check_finite");
    } finally {
      ctx.lock.unlock();
    }
    return result[0] != 0 ? -1 : firstBad[0];
  }

  /** {@code jrnn_scale}: x [count] *= alpha. */
  public static void scale(NativeContext ctx, long count, float alpha, long x) {
    ctx.lock.lock();
    try {
      check(JrnnNative.jrnn_scale(ctx.handle, count, alpha, x), "jrnn_scale");
    } finally {
      ctx.lock.unlock();
    }
  }

  /** {@code jrnn_clip_values}: x [count] clamped to [-limit, limit]. */
  public static void clipValues(NativeContext ctx, long count, float limit, long x) {
    ctx.lock.lock();
    try {
      check(JrnnNative.jrnn_clip_values(ctx.handle, count, limit, x), "jrnn_clip_values");
    } finally {
      ctx.lock.unlock();
    }
  }

  /** {@code jrnn_axpy}: y [count] += alpha · x [count]. */
  public static void axpy(NativeContext ctx, long count, float alpha, long x, long y) {
    ctx.lock.lock();
    try {
      check(JrnnNative.jrnn_axpy(ctx.handle, count, alpha, x, y), "jrnn_axpy");
    } finally {
      ctx.lock.unlock();
    }
  }

  /**
   * {@code jrnn_sgd_update}: one SGD step over w [count] (momentumBuf may be 0 without momentum).
   */
  public static void sgdUpdate(
      NativeContext ctx,
      long count,
      long w,
      long g,
      long momentumBuf,
      float lr,
      float momentum,
      float weightDecay,
      boolean nesterov,
      long step) {
    ctx.lock.lock();
    try {
      check(
          JrnnNative.jrnn_sgd_update(
              ctx.handle,
              count,
              w,
              g,
              momentumBuf,
              lr,
              momentum,
              weightDecay,
              nesterov ? 1 : 0,
              step),
          "jrnn_sgd_update");
    } finally {
      ctx.lock.unlock();
    }
  }

  /** {@code jrnn_adam_update}: one Adam (decoupled: AdamW) step at 1-based step. */
  public static void adamUpdate(
      NativeContext ctx,
      long count,
      long w,
      long g,
      long m,
      long v,
      float lr,
      float beta1,
      float beta2,
      float eps,
      float weightDecay,
      boolean decoupled,
      long step) {
    ctx.lock.lock();
    try {
      check(
          JrnnNative.jrnn_adam_update(
              ctx.handle,
              count,
              w,
              g,
              m,
              v,
              lr,
              beta1,
              beta2,
              eps,
              weightDecay,
              decoupled ? 1 : 0,
              step),
          "jrnn_adam_update");
    } finally {
      ctx.lock.unlock();
    }
  }

  /** {@code jrnn_rmsprop_update}: one RMSProp step (momentumBuf may be 0 without momentum). */
  public static void rmspropUpdate(
      NativeContext ctx,
      long count,
      long w,
      long g,
      long sq,
      long momentumBuf,
      float lr,
      float alpha,
      float eps,
      float weightDecay,
      float momentum) {
    ctx.lock.lock();
    try {
      check(
          JrnnNative.jrnn_rmsprop_update(
              ctx.handle, count, w, g, sq, momentumBuf, lr, alpha, eps, weightDecay, momentum),
          "jrnn_rmsprop_update");
    } finally {
      ctx.lock.unlock();
    }
  }
}
