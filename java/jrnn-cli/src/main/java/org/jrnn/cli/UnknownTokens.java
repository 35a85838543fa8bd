// UnknownTokens: the tokens of input that a model's tokenizer does not know (id <unk>): eval's
// unknown_rate and its refusal of data that does not fit, predict's "unknown" counts, generate's
// naming of an unknown prompt token.
package org.jrnn.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jrnn.JrnnException;
import org.jrnn.data.CharTokenizer;
import org.jrnn.data.LabelIndex;
import org.jrnn.data.TaggedSentence;
import org.jrnn.data.Tokenizer;
import org.jrnn.data.Vocabulary;
import org.jrnn.data.WordTokenizer;
import org.jrnn.internal.Quote;

/** Counts and names tokens unknown to a model. */
final class UnknownTokens {
  /**
   * eval refuses data with a larger share of unknown tokens than this: a small model's own kind of
   * data can have half its words unknown (a tagger trained on 150 sentences: 44%), data of another
   * kind or language has nearly all of them unknown.
   */
  static final double MAX_RATE = 0.8;

  /** The most unknown token strings predict lists per input. */
  static final int MAX_LISTED = 20;

  /** The most distinct examples a message names. */
  private static final int EXAMPLES = 5;

  private UnknownTokens() {}

  /** Tokens and unknown tokens counted over some data, with the first few unknown ones. */
  static final class Count {
    long tokens;
    long unknown;
    final Set<String> examples = new LinkedHashSet<>();

    double rate() {
      return tokens == 0 ? 0 : (double) unknown / tokens;
    }

    /** Adds a text's ids; its token strings are asked of {@code tokenizer} only when needed. */
    void add(Tokenizer tokenizer, String text, int[] ids) {
      tokens += ids.length;
      List<String> names = null;
      for (int i = 0; i < ids.length; i++) {
        if (ids[i] == Vocabulary.UNK_ID) {
          unknown++;
          if (examples.size() < EXAMPLES) {
            names = names != null ? names : tokenizer.tokenize(text);
            if (i < names.size()) {
              examples.add(names.get(i));
            }
          }
        }
      }
    }
  }

  /** The unknown tokens of {@code texts}. */
  static Count of(Tokenizer tokenizer, List<String> texts) {
    Count c = new Count();
    for (String t : texts) {
      c.add(tokenizer, t, tokenizer.encode(t));
    }
    return c;
  }

  /** The unknown words of tagged sentences, each word encoded alone (as the tagger's batches). */
  static Count ofWords(Tokenizer tokenizer, List<TaggedSentence> sentences) {
    Count c = new Count();
    for (TaggedSentence s : sentences) {
      for (String w : s.tokens()) {
        int[] one = tokenizer.encode(w);
        c.tokens++;
        if (one.length != 1 || one[0] == Vocabulary.UNK_ID) {
          c.unknown++;
          if (c.examples.size() < EXAMPLES) {
            c.examples.add(w);
          }
        }
      }
    }
    return c;
  }

  /**
   * {@code c.rate()}, after refusing data with more than {@link #MAX_RATE} unknown tokens.
   *
   * @param what the tokens counted, e.g. "tokens" or "target tokens"
   */
  static double require(Count c, Path data, String what) {
    if (c.rate() > MAX_RATE) {
      throw new JrnnException(
          Quote.path(data)
              + " does not fit the model: "
              + String.format(
                  Locale.ROOT,
                  "%.1f%% of its %s (%,d of %,d) are not in the model's vocabulary (at most %.0f%%"
                      + " may be), e.g. ",
                  100.0 * c.rate(),
                  what,
                  c.unknown,
                  c.tokens,
                  100 * MAX_RATE)
              + String.join(", ", c.examples.stream().map(Quote::quote).toList()));
    }
    return c.rate();
  }

