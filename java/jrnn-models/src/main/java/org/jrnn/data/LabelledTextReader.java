// Readers for labelled text: TSV (text<TAB>label), JSON Lines ({"text":..,"label":..}) and a JSON
// array of
// such objects (the bundled UCI sentiment files use "class" for the label).
package org.jrnn.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jrnn.internal.Arguments;
import org.jrnn.internal.Quote;
import org.jrnn.io.Json;

/**
 * Reads labelled text. In JSON forms the label is the field {@code "label"} or, failing that,
 * {@code "class"}; it may be a string, a number or a boolean (an integer is kept as written: {@code
 * 1} gives "1"). A record with empty text and a null label (the end marker of the UCI sentiment
 * files) is skipped; any other record without text or label is an error. Blank lines are skipped in
 * TSV and JSONL.
 */
public final class LabelledTextReader {
  private LabelledTextReader() {}

  /**
   * Reads by file name: ".tsv" or ".txt" as TSV, ".jsonl" as JSON Lines, ".json" as a JSON array if
   * it starts with {@code [}, else as JSON Lines.
   */
  public static List<LabelledExample> read(Path file) throws IOException {
    Arguments.notNull("file", file);
    Path fileName = file.getFileName();
    String name = fileName == null ? "" : fileName.toString().toLowerCase(Locale.ROOT);
    if (name.endsWith(".gz")) {
      name = name.substring(0, name.length() - 3);
    }
    if (name.endsWith(".tsv") || name.endsWith(".txt")) {
      return readTsv(file);
    }
    if (name.endsWith(".jsonl")) {
      return readJsonl(file);
    }
    if (name.endsWith(".json")) {
      String text = TextFiles.readString(file).stripLeading();
      return text.startsWith("[") ? readJsonArray(file) : readJsonl(file);
    }
    throw new DataFormatException(
        file, 0, "unknown labelled-text format (expected .tsv, .txt, .jsonl or .json)");
  }

  /**
   * Reads {@code text<TAB>label} lines; the label is what follows the last tab, trimmed.
   *
   * @throws DataFormatException naming the line, for a line without a tab or with an empty label;
   *     or, for a file of another format (mostly lines without a tab, CoNLL blocks, a label column
   *     of text, JSON), saying what it looks like (see {@link DataShape})
   */
  public static List<LabelledExample> readTsv(Path file) throws IOException {
    List<String> lines = TextFiles.readLines(file);
    DataShape.checkLabelledTsv(file, lines);
    List<LabelledExample> out = new ArrayList<>(lines.size());
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (line.isBlank()) {
        continue;
      }
      int tab = line.lastIndexOf('\t');
      if (tab < 0) {
        throw new DataFormatException(file, i + 1, "expected text<TAB>label, found no tab");
      }
      String label = line.substring(tab + 1).strip();
      if (label.isEmpty()) {
        throw new DataFormatException(file, i + 1, "empty label");
      }
      out.add(new LabelledExample(line.substring(0, tab), label));
    }
    return out;
  }

  /**
   * Reads one JSON object per line.
   *
   * @throws DataFormatException naming the line, for invalid JSON or a record without text or
   *     label; or, for a file of another format or labels that look like text, saying what it looks
   *     like (see {@link DataShape})
   */
  public static List<LabelledExample> readJsonl(Path file) throws IOException {
    List<String> lines = TextFiles.readLines(file);
    DataShape.checkJsonLines(file, lines);
    List<LabelledExample> out = new ArrayList<>(lines.size());
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (line.isBlank()) {
        continue;
      }
      Object e;
      try {
        e = Json.parse(line);
      } catch (Json.JsonException ex) {
        throw new DataFormatException(file, i + 1, "invalid JSON: " + Quote.reason(ex), ex);
      }
      LabelledExample ex = toExample(file, i + 1, e);
      if (ex != null) {
        out.add(ex);
      }
    }
    DataShape.checkLabels(file, out);
    return out;
  }

  /**
   * Reads a JSON array of objects (e.g. {@code data/sentiment/imdb.json}).
   *
   * @throws DataFormatException naming the line where the bad record starts; or, for a file of
   *     another format or labels that look like text, saying what it looks like (see {@link
   *     DataShape})
   */
  public static List<LabelledExample> readJsonArray(Path file) throws IOException {
    String text = TextFiles.readString(file);
    DataShape.checkJsonArray(file, DataShape.firstLines(text));
    List<Json.Element> elements;
    try {
      elements = Json.parseArrayElements(text);
    } catch (Json.JsonException e) {
      long line = e.position() < 0 ? 0 : Json.lineAt(text, e.position());
      String why = Quote.reason(e);
      throw new DataFormatException(
          file, line, why.startsWith("expected a JSON array") ? why : "invalid JSON: " + why, e);
    }
    List<LabelledExample> out = new ArrayList<>(elements.size());
    for (Json.Element e : elements) {
      LabelledExample ex = toExample(file, Json.lineAt(text, e.position()), e.value());
      if (ex != null) {
        out.add(ex);
      }
    }
    DataShape.checkLabels(file, out);
    return out;
  }

  private static LabelledExample toExample(Path file, long line, Object e) {
    if (!(e instanceof Map<?, ?> o)) {
      throw new DataFormatException(
          file, line, "expected a JSON object, found " + Quote.cut(Json.write(e)));
    }
    Object text = o.get("text");
    Object label = o.containsKey("label") ? o.get("label") : o.get("class");
    boolean noLabel = label == null || label == Json.NULL;
    if (text instanceof String t && t.isEmpty() && noLabel) {
      return null; // the UCI files' end marker {"text":"","class":null}
    }
    if (!(text instanceof String t)) {
      throw new DataFormatException(file, line, "record has no string \"text\" field");
    }
    if (noLabel) {
      throw new DataFormatException(file, line, "record has no \"label\" (or \"class\") field");
    }
    if (label instanceof Map || label instanceof List) {
      throw new DataFormatException(
          file, line, "label must be a string or number, found " + Quote.cut(Json.write(label)));
    }
    return new LabelledExample(t, String.valueOf(label));
  }
}
