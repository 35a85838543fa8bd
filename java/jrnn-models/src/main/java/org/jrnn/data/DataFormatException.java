// The error every reader throws for bad input: it names the file and, where known, the line.
package org.jrnn.data;

import java.nio.file.Path;
import org.jrnn.JrnnException;
import org.jrnn.internal.Quote;

/**
 * A data file whose content cannot be read as expected (malformed, wrong columns, bad values); the
 * message starts with {@code file:line:}. A {@link JrnnException} (unchecked): bad content is a
 * misuse like any other; a file that cannot be read at all (missing, unreadable) is an {@link
 * java.io.IOException} instead.
 */
public class DataFormatException extends JrnnException {
  private static final long serialVersionUID = 1L;

  private final transient Path file;
  private final long line;

  /**
   * @param file the file being read
   * @param line the 1-based line number, or 0 when no single line is at fault
   * @param detail what is wrong
   */
  public DataFormatException(Path file, long line, String detail) {
    this(file, line, detail, null);
  }

  /** As {@link #DataFormatException(Path, long, String)}, keeping the underlying cause. */
  public DataFormatException(Path file, long line, String detail, Throwable cause) {
    super(Quote.path(file) + (line > 0 ? ":" + line : "") + ": " + detail, cause);
    this.file = file;
    this.line = line;
  }

  /** The file being read. */
  public Path file() {
    return file;
  }

  /** The 1-based line number, or 0 when no single line is at fault. */
  public long line() {
    return line;
  }
}
