// ConllReaderTest: column numbers at the edge of the int range are refused as "too few columns" on
// the
// first line (naming the file and line), not by an overflowing column count.
//   mvn -B -o test -Dtest=ConllReaderTest
package org.jrnn.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConllReaderTest {
  @TempDir Path dir;

  @Test
  void theLargestColumnNumberIsTooFewColumnsNotAnOverflow() throws IOException {
    Path f = Files.writeString(dir.resolve("d.conll"), "The DT\ncat NN\n", StandardCharsets.UTF_8);
    assertEquals(
        List.of(new TaggedSentence(List.of("The", "cat"), List.of("DT", "NN"))),
        ConllReader.read(f, 0, 1));
    for (int[] cols : new int[][] {{0, Integer.MAX_VALUE}, {Integer.MAX_VALUE, 1}}) {
      DataFormatException e =
          assertThrows(DataFormatException.class, () -> ConllReader.read(f, cols[0], cols[1]));
      assertEquals(1, e.line(), e.getMessage());
      assertTrue(
          e.getMessage().contains("expected at least 2147483648 columns, found 2"), e.getMessage());
    }
  }
}
