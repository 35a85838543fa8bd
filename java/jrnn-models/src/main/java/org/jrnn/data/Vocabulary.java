// An immutable token <-> id table with the four special tokens first, built from counts with
// deterministic ids (frequency descending, ties by code point order).
package org.jrnn.data;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jrnn.JrnnException;
import org.jrnn.internal.Arguments;
import org.jrnn.internal.Quote;

/**
 * Tokens by id. Ids 0..3 are {@code <pad>}, {@code <unk>}, {@code <bos>}, {@code <eos>}; then come
 * the tokens seen at least {@code minFrequency} times, most frequent first, ties broken by
 * comparing the tokens' Unicode code points (Python's {@code str} order), cut at {@code maxSize}
 * ids in all.
 */
public final class Vocabulary {
  /** Padding, id 0. */
  public static final String PAD = "<pad>";

  /** Unknown token, id 1. */
  public static final String UNK = "<unk>";

  /** Begin of sequence, id 2. */
  public static final String BOS = "<bos>";

  /** End of sequence, id 3. */
  public static final String EOS = "<eos>";

  /** The id of {@link #PAD}. */
  public static final int PAD_ID = 0;

  /** The id of {@link #UNK}. */
  public static final int UNK_ID = 1;

  /** The id of {@link #BOS}. */
  public static final int BOS_ID = 2;

  /** The id of {@link #EOS}. */
  public static final int EOS_ID = 3;

  /** The special tokens, in id order. */
  public static final List<String> SPECIALS = List.of(PAD, UNK, BOS, EOS);

  private final List<String> tokens;
  private final Map<String, Integer> ids;

  private Vocabulary(List<String> tokens) {
    this.tokens = List.copyOf(tokens);
    this.ids = new HashMap<>(tokens.size() * 2);
    for (int i = 0; i < tokens.size(); i++) {
      if (ids.put(tokens.get(i), i) != null) {
        throw new JrnnException(
            "duplicate token "
                + Quote.quote(tokens.get(i))
                + " (ids "
                + ids.get(tokens.get(i))
                + " and "
                + i
                + ")");
      }
    }
  }

  /**
   * Builds a vocabulary from token counts.
   *
   * @param counts how often each token occurs; special tokens among them are ignored
   * @param minFrequency the least count a token needs to get an id (1 keeps all)
   * @param maxSize the most ids in all, specials included; 0 for no limit
   */
  public static Vocabulary fromCounts(Map<String, Long> counts, int minFrequency, int maxSize) {
    Arguments.notNull("counts", counts);
    if (minFrequency < 1) {
      throw new JrnnException("minFrequency must be >= 1 but is " + minFrequency);
    }
    if (maxSize != 0 && maxSize < SPECIALS.size()) {
      throw new JrnnException("maxSize must be 0 or >= " + SPECIALS.size() + ", got " + maxSize);
    }
    List<Map.Entry<String, Long>> kept = new ArrayList<>();
    for (Map.Entry<String, Long> e : counts.entrySet()) {
      if (e.getKey() == null || e.getValue() == null) {
        throw new JrnnException(
            "counts has a null "
                + (e.getKey() == null ? "token" : "count for " + Quote.quote(e.getKey())));
      }
      if (e.getValue() >= minFrequency && !SPECIALS.contains(e.getKey())) {
        kept.add(e);
      }
    }
    kept.sort(
        Comparator.<Map.Entry<String, Long>>comparingLong(Map.Entry::getValue)
            .reversed()
            .thenComparing(Map.Entry::getKey, Vocabulary::compareCodePoints));
    List<String> tokens = new ArrayList<>(SPECIALS);
    for (Map.Entry<String, Long> e : kept) {
      if (maxSize != 0 && tokens.size() >= maxSize) {
        break;
      }
      tokens.add(e.getKey());
    }
    return new Vocabulary(tokens);
  }

  /**
   * A vocabulary with exactly these tokens by id (as saved by {@link #tokens()}).
   *
   * @throws JrnnException if the specials are not first or a token repeats
   */
  public static Vocabulary of(List<String> tokens) {
    Arguments.noNulls("tokens", tokens);
    if (tokens.size() < SPECIALS.size() || !tokens.subList(0, SPECIALS.size()).equals(SPECIALS)) {
      throw new JrnnException("a vocabulary must start with " + SPECIALS);
    }
    return new Vocabulary(tokens);
  }

  /** The number of ids, specials included. */
  public int size() {
    return tokens.size();
  }

  /** The id of {@code token}, or {@link #UNK_ID} if it has none. */
  public int id(String token) {
    Integer id = ids.get(token);
    return id == null ? UNK_ID : id;
  }

  /** Whether {@code token} has an id of its own. */
  public boolean contains(String token) {
    return ids.containsKey(token);
  }

  /** The token with id {@code id}. */
  public String token(int id) {
    if (id < 0 || id >= tokens.size()) {
      throw new JrnnException(
          "id " + id + " is outside the vocabulary (size " + tokens.size() + ")");
    }
    return tokens.get(id);
  }

  /** All tokens by id (unmodifiable). */
  public List<String> tokens() {
    return Collections.unmodifiableList(tokens);
  }

  /** Whether {@code id} is one of the special ids 0..3. */
  public static boolean isSpecial(int id) {
    return id >= 0 && id < SPECIALS.size();
  }

  /** Compares strings by Unicode code points, as Python compares {@code str}. */
  public static int compareCodePoints(String a, String b) {
    Arguments.notNull("a", a);
    Arguments.notNull("b", b);
    int i = 0;
    int j = 0;
    while (i < a.length() && j < b.length()) {
      int ca = a.codePointAt(i);
      int cb = b.codePointAt(j);
      if (ca != cb) {
        return Integer.compare(ca, cb);
      }
      i += Character.charCount(ca);
      j += Character.charCount(cb);
    }
    return Boolean.compare(i < a.length(), j < b.length());
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Vocabulary v && tokens.equals(v.tokens);
  }

  @Override
  public int hashCode() {
    return tokens.hashCode();
  }
}
