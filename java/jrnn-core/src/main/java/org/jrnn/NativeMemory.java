/*
 * NativeMemory: one native allocation (jrnn_alloc) of an owning tensor or a temporary buffer, the
 * count of live allocations (Tensor.liveAllocations), and the Cleaner safety net.
 */
package org.jrnn;

import java.lang.ref.Cleaner;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One block of device memory. It is closed exactly once, either when its owner calls {@link
 * #free()} or, as a safety net, when the Cleaner finds the owner unreachable (then it logs a leak
 * warning), and freed once no native call uses it any more ({@link NativeResource}). It holds no
 * reference to its owner, so the Cleaner can run.
 */
final class NativeMemory extends NativeResource implements Runnable {
  private static final Cleaner CLEANER = Cleaner.create();
  private static final AtomicLong LIVE = new AtomicLong();
  private static final System.Logger LOG = System.getLogger("org.jrnn");

  final NativeContext context;

  /** Start of the block; 0 for an empty (zero-byte) block, which allocates nothing. */
  final long address;

  final long bytes;
  private final java.util.function.Supplier<String> description;
  private volatile boolean explicit;
  private volatile Cleaner.Cleanable cleanable;

  /**
   * Allocates {@code bytes} of zeroed memory on {@code device}. Without {@link #watch} the caller
   * frees it (in a finally block).
   */
  NativeMemory(Device device, long bytes, String description) {
    this(device, bytes, true, () -> description);
  }

  /**
   * Allocates {@code bytes} on {@code device}, zero-filled or with unspecified contents; {@code
   * description} names it in a leak warning (built only then: allocation is on the hot path).
   */
  NativeMemory(
      Device device, long bytes, boolean zeroed, java.util.function.Supplier<String> description) {
    this.context = device.context();
    this.bytes = bytes;
    this.description = description;
    if (bytes > 0) {
      this.address = Native.alloc(context, bytes, zeroed);
      LIVE.incrementAndGet();
    } else {
      this.address = 0;
    }
  }

  /** Closes the block (with a leak warning) once {@code owner} becomes unreachable. Call once. */
  void watch(Object owner) {
    this.cleanable = CLEANER.register(owner, this);
  }

  /** Native allocations alive now (jrnn_alloc minus jrnn_free through this class). */
  static long live() {
    return LIVE.get();
  }

  /** Whether the block was closed (freed, or to be freed when the calls using it return). */
  boolean isFreed() {
    return isClosed();
  }

  /** Closes the block now (idempotent); it is freed when no native call uses it. */
  void free() {
    explicit = true;
    Cleaner.Cleanable c = cleanable;
    if (c != null) {
      c.clean(); // runs run() at most once
    } else {
      run();
    }
  }

  /** The Cleaner's action, and {@link #free()}'s. */
  @Override
  public void run() {
    if (close() && !explicit) {
      LOG.log(
          System.Logger.Level.WARNING,
          "jrnn: "
              + description.get()
              + " was never closed; the garbage collector freed it. Close tensors (or use a Scope).");
    }
  }

  @Override
  void dispose() {
    if (address != 0) {
      Native.free(context, address);
      LIVE.decrementAndGet();
    }
  }
}
