// CliData: reads the data files of `jrnn train` and `jrnn eval` in the formats they accept
// (tsv, jsonl, uci-json, text, conll, pairs, csv) and encodes them for each kind of model.
package org.jrnn.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jrnn.Device;
import org.jrnn.JrnnException;
import org.jrnn.caption.Captioner;
import org.jrnn.cli.Command.UsageException;
import org.jrnn.data.DataFormatException;
import org.jrnn.data.DataShape;
import org.jrnn.data.DigitImage;
import org.jrnn.data.LabelIndex;
import org.jrnn.data.LabelledExample;
import org.jrnn.data.LabelledTextReader;
import org.jrnn.data.TaggedSentence;
import org.jrnn.data.TextFiles;
import org.jrnn.data.TextPair;
import org.jrnn.data.TextPairReader;
import org.jrnn.data.Tokenizer;
import org.jrnn.internal.Quote;
import org.jrnn.io.SafetensorsFile;
import org.jrnn.models.ModelFiles;

/** Data files of the training commands. */
final class CliData {
  /** The tasks of {@code jrnn train}. */
  static final String[] TASKS = {"classify", "lm", "tag", "seq2seq", "digits", "caption"};

  /** Every format name. */
  static final String[] FORMATS = {"tsv", "jsonl", "uci-json", "text", "conll", "pairs", "csv"};

  private CliData() {}

  /** The formats a task reads, the first being the default when the file name does not tell. */
  static List<String> formatsOf(String task) {
    return switch (task) {
      case "classify" -> List.of("tsv", "jsonl", "uci-json");
      case "lm" -> List.of("text");
      case "tag" -> List.of("conll");
      case "seq2seq" -> List.of("pairs");
      case "digits" -> List.of("csv");
      case "caption" ->
          List.of("tsv", "jsonl"); // org.jrnn.caption.CaptionData reads either by file name
      default -> throw new UsageException("unknown task " + Quote.quote(task));
    };
  }

  /** The format to read {@code file} with: the given one (checked against the task) or a guess. */
  static String format(String task, String given, Path file) {
    List<String> allowed = formatsOf(task);
    if (given != null) {
      if (!allowed.contains(given)) {
        throw new UsageException(
            "--format "
                + given
                + " does not fit --task "
                + task
                + " (use "
                + String.join(" or ", allowed)
                + ")");
      }
      return given;
    }
    if (task.equals("classify")) {
      String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
      if (name.endsWith(".gz")) {
        name = name.substring(0, name.length() - 3);
      }
      if (name.endsWith(".jsonl")) {
        return "jsonl";
      }
      if (name.endsWith(".json")) {
        return "uci-json";
      }
      return "tsv";
    }
    return allowed.get(0);
  }

  /**
   * Loads a model file of {@code jrnn train} for eval, predict or generate; a captioning model is
   * refused with a pointer to {@code jrnn caption}.
   */
  static ModelFiles.Contents model(Path file, Device device) throws IOException {
    CliErrors.input(file);
    String kind;
    try (SafetensorsFile f = SafetensorsFile.open(file)) {
      kind = f.metadata().get(ModelFiles.MODEL_KEY);
    }
    if (Captioner.KIND.equals(kind)) {
      throw new JrnnException(Quote.path(file) + " is a captioning model: use jrnn caption");
    }
    return ModelFiles.load(file, device);
  }

  /** Labelled text: tsv ({@code text<TAB>label}), jsonl or uci-json (a JSON array). */
  static List<LabelledExample> labelled(Path file, String format) throws IOException {
    List<LabelledExample> out =
        switch (format) {
          case "tsv" -> LabelledTextReader.readTsv(file);
          case "jsonl" -> LabelledTextReader.readJsonl(file);
          case "uci-json" -> LabelledTextReader.readJsonArray(file);
          default ->
              throw new UsageException("format " + Quote.quote(format) + " is not labelled text");
        };
    if (out.isEmpty()) {
      throw new DataFormatException(file, 0, "no examples");
    }
    return out;
  }

  /** Plain text (UTF-8; newlines normalised); columns, CoNLL or JSON are refused. */
  static String text(Path file) throws IOException {
    String t = TextFiles.readString(file);
    if (t.isEmpty()) {
      throw new DataFormatException(file, 0, "the text is empty");
    }
    DataShape.check(file, DataShape.firstLines(t), DataShape.Format.PLAIN_TEXT);
    return t;
  }

