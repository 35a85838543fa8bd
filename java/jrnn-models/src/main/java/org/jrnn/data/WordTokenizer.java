// Word tokenizer: regex split into words and single punctuation marks, optional lower-casing,
// vocabulary with min frequency and max size; saved as a small JSON string.
package org.jrnn.data;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.jrnn.JrnnException;
import org.jrnn.internal.Arguments;
import org.jrnn.internal.Quote;
import org.jrnn.io.Json;

/**
 * Splits text into words (letters and digits, with inner apostrophes as in "don't") and single
 * non-space symbols ("," "!" "-"), lower-cased unless told otherwise; or, with another pattern,
 * into the matches of that pattern (whitespace and regex splits of {@link TokenizerSpec}). Tokens
 * decode joined by single spaces. Mirrored by {@code WordVocab} and {@code word_tokens()} in
 * scripts/lib_torch_common.py (checked to give the same tokens on the bundled data).
 */
public final class WordTokenizer implements Tokenizer {
  /** The {@code "type"} field of the saved JSON. */
  public static final String TYPE = "word";

  /**
   * The default split pattern (Java syntax, compiled with {@link Pattern#UNICODE_CHARACTER_CLASS}).
   */
  public static final String DEFAULT_PATTERN =
      "[\\p{L}\\p{N}]+(?:['\u2019][\\p{L}\\p{N}]+)*|[^\\p{L}\\p{N}\\s]";

  private final Vocabulary vocabulary;
  private final boolean lowercase;
  private final String patternText;
  private final Pattern pattern;
  private final int minFrequency;
  private final int maxVocab;

  private WordTokenizer(
      Vocabulary vocabulary,
      boolean lowercase,
      String patternText,
      int minFrequency,
      int maxVocab) {
    this.vocabulary = vocabulary;
    this.lowercase = lowercase;
    this.patternText = patternText;
    this.pattern = compile(patternText);
    this.minFrequency = minFrequency;
    this.maxVocab = maxVocab;
  }

  private static Pattern compile(String regex) {
    try {
      return Pattern.compile(regex, Pattern.UNICODE_CHARACTER_CLASS);
    } catch (PatternSyntaxException e) {
      throw new JrnnException(
          "bad split pattern "
              + Quote.quote(regex)
              + ": "
              + Quote.cut(e.getDescription())
              + " near index "
              + e.getIndex(),
          e);
    }
  }

  /** Options for building a vocabulary: lower-case on, min frequency 1, no size limit. */
  public static Builder builder() {
    return new Builder();
  }

  /** The tokens (strings) of {@code text}, lower-cased if this tokenizer lower-cases. */
  @Override
  public List<String> tokenize(String text) {
    return split(pattern, lowercase, Arguments.notNull("text", text));
  }

  private static List<String> split(Pattern pattern, boolean lowercase, String text) {
    String s = lowercase ? text.toLowerCase(Locale.ROOT) : text;
    List<String> out = new ArrayList<>();
    Matcher m = pattern.matcher(s);
    while (m.find()) {
      out.add(m.group());
    }
    return out;
  }