  /**
   * Refuses labels (or tags) that {@code known} lacks, naming them, how many of the {@code items}
   * carry them, and the model's labels.
   *
   * @param items "examples" or "words"
   * @param kind "labels" or "tags"
   */
  static void requireLabels(
      List<String> labels, LabelIndex known, Path data, String items, String kind) {
    Set<String> have = new java.util.HashSet<>(known.labels());
    Map<String, Integer> unknown = new LinkedHashMap<>();
    long n = 0;
    for (String l : labels) {
      if (!have.contains(l)) {
        unknown.merge(l, 1, Integer::sum);
        n++;
      }
    }
    if (n > 0) {
      List<String> named = new ArrayList<>();
      for (Map.Entry<String, Integer> e : unknown.entrySet()) {
        named.add(Quote.quote(e.getKey()) + (unknown.size() > 1 ? " (" + e.getValue() + ")" : ""));
        if (named.size() == EXAMPLES) {
          break;
        }
      }
      throw new JrnnException(
          Quote.path(data)
              + " does not fit the model: "
              + String.format(Locale.ROOT, "%,d of %,d %s", n, labels.size(), items)
              + " have "
              + kind
              + " the model does not know: "
              + String.join(", ", named)
              + (unknown.size() > named.size() ? ", ... (" + unknown.size() + " in all)" : "")
              + "; the model's "
              + kind
              + ": "
              + shortList(known.labels()));
    }
  }

  /** The first 12 items quoted, then how many in all. */
  private static String shortList(List<String> items) {
    List<String> shown = items.stream().limit(12).map(Quote::cut).toList();
    return String.join(", ", shown)
        + (items.size() > shown.size() ? ", ... (" + items.size() + " in all)" : "");
  }

  /** The 0-based positions of unknown ids. */
  static List<Integer> positions(int[] ids) {
    List<Integer> out = new ArrayList<>();
    for (int i = 0; i < ids.length; i++) {
      if (ids[i] == Vocabulary.UNK_ID) {
        out.add(i);
      }
    }
    return out;
  }

  /** What one token of {@code tokenizer} is called: character, word or token. */
  static String tokenNoun(Tokenizer tokenizer) {
    return tokenizer instanceof CharTokenizer
        ? "character"
        : tokenizer instanceof WordTokenizer ? "word" : "token";
  }

  /**
   * Names the unknown tokens of a prompt, grouped by token with their 1-based positions, e.g.
   * {@code the prompt's character 'q' (U+0071, position 12) is not in the model's vocabulary}.
   */
  static String describePrompt(Tokenizer tokenizer, String prompt, int[] ids) {
    List<String> names = tokenizer.tokenize(prompt);
    Map<String, List<Integer>> at = new LinkedHashMap<>();
    for (int i : positions(ids)) {
      at.computeIfAbsent(i < names.size() ? names.get(i) : "?", k -> new ArrayList<>()).add(i + 1);
    }
    boolean chars = tokenizer instanceof CharTokenizer;
    List<String> parts = new ArrayList<>();
    for (Map.Entry<String, List<Integer>> e : at.entrySet()) {
      if (parts.size() == EXAMPLES) {
        parts.add("... (" + at.size() + " in all)");
        break;
      }
      StringBuilder b = new StringBuilder(Quote.quote(e.getKey())).append(" (");
      if (chars) {
        e.getKey().codePoints().forEach(cp -> b.append(String.format(Locale.ROOT, "U+%04X", cp)));
        b.append(", ");
      }
      List<Integer> p = e.getValue();
      b.append(p.size() == 1 ? "position " : "positions ");
      for (int k = 0; k < Math.min(p.size(), 5); k++) {
        b.append(k == 0 ? "" : ", ").append(p.get(k));
      }
      parts.add(b.append(p.size() > 5 ? ", ...)" : ")").toString());
    }
    String noun = tokenNoun(tokenizer);
    boolean one = at.size() == 1;
    return "the prompt's "
        + noun
        + (one ? " " : "s ")
        + String.join(", ", parts)
        + (one ? " is" : " are")
        + " not in the model's vocabulary";
  }
}
