// CliErrors: turns the expected failures of the training commands (bad data, bad values, a NaN in
// training, an unwritable file) into the exception that Main prints as one plain line.
package org.jrnn.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import org.jrnn.JrnnException;

/** Error helpers of the training commands. */
final class CliErrors {
  private CliErrors() {}

  /** A command body that may fail. */
  @FunctionalInterface
  interface Body {
    int run() throws Exception;
  }

  /**
   * Runs {@code body}; an {@link JrnnException}, {@link IllegalStateException}, {@link
   * IOException} (other than a missing or unreadable file, which Main words itself) or {@link
   * UncheckedIOException} becomes a {@link JrnnException} with the same message, which Main prints
   * as {@code jrnn <command>: <message>} with exit status 1.
   */
  static int run(Body body) throws Exception {
    try {
      return body.run();
    } catch (NoSuchFileException | AccessDeniedException e) {
      throw e;
    } catch (UncheckedIOException e) {
      if (e.getCause() instanceof NoSuchFileException | e.getCause() instanceof AccessDeniedException) {
        throw e.getCause();
      }
      throw new JrnnException(JrnnException.Status.INVALID_ARGUMENT, message(e), e);
    } catch (IllegalArgumentException | IllegalStateException | IOException e) {
      throw new JrnnException(JrnnException.Status.INVALID_ARGUMENT, message(e), e);
    } catch (org.jrnn.optim.NonFiniteException e) {
      throw new JrnnException(JrnnException.Status.INVALID_ARGUMENT, "training stopped: " + message(e), e);
    }
  }

  private static String message(Throwable e) {
    String m = e.getMessage();
    return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
  }
}
