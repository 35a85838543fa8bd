// LmBatches: targets are inputs shifted by one, windows continue each other, every target is
// covered once.
package org.jrnn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.jrnn.JrnnException;
import org.junit.jupiter.api.Test;

class LmBatchesTest {

  private static int[] range(int n) {
    int[] a = new int[n];
    for (int i = 0; i < n; i++) {
      a[i] = 1000 + i;
    }
    return a;
  }

  @Test
  void targetsAreInputsShiftedByOne() {
    int[] tokens = range(103);
    LmBatches lm = new LmBatches(tokens, 4, 7); // S = 25
    assertEquals(25, lm.streamLength());
    assertEquals(4, lm.windowCount()); // 7 + 7 + 7 + 4
    for (LmBatches.Window w : lm) {
      for (int s = 0; s < 4; s++) {
        for (int t = 0; t < w.length(); t++) {
          assertEquals(w.input(s, t) + 1, w.target(s, t));
          assertEquals(tokens[s * 25 + w.index() * 7 + t], w.input(s, t));
        }
      }
    }
    assertEquals(4, lm.window(3).length());
  }

  @Test
  void windowsContinueEachStreamForCarriedState() {
    LmBatches lm = new LmBatches(range(1000), 8, 10);
    for (int w = 1; w < lm.windowCount(); w++) {
      LmBatches.Window prev = lm.window(w - 1);
      LmBatches.Window next = lm.window(w);
      for (int s = 0; s < 8; s++) {
        assertEquals(prev.target(s, prev.length() - 1), next.input(s, 0));
      }
    }
  }

  @Test
  void everyPositionIsPredictedOnce() {
    int[] tokens = range(501);
    LmBatches lm = new LmBatches(tokens, 5, 30);
    List<Integer> targets = new ArrayList<>();
    for (LmBatches.Window w : lm) {
      for (int v : w.targets()) {
        targets.add(v);
      }
    }
    assertEquals(lm.targetCount(), targets.size());
    targets.sort(null);
    for (int i = 0; i < targets.size(); i++) {
      assertEquals(1001 + i, targets.get(i));
    }
  }

  @Test
  void timeMajorIsTheTranspose() {
    LmBatches.Window w = new LmBatches(range(13), 2, 3).window(0); // S = 6
    assertArrayEquals(new int[] {1000, 1001, 1002, 1006, 1007, 1008}, w.inputs());
    assertArrayEquals(new int[] {1000, 1006, 1001, 1007, 1002, 1008}, w.inputsTimeMajor());
    assertArrayEquals(new int[] {1001, 1007, 1002, 1008, 1003, 1009}, w.targetsTimeMajor());
  }

  @Test
  void rejectsTooFewTokens() {
    assertThrows(JrnnException.class, () -> new LmBatches(new int[4], 4, 10));
    JrnnException e =
        assertThrows(JrnnException.class, () -> new LmBatches(range(20), 2, 5).window(2));
    assertEquals("window 2 is outside 0..1", e.getMessage());
  }
}
