/*
 * SequenceBatchTest: padded time-major layout, batch-first views, masks, lengths validation.
 *   mvn -B test -Dtest=SequenceBatchTest
 */
package org.jrnn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SequenceBatchTest {
  private long baseline;

  @BeforeEach
  void rememberAllocations() {
    baseline = Tensor.liveAllocations();
  }

  @AfterEach
  void noLeaks() {
    assertEquals(baseline, Tensor.liveAllocations(), "native allocations leaked by the test");
  }

  static List<float[][]> seqs(float[][]... s) {
    return new ArrayList<>(Arrays.asList(s));
  }

  static JrnnException fails(Runnable r) {
    return assertThrows(JrnnException.class, r::run);
  }

  @Test
  void fromListIsPaddedAndTimeMajor() {
    float[][] s0 = {{1, 2}, {3, 4}, {5, 6}};
    float[][] s1 = {{7, 8}};
    try (SequenceBatch b = SequenceBatch.fromList(seqs(s0, s1))) {
      assertEquals(3, b.maxLength());
      assertEquals(2, b.batchSize());
      assertEquals(2, b.featureSize());
      assertArrayEquals(new int[] {3, 1}, b.lengths());
      assertArrayEquals(new long[] {3, 2, 2}, b.data().shape());
      // x[t][n][c] at (t*N + n)*C + c; padding zero
      assertArrayEquals(new float[] {1, 2, 7, 8, 3, 4, 0, 0, 5, 6, 0, 0}, b.data().toArray());
      assertArrayEquals(s0, b.sequence(0));
      assertArrayEquals(s1, b.sequence(1));
      List<float[][]> back = b.toList();
      assertArrayEquals(s0, back.get(0));
      assertArrayEquals(s1, back.get(1));
      boolean[][] mask = b.mask();
      assertArrayEquals(new boolean[] {true, true, true}, mask[0]);
      assertArrayEquals(new boolean[] {true, false, false}, mask[1]);
      assertEquals("SequenceBatch[T=3, N=2, C=2, lengths=[3, 1]] on cpu", b.toString());
      int[] l = b.lengths();
      l[0] = 99;
      assertArrayEquals(new int[] {3, 1}, b.lengths(), "lengths() is a copy");
      assertEquals("sequence 2 does not exist (N = 2)", fails(() -> b.sequence(2)).getMessage());
    }
  }

  @Test
  void fromBatchFirstMatchesFromList() {
    float[][][] ntc = {
      {{1, 2}, {3, 4}, {5, 6}},
      {{7, 8}, {99, 99}, {99, 99}},
    };
    try (SequenceBatch a = SequenceBatch.fromBatchFirst(ntc, new int[] {3, 1});
        SequenceBatch b = SequenceBatch.fromList(seqs(ntc[0], new float[][] {{7, 8}}))) {
      assertArrayEquals(b.data().toArray(), a.data().toArray(), "padding values are not copied");
      assertArrayEquals(new int[] {3, 1}, a.lengths());
    }
    try (SequenceBatch full = SequenceBatch.fromBatchFirst(ntc, null)) {
      assertArrayEquals(new int[] {3, 3}, full.lengths());
    }
  }

  @Test
  void lengthsOutsideOneToTAreRejectedNamingTheIndex() {
    try (Tensor data = Tensor.zeros(3, 2, 4)) {
      assertEquals(
          "lengths[1] = 0 is outside 1..3 (T = 3)",
          fails(() -> SequenceBatch.of(data, new int[] {3, 0})).getMessage());
      assertEquals(
          "lengths[0] = 4 is outside 1..3 (T = 3)",
          fails(() -> SequenceBatch.of(data, new int[] {4, 1})).getMessage());
      assertEquals(
          "lengths has 3 entries but the batch has 2 sequences",
          fails(() -> SequenceBatch.of(data, new int[] {1, 1, 1})).getMessage());
      float[][][] ntc = new float[2][3][4];
      assertEquals(
          "lengths[1] = -1 is outside 1..3 (T = 3)",
          fails(() -> SequenceBatch.fromBatchFirst(ntc, new int[] {2, -1})).getMessage());
    }
  }

  @Test
  void malformedSequencesAreRejected() {
    assertEquals(
        "sequences must hold at least one sequence",
        fails(() -> SequenceBatch.fromList(List.of())).getMessage());
    assertEquals(
        "sequence 1 is empty (lengths must be >= 1)",
        fails(() -> SequenceBatch.fromList(seqs(new float[2][3], new float[0][3]))).getMessage());
    assertEquals(
        "sequence 1 step 0 has 2 features, expected 3",
        fails(() -> SequenceBatch.fromList(seqs(new float[2][3], new float[1][2]))).getMessage());
    assertEquals(
        "data[1] has 2 time steps, expected T = 3",
        fails(
                () ->
                    SequenceBatch.fromBatchFirst(
                        new float[][][] {new float[3][1], new float[2][1]}, null))
            .getMessage());
    try (Tensor t = Tensor.zeros(3, 2)) {
      assertEquals(
          "dataTNC must be [T, N, C] but is [3, 2]",
          fails(() -> SequenceBatch.of(t, null)).getMessage());
    }
  }

  @Test
  void ofDoesNotTakeOwnership() {
    try (Tensor data = Tensor.zeros(2, 1, 1)) {
      SequenceBatch b = SequenceBatch.of(data, null);
      assertFalse(b.ownsData());
      assertArrayEquals(new int[] {2}, b.lengths());
      b.close();
      assertFalse(data.isClosed());
    }
    SequenceBatch owned = SequenceBatch.fromList(seqs(new float[1][1]));
    assertTrue(owned.ownsData());
    owned.close();
    assertTrue(owned.data().isClosed());
    assertTrue(owned.toString().endsWith("(closed)"));
  }
}
