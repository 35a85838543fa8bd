// TokenizerSpec: the recipe of a tokenizer (how text splits into tokens, case folding, vocabulary
// limits), parsed from the CLI syntax char|word|whitespace|regex:PATTERN; builds the tokenizer from
// training texts and recognises space-separated symbols ("k ae t").
package org.jrnn.data;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.jrnn.JrnnException;
import org.jrnn.internal.Arguments;
import org.jrnn.internal.Quote;

/**
 * How text becomes tokens: the split, whether text is lower-cased first, and which tokens get ids.
 * Immutable; made by {@link #builder()} or {@link #parse(String)}, e.g.
 *
 * <pre>{@code
 * Tokenizer t = TokenizerSpec.builder()
 *     .split(TokenizerSpec.Split.WHITESPACE)
 *     .lowercase(false)
 *     .maxVocab(5000)
 *     .build()
 *     .tokenizer(trainingTexts);
 * }</pre>
 *
 * <p>The splits ({@link #parse(String)} syntax in brackets):
 *
 * <ul>
 *   <li>{@code char}: one token per Unicode code point ({@link CharTokenizer}); decodes to the
 *       characters joined as they are.
 *   <li>{@code word}: words of letters and digits (with inner apostrophes, as "don't") and single
 *       symbols ("," "!"), {@link WordTokenizer#DEFAULT_PATTERN}.
 *   <li>{@code whitespace}: every run of non-space characters is one token ({@link
 *       #WHITESPACE_PATTERN}), e.g. "HH AH L OW" is four tokens.
 *   <li>{@code regex:PATTERN}: every match of a Java regular expression (compiled with {@link
 *       Pattern#UNICODE_CHARACTER_CLASS}) is one token; text between matches is dropped.
 * </ul>
 *
 * Word, whitespace and regex tokens decode joined by single spaces ({@link WordTokenizer}). A
 * tokenizer saves its recipe in its JSON ({@link Tokenizer#toJson()}) and gives it back with {@link
 * Tokenizer#spec()}.
 */
public final class TokenizerSpec {
  /** How text is split into tokens. */
  public enum Split {
    /** One token per Unicode code point. */
    CHAR("char"),
    /** Words and single symbols ({@link WordTokenizer#DEFAULT_PATTERN}). */
    WORD("word"),
    /** Runs of non-space characters ({@link #WHITESPACE_PATTERN}). */
    WHITESPACE("whitespace"),
    /** The matches of a regular expression. */
    REGEX("regex");

    private final String label;

    Split(String label) {
      this.label = label;
    }

    /** The name of the split in {@link #parse(String)} syntax and in saved JSON: "char", .... */
    public String label() {
      return label;
    }
  }

  /** The pattern of {@link Split#WHITESPACE}: one token per run of non-space characters. */
  public static final String WHITESPACE_PATTERN = "\\S+";

  /**
   * Texts are space-separated symbols ({@link #isSpaceSeparatedSymbols}) when their tokens are at
   * most this many characters long on average ...
   */
  public static final int SYMBOL_MAX_MEAN_LENGTH = 3;

  /** ... and there are at most this many distinct ones. */
  public static final int SYMBOL_MAX_DISTINCT = 200;

  private final Split split;
  private final String pattern;
  private final boolean lowercase;
  private final int minFrequency;
  private final int maxVocab;

  TokenizerSpec(Split split, String pattern, boolean lowercase, int minFrequency, int maxVocab) {
    this.split = split;
    this.pattern = pattern;
    this.lowercase = lowercase;
    this.minFrequency = minFrequency;
    this.maxVocab = maxVocab;
  }

