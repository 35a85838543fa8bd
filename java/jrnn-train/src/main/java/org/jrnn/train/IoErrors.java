/*
 * IoErrors: the messages of the trainer's file errors (checkpoints, metrics log).
 */
package org.jrnn.train;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Path;
import org.jrnn.internal.Quote;

/** Words for an I/O failure. */
final class IoErrors {
  private IoErrors() {}

  /**
   * Why an I/O operation failed, in words, after the file the exception is about unless that is
   * {@code named} (null: none), which the message names already.
   */
  static String describe(IOException e, Path named) {
    String m = e.getMessage();
    String reason =
        e instanceof FileSystemException || m == null || m.isBlank() ? Quote.reason(e) : m;
    if (e instanceof FileSystemException f
        && f.getFile() != null
        && (named == null
            || !(f.getFile().equals(Quote.path(named)) || f.getFile().equals(named.toString())))) {
      return Quote.cut(f.getFile()) + ": " + reason;
    }
    return reason;
  }
}