  /**
   * CoNLL columns: tokens from column {@code tokenColumn}, tags from {@code tagColumn} (-1: the
   * last column of the first token line).
   */
  static List<TaggedSentence> tagged(Path file, int tokenColumn, int tagColumn) throws IOException {
    if (tagColumn < 0) {
      tagColumn = 1;
      for (String line : TextFiles.readLines(file)) {
        String s = line.strip();
        if (!s.isEmpty() && !s.startsWith("-DOCSTART-")) {
          tagColumn = (line.indexOf('\t') >= 0 ? s.split("\t") : s.split(" +")).length - 1;
          break;
        }
      }
      if (tagColumn < 1) {
        throw new DataFormatException(file, 0, "expected at least two columns (token and tag)");
      }
    }
    List<TaggedSentence> out = org.jrnn.data.ConllReader.read(file, tokenColumn, tagColumn);
    if (out.isEmpty()) {
      throw new DataFormatException(file, 0, "no sentences");
    }
    return out;
  }

  /** Source/target pairs, tab-separated. */
  static List<TextPair> pairs(Path file) throws IOException {
    List<TextPair> out = TextPairReader.readTsv(file);
    if (out.isEmpty()) {
      throw new DataFormatException(file, 0, "no pairs");
    }
    return out;
  }

  /**
   * UCI digits: 64 pixel values 0..16 and the digit per CSV line (gzip when the name ends in .gz).
   */
  static List<DigitImage> digits(Path file) throws IOException {
    List<String> lines = TextFiles.readLines(file);
    DataShape.check(file, lines, DataShape.Format.DIGITS_CSV);
    List<DigitImage> out = new ArrayList<>(lines.size());
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty()) {
        continue;
      }
      String[] f = line.split(",");
      if (f.length != 65) {
        throw new DataFormatException(
            file, i + 1, "expected 65 values (64 pixels and the digit), found " + f.length);
      }
      float[] pixels = pixels(f, 64, file, i + 1);
      int digit;
      try {
        digit = (int) Double.parseDouble(f[64].strip());
      } catch (NumberFormatException e) {
        throw new DataFormatException(
            file, i + 1, "the digit is not a number: " + Quote.quote(f[64]));
      }
      if (digit < 0 || digit > 9) {
        throw new DataFormatException(
            file, i + 1, "digit " + Quote.cut(f[64]) + " is outside 0..9");
      }
      out.add(new DigitImage(pixels, digit));
    }
    if (out.isEmpty()) {
      throw new DataFormatException(file, 0, "no images");
    }
    return out;
  }

  /** The first {@code n} fields as pixels 0..16 scaled to 0..1 (as DigitImage.pixels()). */
  static float[] pixels(String[] f, int n, Path file, long line) throws DataFormatException {
    float[] pixels = new float[n];
    for (int k = 0; k < n; k++) {
      double v;
      try {
        v = Double.parseDouble(f[k].strip());
      } catch (NumberFormatException e) {
        throw new DataFormatException(
            file, line, "pixel " + k + " is not a number: " + Quote.quote(f[k]));
      }
      if (!(v >= 0 && v <= 16)) {
        throw new DataFormatException(
            file, line, "pixel " + k + " is " + Quote.cut(f[k]) + ", outside 0..16");
      }
      pixels[k] = (float) (v / 16.0);
    }
    return pixels;
  }

  /** Encodes texts, refusing any that has no tokens (naming it). */
  static List<int[]> encodeAll(Tokenizer tokenizer, List<String> texts, String what) {
    List<int[]> out = new ArrayList<>(texts.size());
    for (int i = 0; i < texts.size(); i++) {
      int[] ids = tokenizer.encode(texts.get(i));
      if (ids.length == 0) {
        throw new JrnnException(
            what + " " + (i + 1) + " has no tokens: " + Quote.quote(texts.get(i)));
      }
      out.add(ids);
    }
    return out;
  }

  /** Label ids, naming an unknown label and the example. */
  static int[] labelIds(LabelIndex labels, List<LabelledExample> examples) {
    int[] ids = new int[examples.size()];
    for (int i = 0; i < ids.length; i++) {
      try {
        ids[i] = labels.id(examples.get(i).label());
      } catch (IllegalArgumentException | JrnnException e) {
        throw new JrnnException("example " + (i + 1) + ": " + Quote.cut(e.getMessage()), e);
      }
    }
    return ids;
  }

  /** The tokens of tagged sentences joined by single spaces (for a whitespace word tokenizer). */
  static String joined(TaggedSentence s) {
    return String.join(" ", s.tokens());
  }
}
