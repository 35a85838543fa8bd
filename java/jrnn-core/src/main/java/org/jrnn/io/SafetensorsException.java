// SafetensorsException: a safetensors file that cannot be read or written, naming the file and why.
package org.jrnn.io;

import java.io.IOException;
import java.nio.file.Path;
import org.jrnn.internal.Quote;

/**
 * A safetensors file is malformed, truncated, hostile or does not hold what was asked of it. The
 * message always names the file and the problem, e.g. {@code "model.safetensors: tensor 'x': shape
 * [2, 3] of F32 needs 24 bytes but data_offsets give 20"}. Names and values from the file are
 * quoted short ({@link Quote}).
 */
public class SafetensorsException extends IOException {
  private static final long serialVersionUID = 1L;
  private final transient Path file;
  private final String problem;

  public SafetensorsException(Path file, String problem) {
    super((file == null ? "<stream>" : Quote.path(file)) + ": " + problem);
    this.file = file;
    this.problem = problem;
  }

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
