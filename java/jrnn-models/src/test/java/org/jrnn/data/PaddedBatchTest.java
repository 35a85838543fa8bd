// PaddedBatch: time-major layout, padding past each length, batch order as given.
package org.jrnn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class PaddedBatchTest {

  @Test
  void padsTimeMajorInTheGivenOrder() {
    List<int[]> seqs = List.of(new int[] {5, 6, 7}, new int[] {8}, new int[] {9, 10});
    PaddedBatch b = PaddedBatch.of(seqs, new int[] {2, 0, 1});
    assertEquals(3, b.size());
    assertEquals(3, b.maxLength());
    assertArrayEquals(new int[] {2, 3, 1}, b.lengths());
    // t=0: 9 5 8 | t=1: 10 6 pad | t=2: pad 7 pad
    assertArrayEquals(new int[] {9, 5, 8, 10, 6, 0, 0, 7, 0}, b.ids());
    assertArrayEquals(new int[] {9, 10, 0, 5, 6, 7, 8, 0, 0}, b.batchFirst());
    assertEquals(7, b.id(2, 1));
    assertEquals(-1, PaddedBatch.of(seqs, new int[] {1, 0}, -1).id(1, 0));
  }
}
