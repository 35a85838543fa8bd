// CharTokenizer: id order, unknowns, round trips (incl. non-BMP characters) and JSON save/restore.
package org.jrnn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.jrnn.JrnnException;
import org.junit.jupiter.api.Test;

class CharTokenizerTest {

  @Test
  void idsAreSpecialsThenByFrequencyThenCodePoint() {
    CharTokenizer t = CharTokenizer.build("banana bb");
    // b:3 a:3 n:2 ' ':1 -> ties a<b by code point
    assertEquals(
        List.of("<pad>", "<unk>", "<bos>", "<eos>", "a", "b", "n", " "), t.vocabulary().tokens());
    assertArrayEquals(new int[] {5, 4, 6}, t.encode("ban"));
  }

  @Test
  void roundTripsTextAndMarksUnknowns() {
    String text = "Call me Ishmael \u2014 \u201cyes\u201d \uD83D\uDC33!";
    CharTokenizer t = CharTokenizer.build(text);
    int[] ids = t.encode(text);
    assertEquals(text.codePointCount(0, text.length()), ids.length);
    assertEquals(text, t.decode(ids));
    int[] withUnknown = t.encode("Cz");
    assertEquals(Vocabulary.UNK_ID, withUnknown[1]);
    assertEquals("C\uFFFD", t.decode(withUnknown));
  }

  @Test
  void bosEosArePrependedAndAppendedAndSkippedByDecode() {
    CharTokenizer t = CharTokenizer.build("abc");
    int[] ids = t.encode("ab", true, true);
    assertEquals(Vocabulary.BOS_ID, ids[0]);
    assertEquals(Vocabulary.EOS_ID, ids[3]);
    assertEquals("ab", t.decode(new int[] {0, ids[0], ids[1], ids[2], ids[3], 0}));
  }

  @Test
  void minFrequencyAndMaxSizeCutTheVocabulary() {
    CharTokenizer t = CharTokenizer.build("aaabbc", 2, 0);
    assertEquals(6, t.vocabSize());
    assertEquals(Vocabulary.UNK_ID, t.id('c'));
    CharTokenizer small = CharTokenizer.build("aaabbc", 1, 5);
    assertEquals(List.of("<pad>", "<unk>", "<bos>", "<eos>", "a"), small.vocabulary().tokens());
  }

  @Test
  void jsonRoundTripKeepsIds() {
    CharTokenizer t = CharTokenizer.build("the whale \u2019s tale");
    String json = t.toJson();
    CharTokenizer back = CharTokenizer.fromJson(json);
    assertEquals(t.vocabulary(), back.vocabulary());
    assertArrayEquals(t.encode("a whale"), back.encode("a whale"));
    assertInstanceOf(CharTokenizer.class, Tokenizer.fromJson(json));
  }

  @Test
  void fromJsonRejectsOtherThings() {
    assertThrows(
        JrnnException.class, () -> CharTokenizer.fromJson("{\"type\":\"word\",\"version\":1}"));
    assertThrows(JrnnException.class, () -> CharTokenizer.fromJson("not json"));
    assertThrows(
        JrnnException.class,
        () -> CharTokenizer.fromJson("{\"type\":\"char\",\"version\":1,\"vocab\":[\"a\",\"b\"]}"));
    assertThrows(
        JrnnException.class,
        () ->
            CharTokenizer.fromJson(
                "{\"type\":\"char\",\"version\":1,\"vocab\":[\"<pad>\",\"<unk>\",\"<bos>\",\"<eos>\",\"ab\"]}"));
    assertThrows(JrnnException.class, () -> Tokenizer.fromJson("{\"type\":\"bpe\"}"));
  }
}
