// SafetensorsException: a safetensors file that cannot be read or written, naming the file and why.
package org.jrnn.io;

import java.nio.file.Path;
import org.jrnn.JrnnException;
import org.jrnn.internal.Quote;

/**
 * A safetensors file is malformed, truncated, hostile or does not hold what was asked of it. The
 * message always names the file and the problem, e.g. {@code "model.safetensors: tensor 'x': shape
 * [2, 3] of F32 needs 24 bytes but data_offsets give 20"}. Names and values from the file are
 * quoted short ({@link Quote}).
 *
 * <p>A {@link JrnnException} (unchecked): it is about the file's content or about asking for what
 * it does not hold. A file that cannot be opened or read at all (missing, a directory, no
 * permission, a read error) gives a plain {@link java.io.IOException} with a message of the same
 * form.
 */
public class SafetensorsException extends JrnnException {
  private static final long serialVersionUID = 1L;
  private final transient Path file;
  private final String problem;

  /**
   * @param file the file concerned, or null for a stream or buffer
   * @param problem what is wrong, without the file name
   */
  public SafetensorsException(Path file, String problem) {
    super((file == null ? "<stream>" : Quote.path(file)) + ": " + problem);
    this.file = file;
    this.problem = problem;
  }

  /** As {@link #SafetensorsException(Path, String)}, keeping the underlying cause. */
  public SafetensorsException(Path file, String problem, Throwable cause) {
    super((file == null ? "<stream>" : Quote.path(file)) + ": " + problem, cause);
    this.file = file;
    this.problem = problem;
  }

  /** The file concerned, or null. */
  public Path file() {
    return file;
  }

  /** The problem without the file name. */
  public String problem() {
    return problem;
  }
}
