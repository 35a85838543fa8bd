// DataShape: looks at the first lines of a data file, says which of jrnn's formats they have, and
// refuses a file of another format in one line that says what it found and what it expected.
//   DataShape.check(file, TextFiles.readLines(file), DataShape.Format.CONLL);
package org.jrnn.data;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.jrnn.internal.Arguments;
import org.jrnn.internal.Quote;

/**
 * Format checks on a sample: the first {@link #SAMPLE} lines of a file. Each reader of this package
 * runs them before it reads the records, so that the wrong kind of file (a review TSV given to the
 * CoNLL reader, a CoNLL file given as pairs, a novel given as labelled text) is refused as a whole,
 * with what the lines look like and the format they probably have, instead of being read into
 * nonsense or failing on some line. The checks are statistical and only speak up when the sample is
 * clear: small files are left to the readers' per-line checks.
 */
public final class DataShape {
  /** The number of lines looked at, from the start of the file. */
  public static final int SAMPLE = 200;

  /** Statistical checks need at least this many lines in the sample. */
  static final int MIN_LINES = 10;

  /** The most characters of one cell quoted as an example. */
  private static final int CELL = 24;

  private static final Pattern NUMBER =
      Pattern.compile("\\s*[-+]?(?:[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)(?:[eE][-+]?[0-9]+)?\\s*");
  private static final Pattern SPACE = Pattern.compile("\\s");

  private DataShape() {}

  /** The data formats of jrnn's readers. */
  public enum Format {
    /** {@code text<TAB>label} lines ({@link LabelledTextReader#readTsv}). */
    LABELLED_TSV("text<TAB>label lines", "text<TAB>label data (--task classify)"),
    /** One JSON object per line ({@link LabelledTextReader#readJsonl}). */
    JSON_LINES(
        "JSON Lines (one {\"text\": ..., \"label\": ...} object per line)",
        "JSON Lines (--task classify --format jsonl)"),
    /** A JSON array of objects ({@link LabelledTextReader#readJsonArray}). */
    JSON_ARRAY(
        "a JSON array of {\"text\": ..., \"label\": ...} objects",
        "a JSON array of records (--task classify --format uci-json)"),
    /** CoNLL columns ({@link ConllReader}). */
    CONLL(
        "CoNLL columns (one token per line, a blank line after each sentence)",
        "CoNLL columns (--task tag)"),
    /** {@code source<TAB>target} lines ({@link TextPairReader}). */
    PAIRS_TSV("source<TAB>target lines", "source<TAB>target pairs (--task seq2seq)"),
    /** Running text ({@link TextFiles}). */
    PLAIN_TEXT("plain text", "plain text (--task lm)"),
    /** 64 pixel values and the digit per comma-separated line (UCI digits). */
    DIGITS_CSV(
        "65 values per line (64 pixels and the digit, comma-separated)",
        "digit images (--task digits)");

    private final String expected;
    private final String hint;

    Format(String expected, String hint) {
      this.expected = expected;
      this.hint = hint;
    }

    /** What a file of this format holds, in words, e.g. {@code "text<TAB>label lines"}. */
    public String description() {
      return expected;
    }
  }

  /**
   * The format the first {@link #SAMPLE} lines most likely have, or null when they are all blank.
   * Labelled TSV and pairs are told apart by the last column: a few distinct values without spaces
   * are labels, text is a target.
   */
  public static Format guess(List<String> lines) {
    Arguments.notNull("lines", lines);
    return new Sample(lines, l -> l.startsWith("-DOCSTART-")).guess();
  }

  /**
   * Refuses {@code lines} (the lines of {@code file}) when their first {@link #SAMPLE} lines are
   * clearly not of format {@code expected}; CoNLL is checked with the tokens in column 0.
   *
   * @throws DataFormatException one line: what the sample looks like, an example line, what was
   *     expected and the format it probably is
   */
  public static void check(Path file, List<String> lines, Format expected) {
    Arguments.notNull("file", file);
    Arguments.notNull("lines", lines);
    Arguments.notNull("format", expected);
    switch (expected) {
      case LABELLED_TSV -> checkLabelledTsv(file, lines);
      case JSON_LINES -> checkJsonLines(file, lines);
      case JSON_ARRAY -> checkJsonArray(file, lines);
      case CONLL -> checkConll(file, lines, 0, null);
      case PAIRS_TSV -> checkPairs(file, lines);
      case PLAIN_TEXT -> checkPlainText(file, lines);
      default -> checkDigits(file, lines);
    }
  }

