/*
 * CaptionDataTest: an image list whose line is not a path on this system (a NUL character) is
 * refused as a bad file, naming the file and line, instead of an InvalidPathException.
 *   mvn -B -o test -Dtest=CaptionDataTest
 */
package org.jrnn.caption;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CaptionDataTest {
  @TempDir Path dir;

  @Test
  void aListLineWithANulCharacterIsRefusedNamingTheLine() throws IOException {
    Path list = dir.resolve("list.txt");
    Files.writeString(list, "a.png\n# comment\nx\u0000y.png\n");
    IOException e = assertThrows(IOException.class, () -> CaptionData.readList(list));
    String m = e.getMessage();
    assertTrue(m.startsWith(list + ":3: not a valid path 'x\\u0000y.png'"), m);
    Files.writeString(list, "a.png\n# comment\nxy.png\n");
    assertEquals(List.of(dir.resolve("a.png"), dir.resolve("xy.png")), CaptionData.readList(list));
  }

  @Test
  void aLongBadLineIsQuotedShort() throws IOException {
    Path list = dir.resolve("list.txt");
    Files.writeString(list, "\u0000" + "p".repeat(100_000) + "\n");
    IOException e = assertThrows(IOException.class, () -> CaptionData.readList(list));
    assertTrue(e.getMessage().length() < 600, e.getMessage());
  }
}
