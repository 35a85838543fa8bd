/*
 * Tensor: a dense float32 tensor in native memory on a Device, owned by its creator or by the
 * innermost open Scope; or a non-owning view into another tensor's memory.
 */
package org.jrnn;

import java.util.Arrays;

/**
 * A dense, row-major float32 tensor in native memory (host memory for the CPU, GPU memory for
 * CUDA), allocated through {@code jrnn_alloc}.
 *
 * <p><b>Ownership.</b> A tensor created while a {@link Scope} is open on the current thread belongs
 * to the innermost scope and is freed when that scope closes, unless {@link #keep()} detaches it
 * first. A tensor created with no scope open belongs to the caller, who closes it (try-with-
 * resources). {@link #close()} frees at once and is idempotent. A {@link java.lang.ref.Cleaner}
 * frees a forgotten tensor after garbage collection and logs a warning: a safety net, not a way to
 * manage memory.
 *
 * <p><b>Views.</b> {@link #view(long, long...)} gives a tensor over part of another tensor's memory
 * (named parameters are views of a layer's flat weight buffer). Closing a view never frees its
 * parent; once the parent is closed, every use of the view throws.
 *
 * <p><b>Errors.</b> Any use after close throws a {@link JrnnException} with status {@link
 * JrnnException.Status#CLOSED} naming the tensor, e.g. {@code "tensor [2, 3] on cpu is closed"}.
 *
 * <p><b>Threads.</b> A tensor may be closed (by its owner, its scope or the Cleaner) while other
 * threads use it: each of their calls either fails with CLOSED before it starts or runs to its end
 * on memory that is freed only when the last such call returns. Writing to a tensor that another
 * thread reads at the same time gives whatever the two calls' order (they take turns on the device)
 * gives.
 */
public final class Tensor implements AutoCloseable {
  private static final long[] NO_DIMS = new long[0];

  private final Device device;
  private final long[] shape;
  private final long numel;
  private final NativeMemory memory;

  /** Offset of the first element in {@link #memory}, in floats. */
  private final long offset;

  /** The tensor this one is a view of (kept reachable by the view); null for an owner. */
  private final Tensor base;

  private volatile boolean closed;

  /** The scope that owns this tensor, or null. Guarded by the scope's lock. */
  Scope scope;

  private Tensor(
      Device device, long[] shape, long numel, NativeMemory memory, long offset, Tensor base) {
    this.device = device;
    this.shape = shape;
    this.numel = numel;
    this.memory = memory;
    this.offset = offset;
    this.base = base;
  }

  // ------------------------------------------------------------------ creation

  /** Allocates a zero-filled tensor; {@code scoped}: register with the current scope if any. */
  static Tensor allocate(Device device, long[] shape, boolean scoped) {
    return allocate(device, shape, scoped, true);
  }

  /**
   * Allocates a tensor, zero-filled or (for outputs that are written in full before anything reads
   * them) with unspecified contents; {@code scoped}: register with the current scope.
   */
  static Tensor allocate(Device device, long[] shape, boolean scoped, boolean zeroed) {
    if (device == null) {
      throw new JrnnException("device is null");
    }
    long[] dims = shape == null ? NO_DIMS : shape.clone();
    long n = checkedNumel(dims);
    NativeMemory mem =
        new NativeMemory(device, n * Float.BYTES, zeroed, () -> describe(dims, device));
    Tensor t = new Tensor(device, dims, n, mem, 0, null);
    mem.watch(t); // the safety net frees the memory once t is unreachable
    if (scoped) {
      Scope.register(t);
    }
    return t;
  }

  private static String describe(long[] dims, Device device) {
    return "tensor " + Arrays.toString(dims) + " on " + device;
  }

  private static long checkedNumel(long[] dims) {
    long n = 1;
    for (int i = 0; i < dims.length; i++) {
      if (dims[i] < 0) {
        throw new JrnnException(
            "shape " + Arrays.toString(dims) + " has a negative size at dimension " + i);
      }
      try {
        n = Math.multiplyExact(n, dims[i]);
        Math.multiplyExact(n, (long) Float.BYTES);
      } catch (ArithmeticException e) {
        throw new JrnnException("shape " + Arrays.toString(dims) + " is too large");
      }
    }
    return n;
  }

  /**
   * A zero-filled tensor on {@code device}.
   *
   * @param shape sizes, each {@code >= 0}; no sizes gives a scalar (one element). Not modified.
   */
  public static Tensor zeros(Device device, long... shape) {
    return allocate(device, shape, true);
  }

