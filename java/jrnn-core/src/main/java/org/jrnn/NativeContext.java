/*
 * NativeContext: one jrnn_context (a device plus its execution resources) and the lock that
 * serialises its use. Created once per device by Native.context and kept for the life of the JVM
 * (never destroyed, so no call can see a destroyed context).
 */
package org.jrnn;

import java.util.concurrent.locks.ReentrantLock;

/**
 * A native {@code jrnn_context} for one device, shared by every thread of the JVM.
 *
 * <p>Why a lock and not one context per thread: {@code jrnn.h} says a context is used by one thread
 * at a time (on the CPU it owns a pool of worker threads sized to the cores, on CUDA one stream).
 * One context per Java thread would start one worker pool per thread and oversubscribe the cores,
 * or on CUDA spread work over streams whose memory other streams then use without ordering. So all
 * calls that take the context (allocation, copies, passes) run under {@link #lock}, held only for
 * the one native call. Two threads computing on the same device therefore take turns; each call
 * already uses every core (or the whole GPU).
 */
final class NativeContext {
  final long handle;
  final ReentrantLock lock = new ReentrantLock();
  private final int deviceType;
  private final int deviceIndex;

  NativeContext(long handle, int deviceType, int deviceIndex) {
    this.handle = handle;
    this.deviceType = deviceType;
    this.deviceIndex = deviceIndex;
  }

  /** {@link Native#DEVICE_CPU} or {@link Native#DEVICE_CUDA}. */
  public int deviceType() {
    return deviceType;
  }

  /** 0 for the CPU, the CUDA ordinal otherwise. */
  public int deviceIndex() {
    return deviceIndex;
  }

  /** CPU worker threads of this context (1 for CUDA). */
  public int numThreads() {
    lock.lock();
    try {
      return JrnnNative.jrnn_context_num_threads(handle);
    } finally {
      lock.unlock();
    }
  }

  @Override
  public String toString() {
    return (deviceType == Native.DEVICE_CPU ? "cpu" : "cuda:" + deviceIndex) + " context";
  }
}
