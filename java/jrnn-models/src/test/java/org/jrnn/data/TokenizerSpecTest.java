// TokenizerSpec: each split, case folding, vocabulary limits, the CLI syntax and its errors, the
// recipe in the saved JSON (and JSON of earlier versions), detection of space-separated symbols.
package org.jrnn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.jrnn.JrnnException;
import org.jrnn.io.Json;
import org.junit.jupiter.api.Test;

class TokenizerSpecTest {
  static final List<String> PHONES = List.of("HH AH L OW", "W ER L D", "HH AH");

  static List<String> vocab(Tokenizer t) {
    return t.vocabulary().tokens().subList(Vocabulary.SPECIALS.size(), t.vocabSize());
  }

  @Test
  void whitespaceSplitsOnRunsOfWhiteSpaceAndKeepsCase() {
    Tokenizer t = TokenizerSpec.parse("whitespace").tokenizer(PHONES);
    assertInstanceOf(WordTokenizer.class, t);
    assertEquals(List.of("HH", "AH", "don't!", "x,y", "L"), t.tokenize("  HH\tAH  don't! x,y\nL "));
    // HH:2 AH:2 L:2, then ER, OW, W, D once: ties by code point
    assertEquals(List.of("AH", "HH", "L", "D", "ER", "OW", "W"), vocab(t));
    int[] ids = t.encode("HH AH L OW", true, true);
    assertEquals("HH AH L OW", t.decode(ids));
    assertEquals("HH <unk>", t.decode(t.encode("HH hh")));
  }

  @Test
  void wordSplitsWordsAndSymbolsAndCaseIsAChoice() {
    TokenizerSpec keep = TokenizerSpec.builder().split(TokenizerSpec.Split.WORD).build();
    Tokenizer t = keep.tokenizer(List.of("The cat, the HAT!"));
    assertEquals(List.of("The", "cat", ",", "the", "HAT", "!"), t.tokenize("The cat, the HAT!"));
    assertNotEquals(t.encode("The")[0], t.encode("the")[0]);
    Tokenizer lower = keep.toBuilder().lowercase(true).build().tokenizer(List.of("The cat, the"));
    assertEquals(List.of("the", ",", "cat"), vocab(lower)); // the:2, then by code point
    assertArrayEquals(lower.encode("the"), lower.encode("THE"));
    assertEquals("the cat ,", lower.decode(lower.encode("The Cat,")));
  }

  @Test
  void regexTokensAreTheMatches() {
    Tokenizer t = TokenizerSpec.parse("regex:[A-Za-z]+|\\d").tokenizer(List.of("ab12 c-d"));
    assertEquals(List.of("ab", "1", "2", "c", "d"), t.tokenize("ab12 c-d"));
    assertEquals("ab 1 2 c d", t.decode(t.encode("ab12 c-d")));
    assertEquals(TokenizerSpec.Split.REGEX, t.spec().split());
    assertEquals("regex:[A-Za-z]+|\\d", t.spec().splitName());
    // \w with UNICODE_CHARACTER_CLASS takes accented letters
    assertEquals(
        List.of("caf\u00e9", "\u00fcber"),
        TokenizerSpec.parse("regex:\\w+").tokenizer(List.of()).tokenize("caf\u00e9 \u00fcber!"));
    // the word and whitespace patterns given as regex are those splits
    assertEquals(TokenizerSpec.Split.WHITESPACE, TokenizerSpec.parse("regex:\\S+").split());
    assertEquals(
        TokenizerSpec.Split.WORD,
        TokenizerSpec.builder().regex(WordTokenizer.DEFAULT_PATTERN).build().split());
  }

  @Test
  void charSplitsCodePointsAndCanLowerCase() {
    TokenizerSpec spec = TokenizerSpec.parse("CHAR");
    Tokenizer keep = spec.tokenizer(List.of("Aa\uD83D\uDC33"));
    assertInstanceOf(CharTokenizer.class, keep);
    assertEquals(List.of("A", "a", "\uD83D\uDC33"), keep.tokenize("Aa\uD83D\uDC33"));
    assertEquals("Aa\uD83D\uDC33", keep.decode(keep.encode("Aa\uD83D\uDC33")));
    assertNotEquals(keep.encode("A")[0], keep.encode("a")[0]);

    Tokenizer lower = spec.toBuilder().lowercase(true).build().tokenizer(List.of("AaB"));
    assertEquals(List.of("a", "b"), vocab(lower)); // a:2, b:1
    assertEquals(List.of("a", "b", "c"), lower.tokenize("ABc"));
    assertArrayEquals(new int[] {4, 5, Vocabulary.UNK_ID}, lower.encode("ABc"));
    assertEquals("ab\uFFFD", lower.decode(lower.encode("ABc")));
  }