  /**
   * A tensor on {@code device} whose contents are unspecified (whatever the memory held, as
   * PyTorch's {@code torch.empty}): for outputs that will be written in full, such as the {@code
   * out} argument of {@link Ops}, without the cost of zero-filling.
   *
   * @param shape sizes, each {@code >= 0}; no sizes gives a scalar (one element). Not modified.
   */
  public static Tensor empty(Device device, long... shape) {
    return allocate(device, shape, true, false);
  }

  /** A zero-filled tensor on the CPU; see {@link #zeros(Device, long...)}. */
  public static Tensor zeros(long... shape) {
    return zeros(Device.cpu(), shape);
  }

  /**
   * A CPU tensor holding a copy of {@code data}.
   *
   * @param data row-major values, {@code numel(shape)} of them. Not modified.
   * @param shape sizes; none means a vector {@code [data.length]}. Not modified.
   */
  public static Tensor of(float[] data, long... shape) {
    return of(Device.cpu(), data, shape);
  }

  /**
   * A tensor on {@code device} holding a copy of {@code data}; see {@link #of(float[], long...)}.
   */
  public static Tensor of(Device device, float[] data, long... shape) {
    if (data == null) {
      throw new JrnnException("data is null");
    }
    long[] dims = shape == null || shape.length == 0 ? new long[] {data.length} : shape;
    long n = checkedNumel(dims);
    if (n != data.length) {
      throw new JrnnException(
          "data has " + data.length + " values but shape " + Arrays.toString(dims) + " needs " + n);
    }
    Tensor t = empty(device, dims);
    try {
      t.copyFrom(data);
    } catch (RuntimeException e) {
      t.close();
      throw e;
    }
    return t;
  }

  /**
   * A view of {@code numel(shape)} elements of this tensor starting at element {@code offset}
   * (row-major), sharing its memory: writes through either are seen by both. The view belongs to
   * the current scope like any new tensor; closing it never frees this tensor's memory, and it is
   * closed once this tensor is.
   *
   * @param offset first element, {@code 0 <= offset}, {@code offset + numel(shape) <= numel()}
   * @param shape the view's sizes. Not modified.
   */
  public Tensor view(long offset, long... shape) {
    return view(offset, shape, true);
  }

  Tensor view(long offset, long[] shape, boolean scoped) {
    checkOpen();
    long[] dims = shape == null ? NO_DIMS : shape.clone();
    long n = checkedNumel(dims);
    if (offset < 0 || offset > numel || n > numel - offset) {
      throw new JrnnException(
          "a view "
              + Arrays.toString(dims)
              + " at offset "
              + offset
              + " does not fit in "
              + describe()
              + " ("
              + numel
              + " elements)");
    }
    Tensor owner = base == null ? this : base;
    Tensor v = new Tensor(device, dims, n, memory, this.offset + offset, owner);
    if (scoped) {
      Scope.register(v);
    }
    return v;
  }

  // ------------------------------------------------------------------ facts

  /** The sizes (a copy). */
  public long[] shape() {
    return shape.clone();
  }

  /** Size of dimension {@code i} (0 .. rank-1; negative counts from the end). */
  public long dim(int i) {
    int k = i < 0 ? shape.length + i : i;
    if (k < 0 || k >= shape.length) {
      throw new JrnnException(
          "dimension "
              + i
              + " does not exist in a rank-"
              + shape.length
              + " tensor "
              + Arrays.toString(shape));
    }
    return shape[k];
  }

  /** Number of dimensions. */
  public int rank() {
    return shape.length;
  }

  /** Number of elements (product of the sizes). */
  public long numel() {
    return numel;
  }

  /** Where the memory lives. */
  public Device device() {
    return device;
  }

  /** Whether this tensor (or, for a view, the tensor it views) is closed. */
  public boolean isClosed() {
    return closed || memory.isFreed();
  }

  /** Whether this is a view into another tensor's memory. */
  public boolean isView() {
    return base != null;
  }

  /** Shape as text: {@code [2, 3]}. */
  String shapeString() {
    return Arrays.toString(shape);
  }

  /** {@code "tensor [2, 3] on cpu"}. */
  String describe() {
    return "tensor " + Arrays.toString(shape) + " on " + device;
  }

  /** Throws {@link JrnnException} (CLOSED) when this tensor can no longer be used. */
  void checkOpen() {
    if (closed || memory.isFreed()) {
      throw closedException();
    }
  }

