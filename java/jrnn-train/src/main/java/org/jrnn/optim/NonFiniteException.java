/*
 * NonFiniteException: training stopped because the loss or a gradient became NaN or infinite.
 */
package org.jrnn.optim;

import org.jrnn.JrnnException;

/**
 * Thrown by {@link NonFiniteGuard} (and so by the trainer) when the loss, a gradient or a parameter
 * is NaN or infinite. The message names where it began: the parameter, the element, the step and,
 * when the task can tell, the layer and time step of the forward pass.
 */
public final class NonFiniteException extends JrnnException {
  private static final long serialVersionUID = 1L;

  /** What was found non-finite first. */
  public enum Source {
    /**
     * A parameter's value (at step 0 the initial weights or a loaded checkpoint, later an earlier
     * update overflowed).
     */
    PARAMETER,
    /** A parameter's gradient (the backward pass overflowed). */
    GRADIENT,
    /** The loss, with every parameter and gradient finite (the forward pass overflowed). */
    LOSS
  }

  private final Source source;
  private final String parameter;
  private final long[] index;
  private final long step;

  NonFiniteException(String message, Source source, String parameter, long[] index, long step) {
    super(message);
    this.source = source;
    this.parameter = parameter;
    this.index = index == null ? null : index.clone();
    this.step = step;
  }

  /** Whether a parameter value, a gradient or only the loss was non-finite. */
  public Source source() {
    return source;
  }

  /** The parameter where it began, or null when only the loss was non-finite. */
  public String parameter() {
    return parameter;
  }

  /** The multi-index of the first non-finite element of that parameter (or null). */
  public long[] index() {
    return index == null ? null : index.clone();
  }

  /** The 0-based optimisation step at which it was found. */
  public long step() {
    return step;
  }
}
