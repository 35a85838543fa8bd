/*
 * Bleu: corpus BLEU (Papineni et al. 2002) with clipped n-gram precisions up to N = 4 and the
 * brevity penalty; no smoothing.
 */
package org.jrnn.metrics;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jrnn.JrnnException;

/**
 * Corpus BLEU-N: {@code BP * exp(sum_n log(p_n) / N)} where {@code p_n} is the corpus total of
 * clipped n-gram matches (each candidate n-gram counts at most as often as in the reference that
 * has it most) over the corpus total of candidate n-grams, and the brevity penalty {@code BP = 1}
 * if {@code c > r}, else {@code exp(1 - r / c)}, with c the total candidate length and r the sum of
 * each candidate's effective reference length (the reference length closest to the candidate's, the
 * shorter one on a tie). BLEU is 0 when some {@code p_n} is 0 (no smoothing, as NLTK's {@code
 * corpus_bleu} and the original definition) or the candidates are empty.
 */
public final class Bleu {
  private Bleu() {}

  /**
   * The parts of a corpus BLEU score.
   *
   * @param bleu the score in [0, 1]
   * @param matches clipped matches per order n = 1..N (index n - 1)
   * @param totals candidate n-grams per order
   * @param brevityPenalty BP
   * @param candidateLength c
   * @param referenceLength r
   */
  public record Result(
      double bleu,
      long[] matches,
      long[] totals,
      double brevityPenalty,
      long candidateLength,
      long referenceLength) {
    /** The precision of order n (1-based); 0 when there are no candidate n-grams. */
    public double precision(int n) {
      return totals[n - 1] == 0 ? 0 : (double) matches[n - 1] / totals[n - 1];
    }
  }

  /** Corpus BLEU-4 with one reference per candidate. */
  public static double bleu4(List<List<String>> candidates, List<List<String>> references) {
    return corpus(candidates, references.stream().map(List::of).toList(), 4).bleu();
  }

  /**
   * Corpus BLEU-{@code maxN}.
   *
   * @param candidates tokenised candidates
   * @param references for each candidate, one or more tokenised references
   * @param maxN the highest n-gram order (4 for BLEU-4)
   */
  public static Result corpus(
      List<List<String>> candidates, List<? extends List<List<String>>> references, int maxN) {
    if (candidates.size() != references.size()) {
      throw new JrnnException(
          candidates.size() + " candidates but " + references.size() + " reference sets");
    }
    if (maxN < 1) {
      throw new JrnnException("maxN must be >= 1 but is " + maxN);
    }
    long[] matches = new long[maxN];
    long[] totals = new long[maxN];
    long c = 0;
    long r = 0;
    for (int i = 0; i < candidates.size(); i++) {
      List<String> cand = candidates.get(i);
      List<List<String>> refs = references.get(i);
      if (refs.isEmpty()) {
        throw new JrnnException("candidate " + i + " has no reference");
      }
      c += cand.size();
      r += closestLength(cand.size(), refs);
      for (int n = 1; n <= maxN; n++) {
        Map<List<String>, Integer> counts = ngrams(cand, n);
        Map<List<String>, Integer> maxRef = new HashMap<>();
        for (List<String> ref : refs) {
          ngrams(ref, n).forEach((g, k) -> maxRef.merge(g, k, Math::max));
        }
        for (Map.Entry<List<String>, Integer> e : counts.entrySet()) {
          matches[n - 1] += Math.min(e.getValue(), maxRef.getOrDefault(e.getKey(), 0));
          totals[n - 1] += e.getValue();
        }
      }
    }
    double bp = c == 0 ? 0 : c > r ? 1 : Math.exp(1 - (double) r / c);
    double logSum = 0;
    boolean zero = c == 0;
    for (int n = 0; n < maxN; n++) {
      if (matches[n] == 0) {
        zero = true;
        break;
      }
      logSum += Math.log((double) matches[n] / totals[n]);
    }
    double bleu = zero ? 0 : bp * Math.exp(logSum / maxN);
    return new Result(bleu, matches, totals, bp, c, r);
  }

  private static long closestLength(int len, List<List<String>> refs) {
    int best = refs.get(0).size();
    for (List<String> ref : refs) {
      int d = Math.abs(ref.size() - len);
      int bd = Math.abs(best - len);
      if (d < bd || (d == bd && ref.size() < best)) {
        best = ref.size();
      }
    }
    return best;
  }

  private static Map<List<String>, Integer> ngrams(List<String> tokens, int n) {
    Map<List<String>, Integer> m = new HashMap<>();
    for (int i = 0; i + n <= tokens.size(); i++) {
      m.merge(List.copyOf(tokens.subList(i, i + n)), 1, Integer::sum);
    }
    return m;
  }
}