  private JrnnException closedException() {
    if (closed || base == null) {
      return new JrnnException(JrnnException.Status.CLOSED, describe() + " is closed");
    }
    return new JrnnException(
        JrnnException.Status.CLOSED,
        describe() + " is closed (it is a view of a tensor that was closed)");
  }

  /**
   * The native address of the first element (0 for an empty tensor). Checks it is open, but does
   * not keep it open: native calls use {@link #acquire()} and {@link #acquiredAddress()}.
   */
  long address() {
    checkOpen();
    return acquiredAddress();
  }

  /**
   * Keeps this tensor's memory allocated for one native call until {@link #release()}, even if
   * another thread closes the tensor meanwhile. Every acquire needs one release (in a finally).
   *
   * @throws JrnnException (CLOSED) when the tensor is closed
   */
  void acquire() {
    if (closed || !memory.acquire()) {
      throw closedException();
    }
  }

  /** Ends one {@link #acquire()}. */
  void release() {
    memory.release();
  }

  /** The address of the first element (0 for an empty tensor); only between acquire and release. */
  long acquiredAddress() {
    return memory.address == 0 ? 0 : memory.address + offset * Float.BYTES;
  }

  /**
   * Acquires every non-null tensor of {@code tensors} (a tensor may appear twice); when one is
   * closed, releases those acquired and throws.
   *
   * @return {@code tensors}, for the matching {@link #releaseAll}
   * @throws JrnnException (CLOSED) when one of them is closed
   */
  static Tensor[] acquireAll(Tensor... tensors) {
    for (int i = 0; i < tensors.length; i++) {
      if (tensors[i] == null) {
        continue;
      }
      try {
        tensors[i].acquire();
      } catch (RuntimeException e) {
        for (int j = 0; j < i; j++) {
          if (tensors[j] != null) {
            tensors[j].release();
          }
        }
        throw e;
      }
    }
    return tensors;
  }

  /** Releases every non-null tensor of an array that {@link #acquireAll} acquired. */
  static void releaseAll(Tensor[] tensors) {
    for (Tensor t : tensors) {
      if (t != null) {
        t.release();
      }
    }
  }

  /** The address of an acquired tensor, or 0 (NULL) for null. */
  static long acquiredOrNull(Tensor t) {
    return t == null ? 0 : t.acquiredAddress();
  }

  long byteSize() {
    return numel * Float.BYTES;
  }

  // ------------------------------------------------------------------ data

  /** A copy of all elements, flat and row-major. Requires {@code numel() <= Integer.MAX_VALUE}. */
  public float[] toArray() {
    checkOpen();
    if (numel > Integer.MAX_VALUE - 8) {
      throw new JrnnException(describe() + " has too many elements for a Java array");
    }
    float[] out = new float[(int) numel];
    if (numel > 0) {
      acquire();
      try {
        Native.copyToHost(device.context(), out, acquiredAddress(), numel);
      } finally {
        release();
      }
    }
    return out;
  }

  /**
   * Overwrites all elements with {@code data}.
   *
   * @param data {@code numel()} values, row-major. Not modified.
   */
  public void copyFrom(float[] data) {
    checkOpen();
    if (data == null) {
      throw new JrnnException("data is null");
    }
    if (data.length != numel) {
      throw new JrnnException(
          "cannot copy "
              + data.length
              + " values into "
              + describe()
              + " ("
              + numel
              + " elements)");
    }
    if (numel > 0) {
      acquire();
      try {
        Native.copyFromHost(device.context(), acquiredAddress(), data, numel);
      } finally {
        release();
      }
    }
  }

  /**
   * Overwrites all elements with those of {@code src}, which may live on another device.
   *
   * @param src a tensor of the same shape. Not modified.
   */
  public void copyFrom(Tensor src) {
    checkOpen();
    if (src == null) {
      throw new JrnnException("src is null");
    }
    src.checkOpen();
    if (!Arrays.equals(src.shape, shape)) {
      throw new JrnnException(
          "cannot copy " + src.describe() + " into " + describe() + ": shapes differ");
    }
    if (numel == 0 || src == this) {
      return;
    }
    long bytes = byteSize();
    boolean overlap =
        src.memory == memory && src.offset < offset + numel && offset < src.offset + src.numel;
    if (overlap || (!src.device.equals(device) && !src.device.isCpu() && !device.isCpu())) {
      copyFrom(src.toArray()); // through the host: overlapping, or GPU to another GPU
      return;
    }
    Tensor[] use = acquireAll(this, src);
    try {
      if (src.device.equals(device)) {
        Native.copyOnDevice(device.context(), acquiredAddress(), src.acquiredAddress(), bytes);
      } else if (src.device.isCpu()) {
        Native.copyFromHostAddress(
            device.context(), acquiredAddress(), src.acquiredAddress(), bytes);
      } else {
        Native.copyToHostAddress(
            src.device.context(), acquiredAddress(), src.acquiredAddress(), bytes);
      }
    } finally {
      releaseAll(use);
    }
  }

