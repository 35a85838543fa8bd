// InteropException: a config or state dict that does not fit (names every missing, extra or
// mis-shaped entry), or a file of the wrong kind.
package org.jrnn.interop;

import org.jrnn.JrnnException;

/** A PyTorch config or state dict that jrnn cannot use; the message says exactly why. */
public class InteropException extends JrnnException {
  private static final long serialVersionUID = 1L;

  public InteropException(String message) {
    super(message);
  }

  public InteropException(String message, Throwable cause) {
    super(Status.INVALID_ARGUMENT, message, cause);
  }
}
