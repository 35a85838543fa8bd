/*
 * JrnnException: the one exception jrnn throws, for native failures (with the native status and
 * message from jrnn_last_error) and for Java-side validation (shapes, devices, closed tensors).
 */
package org.jrnn;

/**
 * An error from jrnn: a native call failed (then {@link #status()} is the native status and the
 * message is the native library's own message, which names the argument), or an argument was
 * rejected before any native code ran (status {@link Status#INVALID_ARGUMENT}, or {@link
 * Status#CLOSED} for use after close).
 */
public class JrnnException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Why a call failed. The first six mirror {@code jrnn_status} in {@code jrnn.h}. */
  public enum Status {
    /** Not an error (never thrown; present so codes map one to one). */
    OK(0),
    /** A shape, size, length, device or pointer is wrong; the message names it. */
    INVALID_ARGUMENT(1),
    /** The device ran out of memory. */
    OUT_OF_MEMORY(2),
    /** The operation is not available, e.g. CUDA in a CPU-only build, step on a bidirectional. */
    NOT_SUPPORTED(3),
    /** A CUDA call failed; the message has the CUDA error string. */
    DEVICE(4),
    /** A bug in jrnn: please report the message. */
    INTERNAL(5),
    /** Java side only: an object (tensor, layer, scope, ...) was used after it was closed. */
    CLOSED(-1);

    private final int code;

    Status(int code) {
      this.code = code;
    }

    /** The native {@code jrnn_status} value ({@code -1} for {@link #CLOSED}). */
    public int code() {
      return code;
    }

    /** The status for a native code; unknown codes map to {@link #INTERNAL}. */
    public static Status of(int code) {
      for (Status s : values()) {
        if (s.code == code) {
          return s;
        }
      }
      return INTERNAL;
    }
  }

  /** Why it failed. */
  private final Status status;

  /** A Java-side validation failure ({@link Status#INVALID_ARGUMENT}). */
  public JrnnException(String message) {
    this(Status.INVALID_ARGUMENT, message);
  }

  /** A Java-side validation failure ({@link Status#INVALID_ARGUMENT}) caused by {@code cause}. */
  public JrnnException(String message, Throwable cause) {
    this(Status.INVALID_ARGUMENT, message, cause);
  }

  /** A failure with the given status. */
  public JrnnException(Status status, String message) {
    super(message);
    this.status = status;
  }

  /** A failure with the given status and cause. */
  public JrnnException(Status status, String message, Throwable cause) {
    super(message, cause);
    this.status = status;
  }

  /** Why it failed. */
  public Status status() {
    return status;
  }
}