  /**
   * A new tensor on {@code device} with a copy of this one's elements (always a copy, even on the
   * same device). It belongs to the current scope like any new tensor.
   */
  public Tensor to(Device device) {
    checkOpen();
    Tensor t = zeros(device, shape);
    try {
      t.copyFrom(this);
    } catch (RuntimeException e) {
      t.close();
      throw e;
    }
    return t;
  }

  /** A new tensor on the same device with a copy of the elements. */
  public Tensor copy() {
    return to(device);
  }

  /** Sets every element to zero. Modified: this. */
  public void zero() {
    checkOpen();
    if (numel > 0) {
      acquire();
      try {
        Native.zero(device.context(), acquiredAddress(), byteSize());
      } finally {
        release();
      }
    }
  }

  private long flatIndex(long[] index) {
    if (index == null || index.length != shape.length) {
      throw new JrnnException(
          "index "
              + Arrays.toString(index)
              + " needs "
              + shape.length
              + " coordinates for "
              + describe());
    }
    long flat = 0;
    for (int i = 0; i < shape.length; i++) {
      if (index[i] < 0 || index[i] >= shape[i]) {
        throw new JrnnException(
            "index " + Arrays.toString(index) + " is out of bounds for " + describe());
      }
      flat = flat * shape[i] + index[i];
    }
    return flat;
  }

  /**
   * One element (a native copy per call: for loops, use {@link #toArray()}).
   *
   * @param index one coordinate per dimension
   */
  public float get(long... index) {
    checkOpen();
    long flat = flatIndex(index);
    float[] one = new float[1];
    acquire();
    try {
      Native.copyToHost(device.context(), one, acquiredAddress() + flat * Float.BYTES, 1);
    } finally {
      release();
    }
    return one[0];
  }

  /** Sets one element. Modified: this. */
  public void set(float value, long... index) {
    checkOpen();
    long flat = flatIndex(index);
    acquire();
    try {
      Native.copyFromHost(
          device.context(), acquiredAddress() + flat * Float.BYTES, new float[] {value}, 1);
    } finally {
      release();
    }
  }

  // ------------------------------------------------------------------ lifetime

  /**
   * Detaches this tensor from the scope that owns it, so it outlives that scope; the caller then
   * owns it and must close it. No effect on a tensor that no scope owns. Keeping a view does not
   * keep the tensor it views: keep that one too if it belongs to a scope.
   *
   * @return this
   */
  public Tensor keep() {
    checkOpen();
    Scope s = scope;
    if (s != null) {
      s.forget(this);
    }
    return this;
  }

  /**
   * Frees the memory now, or as soon as the calls other threads are making on it return (for a
   * view: only marks the view closed). Idempotent. Every later use of this tensor, and of the views
   * of an owning tensor, throws.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    Scope s = scope;
    if (s != null) {
      s.forget(this);
    }
    if (base == null) {
      memory.free();
    }
  }

  /** Native allocations alive now, across all devices (for leak tests). */
  public static long liveAllocations() {
    return NativeMemory.live();
  }

  /** E.g. {@code Tensor[2, 3] on cpu [0.1, 0.2, 0.3, 0.4, 0.5, 0.6]}, at most 8 values. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("Tensor").append(Arrays.toString(shape));
    sb.append(" on ").append(device);
    if (base != null) {
      sb.append(" (view)");
    }
    int show = (int) Math.min(numel, 8);
    float[] head = new float[show];
    if (closed || !memory.acquire()) {
      return sb.append(" (closed)").toString();
    }
    try {
      if (show > 0) {
        Native.copyToHost(device.context(), head, acquiredAddress(), show);
      }
    } finally {
      release();
    }
    sb.append(" [");
    for (int i = 0; i < show; i++) {
      sb.append(i == 0 ? "" : ", ").append(head[i]);
    }
    return sb.append(numel > show ? ", ...]" : "]").toString();
  }
}
