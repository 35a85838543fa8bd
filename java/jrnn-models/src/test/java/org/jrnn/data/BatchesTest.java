// Batches: every index once per epoch, determinism, Python-identical batches, bucketing reduces
// padding.
package org.jrnn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.jrnn.JrnnException;
import org.jrnn.internal.SplitMix64;
import org.junit.jupiter.api.Test;

class BatchesTest {

  private static void assertCoversOnce(List<int[]> batches, int n) {
    int[] seen = new int[n];
    for (int[] b : batches) {
      for (int i : b) {
        seen[i]++;
      }
    }
    for (int i = 0; i < n; i++) {
      assertEquals(1, seen[i], "index " + i + " seen " + seen[i] + " times");
    }
  }

  private static int[] randomLengths(int n, long seed) {
    SplitMix64 r = new SplitMix64(seed);
    int[] lengths = new int[n];
    for (int i = 0; i < n; i++) {
      lengths[i] = 1 + r.nextInt(60);
    }
    return lengths;
  }

  @Test
  void everyIndexExactlyOncePerEpochWithAndWithoutBuckets() {
    int n = 1003;
    Batches plain = Batches.builder(n, 32).seed(5).build();
    Batches bucketed =
        Batches.builder(n, 32).seed(5).bucketByLength(randomLengths(n, 1), 10).build();
    for (int epoch = 0; epoch < 3; epoch++) {
      assertCoversOnce(plain.epoch(epoch), n);
      assertCoversOnce(bucketed.epoch(epoch), n);
    }
    assertEquals(32, plain.batchesPerEpoch());
    assertEquals(32, plain.epoch(0).size());
    assertEquals(1003 - 31 * 32, plain.epoch(0).get(31).length);
  }

  @Test
  void sameSeedSameBatchesAndEpochsDiffer() {
    Batches a = Batches.builder(100, 10).seed(3).build();
    Batches b = Batches.builder(100, 10).seed(3).build();
    assertArrayEquals(a.epoch(2).toArray(), b.epoch(2).toArray());
    assertFalse(java.util.Arrays.deepEquals(a.epoch(0).toArray(), a.epoch(1).toArray()));
  }

  @Test
  void matchesPythonEpochBatches() {
    // scripts/lib_torch_common.py: epoch_batches(10, 4, 7, 0) and with drop_last=True
    List<int[]> plain = Batches.builder(10, 4).seed(7).build().epoch(0);
    assertArrayEquals(
        new int[][] {{7, 6, 9, 2}, {8, 4, 0, 3}, {5, 1}}, plain.toArray(new int[0][]));
    List<int[]> dropped = Batches.builder(10, 4).seed(7).dropLast(true).build().epoch(0);
    assertArrayEquals(new int[][] {{7, 6, 9, 2}, {8, 4, 0, 3}}, dropped.toArray(new int[0][]));
    // epoch_batches(20, 4, 7, 1, lengths=lengths, chunk_batches=2)
    int[] lengths = {5, 1, 9, 3, 7, 2, 8, 4, 6, 10, 12, 11, 3, 3, 1, 2, 9, 7, 5, 4};
    List<int[]> bucketed =
        Batches.builder(20, 4).seed(7).bucketByLength(lengths, 2).build().epoch(1);
    assertArrayEquals(
        new int[][] {
          {1, 12, 3, 18}, {8, 17, 2, 10}, {14, 5, 15, 13}, {7, 4, 6, 9}, {19, 0, 16, 11}
        },
        bucketed.toArray(new int[0][]));
  }

  @Test
  void bucketingReducesPadding() {
    int n = 3000;
    int[] lengths = randomLengths(n, 11);
    double plain =
        Batches.paddingFraction(Batches.builder(n, 32).seed(1).build().epoch(0), lengths);
    double bucketed =
        Batches.paddingFraction(
            Batches.builder(n, 32).seed(1).bucketByLength(lengths, 50).build().epoch(0), lengths);
    assertTrue(plain > 0.3, "random lengths 1..60 in batches of 32 pad a lot: " + plain);
    assertTrue(bucketed < 0.05, "bucketed padding " + bucketed);
  }

  @Test
  void bucketedBatchesStillVaryInOrder() {
    int[] lengths = randomLengths(640, 2);
    Batches b = Batches.builder(640, 8).seed(4).bucketByLength(lengths, 80).build();
    List<int[]> e = b.epoch(0);
    // one chunk of 80 batches: sorted, but the batch order is shuffled so lengths are not monotone
    boolean monotone = true;
    for (int k = 1; k < e.size(); k++) {
      monotone &= lengths[e.get(k)[0]] >= lengths[e.get(k - 1)[0]];
    }
    assertFalse(monotone);
  }

  @Test
  void paddingFractionIsExact() {
    int[] lengths = {2, 4, 3, 3};
    // batch {0,1}: padded 8, real 6; batch {2,3}: padded 6, real 6 -> 1 - 12/14
    assertEquals(
        1.0 - 12.0 / 14.0,
        Batches.paddingFraction(List.of(new int[] {0, 1}, new int[] {2, 3}), lengths),
        1e-12);
  }

  @Test
  void unshuffledIsInOrder() {
    List<int[]> e = Batches.builder(5, 2).shuffle(false).build().epoch(3);
    assertArrayEquals(new int[][] {{0, 1}, {2, 3}, {4}}, e.toArray(new int[0][]));
  }

  @Test
  void rejectsBadArguments() {
    assertThrows(JrnnException.class, () -> Batches.builder(10, 0));
    assertThrows(JrnnException.class, () -> Batches.builder(10, 2).bucketByLength(new int[9], 5));
  }
}
