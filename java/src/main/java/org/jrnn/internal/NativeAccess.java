/*
 * NativeAccess: lets jrnn's own packages outside org.jrnn (layers, optimisers, trainers) reach a
 * tensor's native address and a device's context, which org.jrnn keeps package-private so users
 * never see them. org.jrnn.Tensor installs the hooks when it initialises.
 */
package org.jrnn.internal;

import org.jrnn.Device;
import org.jrnn.JrnnException;
import org.jrnn.Tensor;

/**
 * Internal bridge to package-private parts of {@code org.jrnn}. Not for users: an address is only
 * valid while its tensor is open, and the facade ({@link Native}) trusts what it is given.
 */
public final class NativeAccess {
  /** What {@code org.jrnn} provides. */
  public interface Hooks {
    /** The address of the tensor's first element; throws JrnnException (CLOSED) when closed. */
    long address(Tensor t);

    /** The device's native context (created on first use). */
    NativeContext context(Device d);

    /**
     * Keeps the memory of every non-null tensor from being freed until {@link #releaseAll}
     * (org.jrnn.Tensor#acquireAll); throws JrnnException (CLOSED) when one is closed.
     */
    Tensor[] acquireAll(Tensor... tensors);

    /** Ends {@link #acquireAll}. */
    void releaseAll(Tensor[] tensors);

    /** The address of a tensor acquired by {@link #acquireAll}, or 0 (NULL) for null. */
    long acquiredAddressOrNull(Tensor t);
  }

  private static volatile Hooks hooks;

  private NativeAccess() {}

  /** Called once by {@code org.jrnn.Tensor}'s static initialiser. */
  public static void install(Hooks h) {
    if (hooks != null) {
      throw new JrnnException(JrnnException.Status.INTERNAL, "NativeAccess hooks are already installed");
    }
    hooks = h;
  }

  private static Hooks hooks() {
    Hooks h = hooks;
    if (h == null) {
      try {
        Class.forName("org.jrnn.Tensor", true, NativeAccess.class.getClassLoader());
      } catch (ClassNotFoundException e) {
        throw new JrnnException(JrnnException.Status.INTERNAL, "org.jrnn.Tensor is missing");
      }
      h = hooks;
    }
    return h;
  }

  /**
   * The native address of {@code t}'s first element (0 for an empty tensor). It does not keep the
   * tensor open: another thread may close it (and its memory may be reused) at any time, so code
   * that may race with a close should call {@link org.jrnn.Ops} instead, whose calls keep their
   * tensors' memory until they return.
   *
   * @throws JrnnException (CLOSED) when {@code t} is closed, (INVALID_ARGUMENT) when null
   */
  public static long address(Tensor t) {
    if (t == null) {
      throw new JrnnException("tensor is null");
    }
    return hooks().address(t);
  }

  /** The address of {@code t}, or 0 (NULL) when {@code t} is null. */
  public static long addressOrNull(Tensor t) {
    return t == null ? 0 : hooks().address(t);
  }

  /** The native context of {@code device}. */
  public static NativeContext context(Device device) {
    if (device == null) {
      throw new JrnnException("device is null");
    }
    return hooks().context(device);
  }

  /**
   * Acquires every non-null tensor for a native call, so that a concurrent close waits until
   * {@link #releaseAll}; always pair them in try/finally.
   *
   * @throws JrnnException (CLOSED) when one of them is closed (none stays acquired)
   */
  public static Tensor[] acquireAll(Tensor... tensors) {
    return hooks().acquireAll(tensors);
  }

  /** Releases what {@link #acquireAll} acquired. */
  public static void releaseAll(Tensor[] tensors) {
    hooks().releaseAll(tensors);
  }

  /** The address of a tensor acquired by {@link #acquireAll}, or 0 (NULL) for null. */
  public static long acquiredAddressOrNull(Tensor t) {
    return hooks().acquiredAddressOrNull(t);
  }
}
