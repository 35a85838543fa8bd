// GsonWrittenFilesTest: tokenizer and label-index JSON written by the gson-based code of earlier
// versions (HTML characters escaped as \\u003c, non-ASCII raw) still loads, and what is written now
// loads back to the same objects.
package org.jrnn.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class GsonWrittenFilesTest {
  /** WordTokenizer.toJson() of gson 2.13.2 (printed by the old code path for this vocabulary). */
  static final String OLD_WORD =
      "{\"type\":\"word\",\"version\":1,\"lowercase\":true,\"pattern\":\"[\\\\p{L}\\\\p{N}]+(?:[\\u0027\u2019][\\\\p{L}\\\\p{N}]+)*|[^\\\\p{L}\\\\p{N}\\\\s]\",\"vocab\":[\"\\u003cpad\\u003e\",\"\\u003cunk\\u003e\",\"\\u003cbos\\u003e\",\"\\u003ceos\\u003e\",\"the\",\"don\\u0027t\",\"a\\u0026b\",\"x\\u003dy\",\"\u00e9t\u00e9\",\"\\\"q\\\"\"]}";

  /** CharTokenizer.toJson() of gson 2.13.2: a line separator, an emoji (surrogate pair), a '<'. */
  static final String OLD_CHAR =
      "{\"type\":\"char\",\"version\":1,\"vocab\":[\"\\u003cpad\\u003e\",\"\\u003cunk\\u003e\",\"\\u003cbos\\u003e\",\"\\u003ceos\\u003e\",\"e\",\" \",\"\\n\",\"\\u2028\",\"\ud83d\ude00\",\"\\u003c\"]}";

  /** LabelIndex.toJson() of gson 2.13.2. */
  static final String OLD_LABELS = "{\"labels\":[\"2\",\"10\",\"\\u003cneg\\u003e\"]}";

  @Test
  void oldWordTokenizerLoads() {
    WordTokenizer t = WordTokenizer.fromJson(OLD_WORD);
    assertEquals(
        List.of(
            "<pad>",
            "<unk>",
            "<bos>",
            "<eos>",
            "the",
            "don't",
            "a&b",
            "x=y",
            "\u00e9t\u00e9",
            "\"q\""),
        t.vocabulary().tokens());
    assertTrue(t.lowercase());
    assertEquals(List.of("the", "don't"), t.tokenize("The don't"));
    WordTokenizer again = WordTokenizer.fromJson(t.toJson());
    assertEquals(t.vocabulary().tokens(), again.vocabulary().tokens());
    assertEquals(t.toJson(), again.toJson());
    assertEquals(t.tokenize("x don\u2019t, y"), again.tokenize("x don\u2019t, y"));
  }

  @Test
  void oldCharTokenizerLoads() {
    CharTokenizer t = CharTokenizer.fromJson(OLD_CHAR);
    assertEquals(
        List.of("<pad>", "<unk>", "<bos>", "<eos>", "e", " ", "\n", "\u2028", "\ud83d\ude00", "<"),
        t.vocabulary().tokens());
    assertEquals(8, t.id("\ud83d\ude00".codePointAt(0)));
    CharTokenizer again = (CharTokenizer) Tokenizer.fromJson(t.toJson());
    assertEquals(t.vocabulary().tokens(), again.vocabulary().tokens());
    // written now: the same fields in the same order and the recipe (keep case, no limits) before
    // the vocabulary, characters unescaped
    assertEquals(
        "{\"type\":\"char\",\"version\":1,\"lowercase\":false,\"minFrequency\":1,"
            + "\"maxVocab\":0,\"vocab\":[\"<pad>\",\"<unk>\",\"<bos>\",\"<eos>\",\"e\","
            + "\" \",\"\\n\",\"\u2028\",\"\ud83d\ude00\",\"<\"]}",
        t.toJson());
  }

  @Test
  void oldLabelIndexLoads() {
    LabelIndex l = LabelIndex.fromJson(OLD_LABELS);
    assertEquals(List.of("2", "10", "<neg>"), l.labels());
    assertEquals("{\"labels\":[\"2\",\"10\",\"<neg>\"]}", l.toJson());
    assertEquals(l.labels(), LabelIndex.fromJson(l.toJson()).labels());
  }
}