  /** The first {@link #SAMPLE} lines of {@code text} (as {@link TextFiles#readLines} splits). */
  public static List<String> firstLines(String text) {
    Arguments.notNull("text", text);
    List<String> out = new ArrayList<>();
    int start = 0;
    while (start < text.length() && out.size() < SAMPLE) {
      int end = text.indexOf('\n', start);
      if (end < 0) {
        end = text.length();
      }
      out.add(text.substring(start, end));
      start = end + 1;
    }
    return out;
  }

  // ------------------------------------------------------------------ the checks per format

  static void checkConll(Path file, List<String> lines, int tokenColumn, String commentPrefix) {
    Sample s =
        new Sample(
            lines,
            l ->
                l.startsWith("-DOCSTART-")
                    || (commentPrefix != null && l.startsWith(commentPrefix)));
    Format expected = Format.CONLL;
    if (s.rows.isEmpty()) {
      return;
    }
    refuseStructured(file, s, expected);
    // token cells of several words: text, not tokens
    int multi = 0;
    int firstMulti = -1;
    for (int r : s.rows) {
      String line = s.line(r);
      if (line.indexOf('\t') >= 0) {
        String[] cells = line.split("\t", -1);
        if (cells.length > tokenColumn && SPACE.matcher(cells[tokenColumn].strip()).find()) {
          multi++;
          firstMulti = firstMulti < 0 ? r : firstMulti;
        }
      }
    }
    if (multi >= 4 && multi * 2 > s.rows.size()) {
      throw s.refuse(
          file,
          expected,
          "token cells of several words"
              + (tokenColumn > 0 ? " (column " + tokenColumn + ")" : "")
              + " on "
              + s.ofSample(multi),
          firstMulti);
    }
    // column counts that vary from line to line: running text split at spaces
    if (s.rows.size() >= MIN_LINES) {
      Map<Integer, Integer> counts = new HashMap<>();
      int min = Integer.MAX_VALUE;
      int max = 0;
      int odd = -1;
      for (int r : s.rows) {
        int n = s.cells(r).length;
        counts.merge(n, 1, Integer::sum);
        min = Math.min(min, n);
        max = Math.max(max, n);
      }
      int mode = 0;
      for (Map.Entry<Integer, Integer> e : counts.entrySet()) {
        if (e.getValue() > counts.getOrDefault(mode, 0)) {
          mode = e.getKey();
        }
      }
      if (counts.get(mode) * 5 < s.rows.size() * 4) {
        for (int r : s.rows) {
          if (s.cells(r).length != mode) {
            odd = r;
            break;
          }
        }
        throw s.refuse(
            file,
            expected,
            "lines of " + min + " to " + max + " columns in the first " + fmt(s.looked) + " lines",
            odd);
      }
    }
    // no sentence ends: one endless sentence
    if (s.blank == 0 && lines.size() > SAMPLE) {
      throw s.refuse(
          file,
          expected,
          "no blank line in the first "
              + fmt(s.looked)
              + " of "
              + fmt(lines.size())
              + " lines (a sentence ends with one)",
          s.rows.get(0));
    }
  }

  static void checkLabelledTsv(Path file, List<String> lines) {
    Sample s = new Sample(lines, l -> false);
    Format expected = Format.LABELLED_TSV;
    if (s.rows.isEmpty()) {
      return;
    }
    refuseOtherLayouts(file, s, expected);
    // a label column of text: many distinct values, or with spaces
    int n = s.tabbed();
    if (n >= 2 * MIN_LINES) {
      Set<String> labels = new LinkedHashSet<>();
      int spaced = 0;
      int first = -1;
      for (int r : s.rows) {
        String line = s.line(r);
        int tab = line.lastIndexOf('\t');
        if (tab >= 0) {
          String label = line.substring(tab + 1).strip();
          labels.add(label);
          if (SPACE.matcher(label).find()) {
            spaced++;
            first = first < 0 ? r : first;
          }
        }
      }
      boolean distinct = labels.size() * 10 >= n * 9;
      if (distinct || (spaced * 2 > n && labels.size() > 20)) {
        throw s.refuse(
            file,
            expected,
            "a label column of text ("
                + fmt(labels.size())
                + " distinct labels"
                + (spaced > 0 ? ", " + fmt(spaced) + " with spaces," : "")
                + " in "
                + fmt(n)
                + " lines)",
            distinct || first < 0 ? s.rows.get(0) : first);
      }
    }
  }

