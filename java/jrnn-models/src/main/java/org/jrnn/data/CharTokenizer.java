// Character (Unicode code point) tokenizer with the four specials first; saved as a small JSON
// string.
package org.jrnn.data;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jrnn.JrnnException;
import org.jrnn.internal.Arguments;
import org.jrnn.internal.Quote;
import org.jrnn.io.Json;

/**
 * One token per Unicode code point. Ids 0..3 are the specials of {@link Vocabulary}; the characters
 * follow, most frequent first (ties by code point). A character without an id encodes as {@code
 * <unk>} and decodes as U+FFFD. Text is lower-cased first if the tokenizer was built so ({@link
 * TokenizerSpec}). Mirrored by {@code CharVocab} in scripts/lib_torch_common.py.
 */
public final class CharTokenizer implements Tokenizer {
  /** The {@code "type"} field of the saved JSON. */
  public static final String TYPE = "char";

  /** What {@code <unk>} decodes to. */
  public static final int REPLACEMENT_CHAR = 0xFFFD;

  private final Vocabulary vocabulary;
  private final boolean lowercase;
  private final int minFrequency;
  private final int maxVocab;
  private final Map<Integer, Integer> idOfCodePoint;
  private final int[] codePointOfId;

  private CharTokenizer(Vocabulary vocabulary, boolean lowercase, int minFrequency, int maxVocab) {
    this.vocabulary = vocabulary;
    this.lowercase = lowercase;
    this.minFrequency = minFrequency;
    this.maxVocab = maxVocab;
    this.idOfCodePoint = new HashMap<>(vocabulary.size() * 2);
    this.codePointOfId = new int[vocabulary.size()];
    for (int id = Vocabulary.SPECIALS.size(); id < vocabulary.size(); id++) {
      String t = vocabulary.token(id);
      if (t.codePointCount(0, t.length()) != 1) {
        throw new JrnnException("char token " + id + " is not one character: " + Quote.quote(t));
      }
      int cp = t.codePointAt(0);
      idOfCodePoint.put(cp, id);
      codePointOfId[id] = cp;
    }
  }

  /** A tokenizer with an id for every character of {@code text}. */
  public static CharTokenizer build(CharSequence text) {
    return build(text, 1, 0);
  }

  /**
   * A tokenizer for the characters of {@code text} seen at least {@code minFrequency} times, at
   * most {@code maxSize} ids in all (0: no limit).
   */
  public static CharTokenizer build(CharSequence text, int minFrequency, int maxSize) {
    Arguments.notNull("text", text);
    Map<String, Long> counts = new HashMap<>();
    text.codePoints().forEach(cp -> counts.merge(new String(Character.toChars(cp)), 1L, Long::sum));
    Vocabulary v = Vocabulary.fromCounts(counts, minFrequency, maxSize);
    return new CharTokenizer(
        v, false, minFrequency, maxSize == 0 ? 0 : maxSize - Vocabulary.SPECIALS.size());
  }

  /** A tokenizer with this vocabulary and recipe (see {@link TokenizerSpec#tokenizer}). */
  static CharTokenizer of(
      Vocabulary vocabulary, boolean lowercase, int minFrequency, int maxVocab) {
    return new CharTokenizer(vocabulary, lowercase, minFrequency, maxVocab);
  }

  /** The characters (code points) of {@code text}, one string each, lower-cased if asked. */
  @Override
  public List<String> tokenize(String text) {
    return folded(text).codePoints().mapToObj(cp -> new String(Character.toChars(cp))).toList();
  }

  @Override
  public int[] encode(String text) {
    return folded(text)
        .codePoints()
        .map(cp -> idOfCodePoint.getOrDefault(cp, Vocabulary.UNK_ID))
        .toArray();
  }

  private String folded(String text) {
    Arguments.notNull("text", text);
    return lowercase ? text.toLowerCase(Locale.ROOT) : text;
  }

  @Override
  public String decode(int[] ids) {
    Arguments.notNull("ids", ids);
    StringBuilder sb = new StringBuilder(ids.length);
    for (int id : ids) {
      if (id == Vocabulary.UNK_ID) {
        sb.appendCodePoint(REPLACEMENT_CHAR);
      } else if (!Vocabulary.isSpecial(id)) {
        vocabulary.token(id); // range check
        sb.appendCodePoint(codePointOfId[id]);
      }
    }
    return sb.toString();
  }

