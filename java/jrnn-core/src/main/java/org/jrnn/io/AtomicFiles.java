// Crash-safe file replacement: write a temp file in the same folder, fsync it, rename it over the
// target.
package org.jrnn.io;

import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;
import org.jrnn.internal.Quote;

/**
 * Writes files so that readers (and a later run after a crash or power loss) see either the
 * complete old content or the complete new content, never a mix or a truncated file.
 *
 * <p>The temporary file of a target {@code NAME} is {@code .NAME.<hex>.tmp} in the same folder. A
 * process killed while writing leaves it behind; {@link #deleteStaleTemps} removes such files (the
 * owner of the target calls it, e.g. the trainer before its next checkpoint).
 */
public final class AtomicFiles {
  private AtomicFiles() {}

  /**
   * Writes {@code target} through {@code writer}: the bytes go to a temporary file next to it
   * ({@code .<name>.<random>.tmp}), which is flushed and fsynced, then renamed over {@code target}
   * in one atomic step, and the folder is fsynced. If {@code writer} throws, the temporary file is
   * deleted and {@code target} is left as it was. The stream given to {@code writer} may be closed
   * by it or not.
   *
   * @throws IOException what {@code writer} threw, or a failure to create, write, sync or rename,
   *     as a {@link FileSystemException} (or its {@link AccessDeniedException} / {@link
   *     NoSuchFileException}) that names {@code target}, never the temporary file
   */
  public static void write(Path target, IOConsumer<? super OutputStream> writer)
      throws IOException {
    Path abs = target.toAbsolutePath();
    Path dir = folderOf(target, abs);
    Path tmp = tempFor(abs);
    boolean done = false;
    FileChannel channel;
    try {
      channel = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    } catch (IOException e) {
      throw naming(target, e);
    }
    try {
      BufferedOutputStream buffered =
          new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16);
      writer.accept(
          new FilterOutputStream(buffered) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
              try {
                out.write(b, off, len);
              } catch (IOException e) {
                throw naming(target, e);
              }
            }

            @Override
            public void write(int b) throws IOException {
              try {
                out.write(b);
              } catch (IOException e) {
                throw naming(target, e);
              }
            }

            @Override
            public void close() throws IOException {
              flush(); // keep the channel open: it is synced and closed below
            }

            @Override
            public void flush() throws IOException {
              try {
                out.flush();
              } catch (IOException e) {
                throw naming(target, e);
              }
            }
          });
      try {
        buffered.flush();
        channel.force(true);
        channel.close();
        Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        throw fileError(target, "cannot be replaced atomically on this file system", e);
      } catch (IOException e) {
        throw naming(target, e);
      }
      done = true;
    } finally {
      if (!done) {
        try {
          channel.close();
        } finally {
          Files.deleteIfExists(tmp);
        }
      }
    }
    syncDirectory(dir);
  }

  /**
   * Atomically replaces {@code target} with {@code bytes} (see {@link #write(Path, IOConsumer)}).
   */
  public static void writeBytes(Path target, byte[] bytes) throws IOException {
    write(target, out -> out.write(bytes));
  }

  /**
   * Atomically replaces {@code target} with {@code text} in UTF-8 (see {@link #write(Path,
   * IOConsumer)}).
   */
  public static void writeString(Path target, String text) throws IOException {
    writeBytes(target, text.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Checks, before a long job, that {@link #write} will be able to create {@code target}: its
   * folder exists, {@code target} is not a folder, and a file can be created in the folder (a
   * temporary file is created and deleted again, so a read-only folder or file system is caught
   * too).
   *
   * @throws IOException a {@link FileSystemException} naming {@code target} and the reason
   */
  public static void checkWritable(Path target) throws IOException {
    Path abs = target.toAbsolutePath();
    Path dir = folderOf(target, abs);
    if (Files.isDirectory(abs)) {
      throw fileError(target, "is a directory", null);
    }
    if (!Files.isDirectory(dir)) {
      throw new NoSuchFileException(
          Quote.path(target),
          null,
          Files.exists(dir) ? "its parent is not a folder" : "its folder does not exist");
    }
    Path probe = tempFor(abs);
    try {
      FileChannel.open(probe, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE).close();
    } catch (IOException e) {
      throw naming(target, e);
    }
    Files.deleteIfExists(probe);
  }

  /**
   * Deletes the temporary files that {@link #write} leaves next to {@code target} when its process
   * is killed mid-write: regular files named exactly {@code .<target name>.<hex>.tmp} in {@code
   * target}'s folder. Nothing else is touched. Call it only as the one writer of {@code target} (a
   * concurrent {@link #write} of the same target would lose its temporary file).
   *
   * @return how many files were deleted
   * @throws IOException when the folder cannot be listed or a stale file cannot be deleted
   */
  public static int deleteStaleTemps(Path target) throws IOException {
    Path abs = target.toAbsolutePath();
    Path dir = abs.getParent();
    if (dir == null || !Files.isDirectory(dir)) {
      return 0;
    }
    Pattern own = tempPattern(abs);
    List<Path> stale = new ArrayList<>();
    try (DirectoryStream<Path> files =
        Files.newDirectoryStream(dir, p -> own.matcher(p.getFileName().toString()).matches())) {
      for (Path p : files) {
        if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
          stale.add(p);
        }
      }
    } catch (IOException e) {
      throw fileError(dir, "cannot list the folder: " + Quote.reason(e), e);
    }
    int deleted = 0;
    for (Path p : stale) {
      try {
        if (Files.deleteIfExists(p)) {
          deleted++;
        }
      } catch (IOException e) {
        throw fileError(p, "cannot delete this stale temporary file: " + Quote.reason(e), e);
      }
    }
    return deleted;
  }

  /** The name {@link #write} gives its temporary file for {@code abs}. */
  static Path tempFor(Path abs) {
    return abs.resolveSibling(
        "."
            + abs.getFileName()
            + "."
            + Long.toHexString(ThreadLocalRandom.current().nextLong())
            + ".tmp");
  }

  /** Matches exactly the names {@link #tempFor} makes for {@code abs}. */
  static Pattern tempPattern(Path abs) {
    return Pattern.compile(
        "\\." + Pattern.quote(abs.getFileName().toString()) + "\\.[0-9a-f]{1,16}\\.tmp");
  }

  private static Path folderOf(Path target, Path abs) throws FileSystemException {
    Path dir = abs.getParent();
    if (dir == null || abs.getFileName() == null) {
      throw fileError(target, "is not a file name", null);
    }
    return dir;
  }

  /**
   * {@code e} (about the temporary file or the folder) as the same kind of exception about {@code
   * target}.
   */
  private static FileSystemException naming(Path target, IOException e) {
    String file = Quote.path(target);
    FileSystemException out;
    if (e instanceof AccessDeniedException) {
      out = new AccessDeniedException(file, null, "permission denied");
    } else if (e instanceof NoSuchFileException) {
      out = new NoSuchFileException(file, null, "its folder does not exist");
    } else {
      out = new FileSystemException(file, null, Quote.reason(e));
    }
    out.initCause(e);
    return out;
  }

  private static FileSystemException fileError(Path file, String reason, Throwable cause) {
    FileSystemException e = new FileSystemException(Quote.path(file), null, reason);
    if (cause != null) {
      e.initCause(cause);
    }
    return e;
  }

  /** Makes the rename durable; best effort (not every platform can open a folder for syncing). */
  private static void syncDirectory(Path dir) {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException | UnsupportedOperationException ignored) {
      // e.g. Windows: the rename itself is still atomic
    }
  }
}