  /** A recipe to fill in; the split is required, the rest have defaults (see the setters). */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The recipe of {@code text} in the syntax {@code char|word|whitespace|regex:PATTERN} (the names
   * in any case), with the default case and vocabulary settings of {@link #builder()}.
   *
   * @throws JrnnException naming {@code text} if it is no such split or its pattern is not a
   *     regular expression
   */
  public static TokenizerSpec parse(String text) {
    return builder().split(text).build();
  }

  /** A builder holding this recipe, to change some of it. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.split = split;
    b.pattern = pattern;
    b.lowercase = lowercase;
    b.minFrequency = minFrequency;
    b.maxVocab = maxVocab;
    return b;
  }

  /** How text is split. */
  public Split split() {
    return split;
  }

  /** The regular expression whose matches are the tokens; null for {@link Split#CHAR}. */
  public String pattern() {
    return pattern;
  }

  /** Whether text is lower-cased ({@link Locale#ROOT}) before it is split. */
  public boolean lowercase() {
    return lowercase;
  }

  /** The least number of occurrences in the training texts a token needs to get an id. */
  public int minFrequency() {
    return minFrequency;
  }

  /** The most tokens that get ids (the most frequent), besides the 4 specials; 0: no limit. */
  public int maxVocab() {
    return maxVocab;
  }

  /**
   * The split in {@link #parse(String)} syntax: {@code "char"}, {@code "word"}, {@code
   * "whitespace"} or {@code "regex:PATTERN"}.
   */
  public String splitName() {
    return split == Split.REGEX ? "regex:" + pattern : split.label();
  }

  /**
   * The tokenizer of this recipe, its vocabulary counted over {@code texts}: a {@link
   * CharTokenizer} for {@link Split#CHAR}, else a {@link WordTokenizer}.
   */
  public Tokenizer tokenizer(Iterable<String> texts) {
    Arguments.notNull("texts", texts);
    int maxSize = maxVocab == 0 ? 0 : maxVocab + Vocabulary.SPECIALS.size();
    if (split == Split.CHAR) {
      Map<String, Long> counts = new HashMap<>();
      int i = 0;
      for (String text : texts) {
        if (text == null) {
          throw new JrnnException("texts[" + i + "] is null");
        }
        i++;
        (lowercase ? text.toLowerCase(Locale.ROOT) : text)
            .codePoints()
            .forEach(cp -> counts.merge(new String(Character.toChars(cp)), 1L, Long::sum));
      }
      return CharTokenizer.of(
          Vocabulary.fromCounts(counts, minFrequency, maxSize), lowercase, minFrequency, maxVocab);
    }
    return WordTokenizer.builder()
        .pattern(pattern)
        .lowercase(lowercase)
        .minFrequency(minFrequency)
        .maxSize(maxSize)
        .build(texts);
  }

  /**
   * This recipe in words, e.g. {@code "whitespace, keep case, at most 5000 tokens"} or {@code
   * "word, lower-case, min frequency 2"}.
   */
  public String describe() {
    return Quote.cut(splitName()) + ", " + describeOptions();
  }

  /**
   * Everything but the split in words: {@code "keep case"} or {@code "lower-case"}, then {@code ",
   * min frequency N"} and {@code ", at most N tokens"} where they apply.
   */
  public String describeOptions() {
    StringBuilder b = new StringBuilder(lowercase ? "lower-case" : "keep case");
    if (minFrequency > 1) {
      b.append(", min frequency ").append(minFrequency);
    }
    if (maxVocab > 0) {
      b.append(", at most ").append(maxVocab).append(" tokens");
    }
    return b.toString();
  }

  /**
   * Whether {@code texts} look like symbols separated by spaces, as phonemes ({@code "k ae t"}) or
   * spelled-out letters ({@code "c a t"}): more than half of the non-blank texts hold white space
   * between tokens, the tokens (runs of non-space characters) are at most {@link
   * #SYMBOL_MAX_MEAN_LENGTH} characters long on average, and there are at most {@link
   * #SYMBOL_MAX_DISTINCT} distinct ones. Such texts want the {@link Split#WHITESPACE} split; false
   * when there are no tokens.
   */
  public static boolean isSpaceSeparatedSymbols(Iterable<String> texts) {
    Arguments.notNull("texts", texts);
    Pattern p = Pattern.compile(WHITESPACE_PATTERN, Pattern.UNICODE_CHARACTER_CLASS);
    Set<String> distinct = new HashSet<>();
    long lines = 0;
    long spaced = 0;
    long tokens = 0;
    long length = 0;
    int i = 0;
    for (String text : texts) {
      if (text == null) {
        throw new JrnnException("texts[" + i + "] is null");
      }
      i++;
      int inLine = 0;
      Matcher m = p.matcher(text);
      while (m.find()) {
        String t = m.group();
        inLine++;
        length += t.codePointCount(0, t.length());
        if (distinct.add(t) && distinct.size() > SYMBOL_MAX_DISTINCT) {
          return false;
        }
      }
      if (inLine > 0) {
        lines++;
        tokens += inLine;
        spaced += inLine > 1 ? 1 : 0;
      }
    }
    return tokens > 0 && spaced * 2 > lines && length <= (long) SYMBOL_MAX_MEAN_LENGTH * tokens;
  }

  /** The split of a word-tokenizer pattern: WORD or WHITESPACE for theirs, else REGEX. */
  static Split splitOf(String pattern) {
    return switch (pattern) {
      case WordTokenizer.DEFAULT_PATTERN -> Split.WORD;
      case WHITESPACE_PATTERN -> Split.WHITESPACE;
      default -> Split.REGEX;
    };
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TokenizerSpec s
        && split == s.split
        && Objects.equals(pattern, s.pattern)
        && lowercase == s.lowercase
        && minFrequency == s.minFrequency
        && maxVocab == s.maxVocab;
  }

  @Override
  public int hashCode() {
    return Objects.hash(split, pattern, lowercase, minFrequency, maxVocab);
  }

  /** {@link #describe()}. */
  @Override
  public String toString() {
    return describe();
  }

  /** The settings of a {@link TokenizerSpec}. */
  public static final class Builder {
    private Split split;
    private String pattern;
    private boolean lowercase;
    private int minFrequency = 1;
    private int maxVocab;

    private Builder() {}

    /**
     * The split (required): {@link Split#CHAR}, {@link Split#WORD} or {@link Split#WHITESPACE}; a
     * regular expression is set with {@link #regex(String)}.
     */
    public Builder split(Split split) {
      Arguments.notNull("split", split);
      if (split == Split.REGEX) {
        throw new JrnnException("a regex split needs its pattern: set it with .regex(PATTERN)");
      }
      this.split = split;
      this.pattern =
          switch (split) {
            case WORD -> WordTokenizer.DEFAULT_PATTERN;
            case WHITESPACE -> WHITESPACE_PATTERN;
            default -> null;
          };
      return this;
    }

    /**
     * The split in the syntax {@code char|word|whitespace|regex:PATTERN} (the names in any case).
     *
     * @throws JrnnException naming {@code text} if it is no such split or its pattern is bad
     */
    public Builder split(String text) {
      Arguments.notNull("split", text);
      if (text.regionMatches(true, 0, "regex:", 0, 6)) {
        return regex(text.substring(6));
      }
      for (Split s : Split.values()) {
        if (s != Split.REGEX && s.label().equalsIgnoreCase(text)) {
          return split(s);
        }
      }
      throw new JrnnException(
          "unknown split " + Quote.quote(text) + " (char, word, whitespace or regex:PATTERN)");
    }

    /**
     * Splits by a regular expression (Java syntax, compiled with {@link
     * Pattern#UNICODE_CHARACTER_CLASS}): each match is one token. The word and whitespace patterns
     * are those splits.
     *
     * @throws JrnnException naming the pattern if it does not compile or matches the empty text
     */
    public Builder regex(String pattern) {
      Arguments.notNull("pattern", pattern);
      Pattern p;
      try {
        p = Pattern.compile(pattern, Pattern.UNICODE_CHARACTER_CLASS);
      } catch (PatternSyntaxException e) {
        throw new JrnnException(
            "bad split pattern "
                + Quote.quote(pattern)
                + ": "
                + Quote.cut(e.getDescription())
                + (e.getIndex() >= 0 ? " near index " + e.getIndex() : ""),
            e);
      }
      if (p.matcher("").matches()) {
        throw new JrnnException(
            "split pattern " + Quote.quote(pattern) + " matches the empty text (no token)");
      }
      this.split = splitOf(pattern);
      this.pattern = pattern;
      return this;
    }

    /** Whether to lower-case text ({@link Locale#ROOT}) before splitting (default false). */
    public Builder lowercase(boolean lowercase) {
      this.lowercase = lowercase;
      return this;
    }

    /** The least number of occurrences a token needs to get an id (default 1: all). */
    public Builder minFrequency(int minFrequency) {
      this.minFrequency = Arguments.atLeast("minFrequency", minFrequency, 1);
      return this;
    }

    /**
     * The most tokens that get ids, the most frequent first, besides the 4 specials (default 0: no
     * limit); the rest encode as {@code <unk>}.
     */
    public Builder maxVocab(int maxVocab) {
      int most = Integer.MAX_VALUE - Vocabulary.SPECIALS.size();
      if (maxVocab < 0 || maxVocab > most) {
        throw new JrnnException(
            "maxVocab must be 0 (no limit) or in 1.." + most + " but is " + maxVocab);
      }
      this.maxVocab = maxVocab;
      return this;
    }

    /** The recipe. */
    public TokenizerSpec build() {
      if (split == null) {
        throw new JrnnException("split is required: set it with .split(...) or .regex(...)");
      }
      return new TokenizerSpec(split, pattern, lowercase, minFrequency, maxVocab);
    }
  }
}
