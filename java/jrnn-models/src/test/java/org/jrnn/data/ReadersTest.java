// The file readers on small temp files: good input, and malformed input failing with the file and
// line.
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
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

class ReadersTest {
  @TempDir Path dir;

  private Path file(String name, String content) throws IOException {
    return Files.writeString(dir.resolve(name), content, StandardCharsets.UTF_8);
  }

  private static void assertFailsAt(Path file, long line, String detail, Executable read) {
    DataFormatException e = assertThrows(DataFormatException.class, read);
    assertEquals(file, e.file());
    assertEquals(line, e.line(), e.getMessage());
    assertTrue(e.getMessage().startsWith(file + ":" + line + ": "), e.getMessage());
    assertTrue(e.getMessage().contains(detail), e.getMessage());
  }

  @Test
  void tsvReadsTextAndLabelAndSkipsBlankLines() throws IOException {
    Path f = file("a.tsv", "good film\tpos\r\n\nawful\twith tab\tneg \nok\t1\n");
    List<LabelledExample> ex = LabelledTextReader.read(f);
    assertEquals(
        List.of(
            new LabelledExample("good film", "pos"),
            new LabelledExample("awful\twith tab", "neg"),
            new LabelledExample("ok", "1")),
        ex);
  }

  @Test
  void tsvErrorsNameTheLine() throws IOException {
    Path f = file("b.tsv", "fine\t1\n\nno tab here\n");
    assertFailsAt(f, 3, "no tab", () -> LabelledTextReader.readTsv(f));
    Path g = file("c.tsv", "fine\t1\nempty label\t \n");
    assertFailsAt(g, 2, "empty label", () -> LabelledTextReader.readTsv(g));
  }

  @Test
  void jsonlReadsStringAndNumberLabels() throws IOException {
    Path f =
        file(
            "a.jsonl",
            "{\"text\":\"hi\",\"label\":\"pos\"}\n\n{\"text\":\"yo\",\"class\":1}\n"
                + "{\"text\":\"\",\"class\":null}\n");
    assertEquals(
        List.of(new LabelledExample("hi", "pos"), new LabelledExample("yo", "1")),
        LabelledTextReader.read(f));
  }

  @Test
  void jsonlErrorsNameTheLine() throws IOException {
    Path bad = file("bad.jsonl", "{\"text\":\"a\",\"label\":0}\n{\"text\": \"b\", \"label\"\n");
    assertFailsAt(bad, 2, "invalid JSON", () -> LabelledTextReader.readJsonl(bad));
    Path noLabel = file("nolabel.jsonl", "{\"text\":\"a\",\"label\":0}\n\n{\"text\":\"b\"}\n");
    assertFailsAt(noLabel, 3, "no \"label\"", () -> LabelledTextReader.readJsonl(noLabel));
    Path noText = file("notext.jsonl", "{\"txt\":\"a\",\"label\":0}\n");
    assertFailsAt(noText, 1, "no string \"text\"", () -> LabelledTextReader.readJsonl(noText));
    Path array = file("arr.jsonl", "[1, 2]\n");
    assertFailsAt(array, 1, "expected a JSON object", () -> LabelledTextReader.readJsonl(array));
  }

  @Test
  void jsonArrayInTheUciFormat() throws IOException {
    Path f =
        file(
            "uci.json",
            "[{\"text\":\"Great.  \",\"class\":1},\n{\"text\":\"Bad.\",\"class\":0},"
                + "{\"text\":\"\",\"class\":null}]");
    assertEquals(
        List.of(new LabelledExample("Great.  ", "1"), new LabelledExample("Bad.", "0")),
        LabelledTextReader.read(f));
  }

  @Test
  void jsonArrayErrorsNameTheLineOfTheRecord() throws IOException {
    Path f =
        file(
            "bad.json",
            "[\n{\"text\":\"a\",\"class\":1},\n{\"text\":\"b\"},\n{\"text\":\"c\",\"class\":0}\n]");
    assertFailsAt(f, 3, "no \"label\"", () -> LabelledTextReader.readJsonArray(f));
    Path broken = file("broken.json", "[\n{\"text\":\"a\",\"class\":1},\n{\"text\" \"b\"}\n]");
    assertFailsAt(broken, 3, "invalid JSON", () -> LabelledTextReader.readJsonArray(broken));
    Path notArray = file("obj.json", "{\"text\":\"a\"}");
    // a .json file starting with '{' is read as JSON Lines; readJsonArray itself insists on an
    // array
    assertFailsAt(
        notArray, 1, "expected a JSON array", () -> LabelledTextReader.readJsonArray(notArray));
  }

