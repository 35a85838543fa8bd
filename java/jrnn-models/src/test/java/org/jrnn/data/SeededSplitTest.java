// Pins SplitMix64, the Fisher-Yates permutation and the 80/20 split to values computed
// independently in
// Python (scripts/lib_torch_common.py) and, for seed 0, to the reference splitmix64.c outputs.
package org.jrnn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.List;
import org.jrnn.JrnnException;
import org.jrnn.internal.SplitMix64;
import org.junit.jupiter.api.Test;

class SeededSplitTest {

  @Test
  void splitMix64MatchesTheReferenceOutputsForSeedZero() {
    SplitMix64 r = new SplitMix64(0);
    assertEquals(0xE220A8397B1DCDAFL, r.nextLong());
    assertEquals(0x6E789E6AA1B965F4L, r.nextLong());
    assertEquals(0x06C45D188009454FL, r.nextLong());
  }

  @Test
  void splitMix64MatchesPythonForOtherSeeds() {
    SplitMix64 r = new SplitMix64(42);
    assertEquals(-4767286540954276203L, r.nextLong());
    assertEquals(2949826092126892291L, r.nextLong());
    assertEquals(5139283748462763858L, r.nextLong());
    SplitMix64 negative = new SplitMix64(-5);
    assertEquals(1635312068028924514L, negative.nextLong());
    assertEquals(-8161798454662654712L, negative.nextLong());
    assertEquals(0.7415648787718233, new SplitMix64(42).nextDouble());
  }

  @Test
  void deriveSeedIsTheKthOutput() {
    assertEquals(-4767286540954276203L, SplitMix64.deriveSeed(42, 0));
    assertEquals(6349198060258255764L, SplitMix64.deriveSeed(42, 3));
  }

  @Test
  void permutationsMatchPython() {
    assertArrayEquals(new int[] {0, 9, 5, 8, 6, 4, 7, 2, 1, 3}, new SplitMix64(42).permutation(10));
    assertArrayEquals(
        new int[] {15, 2, 5, 7, 0, 8, 14, 13, 10, 6, 12, 9, 1, 4, 11, 3},
        new SplitMix64(2026).permutation(16));
  }

  @Test
  void sentimentSplitMatchesPython() {
    SeededSplit s = SeededSplit.of(3000, 42);
    assertEquals(2400, s.train().length);
    assertEquals(600, s.test().length);
    assertArrayEquals(
        new int[] {143, 1743, 1430, 683, 2955, 1799, 499, 2778}, Arrays.copyOf(s.train(), 8));
    assertArrayEquals(
        new int[] {995, 495, 242, 2550, 1406, 286, 1515, 2942}, Arrays.copyOf(s.test(), 8));
    assertEquals(144280, Arrays.stream(s.train(), 0, 100).sum());
  }

  @Test
  void digitsSplitMatchesPython() {
    SeededSplit s = SeededSplit.of(1797, 0.8, 42);
    assertEquals(1438, s.train().length);
    assertEquals(359, s.test().length);
    assertArrayEquals(new int[] {1324, 623, 1117, 298, 793}, Arrays.copyOf(s.train(), 5));
    assertArrayEquals(new int[] {260, 169, 1610, 700, 161}, Arrays.copyOf(s.test(), 5));
  }

  @Test
  void splitPartitionsAllIndicesAndDependsOnTheSeed() {
    SeededSplit s = SeededSplit.of(101, 0.7, 9);
    int[] all = new int[101];
    System.arraycopy(s.train(), 0, all, 0, s.train().length);
    System.arraycopy(s.test(), 0, all, s.train().length, s.test().length);
    Arrays.sort(all);
    for (int i = 0; i < all.length; i++) {
      assertEquals(i, all[i]);
    }
    assertEquals(71, s.train().length); // floor(70.7 + 0.5)
    assertEquals(s, SeededSplit.of(101, 0.7, 9));
    assertNotEquals(s, SeededSplit.of(101, 0.7, 10));
  }

  @Test
  void trainOfAndTestOfPickInSplitOrder() {
    SeededSplit s = SeededSplit.of(10, 0.5, 42); // permutation 0 9 5 8 6 | 4 7 2 1 3
    List<String> items = List.of("a", "b", "c", "d", "e", "f", "g", "h", "i", "j");
    assertEquals(List.of("a", "j", "f", "i", "g"), s.trainOf(items));
    assertEquals(List.of("e", "h", "c", "b", "d"), s.testOf(items));
  }

  @Test
  void rejectsBadArguments() {
    assertThrows(JrnnException.class, () -> SeededSplit.of(10, 1.5, 1));
    assertThrows(JrnnException.class, () -> SeededSplit.of(10, Double.NaN, 1));
    assertThrows(JrnnException.class, () -> new SplitMix64(1).nextInt(0));
  }
}
