/*
 * TensorInfoTest: a tensor entry's dimensions, and a dimension index outside its rank refused with
 * a JrnnException that names the tensor (quoted short) instead of an array index error.
 *   mvn -B -o test -Dtest=TensorInfoTest
 */
package org.jrnn.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.jrnn.JrnnException;
import org.junit.jupiter.api.Test;

class TensorInfoTest {
  @Test
  void dimensionsInsideTheRank() {
    TensorInfo t = new TensorInfo("w", DType.F32, new long[] {2, 3}, 0, 24);
    assertEquals(2, t.rank());
    assertEquals(2, t.dim(0));
    assertEquals(3, t.dim(1));
    assertEquals(6, t.numel());
  }

  @Test
  void aDimensionOutsideTheRankIsRefused() {
    TensorInfo t = new TensorInfo("context", DType.F32, new long[] {4}, 0, 16);
    for (int i : new int[] {1, -1, Integer.MAX_VALUE}) {
      JrnnException e = assertThrows(JrnnException.class, () -> t.dim(i));
      assertTrue(e.getMessage().contains("'context'"), e.getMessage());
      assertTrue(e.getMessage().contains("no dimension " + i + " (rank 1)"), e.getMessage());
    }
    TensorInfo scalar = new TensorInfo("n".repeat(100_000), DType.F32, new long[0], 0, 4);
    JrnnException e = assertThrows(JrnnException.class, () -> scalar.dim(0));
    assertTrue(e.getMessage().length() < 400, "a long name is quoted short: " + e.getMessage());
  }
}