  @Test
  void unknownExtensionIsAnError() throws IOException {
    Path f = file("data.csv", "a,b\n");
    DataFormatException e =
        assertThrows(DataFormatException.class, () -> LabelledTextReader.read(f));
    assertTrue(e.getMessage().contains("data.csv"));
  }

  @Test
  void conllReadsChosenColumnsAndSentenceBreaks() throws IOException {
    Path f =
        file(
            "a.conll",
            "-DOCSTART- -X- O O\n\nEU NNP B-NP B-ORG\nrejects VBZ B-VP O\n\n\n"
                + "# # B-NP O\nPeter NNP B-NP B-PER\n");
    List<TaggedSentence> s = ConllReader.read(f, 0, 3);
    assertEquals(2, s.size());
    assertEquals(List.of("EU", "rejects"), s.get(0).tokens());
    assertEquals(List.of("B-ORG", "O"), s.get(0).tags());
    assertEquals(
        List.of("#", "Peter"), s.get(1).tokens()); // "#" is a token unless a comment prefix is set
    assertEquals(List.of("NNP", "VBZ"), ConllReader.read(f, 0, 1).get(0).tags());
  }

  @Test
  void conllTabSeparatedWithComments() throws IOException {
    Path f = file("a.conllu", "# sent_id = 1\n1\tNew York\tNew York\tPROPN\n2\tis\tbe\tAUX\n");
    List<TaggedSentence> s = ConllReader.read(f, 1, 3, "# ");
    assertEquals(
        List.of(new TaggedSentence(List.of("New York", "is"), List.of("PROPN", "AUX"))), s);
  }

  @Test
  void conllErrorsNameTheLine() throws IOException {
    Path f = file("bad.conll", "EU B-ORG\nrejects O\n\nshort\n");
    assertFailsAt(f, 4, "expected at least 2 columns, found 1", () -> ConllReader.read(f, 0, 1));
  }

  @Test
  void textPairsTakeTheFirstTwoFields() throws IOException {
    Path f = file("pairs.tsv", "Go.\tVe.\tCC-BY 2.0\n\nHi.\tHola.\n");
    assertEquals(
        List.of(new TextPair("Go.", "Ve."), new TextPair("Hi.", "Hola.")),
        TextPairReader.readTsv(f));
    Path bad = file("bad.tsv", "Go.\tVe.\nno target\n");
    assertFailsAt(bad, 2, "no tab", () -> TextPairReader.readTsv(bad));
    Path empty = file("empty.tsv", "Go.\tVe.\nx\tx\n\t Hola\n");
    assertFailsAt(empty, 3, "empty source", () -> TextPairReader.readTsv(empty));
  }

  @Test
  void plainTextNormalisesNewlinesAndDropsTheBom() throws IOException {
    Path f = file("t.txt", "\uFEFFone\r\ntwo\rthree\n");
    assertEquals("one\ntwo\nthree\n", TextFiles.readString(f));
    assertEquals(List.of("one", "two", "three"), TextFiles.readLines(f));
  }

  @Test
  void invalidUtf8NamesTheLine() throws IOException {
    Path f = dir.resolve("latin1.txt");
    Files.write(f, new byte[] {'o', 'k', '\n', 'c', 'a', 'f', (byte) 0xE9, '\n'});
    assertFailsAt(f, 2, "invalid UTF-8 at byte 6", () -> TextFiles.readString(f));
  }

  @Test
  void gzipIsReadTransparently() throws IOException {
    Path f = dir.resolve("t.txt.gz");
    try (var out = new java.util.zip.GZIPOutputStream(Files.newOutputStream(f))) {
      out.write("zipped\ttext\n".getBytes(StandardCharsets.UTF_8));
    }
    assertEquals(List.of(new LabelledExample("zipped", "text")), LabelledTextReader.read(f));
    Path broken = file("broken.gz", "not gzip");
    assertThrows(DataFormatException.class, () -> TextFiles.readString(broken));
  }
}
