// Reads source/target pairs from TSV: source<TAB>target[<TAB>anything else] per line.
package org.jrnn.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Parallel text, e.g. translation pairs in the Tatoeba/Anki layout. Blank lines are skipped. */
public final class TextPairReader {
  private TextPairReader() {}

  /**
   * Reads the first two tab-separated fields of each line as source and target; further fields
   * (e.g. attribution) are ignored.
   *
   * @throws DataFormatException naming the line, for a line with fewer than two fields or an empty
   *     side; or, for a file of another format (mostly lines without a tab, CoNLL blocks, a target
   *     column of a few label-like values, JSON), saying what it looks like (see {@link DataShape})
   */
  public static List<TextPair> readTsv(Path file) throws IOException {
    List<String> lines = TextFiles.readLines(file);
    DataShape.checkPairs(file, lines);
    List<TextPair> out = new ArrayList<>(lines.size());
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (line.isBlank()) {
        continue;
      }
      String[] f = line.split("\t", -1);
      if (f.length < 2) {
        throw new DataFormatException(file, i + 1, "expected source<TAB>target, found no tab");
      }
      if (f[0].isBlank() || f[1].isBlank()) {
        throw new DataFormatException(
            file, i + 1, "empty " + (f[0].isBlank() ? "source" : "target"));
      }
      out.add(new TextPair(f[0], f[1]));
    }
    return out;
  }
}
