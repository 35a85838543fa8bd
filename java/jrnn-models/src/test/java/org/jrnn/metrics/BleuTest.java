/*
 * BleuTest: corpus BLEU-4 against values computed by hand (clipped n-gram precisions, brevity
 * penalty, several references, zero matches).
 *   mvn -B -o test -Dtest=BleuTest
 */
package org.jrnn.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.jrnn.JrnnException;
import org.junit.jupiter.api.Test;

class BleuTest {
  private static List<String> w(String s) {
    return List.of(s.split(" "));
  }

  @Test
  void twoSentenceCorpusAsComputedByHand() {
    // "the cat sat on the mat" vs "the cat is on the mat": 1-grams 5/6 (the x2 clipped to 2),
    // 2-grams
    // 3/5, 3-grams 1/4, 4-grams 0/3. "a red apple on a table" vs "a red apple on the table":
    // 1-grams
    // 5/6 (a x2 clipped to 1), 2-grams 3/5, 3-grams 2/4, 4-grams 1/3. Corpus: 10/12, 6/10, 3/8,
    // 1/6;
    // c = r = 12, BP = 1; BLEU = (10/12 * 6/10 * 3/8 * 1/6)^(1/4) = (1/32)^(1/4) = 2^(-5/4).
    Bleu.Result r =
        Bleu.corpus(
            List.of(w("the cat sat on the mat"), w("a red apple on a table")),
            List.of(List.of(w("the cat is on the mat")), List.of(w("a red apple on the table"))),
            4);
    assertArrayEquals(new long[] {10, 6, 3, 1}, r.matches());
    assertArrayEquals(new long[] {12, 10, 8, 6}, r.totals());
    assertEquals(1.0, r.brevityPenalty());
    assertEquals(Math.pow(2, -1.25), r.bleu(), 1e-12);
    assertEquals(0.420448207626857, r.bleu(), 1e-12);
    // the first sentence alone has no 4-gram match: BLEU 0 (no smoothing)
    assertEquals(
        0.0, Bleu.bleu4(List.of(w("the cat sat on the mat")), List.of(w("the cat is on the mat"))));
  }

  @Test
  void brevityPenalty() {
    // every n-gram of "a red apple on" matches; c = 4 < r = 6: BP = exp(1 - 6/4) = exp(-0.5)
    Bleu.Result r =
        Bleu.corpus(
            List.of(w("a red apple on")), List.of(List.of(w("a red apple on the table"))), 4);
    assertEquals(Math.exp(-0.5), r.brevityPenalty(), 1e-15);
    assertEquals(Math.exp(-0.5), r.bleu(), 1e-12);
    // longer than the reference: no penalty, lower precision
    Bleu.Result longer =
        Bleu.corpus(
            List.of(w("a red apple on the table today")),
            List.of(List.of(w("a red apple on the table"))),
            4);
    assertEquals(1.0, longer.brevityPenalty());
    // p = 6/7, 5/6, 4/5, 3/4
    assertEquals(Math.pow(6.0 / 7 * 5.0 / 6 * 4.0 / 5 * 3.0 / 4, 0.25), longer.bleu(), 1e-12);
    assertEquals(
        1.0,
        Bleu.bleu4(
            List.of(w("grinning face with big eyes")), List.of(w("grinning face with big eyes"))));
  }

  @Test
  void severalReferencesClipAndPickTheClosestLength() {
    // "the the the the": the reference with most "the" has 2: 1-gram precision 2/4
    Bleu.Result r =
        Bleu.corpus(
            List.of(w("the the the the")), List.of(List.of(w("the cat"), w("the the dog"))), 1);
    assertEquals(2, r.matches()[0]);
    assertEquals(4, r.totals()[0]);
    // c = 4; reference lengths 2 and 3: the closest is 3, BP = exp(1 - 3/4)... no: c > r, BP = 1
    assertEquals(3, r.referenceLength());
    assertEquals(0.5, r.bleu(), 1e-12);
    // a tie in distance takes the shorter reference: c = 5, lengths 4 and 6 -> r = 4
    Bleu.Result tie =
        Bleu.corpus(List.of(w("a b c d e")), List.of(List.of(w("a b c d e f"), w("a b c d"))), 4);
    assertEquals(4, tie.referenceLength());
    assertEquals(1.0, tie.brevityPenalty());
  }

  @Test
  void emptyAndMismatched() {
    assertEquals(0.0, Bleu.bleu4(List.of(List.of()), List.of(w("a b c d"))));
    assertThrows(JrnnException.class, () -> Bleu.bleu4(List.of(w("a")), List.of()));
  }
}