  static void checkPairs(Path file, List<String> lines) {
    Sample s = new Sample(lines, l -> false);
    Format expected = Format.PAIRS_TSV;
    if (s.rows.isEmpty()) {
      return;
    }
    refuseOtherLayouts(file, s, expected);
    // a target column of a few values, like 0/1 labels
    int n = s.tabbed();
    if (n >= 4 * MIN_LINES) {
      Set<String> targets = new LinkedHashSet<>();
      boolean spaced = false;
      for (int r : s.rows) {
        String[] cells = s.line(r).split("\t", -1);
        if (cells.length >= 2) {
          targets.add(cells[1].strip());
          spaced |= SPACE.matcher(cells[1].strip()).find();
        }
      }
      if (!spaced && targets.size() <= Math.min(5, n / 40)) {
        List<String> shown = targets.stream().map(Quote::quote).limit(5).toList();
        throw s.refuse(
            file,
            expected,
            "only "
                + targets.size()
                + " distinct target"
                + (targets.size() == 1 ? "" : "s")
                + " ("
                + String.join(", ", shown)
                + (targets.size() > shown.size() ? ", ..." : "")
                + ") in "
                + fmt(n)
                + " lines, like labels",
            s.rows.get(0));
      }
    }
  }

  static void checkPlainText(Path file, List<String> lines) {
    Sample s = new Sample(lines, l -> false);
    Format g = s.guess();
    if (g == null || g == Format.PLAIN_TEXT) {
      return;
    }
    boolean json = g == Format.JSON_ARRAY || g == Format.JSON_LINES || g == Format.DIGITS_CSV;
    if (json || s.rows.size() >= MIN_LINES) {
      throw s.refuse(file, Format.PLAIN_TEXT, s.seen(g), s.rows.get(0));
    }
  }

  static void checkDigits(Path file, List<String> lines) {
    Sample s = new Sample(lines, l -> false);
    if (s.rows.isEmpty()) {
      return;
    }
    int digits = 0;
    for (int r : s.rows) {
      if (s.numbers(r) == 65) {
        digits++;
      }
    }
    if (digits * 2 < s.rows.size()) {
      Format g = s.guess();
      throw s.refuse(
          file,
          Format.DIGITS_CSV,
          g == Format.DIGITS_CSV || g == null
              ? "lines of other lengths ("
                  + fmt(digits)
                  + " of "
                  + fmt(s.rows.size())
                  + " with 65 numbers)"
              : s.seen(g),
          s.rows.get(0));
    }
  }

  static void checkJsonLines(Path file, List<String> lines) {
    Sample s = new Sample(lines, l -> false);
    String first = s.rows.isEmpty() ? "{" : s.line(s.rows.get(0)).strip();
    Format g = s.guess();
    if (first.startsWith("{") || (first.startsWith("[") && g != Format.JSON_ARRAY)) {
      return; // JSON: the reader says what is wrong with it
    }
    throw s.refuse(
        file,
        s.rows.get(0) + 1L,
        Format.JSON_LINES,
        g == null || g == Format.JSON_LINES ? "other lines" : s.seen(g),
        s.rows.get(0));
  }

  static void checkJsonArray(Path file, List<String> lines) {
    Sample s = new Sample(lines, l -> false);
    if (s.rows.isEmpty() || s.line(s.rows.get(0)).strip().startsWith("[")) {
      return;
    }
    Format g = s.guess();
    throw s.refuse(
        file,
        s.rows.get(0) + 1L,
        Format.JSON_ARRAY,
        g == null || g == Format.JSON_ARRAY ? "no array" : s.seen(g),
        s.rows.get(0));
  }

  /**
   * Refuses labelled examples whose labels look like text: nearly all distinct, or with spaces and
   * many (checked on the first {@link #SAMPLE} examples, at least 20).
   */
  static void checkLabels(Path file, List<LabelledExample> examples) {
    int n = Math.min(SAMPLE, examples.size());
    if (n < 2 * MIN_LINES) {
      return;
    }
    Set<String> labels = new LinkedHashSet<>();
    int spaced = 0;
    for (LabelledExample e : examples.subList(0, n)) {
      labels.add(e.label());
      if (SPACE.matcher(e.label().strip()).find()) {
        spaced++;
      }
    }
    if (labels.size() * 10 >= n * 9 || (spaced * 2 > n && labels.size() > 20)) {
      LabelledExample e = examples.get(0);
      throw new DataFormatException(
          file,
          0,
          "expected a few distinct labels; found a label field of text ("
              + fmt(labels.size())
              + " distinct labels in the first "
              + fmt(n)
              + " records), e.g. "
              + Quote.quote(shortCell(e.text()))
              + " labelled "
              + Quote.quote(shortCell(e.label())));
    }
  }

