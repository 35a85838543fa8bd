// DataShapeTest: every bundled and data/real fixture passes the format checks of its own reader,
// and
// every swapped combination (a fixture given to another format's reader) is refused in one line
// that
// names what was expected and the format the file probably has.
//   mvn -B -o test -pl java/jrnn-models -Dtest=DataShapeTest
package org.jrnn.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jrnn.data.DataShape.Format;
import org.jrnn.io.Json;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataShapeTest {
  @TempDir Path dir;

  /** One fixture per format (two of pairs), real data throughout. */
  private final Map<Path, Format> fixtures = new LinkedHashMap<>();

  @BeforeEach
  void fixtures() throws IOException {
    Path data = BundledData.findDataDir();
    Path imdb = data.resolve("sentiment/imdb.json");
    List<LabelledExample> reviews = LabelledTextReader.readJsonArray(imdb);
    StringBuilder tsv = new StringBuilder();
    StringBuilder jsonl = new StringBuilder();
    for (LabelledExample e : reviews) {
      tsv.append(e.text().strip()).append('\t').append(e.label()).append('\n');
      jsonl.append(Json.write(Map.of("text", e.text().strip(), "label", e.label()))).append('\n');
    }
    fixtures.put(write("reviews.tsv", tsv.toString()), Format.LABELLED_TSV);
    fixtures.put(write("reviews.jsonl", jsonl.toString()), Format.JSON_LINES);
    fixtures.put(imdb, Format.JSON_ARRAY);
    fixtures.put(data.resolve("real/treebank-train.conll"), Format.CONLL);
    fixtures.put(data.resolve("real/cmudict-train.tsv"), Format.PAIRS_TSV);
    fixtures.put(data.resolve("real/kjv-sparv-train.tsv"), Format.PAIRS_TSV);
    fixtures.put(data.resolve("moby-dick.txt"), Format.PLAIN_TEXT);
    fixtures.put(data.resolve("digits.csv.gz"), Format.DIGITS_CSV);
  }

  private Path write(String name, String content) throws IOException {
    return Files.writeString(dir.resolve(name), content, StandardCharsets.UTF_8);
  }

  /** Reads {@code file} with the reader of {@code format} (plain text and digits: the check). */
  private static int read(Path file, Format format) throws IOException {
    return switch (format) {
      case LABELLED_TSV -> LabelledTextReader.readTsv(file).size();
      case JSON_LINES -> LabelledTextReader.readJsonl(file).size();
      case JSON_ARRAY -> LabelledTextReader.readJsonArray(file).size();
      case CONLL -> ConllReader.read(file, 0, 1).size();
      case PAIRS_TSV -> TextPairReader.readTsv(file).size();
      default -> {
        List<String> lines = TextFiles.readLines(file);
        DataShape.check(file, lines, format);
        yield lines.size();
      }
    };
  }

  @Test
  void everyFixtureHasItsFormatAndPassesItsReader() throws IOException {
    Path data = BundledData.findDataDir();
    for (String name : List.of("cmudict-test.tsv", "kjv-sparv-test.tsv", "treebank-test.conll")) {
      fixtures.put(
          data.resolve("real").resolve(name),
          name.endsWith(".conll") ? Format.CONLL : Format.PAIRS_TSV);
    }
    for (String name : BundledData.SENTIMENT_FILES) {
      fixtures.put(data.resolve("sentiment").resolve(name), Format.JSON_ARRAY);
    }
    for (Map.Entry<Path, Format> f : fixtures.entrySet()) {
      Path file = f.getKey();
      assertEquals(f.getValue(), DataShape.guess(TextFiles.readLines(file)), file.toString());
      assertTrue(read(file, f.getValue()) > 0, file.toString());
    }
    assertEquals(154, ConllReader.read(data.resolve("real/treebank-train.conll"), 0, 1).size());
    assertEquals(1000, TextPairReader.readTsv(data.resolve("real/cmudict-train.tsv")).size());
  }

  @Test
  void everySwappedCombinationIsRefusedNamingTheLikelyFormat() throws IOException {
    List<String> passed = new ArrayList<>();
    for (Map.Entry<Path, Format> f : fixtures.entrySet()) {
      for (Format reader : Format.values()) {
        if (reader == f.getValue()) {
          continue;
        }
        Path file = f.getKey();
        String what = file.getFileName() + " read as " + reader;
        DataFormatException e;
        try {
          read(file, reader);
          passed.add(what);
          continue;
        } catch (DataFormatException x) {
          e = x;
        }
        String m = e.getMessage();
        assertTrue(m.startsWith(file + ":"), what + ": " + m);
        assertFalse(m.contains("\n"), what + ": " + m);
        assertTrue(m.length() < 330, what + ": " + m.length() + " characters: " + m);
        assertTrue(m.contains("expected " + reader.description() + "; found "), what + ": " + m);
        assertTrue(m.contains(", e.g. line "), what + ": " + m);
        assertTrue(m.contains("; is this "), what + ": " + m);
        String task =
            switch (f.getValue()) {
              case LABELLED_TSV -> "text<TAB>label data (--task classify";
              case JSON_LINES -> "JSON Lines (--task classify --format jsonl)";
              case JSON_ARRAY -> "(--task classify --format uci-json)";
              case CONLL -> "CoNLL columns (--task tag)";
              case PAIRS_TSV -> "source<TAB>target pairs (--task seq2seq)";
              case PLAIN_TEXT -> "plain text (--task lm)";
              default -> "digit images (--task digits)";
            };
        assertTrue(m.endsWith("?") && m.contains(task), what + ": " + m);
      }
    }
    assertEquals(List.of(), passed);
  }

  @Test
  void theMessagesSayWhatWasFound() throws IOException {
    Path data = BundledData.findDataDir();
    Path reviews = fixtures.keySet().iterator().next();
    // the issue's case: the tagger given a review TSV
    assertEquals(
        reviews
            + ": expected CoNLL columns (one token per line, a blank line after each sentence);"
            + " found token cells of several words on 196 of the first 200 lines, e.g. line 1:"
            + " 'A very, very, very slow-...' <TAB> '0'; is this text<TAB>label data (--task"
            + " classify)?",
        message(() -> ConllReader.read(reviews, 0, 1)));
    // seq2seq given a review TSV: a target column of two values
    assertEquals(
        reviews
            + ": expected source<TAB>target lines; found only 2 distinct targets ('0', '1') in 200"
            + " lines, like labels, e.g. line 1: 'A very, very, very slow-...' <TAB> '0';"
            + " is this text<TAB>label data (--task classify)?",
        message(() -> TextPairReader.readTsv(reviews)));
    // classify given pronunciations: a label column of text
    Path cmudict = data.resolve("real/cmudict-train.tsv");
    String m = message(() -> LabelledTextReader.readTsv(cmudict));
    assertTrue(
        m.startsWith(
            cmudict
                + ": expected text<TAB>label lines; found a label column of text (200 distinct"
                + " labels, "),
        m);
    assertTrue(
        m.endsWith(
            "e.g. line 1: 'c a m a r o' <TAB> 'k ax m eh r ow'; is this source<TAB>target pairs"
                + " (--task seq2seq)?"),
        m);
    // classify and seq2seq given CoNLL
    Path treebank = data.resolve("real/treebank-train.conll");
    assertEquals(
        treebank
            + ": expected text<TAB>label lines; found one token per line, in blocks between blank"
            + " lines, e.g. line 1: 'No' <TAB> 'RB'; is this CoNLL columns (--task tag)?",
        message(() -> LabelledTextReader.readTsv(treebank)));
    assertTrue(message(() -> TextPairReader.readTsv(treebank)).contains("is this CoNLL columns"));
    // the tagger given a novel: column counts that vary
    Path moby = data.resolve("moby-dick.txt");
    m = message(() -> ConllReader.read(moby, 0, 2));
    assertTrue(m.contains("; found lines of 1 to "), m);
    assertTrue(m.contains("columns in the first 200 lines"), m);
    assertTrue(m.endsWith("; is this plain text (--task lm)?"), m);
    // CoNLL without blank lines: one endless sentence
    List<String> noBlanks =
        TextFiles.readLines(treebank).stream().filter(l -> !l.isBlank()).toList();
    Path flat = Files.write(dir.resolve("flat.conll"), noBlanks, StandardCharsets.UTF_8);
    assertEquals(
        flat
            + ": expected CoNLL columns (one token per line, a blank line after each sentence);"
            + " found no blank line in the first 200 of "
            + String.format(java.util.Locale.ROOT, "%,d", noBlanks.size())
            + " lines (a sentence ends with one), e.g. line 1: 'No' <TAB> 'RB'; is this"
            + " text<TAB>label data (--task classify)?",
        message(() -> ConllReader.read(flat, 0, 1)));
    // JSON Lines whose labels are Spanish sentences
    StringBuilder b = new StringBuilder();
    for (TextPair p : TextPairReader.readTsv(data.resolve("real/kjv-sparv-train.tsv"))) {
      b.append(Json.write(Map.of("text", p.source(), "label", p.target()))).append('\n');
    }
    Path verses = write("verses.jsonl", b.toString());
    m = message(() -> LabelledTextReader.readJsonl(verses));
    assertTrue(
        m.startsWith(
            verses
                + ": expected a few distinct labels; found a label field of text (198 distinct"
                + " labels in the first 200 records), e.g. 'When they saw the star, ...'"
                + " labelled 'Y vista la estrella, se ...'"),
        m);
    // a file in between: one line without a tab among good ones keeps its per-line error
    Path one = write("one.tsv", "good\tpos\nbad\tneg\nno tab here\nfine\tpos\n");
    assertEquals(
        one + ":3: expected text<TAB>label, found no tab",
        message(() -> LabelledTextReader.readTsv(one)));
  }

  @Test
  void smallOrUnusualLegitimateFilesPass() throws IOException {
    // a word list with labels (a lexicon): single tokens, no blank lines
    StringBuilder lexicon = new StringBuilder();
    for (int i = 0; i < 300; i++) {
      lexicon.append("word").append(i).append('\t').append(i % 3 == 0 ? "pos" : "neg").append('\n');
    }
    assertEquals(300, LabelledTextReader.readTsv(write("lexicon.tsv", lexicon.toString())).size());
    // a dictionary of single words as pairs, and many classes (intents)
    StringBuilder dict = new StringBuilder();
    StringBuilder intents = new StringBuilder();
    for (int i = 0; i < 300; i++) {
      dict.append("w").append(i).append('\t').append("v").append(i).append('\n');
      intents.append("please do thing ").append(i).append("\tintent").append(i % 150).append('\n');
    }
    assertEquals(300, TextPairReader.readTsv(write("dict.tsv", dict.toString())).size());
    assertEquals(300, LabelledTextReader.readTsv(write("intents.tsv", intents.toString())).size());
    // CoNLL-U with a multi-word token, comments and 10 columns; space-separated CoNLL-2000
    StringBuilder conllu = new StringBuilder();
    StringBuilder conll2000 = new StringBuilder();
    for (int s = 0; s < 40; s++) {
      conllu.append("# sent_id = ").append(s).append('\n');
      conllu.append("1\tNew York\tNew York\tPROPN\t_\t_\t2\tnsubj\t_\t_\n");
      conllu.append(
          "2\tsleeps\tsleep\tVERB\t_\t_\t0\troot\t_\t_\n3\t.\t.\tPUNCT\t_\t_\t2\tp\t_\t_\n\n");
      conll2000.append("Confidence NN B-NP\nin IN B-PP\nthe DT B-NP\npound NN I-NP\n\n");
    }
    assertEquals(40, ConllReader.read(write("a.conllu", conllu.toString()), 1, 3, "#").size());
    assertEquals(40, ConllReader.read(write("a.conll", conll2000.toString()), 0, 2).size());
    // text for a language model: source code indented with tabs, a list of names
    StringBuilder code = new StringBuilder();
    StringBuilder names = new StringBuilder();
    for (int i = 0; i < 100; i++) {
      code.append("static int f").append(i).append("(int x)\n{\n\tint y = x * ").append(i);
      code.append(";\n\tif (y > 3)\n\t\treturn y;\n\treturn 0;\n}\n\n");
      names.append(i % 2 == 0 ? "emma\n" : "olivia\n");
    }
    for (String text : List.of(code.toString(), names.toString())) {
      assertEquals(Format.PLAIN_TEXT, DataShape.guess(DataShape.firstLines(text)));
      DataShape.check(dir.resolve("lm.txt"), DataShape.firstLines(text), Format.PLAIN_TEXT);
    }
    // pairs whose targets repeat a little (a short synthetic task)
    Path pairs = write("p.tsv", "ab\tba\nabc\tcba\nba\tab\ncab\tbac\n".repeat(20));
    assertEquals(80, TextPairReader.readTsv(pairs).size());
  }

  private static String message(org.junit.jupiter.api.function.Executable read) {
    return assertThrows(DataFormatException.class, read).getMessage();
  }
}
