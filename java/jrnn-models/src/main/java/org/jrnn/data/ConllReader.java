// Reads token/tag sequences in CoNLL-style columns: one token per line, a blank line between
// sentences.
package org.jrnn.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jrnn.JrnnException;

/**
 * CoNLL-style column files (CoNLL-2000/2003, CoNLL-U, "word TAG" lists). Columns are separated by
 * tabs when a line holds a tab, otherwise by runs of spaces. Lines starting with {@code -DOCSTART-}
 * are skipped, as are lines starting with a comment prefix if one is given (e.g. "#" for CoNLL-U;
 * off by default because "#" is a real token in CoNLL-2000).
 */
public final class ConllReader {
  private ConllReader() {}

  /**
   * Reads sentences taking tokens from column {@code tokenColumn} and tags from {@code tagColumn}
   * (0-based).
   *
   * @throws DataFormatException naming the line, for a line with too few columns; or, for a file
   *     that is not CoNLL (token cells of several words, column counts that vary from line to line,
   *     no blank line in the first {@link DataShape#SAMPLE} lines of a longer file, JSON), saying
   *     what it looks like (see {@link DataShape})
   */
  public static List<TaggedSentence> read(Path file, int tokenColumn, int tagColumn)
      throws IOException {
    return read(file, tokenColumn, tagColumn, null);
  }

  /**
   * As {@link #read(Path, int, int)}, also skipping lines that start with {@code commentPrefix}
   * (null: none).
   */
  public static List<TaggedSentence> read(
      Path file, int tokenColumn, int tagColumn, String commentPrefix) throws IOException {
    if (tokenColumn < 0 || tagColumn < 0) {
      throw new JrnnException("columns are 0-based and must be >= 0");
    }
    long needed = Math.max(tokenColumn, tagColumn) + 1L; // a column of Integer.MAX_VALUE needs 2^31
    List<String> lines = TextFiles.readLines(file);
    DataShape.checkConll(file, lines, tokenColumn, commentPrefix);
    List<TaggedSentence> out = new ArrayList<>();
    List<String> tokens = new ArrayList<>();
    List<String> tags = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (line.isBlank()) {
        flush(tokens, tags, out);
        continue;
      }
      if (line.startsWith("-DOCSTART-")
          || (commentPrefix != null && line.startsWith(commentPrefix))) {
        continue;
      }
      String[] cols = line.indexOf('\t') >= 0 ? line.split("\t", -1) : line.strip().split(" +");
      if (cols.length < needed) {
        throw new DataFormatException(
            file, i + 1, "expected at least " + needed + " columns, found " + cols.length);
      }
      String token = cols[tokenColumn].strip();
      String tag = cols[tagColumn].strip();
      if (token.isEmpty() || tag.isEmpty()) {
        throw new DataFormatException(
            file, i + 1, "empty " + (token.isEmpty() ? "token" : "tag") + " column");
      }
      tokens.add(token);
      tags.add(tag);
    }
    flush(tokens, tags, out);
    return out;
  }

  private static void flush(List<String> tokens, List<String> tags, List<TaggedSentence> out) {
    if (!tokens.isEmpty()) {
      out.add(new TaggedSentence(tokens, tags));
      tokens.clear();
      tags.clear();
    }
  }
}