  @Test
  void maxVocabKeepsTheMostFrequentBesidesTheSpecialsAndMinFrequencyCuts() {
    List<String> texts = List.of("a a a b b c d d d d");
    TokenizerSpec ws = TokenizerSpec.parse("whitespace");
    assertEquals(List.of("d", "a"), vocab(ws.toBuilder().maxVocab(2).build().tokenizer(texts)));
    assertEquals(6, ws.toBuilder().maxVocab(2).build().tokenizer(texts).vocabSize());
    assertEquals(List.of("d", "a", "b", "c"), vocab(ws.tokenizer(texts)));
    assertEquals(
        List.of("d", "a", "b"), vocab(ws.toBuilder().minFrequency(2).build().tokenizer(texts)));
    assertEquals(
        List.of("d"), vocab(ws.toBuilder().minFrequency(2).maxVocab(1).build().tokenizer(texts)));
    TokenizerSpec chars = TokenizerSpec.parse("char").toBuilder().maxVocab(1).build();
    assertEquals(List.of(" "), vocab(chars.tokenizer(texts)));
    assertThrows(JrnnException.class, () -> ws.toBuilder().maxVocab(-1));
    assertThrows(JrnnException.class, () -> ws.toBuilder().minFrequency(0));
  }

  @Test
  void describesItself() {
    assertEquals("word, keep case", TokenizerSpec.parse("word").describe());
    assertEquals(
        "whitespace, keep case, at most 5000 tokens",
        TokenizerSpec.parse("whitespace").toBuilder().maxVocab(5000).build().describe());
    TokenizerSpec s =
        TokenizerSpec.parse("regex:\\w+").toBuilder().lowercase(true).minFrequency(2).build();
    assertEquals("regex:\\w+, lower-case, min frequency 2", s.describe());
    assertEquals("lower-case, min frequency 2", s.describeOptions());
    assertEquals(s.describe(), s.toString());
  }

  @Test
  void parseNamesWhatIsWrong() {
    JrnnException unknown = assertThrows(JrnnException.class, () -> TokenizerSpec.parse("bpe"));
    assertEquals(
        "unknown split 'bpe' (char, word, whitespace or regex:PATTERN)", unknown.getMessage());
    JrnnException bad = assertThrows(JrnnException.class, () -> TokenizerSpec.parse("regex:["));
    assertTrue(
        bad.getMessage().startsWith("bad split pattern '[': Unclosed character class"),
        bad.getMessage());
    JrnnException empty = assertThrows(JrnnException.class, () -> TokenizerSpec.parse("regex:"));
    assertEquals("split pattern '' matches the empty text (no token)", empty.getMessage());
    assertThrows(JrnnException.class, () -> TokenizerSpec.parse("regex:a*"));
    JrnnException line = assertThrows(JrnnException.class, () -> TokenizerSpec.parse("w\nord"));
    assertFalse(line.getMessage().contains("\n"), line.getMessage());
    assertThrows(
        JrnnException.class, () -> TokenizerSpec.builder().split(TokenizerSpec.Split.REGEX));
    JrnnException none = assertThrows(JrnnException.class, () -> TokenizerSpec.builder().build());
    assertTrue(none.getMessage().startsWith("split is required"), none.getMessage());
  }

  @Test
  void theRecipeRoundTripsThroughTheSavedJson() {
    List<String> texts = List.of("The cat sat", "the Cat");
    for (String split : List.of("char", "word", "whitespace", "regex:[a-z]+")) {
      for (boolean lower : new boolean[] {false, true}) {
        TokenizerSpec spec =
            TokenizerSpec.parse(split).toBuilder()
                .lowercase(lower)
                .minFrequency(1)
                .maxVocab(3)
                .build();
        Tokenizer t = spec.tokenizer(texts);
        assertEquals(spec, t.spec(), split);
        Tokenizer back = Tokenizer.fromJson(t.toJson());
        assertEquals(t.getClass(), back.getClass());
        assertEquals(spec, back.spec(), split + " " + lower);
        assertEquals(t.vocabulary(), back.vocabulary());
        assertEquals(t.tokenize("The CAT sat"), back.tokenize("The CAT sat"));
        assertArrayEquals(t.encode("The CAT sat"), back.encode("The CAT sat"));
        Map<String, Object> o = Json.parseObject(t.toJson());
        assertEquals(lower, o.get("lowercase"));
        assertEquals(3L, o.get("maxVocab"));
        assertEquals(1L, o.get("minFrequency"));
        assertEquals(split.equals("char") ? "char" : "word", o.get("type"));
        if (!split.equals("char")) {
          assertEquals(spec.split().label(), o.get("split"));
          assertEquals(spec.pattern(), o.get("pattern"));
        }
      }
    }
  }