  // ------------------------------------------------------------------ shared refusals

  /** JSON, digit CSV, lines without a tab or CoNLL blocks where tab-separated text is expected. */
  private static void refuseOtherLayouts(Path file, Sample s, Format expected) {
    refuseStructured(file, s, expected);
    refuseUntabbed(file, s, expected);
    refuseConllBlocks(file, s, expected);
  }

  /** JSON or digit CSV where columns of text are expected. */
  private static void refuseStructured(Path file, Sample s, Format expected) {
    Format g = s.guess();
    if (g == Format.JSON_ARRAY || g == Format.JSON_LINES || g == Format.DIGITS_CSV) {
      throw s.refuse(file, expected, s.seen(g), s.rows.get(0));
    }
  }

  /** Mostly lines without a tab where every line needs one. */
  private static void refuseUntabbed(Path file, Sample s, Format expected) {
    int untabbed = s.rows.size() - s.tabbed();
    if (untabbed * 2 > s.rows.size()) {
      int first = s.rows.stream().filter(r -> s.line(r).indexOf('\t') < 0).findFirst().orElse(-1);
      throw s.refuse(file, expected, "no tab on " + s.ofSample(untabbed), first);
    }
  }

  /** Single tokens in blocks between blank lines: CoNLL. */
  private static void refuseConllBlocks(Path file, Sample s, Format expected) {
    if (s.guess() == Format.CONLL) {
      throw s.refuse(file, expected, s.seen(Format.CONLL), s.rows.get(0));
    }
  }

  // ------------------------------------------------------------------ the sample

  /** The first SAMPLE lines, their non-blank rows (less skipped ones) and blank lines. */
  private static final class Sample {
    final List<String> lines;
    final List<Integer> rows = new ArrayList<>();
    final int looked;
    int blank;
    private Format guess;
    private boolean guessed;

    Sample(List<String> lines, Predicate<String> skip) {
      this.lines = lines;
      this.looked = Math.min(SAMPLE, lines.size());
      for (int i = 0; i < looked; i++) {
        String line = lines.get(i);
        if (line.isBlank()) {
          if (!rows.isEmpty()) {
            blank++;
          }
        } else if (!skip.test(line)) {
          rows.add(i);
        }
      }
    }

    String line(int row) {
      return lines.get(row);
    }

    /** The columns as the CoNLL reader splits them: at tabs if any, else at runs of spaces. */
    String[] cells(int row) {
      String line = line(row);
      return line.indexOf('\t') >= 0 ? line.split("\t", -1) : line.strip().split("\\s+");
    }

    int tabbed() {
      int n = 0;
      for (int r : rows) {
        if (line(r).indexOf('\t') >= 0) {
          n++;
        }
      }
      return n;
    }

    /** The number of comma-separated numbers of a line, 0 if any field is not a number. */
    int numbers(int row) {
      String line = line(row);
      if (line.indexOf(',') < 0) {
        return 0;
      }
      String[] f = line.split(",", -1);
      for (String x : f) {
        if (!NUMBER.matcher(x).matches()) {
          return 0;
        }
      }
      return f.length;
    }

    /** "12 of the first 200 lines", or "all 12 lines" when the sample is the whole file. */
    String ofSample(int n) {
      return fmt(n)
          + " of "
          + (looked == lines.size() ? "" : "the first ")
          + fmt(looked)
          + " lines";
    }

    Format guess() {
      if (!guessed) {
        guess = computeGuess();
        guessed = true;
      }
      return guess;
    }

