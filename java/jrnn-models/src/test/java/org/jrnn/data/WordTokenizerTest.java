// WordTokenizer: the split rules, vocabulary rules (min frequency, max size, tie order) and JSON
// round trip.
package org.jrnn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.jrnn.JrnnException;
import org.junit.jupiter.api.Test;

class WordTokenizerTest {

  @Test
  void splitsWordsAndSinglePunctuation() {
    WordTokenizer t = WordTokenizer.builder().build(List.of());
    assertEquals(
        List.of(
            "don't", "miss", "it", "!", "!", "10", "/", "10", ",", "a", "-", "b", "_", "x",
            "\u2019", "s"),
        t.tokenize("Don't MISS it!!  10/10, a-b _x \u2019s"));
    assertEquals(List.of("it\u2019s", "caf\u00e9", "."), t.tokenize("It\u2019s caf\u00e9."));
    // C1 control characters seen in the UCI files: NEL (U+0085) is white space, U+0096 is a symbol
    assertEquals(List.of("a", "b", "\u0096", "c"), t.tokenize("a\u0085b \u0096c"));
  }

  @Test
  void keepsCaseWhenAsked() {
    WordTokenizer t = WordTokenizer.builder().lowercase(false).build(List.of("Good good"));
    assertEquals(List.of("Good", "good"), t.tokenize("Good good"));
    assertEquals(6, t.vocabSize());
  }

  @Test
  void vocabularyOrderIsFrequencyThenLexicographic() {
    WordTokenizer t = WordTokenizer.builder().build(List.of("b a c", "c b d", "c"));
    // c:3, b:2, a:1, d:1
    assertEquals(
        List.of("<pad>", "<unk>", "<bos>", "<eos>", "c", "b", "a", "d"), t.vocabulary().tokens());
    assertArrayEquals(new int[] {6, 1, 4}, t.encode("A zebra C"));
  }

  @Test
  void minFrequencyAndMaxSizeApply() {
    List<String> texts = List.of("the cat the dog the cat a bird");
    WordTokenizer min2 = WordTokenizer.builder().minFrequency(2).build(texts);
    assertEquals(
        List.of("<pad>", "<unk>", "<bos>", "<eos>", "the", "cat"), min2.vocabulary().tokens());
    WordTokenizer max5 = WordTokenizer.builder().maxSize(5).build(texts);
    assertEquals(List.of("<pad>", "<unk>", "<bos>", "<eos>", "the"), max5.vocabulary().tokens());
    assertThrows(JrnnException.class, () -> WordTokenizer.builder().minFrequency(0));
    assertThrows(JrnnException.class, () -> WordTokenizer.builder().maxSize(3).build(texts));
  }

  @Test
  void decodeJoinsTokensAndEncodeDecodeRoundTripsTokenizedText() {
    WordTokenizer t = WordTokenizer.builder().build(List.of("a fine film , truly !"));
    String text = "A fine film, truly!";
    int[] ids = t.encode(text, true, true);
    assertEquals(Vocabulary.BOS_ID, ids[0]);
    assertEquals(Vocabulary.EOS_ID, ids[ids.length - 1]);
    assertEquals("a fine film , truly !", t.decode(ids));
    assertEquals("a <unk> film", t.decode(t.encode("a bad film")));
  }

  @Test
  void jsonRoundTripKeepsVocabularyCaseAndPattern() {
    WordTokenizer t = WordTokenizer.builder().lowercase(false).build(List.of("Hello there, World"));
    String json = t.toJson();
    Tokenizer back = Tokenizer.fromJson(json);
    WordTokenizer w = assertInstanceOf(WordTokenizer.class, back);
    assertEquals(t.vocabulary(), w.vocabulary());
    assertEquals(false, w.lowercase());
    assertArrayEquals(t.encode("Hello, world"), w.encode("Hello, world"));
    assertThrows(
        JrnnException.class, () -> WordTokenizer.fromJson(CharTokenizer.build("x").toJson()));
  }
}
