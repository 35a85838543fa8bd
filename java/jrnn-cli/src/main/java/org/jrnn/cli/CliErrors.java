// CliErrors: the failures of the training commands that need words beyond their own message (a NaN
// in training), and the checks of input and output files before any work starts.
package org.jrnn.cli;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.jrnn.JrnnException;
import org.jrnn.internal.Quote;
import org.jrnn.io.AtomicFiles;
import org.jrnn.optim.NonFiniteException;

/** Error helpers of the commands; {@link Main#describe} words every exception as one line. */
public final class CliErrors {
  private CliErrors() {}

  /** A command body that may fail. */
  @FunctionalInterface
  public interface Body {
    int run() throws Exception;
  }

  /**
   * Runs {@code body}; a {@link NonFiniteException} (the loss or a gradient became NaN) becomes a
   * {@link JrnnException} that says training stopped. Main prints any failure as {@code jrnn
   * <command>: <message>} with exit status 1.
   */
  public static int run(Body body) throws Exception {
    try {
      return body.run();
    } catch (NonFiniteException e) {
      throw new JrnnException("training stopped: " + e.getMessage(), e);
    }
  }

  /**
   * Checks that {@code file} can be read: it exists, is not a directory and is readable.
   *
   * @return {@code file}
   * @throws IOException naming the file and the reason
   */
  public static Path input(Path file) throws IOException {
    String name = Quote.path(file);
    if (Files.isDirectory(file)) {
      throw new FileSystemException(name, null, "is a directory, not a file");
    }
    if (!Files.exists(file)) {
      throw new NoSuchFileException(name);
    }
    if (!Files.isReadable(file)) {
      throw new AccessDeniedException(name);
    }
    return file;
  }

  /** Checks that {@code dir} is a readable directory. */
  public static Path inputDirectory(Path dir) throws IOException {
    String name = Quote.path(dir);
    if (!Files.exists(dir)) {
      throw new NoSuchFileException(name);
    }
    if (!Files.isDirectory(dir)) {
      throw new FileSystemException(name, null, "not a directory");
    }
    if (!Files.isReadable(dir)) {
      throw new AccessDeniedException(name);
    }
    return dir;
  }

  /**
   * Checks, before any work, that the output {@code file} can be written (see {@link
   * AtomicFiles#checkWritable}); an existing file must be writable too (it may be appended to).
   */
  public static Path output(Path file) throws IOException {
    AtomicFiles.checkWritable(file);
    if (Files.exists(file) && !Files.isWritable(file)) {
      throw new AccessDeniedException(Quote.path(file));
    }
    return file;
  }
}
