/*
 * NativeResource: a native object (a memory block, a layer descriptor) that calls in flight keep
 * alive while another thread closes it: close() never frees what a running native call uses.
 */
package org.jrnn;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A native object shared between threads, with a count of the native calls in flight that use it. A
 * call {@link #acquire()}s it before passing its address to native code and {@link #release()}s it
 * after the call returns. {@link #close()} marks it closed at once, so every later {@link
 * #acquire()} fails, and {@link #dispose()}s it when no call is in flight: right away, or in the
 * {@link #release()} of the last call (close never waits). So a call either fails before it starts
 * or runs on memory that stays valid to its end, never on memory that was freed (and perhaps handed
 * to someone else by the CPU block cache) in between.
 *
 * <p>The cost is one atomic compare-and-set to acquire and one atomic add to release.
 */
abstract class NativeResource {
  /** The sign bit of {@link #state}: closed. The other bits count the calls in flight. */
  private static final int CLOSED = Integer.MIN_VALUE;

  private static final VarHandle STATE;

  static {
    try {
      STATE = MethodHandles.lookup().findVarHandle(NativeResource.class, "state", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** Calls in flight, plus {@link #CLOSED} once closed. Only through {@link #STATE}. */
  @SuppressWarnings("unused")
  private volatile int state;

  /**
   * Counts one more call in flight; the resource stays undisposed until the matching {@link
   * #release()}.
   *
   * @return false (and nothing counted) when it is already closed
   */
  final boolean acquire() {
    int s;
    do {
      s = state;
      if (s < 0) {
        return false;
      }
    } while (!STATE.compareAndSet(this, s, s + 1));
    return true;
  }

  /**
   * Ends one call of {@link #acquire()}; disposes of the resource if it was the last one after
   * close.
   */
  final void release() {
    if ((int) STATE.getAndAdd(this, -1) == CLOSED + 1) {
      dispose();
    }
  }

  /**
   * Marks the resource closed (every later {@link #acquire()} fails) and disposes of it now, or
   * when the last call in flight releases it. Idempotent.
   *
   * @return whether this call closed it (false when it was closed before)
   */
  final boolean close() {
    int s = (int) STATE.getAndBitwiseOr(this, CLOSED);
    if (s < 0) {
      return false;
    }
    if (s == 0) {
      dispose();
    }
    return true;
  }

  /** Whether {@link #close()} was called (it may still be in use by calls in flight). */
  final boolean isClosed() {
    return state < 0;
  }

  /** Frees the native object; called exactly once, after close, with no call in flight. */
  abstract void dispose();
}
