/*
 * SequenceMetrics: accumulates (reference, hypothesis) token sequences and reports exact match, the
 * token error rate (WER over words, CER over characters, PER over phonemes) and corpus BLEU-4.
 */
package org.jrnn.metrics;

import java.util.ArrayList;
import java.util.List;
import org.jrnn.JrnnException;
import org.jrnn.internal.Arguments;

/**
 * Corpus metrics over pairs of a reference and a hypothesis, each a list of tokens (words,
 * characters, phonemes: whatever the unit of the error rate is to be):
 *
 * <ul>
 *   <li>{@link #exactMatch()}: the share of pairs whose hypothesis equals the reference;
 *   <li>{@link #errorRate()}: the summed {@link EditDistance#levenshtein(List, List) edit
 *       distances} over the summed reference lengths, the usual corpus-level WER/CER/PER (it can
 *       exceed 1 when hypotheses are longer than their references);
 *   <li>{@link #bleu4()}: corpus {@link Bleu BLEU-4} in [0, 1], one reference per hypothesis.
 * </ul>
 *
 * <p>Note on G2P: the "word error rate" of the grapheme-to-phoneme literature is the share of words
 * whose pronunciation has any error, that is {@code 1 - exactMatch()} over phoneme sequences, not
 * {@link #errorRate()}, which is the phoneme error rate there.
 *
 * <p>Not thread-safe.
 */
public final class SequenceMetrics {
  private final List<List<String>> references = new ArrayList<>();
  private final List<List<String>> hypotheses = new ArrayList<>();
  private long exact;
  private long errors;
  private long referenceTokens;

  /** An empty accumulator. */
  public SequenceMetrics() {}

  /**
   * Adds one pair.
   *
   * @return this
   * @throws JrnnException if either list is null or holds null
   */
  public SequenceMetrics add(List<String> reference, List<String> hypothesis) {
    List<String> r = List.copyOf(Arguments.noNulls("reference", reference));
    List<String> h = List.copyOf(Arguments.noNulls("hypothesis", hypothesis));
    references.add(r);
    hypotheses.add(h);
    exact += r.equals(h) ? 1 : 0;
    errors += EditDistance.levenshtein(r, h);
    referenceTokens += r.size();
    return this;
  }

  /** The pairs added. */
  public long pairs() {
    return references.size();
  }

  /** The pairs whose hypothesis equals the reference. */
  public long exactMatches() {
    return exact;
  }

  /** The summed edit distances. */
  public long errors() {
    return errors;
  }

  /** The summed reference lengths. */
  public long referenceTokens() {
    return referenceTokens;
  }

  /**
   * The share of exact matches.
   *
   * @throws JrnnException if no pair was added
   */
  public double exactMatch() {
    if (references.isEmpty()) {
      throw new JrnnException("exact match needs at least one pair");
    }
    return (double) exact / references.size();
  }

  /**
   * {@link #errors()} / {@link #referenceTokens()}.
   *
   * @throws JrnnException if the references hold no token (the rate is undefined)
   */
  public double errorRate() {
    if (referenceTokens == 0) {
      throw new JrnnException("an error rate needs at least one reference token");
    }
    return (double) errors / referenceTokens;
  }

  /**
   * Corpus BLEU-4 of the hypotheses against the references (0 when no pair was added).
   *
   * @see Bleu#bleu4(List, List)
   */
  public double bleu4() {
    return Bleu.bleu4(hypotheses, references);
  }
}