  @Test
  void jsonOfEarlierVersionsLoadsWithTheOldBehaviour() {
    String specials = "\"<pad>\",\"<unk>\",\"<bos>\",\"<eos>\"";
    // char: no "lowercase" -> keeps case
    CharTokenizer c =
        CharTokenizer.fromJson(
            "{\"type\":\"char\",\"version\":1,\"vocab\":[" + specials + ",\"A\",\"a\"]}");
    assertFalse(c.lowercase());
    assertArrayEquals(new int[] {4, 5}, c.encode("Aa"));
    assertEquals(TokenizerSpec.parse("char"), c.spec());
    // word: no "lowercase" -> lower-cases; no "pattern" -> the word pattern; no "split"
    Tokenizer w =
        Tokenizer.fromJson(
            "{\"type\":\"word\",\"version\":1,\"vocab\":[" + specials + ",\"the\"]}");
    assertEquals(List.of("the", ","), w.tokenize("The,"));
    assertEquals(TokenizerSpec.parse("word").toBuilder().lowercase(true).build(), w.spec());
    // the tagger's whitespace tokenizer of earlier versions
    Tokenizer tags =
        Tokenizer.fromJson(
            "{\"type\":\"word\",\"version\":1,\"lowercase\":true,\"pattern\":\"\\\\S+\",\"vocab\":["
                + specials
                + ",\"the\"]}");
    assertEquals(TokenizerSpec.Split.WHITESPACE, tags.spec().split());
    assertEquals("whitespace, lower-case", tags.spec().describe());
    assertArrayEquals(new int[] {4, Vocabulary.UNK_ID}, tags.encode("The don't"));
  }

  @Test
  void aSavedSplitMustNameItsPattern() {
    String json =
        "{\"type\":\"word\",\"version\":1,\"split\":\"whitespace\",\"pattern\":\"[a-z]+\","
            + "\"vocab\":[\"<pad>\",\"<unk>\",\"<bos>\",\"<eos>\"]}";
    JrnnException e = assertThrows(JrnnException.class, () -> Tokenizer.fromJson(json));
    assertEquals(
        "saved word tokenizer: \"split\" is 'whitespace' but its pattern makes it regex",
        e.getMessage());
    assertThrows(
        JrnnException.class,
        () ->
            Tokenizer.fromJson(
                "{\"type\":\"char\",\"version\":1,\"maxVocab\":-2,"
                    + "\"vocab\":[\"<pad>\",\"<unk>\",\"<bos>\",\"<eos>\"]}"));
  }

  @Test
  void detectsSpaceSeparatedSymbols() {
    assertTrue(TokenizerSpec.isSpaceSeparatedSymbols(List.of("k ae t", "d ao g", "ax")));
    assertTrue(TokenizerSpec.isSpaceSeparatedSymbols(PHONES));
    // words are longer than symbols
    assertFalse(
        TokenizerSpec.isSpaceSeparatedSymbols(
            List.of("When they saw the star", "they rejoiced with exceeding great joy")));
    // short tokens, but most lines hold no space
    assertFalse(TokenizerSpec.isSpaceSeparatedSymbols(List.of("ab", "ba", "abc", "c a")));
    assertFalse(TokenizerSpec.isSpaceSeparatedSymbols(List.of()));
    assertFalse(TokenizerSpec.isSpaceSeparatedSymbols(List.of(" ", "")));
    // more than 200 distinct short tokens: a vocabulary, not symbols
    StringBuilder many = new StringBuilder();
    for (int i = 0; i < 201; i++) {
      many.append(i).append(' ');
    }
    assertFalse(TokenizerSpec.isSpaceSeparatedSymbols(List.of(many.toString())));
    assertTrue(
        TokenizerSpec.isSpaceSeparatedSymbols(List.of(many.substring(0, many.indexOf("200")))));
  }
}
