/*
 * Scope: a thread-local stack of memory scopes (try-with-resources). Every tensor created while a
 * scope is open on the thread belongs to the innermost one and is freed when it closes.
 */
package org.jrnn;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * A memory scope. Open one with {@link #open()} in a try-with-resources block: every {@link Tensor}
 * created on this thread until it closes (including tensors made by layers, batches and passes)
 * belongs to it, and {@link #close()} frees them all, newest first. Scopes nest: a tensor belongs
 * to the innermost open scope only. {@link Tensor#keep()} or {@link #keep(Tensor)} detach a tensor
 * so it survives; the caller then owns it. Tensors created with no scope open belong to the caller.
 *
 * <pre>{@code
 * try (Scope scope = Scope.open()) {
 *   RecurrentOutput out = lstm.forward(batch);      // all of it freed at the end of the block
 *   Tensor last = out.hn().keep();                  // except this, now owned by the caller
 * }
 * }</pre>
 *
 * <p>A scope is confined to the thread that opened it: tensors created on other threads do not join
 * it, and it must be closed on its own thread. Closing an outer scope first closes any inner scopes
 * still open on the thread.
 */
public final class Scope implements AutoCloseable {
  private static final ThreadLocal<ArrayDeque<Scope>> STACK =
      ThreadLocal.withInitial(ArrayDeque::new);

  private final Thread thread = Thread.currentThread();
  private final LinkedHashSet<Tensor> owned = new LinkedHashSet<>();
  private boolean closed;

  private Scope() {}

  /** Opens a scope on the current thread; it becomes the innermost one. */
  public static Scope open() {
    Scope s = new Scope();
    STACK.get().push(s);
    return s;
  }

  /** Registers a new tensor with the innermost scope of this thread, if any. */
  static void register(Tensor t) {
    Scope s = STACK.get().peek();
    if (s != null) {
      s.add(t);
    }
  }

  /** Whether a scope is open on the current thread. */
  public static boolean isOpen() {
    return !STACK.get().isEmpty();
  }

  private synchronized void add(Tensor t) {
    owned.add(t);
    t.scope = this;
  }

  /** Removes t from this scope (it was closed or kept). */
  synchronized void forget(Tensor t) {
    owned.remove(t);
    if (t.scope == this) {
      t.scope = null;
    }
  }

  /** Number of tensors this scope owns now. */
  public synchronized int size() {
    return owned.size();
  }

  /**
   * Detaches {@code tensor} from the scope that owns it so it outlives it; the caller then owns it.
   *
   * @param tensor a tensor (Not modified, except for its owner)
   * @return {@code tensor}
   */
  public Tensor keep(Tensor tensor) {
    if (tensor == null) {
      throw new JrnnException("tensor is null");
    }
    return tensor.keep();
  }

  /** Whether this scope was closed. */
  public boolean isClosed() {
    return closed;
  }

  /**
   * Closes every inner scope still open, then frees every tensor this scope owns, newest first.
   * Idempotent.
   *
   * @throws JrnnException when called on another thread than the one that opened it
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    if (Thread.currentThread() != thread) {
      throw new JrnnException(
          "a Scope must be closed on the thread that opened it (" + thread.getName() + ")");
    }
    ArrayDeque<Scope> stack = STACK.get();
    if (stack.contains(this)) {
      while (stack.peek() != this) {
        stack.peek().close();
      }
      stack.pop();
    }
    closed = true;
    List<Tensor> toClose;
    synchronized (this) {
      toClose = new ArrayList<>(owned);
      owned.clear();
      for (Tensor t : toClose) {
        t.scope = null;
      }
    }
    RuntimeException first = null;
    for (int i = toClose.size() - 1; i >= 0; i--) {
      try {
        toClose.get(i).close();
      } catch (RuntimeException e) {
        if (first == null) {
          first = e;
        } else {
          first.addSuppressed(e);
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }
}
