// AtomicFiles: replaces content, keeps the old file intact when the writer fails, leaves no temp
// files.
package org.jrnn.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.jrnn.JrnnException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
  @TempDir Path dir;

  private List<Path> listing() throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.sorted().toList();
    }
  }

  @Test
  void writesNewAndReplacesExistingFiles() throws IOException {
    Path f = dir.resolve("model.safetensors");
    AtomicFiles.writeString(f, "first");
    assertEquals("first", Files.readString(f));
    AtomicFiles.write(
        f,
        out -> {
          out.write("second".getBytes(StandardCharsets.UTF_8));
          out.close(); // closing is allowed
        });
    assertEquals("second", Files.readString(f));
    assertEquals(List.of(f), listing());
  }

  @Test
  void oldFileIsIntactWhenTheWriterThrows() throws IOException {
    Path f = dir.resolve("checkpoint.bin");
    AtomicFiles.writeBytes(f, new byte[] {1, 2, 3});
    IOException boom = new IOException("disk on fire");
    IOException thrown =
        assertThrows(
            IOException.class,
            () ->
                AtomicFiles.write(
                    f,
                    out -> {
                      out.write(
                          new byte[100_000]); // more than the buffer: bytes reach the temp file
                      throw boom;
                    }));
    assertSame(boom, thrown);
    assertEquals(
        List.of((byte) 1, (byte) 2, (byte) 3),
        List.of(Files.readAllBytes(f)[0], Files.readAllBytes(f)[1], Files.readAllBytes(f)[2]));
    assertEquals(3, Files.size(f));
    assertEquals(List.of(f), listing(), "the temporary file must be removed");
  }

  @Test
  void runtimeExceptionsAlsoLeaveNoTrace() throws IOException {
    Path f = dir.resolve("new.json");
    assertThrows(
        JrnnException.class,
        () ->
            AtomicFiles.write(
                f,
                out -> {
                  out.write('x');
                  throw new JrnnException("bug");
                }));
    assertFalse(Files.exists(f));
    assertEquals(List.of(), listing());
  }

  @Test
  void failuresNameTheTargetNotTheTemporaryFile() throws IOException {
    Path plain = Files.writeString(dir.resolve("plain.txt"), "x");
    for (Path target : List.of(plain.resolve("out.bin"), dir.resolve("missing/out.bin"))) {
      java.nio.file.FileSystemException e =
          assertThrows(
              java.nio.file.FileSystemException.class,
              () -> AtomicFiles.writeString(target, "data"));
      assertEquals(target.toString(), e.getFile());
      assertFalse(e.getMessage().contains(".tmp"), e.getMessage());
      e =
          assertThrows(
              java.nio.file.FileSystemException.class, () -> AtomicFiles.checkWritable(target));
      assertEquals(target.toString(), e.getFile());
    }
    Path folder = Files.createDirectory(dir.resolve("folder"));
    assertEquals(
        "is a directory",
        assertThrows(
                java.nio.file.FileSystemException.class, () -> AtomicFiles.checkWritable(folder))
            .getReason());
    AtomicFiles.checkWritable(dir.resolve("fine.bin"));
    assertEquals(List.of(folder, plain), listing(), "the check leaves no file");
  }

  @Test
  void deleteStaleTempsDeletesOnlyTheTargetsOwnTempFiles() throws IOException {
    Path target = dir.resolve("m[1].bin"); // glob and regex characters in the name
    AtomicFiles.writeString(target, "current");
    Path stale = Files.writeString(dir.resolve(".m[1].bin.00ff.tmp"), "half");
    Path other = Files.writeString(dir.resolve(".m1.bin.00ff.tmp"), "other");
    Path notHex = Files.writeString(dir.resolve(".m[1].bin.00fg.tmp"), "other");
    assertEquals(1, AtomicFiles.deleteStaleTemps(target));
    assertFalse(Files.exists(stale));
    assertEquals(List.of(other, notHex, target), listing());
    assertEquals("current", Files.readString(target));
    assertEquals(0, AtomicFiles.deleteStaleTemps(dir.resolve("missing/x.bin")));
  }
}
