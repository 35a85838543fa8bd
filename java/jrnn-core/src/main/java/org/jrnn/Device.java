/*
 * Device: where a tensor lives and a layer computes (the CPU, or one CUDA GPU).
 */
package org.jrnn;

import java.util.Locale;

/**
 * A compute device: {@link #cpu()} or {@link #cuda(int)}. Immutable; equal devices are
 * interchangeable. Each device has one native context, created on first use and shared by all
 * threads (calls on it are serialised; see {@link NativeContext} for why).
 */
public final class Device {
  /** The kind of device. */
  public enum Type {
    /** The host CPU. */
    CPU,
    /** An NVIDIA GPU through jrnn's CUDA backend. */
    CUDA
  }

  private static final Device CPU = new Device(Type.CPU, 0);

  private final Type type;
  private final int index;

  private Device(Type type, int index) {
    this.type = type;
    this.index = index;
  }

  /** The CPU (host memory, OpenBLAS and jrnn's own kernels). */
  public static Device cpu() {
    return CPU;
  }

  /**
   * CUDA GPU number {@code index}.
   *
   * @throws JrnnException (NOT_SUPPORTED) when this build has no CUDA backend or no GPU is usable,
   *     (INVALID_ARGUMENT) when {@code index} is not in 0 .. {@link #cudaDeviceCount()}-1
   */
  public static Device cuda(int index) {
    int count = cudaDeviceCount();
    if (count == 0) {
      String why =
          Native.hasCuda()
              ? "no CUDA GPU is usable (no device, or no NVIDIA driver)"
              : "this jrnn build has no CUDA backend";
      throw new JrnnException(
          JrnnException.Status.NOT_SUPPORTED, "CUDA device " + index + " is not available: " + why);
    }
    if (index < 0 || index >= count) {
      throw new JrnnException(
          "CUDA device "
              + index
              + " does not exist: there are "
              + count
              + " (0.."
              + (count - 1)
              + ")");
    }
    return new Device(Type.CUDA, index);
  }

  /** Number of usable CUDA GPUs: 0 without a CUDA build, a driver or a GPU. Never throws. */
  public static int cudaDeviceCount() {
    try {
      return Native.cudaDeviceCount();
    } catch (JrnnException e) {
      return 0;
    }
  }

  /**
   * Parses {@code "cpu"}, {@code "cuda"} (= {@code cuda:0}) or {@code "cuda:N"}, case-insensitive.
   * A CUDA device must exist, as in {@link #cuda(int)}.
   *
   * @throws JrnnException on another spelling or an unavailable GPU
   */
  public static Device parse(String name) {
    if (name == null) {
      throw new JrnnException("device name is null");
    }
    String s = name.trim().toLowerCase(Locale.ROOT);
    if (s.equals("cpu")) {
      return CPU;
    }
    if (s.equals("cuda") || s.equals("gpu")) {
      return cuda(0);
    }
    if (s.startsWith("cuda:")) {
      try {
        return cuda(Integer.parseInt(s.substring(5)));
      } catch (NumberFormatException e) {
        // fall through to the message below
      }
    }
    throw new JrnnException(
        "unknown device " + quoted(name) + ": expected \"cpu\", \"cuda\" or \"cuda:N\"");
  }

  /**
   * A device object without checking that it exists. Package-private: tests use it to exercise
   * device-mismatch validation on machines without a GPU. Never allocate on such a device.
   */
  static Device unchecked(Type type, int index) {
    return type == Type.CPU ? CPU : new Device(type, index);
  }

  /** The kind of device. */
  public Type type() {
    return type;
  }

  /** Whether this is the CPU. */
  public boolean isCpu() {
    return type == Type.CPU;
  }

  /** Whether this is a CUDA GPU. */
  public boolean isCuda() {
    return type == Type.CUDA;
  }

  /** The CUDA ordinal; 0 for the CPU. */
  public int index() {
    return index;
  }

  /**
   * Bytes of freed native blocks this device keeps for reuse. On the CPU, blocks of 64 KiB and more
   * (a call's outputs, reserve and scratch) go back to a per-device cache when closed, so the next
   * call of the same shape takes them without page faults; the cache holds at most {@code
   * JRNN_CPU_CACHE_MB} MiB (environment variable, default 1024; 0 turns it off). Always 0 on CUDA.
   */
  public long cachedBytes() {
    return Native.cachedBytes(context());
  }

  /**
   * Returns this device's cached blocks (see {@link #cachedBytes()}) to the system. Safe while
   * other threads compute on the device: the cache holds only blocks that no tensor (and no call in
   * flight) uses.
   */
  public void releaseCachedMemory() {
    Native.releaseCached(context());
  }

  /** The native context of this device (created on first use). */
  NativeContext context() {
    return Native.context(isCpu() ? Native.DEVICE_CPU : Native.DEVICE_CUDA, index);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Device d && d.type == type && d.index == index;
  }

  @Override
  public int hashCode() {
    return type.hashCode() * 31 + index;
  }

  /** {@code "cpu"} or {@code "cuda:N"}, accepted by {@link #parse(String)}. */
  @Override
  public String toString() {
    return isCpu() ? "cpu" : "cuda:" + index;
  }

  /**
   * {@code name} in double quotes, control characters escaped, cut after 40 characters (a device
   * name is short; org.jrnn.internal.Quote, which sits above this package, does the same for the
   * other packages).
   */
  private static String quoted(String name) {
    StringBuilder b = new StringBuilder("\"");
    int end = Math.min(name.length(), 40);
    for (int i = 0; i < end; i++) {
      char c = name.charAt(i);
      if (c < 0x20 || c == 0x7f || c == '"' || c == '\\') {
        b.append(String.format("\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    return b.append(end < name.length() ? "...\"" : "\"").toString();
  }
}
