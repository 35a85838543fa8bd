/*
 * EditDistanceTest: Levenshtein distances computed by hand (substitutions, insertions, deletions,
 * empty sequences), the same for ids and for token lists, and symmetry.
 *   mvn -B -o test -Dtest=EditDistanceTest
 */
package org.jrnn.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.SplittableRandom;
import org.jrnn.JrnnException;
import org.junit.jupiter.api.Test;

class EditDistanceTest {
  private static List<String> chars(String s) {
    return s.codePoints().mapToObj(Character::toString).toList();
  }

  private static List<String> w(String s) {
    return s.isEmpty() ? List.of() : List.of(s.split(" "));
  }

  @Test
  void handComputedDistances() {
    // kitten -> sitting: k->s, e->i, +g
    assertEquals(3, EditDistance.levenshtein(chars("kitten"), chars("sitting")));
    assertEquals(3, EditDistance.levenshtein(chars("sitting"), chars("kitten")));
    // flaw -> lawn: -f, +n
    assertEquals(2, EditDistance.levenshtein(chars("flaw"), chars("lawn")));
    assertEquals(0, EditDistance.levenshtein(chars("same"), chars("same")));
    assertEquals(4, EditDistance.levenshtein(chars("abcd"), List.of()));
    assertEquals(4, EditDistance.levenshtein(List.of(), chars("abcd")));
    assertEquals(0, EditDistance.levenshtein(List.of(), List.of()));
    // phonemes of "liquors" vs a guess: ih->iy (substitution), k deleted
    assertEquals(2, EditDistance.levenshtein(w("l ih k er z"), w("l iy er z")));
    // a transposition is two edits
    assertEquals(2, EditDistance.levenshtein(w("a b"), w("b a")));
  }

  @Test
  void idsAgreeWithTokenLists() {
    SplittableRandom r = new SplittableRandom(7);
    for (int trial = 0; trial < 200; trial++) {
      int[] a = r.ints(r.nextInt(9), 0, 4).toArray();
      int[] b = r.ints(r.nextInt(9), 0, 4).toArray();
      List<Integer> la = java.util.Arrays.stream(a).boxed().toList();
      List<Integer> lb = java.util.Arrays.stream(b).boxed().toList();
      int d = EditDistance.levenshtein(a, b);
      assertEquals(d, EditDistance.levenshtein(la, lb));
      assertEquals(d, EditDistance.levenshtein(b, a));
      assertEquals(d, slow(a, b), "full-matrix reference");
    }
  }

  /** The textbook full matrix. */
  private static int slow(int[] a, int[] b) {
    int[][] d = new int[a.length + 1][b.length + 1];
    for (int i = 0; i <= a.length; i++) {
      for (int j = 0; j <= b.length; j++) {
        d[i][j] =
            i == 0
                ? j
                : j == 0
                    ? i
                    : Math.min(
                        d[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1),
                        Math.min(d[i - 1][j], d[i][j - 1]) + 1);
      }
    }
    return d[a.length][b.length];
  }

  @Test
  void nullsAreNamed() {
    JrnnException e =
        assertThrows(JrnnException.class, () -> EditDistance.levenshtein(null, List.of()));
    assertEquals(true, e.getMessage().contains("reference"), e.getMessage());
    assertThrows(JrnnException.class, () -> EditDistance.levenshtein(new int[0], null));
  }
}
