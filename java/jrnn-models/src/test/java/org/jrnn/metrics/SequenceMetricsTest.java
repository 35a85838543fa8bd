/*
 * SequenceMetricsTest: exact match, corpus error rate (WER/PER) and BLEU-4 of an accumulator on
 * pairs computed by hand, BLEU as BleuTest's hand computation.
 *   mvn -B -o test -Dtest=SequenceMetricsTest
 */
package org.jrnn.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.jrnn.JrnnException;
import org.junit.jupiter.api.Test;

class SequenceMetricsTest {
  private static List<String> w(String s) {
    return s.isEmpty() ? List.of() : List.of(s.split(" "));
  }

  @Test
  void wordErrorRateAndExactMatchOverACorpus() {
    SequenceMetrics m =
        new SequenceMetrics()
            // 1 substitution over 6 reference words
            .add(w("the cat is on the mat"), w("the cat sat on the mat"))
            // exact
            .add(w("a red apple"), w("a red apple"))
            // 2 deletions ("on", "table") over 4
            .add(w("an apple on table"), w("an apple"))
            // 3 insertions over 1: an error rate can exceed 1 per sentence
            .add(w("yes"), w("yes yes yes yes"));
    assertEquals(4, m.pairs());
    assertEquals(1, m.exactMatches());
    assertEquals(0.25, m.exactMatch());
    assertEquals(1 + 0 + 2 + 3, m.errors());
    assertEquals(6 + 3 + 4 + 1, m.referenceTokens());
    // corpus WER is summed errors over summed reference words, not a mean of sentence rates
    assertEquals(6.0 / 14, m.errorRate(), 1e-15);
  }

  @Test
  void phonemeErrorRateOfG2pEntries() {
    // CMUDICT-style entries: PER counts phoneme edits; the G2P "WER" is 1 - exact match
    SequenceMetrics m =
        new SequenceMetrics()
            .add(w("l ih k er z"), w("l iy k er z")) // 1 substitution
            .add(w("f iy z ax l"), w("f iy z ax l")) // exact
            .add(w("s ow s iy d ae d"), w("s ow s iy d ae")); // 1 deletion
    assertEquals(2.0 / (5 + 5 + 7), m.errorRate(), 1e-15);
    assertEquals(1.0 / 3, m.exactMatch(), 1e-15);
    SequenceMetrics perfect = new SequenceMetrics().add(w("k ae t"), w("k ae t"));
    assertEquals(0.0, perfect.errorRate());
    assertEquals(1.0, perfect.exactMatch());
    // three phonemes have no 4-gram: corpus BLEU-4 is 0 even for an exact match (no smoothing)
    assertEquals(0.0, perfect.bleu4());
    assertEquals(1.0, perfect.add(w("s ow s iy"), w("s ow s iy")).bleu4());
  }

  @Test
  void bleuIsCorpusBleu4AsBleuTestComputesIt() {
    SequenceMetrics m =
        new SequenceMetrics()
            .add(w("the cat is on the mat"), w("the cat sat on the mat"))
            .add(w("a red apple on the table"), w("a red apple on a table"));
    // BleuTest.twoSentenceCorpusAsComputedByHand: (10/12 * 6/10 * 3/8 * 1/6)^(1/4) = 2^(-5/4)
    assertEquals(Math.pow(2, -1.25), m.bleu4(), 1e-12);
    assertEquals(0.0, new SequenceMetrics().bleu4());
  }

  @Test
  void undefinedRatesAndBadInputAreRefused() {
    JrnnException e = assertThrows(JrnnException.class, () -> new SequenceMetrics().exactMatch());
    assertEquals("exact match needs at least one pair", e.getMessage());
    SequenceMetrics empty = new SequenceMetrics().add(List.of(), w("a"));
    e = assertThrows(JrnnException.class, empty::errorRate);
    assertEquals("an error rate needs at least one reference token", e.getMessage());
    assertThrows(JrnnException.class, () -> new SequenceMetrics().add(null, List.of()));
    assertThrows(
        JrnnException.class,
        () -> new SequenceMetrics().add(List.of(), java.util.Arrays.asList("a", null)));
  }
}