    private Format computeGuess() {
      int n = rows.size();
      if (n == 0) {
        return null;
      }
      String first = line(rows.get(0)).strip();
      if (first.startsWith("[")) {
        String rest = first.substring(1).strip();
        if (rest.isEmpty() && n > 1) {
          rest = line(rows.get(1)).strip();
        }
        if (rest.isEmpty()
            || rest.startsWith("{")
            || rest.startsWith("[")
            || rest.startsWith("\"")
            || rest.startsWith("]")) {
          return Format.JSON_ARRAY;
        }
      }
      int objects = 0;
      int numbers = 0;
      for (int r : rows) {
        String s = line(r).strip();
        if (s.startsWith("{") && s.endsWith("}")) {
          objects++;
        }
        if (numbers(r) >= 2) {
          numbers++;
        }
      }
      if (objects * 5 >= n * 4) {
        return Format.JSON_LINES;
      }
      if (numbers * 5 >= n * 4) {
        return Format.DIGITS_CSV;
      }
      int tabbed = tabbed();
      // columns: a tab after something (a line indented with a tab is text, e.g. source code)
      int columns = 0;
      for (int r : rows) {
        int tab = line(r).indexOf('\t');
        if (tab >= 0 && !line(r).substring(0, tab).isBlank()) {
          columns++;
        }
      }
      boolean blocks = n >= MIN_LINES && blank >= 2 && n >= 2 * blank;
      if (columns * 5 >= n * 4) {
        int single = 0;
        Set<String> last = new LinkedHashSet<>();
        int spaced = 0;
        for (int r : rows) {
          String line = line(r);
          int tab = line.indexOf('\t');
          if (tab < 0) {
            continue;
          }
          String head = line.substring(0, tab).strip();
          if (!head.isEmpty() && !SPACE.matcher(head).find()) {
            single++;
          }
          String tail = line.substring(line.lastIndexOf('\t') + 1).strip();
          last.add(tail);
          if (SPACE.matcher(tail).find()) {
            spaced++;
          }
        }
        if (blocks && single * 10 >= tabbed * 9) {
          return Format.CONLL;
        }
        boolean text =
            spaced * 2 > tabbed || (tabbed >= 2 * MIN_LINES && last.size() * 10 >= tabbed * 9);
        return text ? Format.PAIRS_TSV : Format.LABELLED_TSV;
      }
      if (tabbed * 5 <= n && blocks) {
        Map<Integer, Integer> counts = new HashMap<>();
        for (int r : rows) {
          counts.merge(cells(r).length, 1, Integer::sum);
        }
        for (Map.Entry<Integer, Integer> e : counts.entrySet()) {
          if (e.getKey() >= 2 && e.getKey() <= 15 && e.getValue() * 10 >= n * 9) {
            return Format.CONLL;
          }
        }
      }
      return Format.PLAIN_TEXT;
    }

    /** What lines of format {@code g} look like, for "found ...". */
    String seen(Format g) {
      return switch (g) {
        case JSON_ARRAY -> "a JSON array";
        case JSON_LINES -> "JSON objects, one per line";
        case DIGITS_CSV -> "lines of comma-separated numbers";
        case CONLL -> "one token per line, in blocks between blank lines";
        case LABELLED_TSV -> "text<TAB>label lines";
        case PAIRS_TSV -> "text<TAB>text lines";
        default -> "lines of text without tabs";
      };
    }

    DataFormatException refuse(Path file, Format expected, String found, int example) {
      return refuse(file, 0, expected, found, example);
    }

    /**
     * "expected X; found Y, e.g. line N: ...; is this Z?" (the question when the guess differs).
     */
    DataFormatException refuse(Path file, long line, Format expected, String found, int example) {
      StringBuilder b = new StringBuilder("expected ").append(expected.expected);
      b.append("; found ").append(found);
      if (example >= 0) {
        b.append(", e.g. line ").append(example + 1).append(": ").append(render(line(example)));
      }
      Format g = guess();
      if (g != null && g != expected) {
        String hint = g.hint;
        if (g == Format.LABELLED_TSV && classify(expected)) {
          hint = "text<TAB>label data (--task classify --format tsv)";
        }
        b.append("; is this ").append(hint).append('?');
      }
      return new DataFormatException(file, line, b.toString());
    }
  }

  private static boolean classify(Format f) {
    return f == Format.LABELLED_TSV || f == Format.JSON_LINES || f == Format.JSON_ARRAY;
  }

  /** A line for a message: its cells quoted and cut, tabs shown as {@code <TAB>}. */
  static String render(String line) {
    if (line.indexOf('\t') < 0) {
      return Quote.quote(shortCell(line.strip()));
    }
    String[] cells = line.split("\t", -1);
    List<String> out = new ArrayList<>();
    for (int i = 0; i < Math.min(3, cells.length); i++) {
      out.add(Quote.quote(shortCell(cells[i])));
    }
    if (cells.length > 3) {
      out.add("...");
    }
    return String.join(" <TAB> ", out);
  }

  private static String shortCell(String s) {
    if (s.length() <= CELL) {
      return s;
    }
    int end = CELL;
    if (Character.isHighSurrogate(s.charAt(end - 1))) {
      end--;
    }
    return s.substring(0, end) + "...";
  }

  private static String fmt(long n) {
    return String.format(Locale.ROOT, "%,d", n);
  }
}