  /**
   * The id of one character (code point) as it is, {@link Vocabulary#UNK_ID} if it has none (no
   * case folding: {@link #encode(String)} folds).
   */
  public int id(int codePoint) {
    return idOfCodePoint.getOrDefault(codePoint, Vocabulary.UNK_ID);
  }

  @Override
  public Vocabulary vocabulary() {
    return vocabulary;
  }

  /** Whether text is lower-cased before it is split into characters. */
  public boolean lowercase() {
    return lowercase;
  }

  /** {@link TokenizerSpec.Split#CHAR} with this tokenizer's case folding and vocabulary limits. */
  @Override
  public TokenizerSpec spec() {
    return new TokenizerSpec(TokenizerSpec.Split.CHAR, null, lowercase, minFrequency, maxVocab);
  }

  /**
   * {@code {"type":"char","version":1,"lowercase":false,"minFrequency":1,"maxVocab":0,
   * "vocab":["<pad>","<unk>","<bos>","<eos>","e",...]}}; {@code minFrequency} and {@code maxVocab}
   * (0: no limit) record how the vocabulary was built.
   */
  @Override
  public String toJson() {
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("type", TYPE);
    o.put("version", 1);
    o.put("lowercase", lowercase);
    o.put("minFrequency", minFrequency);
    o.put("maxVocab", maxVocab);
    o.put("vocab", new ArrayList<>(vocabulary.tokens()));
    return Json.write(o);
  }

  /**
   * Restores a tokenizer saved by {@link #toJson()}. JSON of earlier versions, without {@code
   * "lowercase"}, {@code "minFrequency"} or {@code "maxVocab"}, loads as keeping case, min
   * frequency 1 and no limit.
   *
   * @throws JrnnException if {@code json} is not a saved char tokenizer
   */
  public static CharTokenizer fromJson(String json) {
    Arguments.notNull("tokenizer JSON", json);
    Json.Fields o = parseSaved(json, TYPE);
    return new CharTokenizer(
        Vocabulary.of(vocabList(o)), o.bool("lowercase", false), minFrequency(o), maxVocab(o));
  }

  /** The saved {@code "minFrequency"} (1 when absent), checked. */
  static int minFrequency(Json.Fields o) {
    int n = o.intValue("minFrequency", 1);
    if (n < 1) {
      throw new JrnnException("saved tokenizer: \"minFrequency\" must be >= 1 but is " + n);
    }
    return n;
  }

  /** The saved {@code "maxVocab"} (0 when absent), checked. */
  static int maxVocab(Json.Fields o) {
    int n = o.intValue("maxVocab", 0);
    if (n < 0 || n > Integer.MAX_VALUE - Vocabulary.SPECIALS.size()) {
      throw new JrnnException("saved tokenizer: \"maxVocab\" must be >= 0 but is " + n);
    }
    return n;
  }

  /** The fields of a saved tokenizer of {@code type}, its type and version checked. */
  static Json.Fields parseSaved(String json, String type) {
    Json.Fields o;
    try {
      o = Json.parseFields(json, "saved " + type + " tokenizer");
    } catch (JrnnException e) {
      throw new JrnnException("not a saved " + type + " tokenizer: " + Quote.reason(e), e);
    }
    Object found = o.get("type");
    if (!type.equals(found)) {
      throw new JrnnException(
          "expected a '"
              + type
              + "' tokenizer, found "
              + (found == null
                  ? "no type"
                  : "type " + Quote.cut(found instanceof String t ? t : Json.write(found))));
    }
    Object version = o.get("version");
    if (!(version instanceof Long v) || v != 1) {
      throw new JrnnException(
          "unsupported "
              + type
              + " tokenizer version "
              + Quote.cut(version == null ? "(none)" : Json.write(version)));
    }
    return o;
  }

  /** The {@code "vocab"} array of a saved tokenizer, each entry a string. */
  static List<String> vocabList(Json.Fields o) {
    Object v = o.get("vocab");
    if (!(v instanceof List<?> list)) {
      throw new JrnnException("saved tokenizer has no \"vocab\" array");
    }
    List<String> tokens = new ArrayList<>();
    for (Object e : list) {
      if (!(e instanceof String t)) {
        throw new JrnnException(
            "vocab entry " + tokens.size() + " is not a string: " + Quote.cut(Json.write(e)));
      }
      tokens.add(t);
    }
    return tokens;
  }
}
