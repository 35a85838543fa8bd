/*
 * Native: the typed facade over the generated binding (JrnnNative). It loads the native libraries
 * (OpenBLAS's preset first, so libopenblas.so.0 resolves, then libjrnn.so and the JNI glue), owns
 * the per-device contexts, runs every context call under the context's lock and turns every failed
 * status or NULL result into a JrnnException carrying jrnn_last_error(). It checks nothing about
 * shapes: org.jrnn does that before calling here. Internal API, not for users.
 */
package org.jrnn.internal;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.bytedeco.javacpp.Loader;
import org.jrnn.JrnnException;
import org.jrnn.JrnnException.Status;

/**
 * Typed access to {@code jrnn.h}. Addresses are {@code long}s of memory from {@link #alloc}; every
 * method throws {@link JrnnException} with the native message when the native call fails. Internal
 * API: it trusts its arguments (the public classes in {@code org.jrnn} validate them), so a wrong
 * address here can crash the JVM.
 */
public final class Native {
  /** {@code JRNN_DEVICE_CPU}. */
  public static final int DEVICE_CPU = 0;
  /** {@code JRNN_DEVICE_CUDA}. */
  public static final int DEVICE_CUDA = 1;
  /** {@code jrnn_pass} values. */
  public static final int PASS_INFERENCE = 0;

  public static final int PASS_TRAINING_FORWARD = 1;
  public static final int PASS_BACKWARD = 2;
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
          Status.INTERNAL,
          "could not load jrnn's native libraries for platform "
              + Loader.getPlatform()
              + ": "
              + LOAD_ERROR,
          LOAD_ERROR);
    }
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

  /** Allocates {@code bytes} (> 0) of zeroed, 64-byte aligned device memory. Never returns 0. */
  public static long alloc(NativeContext ctx, long bytes) {
    ctx.lock.lock();
    try {
      long p = JrnnNative.jrnn_alloc(ctx.handle, bytes);
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
              ctx.handle, desc, t, n, lengths, x, h0, c0, w, dy, dhy, dcy, dx, dh0, dc0, dw,
              reserve, scratch),
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
}