  @Override
  public int[] encode(String text) {
    List<String> tokens = tokenize(text);
    int[] ids = new int[tokens.size()];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = vocabulary.id(tokens.get(i));
    }
    return ids;
  }

  /**
   * The tokens of {@code ids} joined by single spaces; pad, bos and eos are left out, unknowns show
   * as {@code <unk>}.
   */
  @Override
  public String decode(int[] ids) {
    Arguments.notNull("ids", ids);
    StringBuilder sb = new StringBuilder();
    for (int id : ids) {
      if (id == Vocabulary.PAD_ID || id == Vocabulary.BOS_ID || id == Vocabulary.EOS_ID) {
        continue;
      }
      if (sb.length() > 0) {
        sb.append(' ');
      }
      sb.append(vocabulary.token(id));
    }
    return sb.toString();
  }

  @Override
  public Vocabulary vocabulary() {
    return vocabulary;
  }

  /** Whether text is lower-cased before splitting. */
  public boolean lowercase() {
    return lowercase;
  }

  /** The split regex: each match is one token. */
  public String pattern() {
    return patternText;
  }

  /**
   * The recipe: split {@link TokenizerSpec.Split#WORD} for {@link #DEFAULT_PATTERN}, {@link
   * TokenizerSpec.Split#WHITESPACE} for {@link TokenizerSpec#WHITESPACE_PATTERN}, else {@link
   * TokenizerSpec.Split#REGEX}; with this tokenizer's case folding and vocabulary limits.
   */
  @Override
  public TokenizerSpec spec() {
    return new TokenizerSpec(
        TokenizerSpec.splitOf(patternText), patternText, lowercase, minFrequency, maxVocab);
  }

  /**
   * {@code {"type":"word","version":1,"split":"word","lowercase":true,"pattern":"...",
   * "minFrequency":1,"maxVocab":0,"vocab":["<pad>",...]}}: {@code split} ({@code word}, {@code
   * whitespace} or {@code regex}) names the pattern for readers, {@code minFrequency} and {@code
   * maxVocab} (0: no limit) record how the vocabulary was built.
   */
  @Override
  public String toJson() {
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("type", TYPE);
    o.put("version", 1);
    o.put("split", TokenizerSpec.splitOf(patternText).label());
    o.put("lowercase", lowercase);
    o.put("pattern", patternText);
    o.put("minFrequency", minFrequency);
    o.put("maxVocab", maxVocab);
    o.put("vocab", new ArrayList<>(vocabulary.tokens()));
    return Json.write(o);
  }

  /**
   * Restores a tokenizer saved by {@link #toJson()} (same vocabulary, lower-casing and split
   * pattern). JSON of earlier versions loads as it did: without {@code "lowercase"} lower-cased,
   * without {@code "pattern"} the default pattern; the split follows from the pattern.
   *
   * @throws JrnnException if {@code json} is not a saved word tokenizer, or its {@code "split"}
   *     does not name its pattern
   */
  public static WordTokenizer fromJson(String json) {
    Arguments.notNull("tokenizer JSON", json);
    Json.Fields o = CharTokenizer.parseSaved(json, TYPE);
    boolean lower = o.bool("lowercase", true);
    String pattern = o.string("pattern", DEFAULT_PATTERN);
    if (o.has("split")) {
      String split = o.string("split");
      String expected = TokenizerSpec.splitOf(pattern).label();
      if (!split.equals(expected)) {
        throw new JrnnException(
            "saved word tokenizer: \"split\" is "
                + Quote.quote(split)
                + " but its pattern makes it "
                + expected);
      }
    }
    return new WordTokenizer(
        Vocabulary.of(CharTokenizer.vocabList(o)),
        lower,
        pattern,
        CharTokenizer.minFrequency(o),
        CharTokenizer.maxVocab(o));
  }

  /** Options of a word vocabulary. */
  public static final class Builder {
    private boolean lowercase = true;
    private int minFrequency = 1;
    private int maxSize;
    private String pattern = DEFAULT_PATTERN;

    private Builder() {}

    /** Whether to lower-case text before splitting (default true). */
    public Builder lowercase(boolean lowercase) {
      this.lowercase = lowercase;
      return this;
    }

    /** The least number of occurrences a word needs to get an id (default 1). */
    public Builder minFrequency(int minFrequency) {
      if (minFrequency < 1) {
        throw new JrnnException("minFrequency must be >= 1, got " + minFrequency);
      }
      this.minFrequency = minFrequency;
      return this;
    }

    /** The most ids in all, the 4 specials included; 0 for no limit (default). */
    public Builder maxSize(int maxSize) {
      if (maxSize != 0 && maxSize < Vocabulary.SPECIALS.size()) {
        throw new JrnnException(
            "maxSize must be 0 (no limit) or >= "
                + Vocabulary.SPECIALS.size()
                + " (the specials), got "
                + maxSize);
      }
      this.maxSize = maxSize;
      return this;
    }

    /** A different split regex (Java syntax); each match is one token. */
    public Builder pattern(String regex) {
      compile(Arguments.notNull("pattern", regex));
      this.pattern = regex;
      return this;
    }

    /** Builds the tokenizer, counting words over {@code texts}. */
    public WordTokenizer build(Iterable<String> texts) {
      Arguments.notNull("texts", texts);
      Pattern p = compile(pattern);
      Map<String, Long> counts = new HashMap<>();
      int i = 0;
      for (String text : texts) {
        if (text == null) {
          throw new JrnnException("texts[" + i + "] is null");
        }
        i++;
        for (String t : split(p, lowercase, text)) {
          counts.merge(t, 1L, Long::sum);
        }
      }
      return new WordTokenizer(
          Vocabulary.fromCounts(counts, minFrequency, maxSize),
          lowercase,
          pattern,
          minFrequency,
          maxSize == 0 ? 0 : maxSize - Vocabulary.SPECIALS.size());
    }
  }
}
