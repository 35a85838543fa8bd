/*
 * LmTbpttTest: TBPTT(k1, k2) for the language model: overlapping windows count each target once
 * per epoch, the carried state is the state after k1 steps, k1 == k2 reproduces the
 * non-overlapping windows bit for bit, and a k1 < k2 run trains.
 *   mvn -B -o test -Dtest=LmTbpttTest
 */
package org.jrnn.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.jrnn.Device;
import org.jrnn.JrnnException;
import org.jrnn.RecurrentState;
import org.jrnn.Scope;
import org.jrnn.data.LmBatches;
import org.jrnn.optim.Adam;
import org.jrnn.train.Trainer;
import org.junit.jupiter.api.Test;

class LmTbpttTest {
  private static final Device CPU = Device.cpu();
  private static final LanguageModel.Config TINY =
      LanguageModel.builder().vocabSize(9).embeddingSize(3).hiddenSize(5).seed(2).config();

  private static int[] text(int n) {
    int[] t = new int[n];
    for (int i = 0; i < n; i++) {
      t[i] = 1 + (i * 7 + i / 5) % 8; // a repetitive stream over ids 1..8
    }
    return t;
  }

  @Test
  void everyTargetIsCountedOncePerEpoch() {
    int[] tokens = text(61);
    for (int streams : new int[] {1, 3}) {
      for (int[] k : new int[][] {{1, 4}, {2, 5}, {3, 3}, {4, 7}, {7, 7}, {2, 50}, {5, 6}}) {
        LmBatches b = new LmBatches(tokens, streams, k[1], k[0]);
        int s = b.streamLength();
        int[][] seen = new int[streams][s];
        long counted = 0;
        for (LmBatches.Window w : b) {
          assertEquals(k[0], w.advance());
          for (int n = 0; n < streams; n++) {
            for (int t = 0; t < w.length(); t++) {
              int step = w.index() * k[0] + t;
              assertEquals(tokens[n * s + step], w.input(n, t));
              if (w.target(n, t) >= 0) {
                assertEquals(tokens[n * s + step + 1], w.target(n, t));
                seen[n][step]++;
                counted++;
              }
            }
          }
        }
        assertEquals(b.targetCount(), counted, "k1 " + k[0] + ", k2 " + k[1]);
        for (int[] row : seen) {
          for (int c : row) {
            assertEquals(1, c, "k1 " + k[0] + ", k2 " + k[1] + ", streams " + streams);
          }
        }
      }
    }
    assertThrows(JrnnException.class, () -> new LmBatches(tokens, 1, 4, 5));
    assertThrows(JrnnException.class, () -> new LmBatches(tokens, 1, 4, 0));
  }

  @Test
  void theCarriedStateIsTheStateAfterK1Steps() {
    int[] tokens = text(41);
    try (LanguageModel model = TINY.toBuilder().device(CPU).build()) {
      model.trainStep(new LmBatches(tokens, 2, 6, 2).window(0));
      float[][] carried = model.carriedState();
      try (Scope s = Scope.open()) {
        RecurrentState[] after = new RecurrentState[1];
        model.lossFrom(new LmBatches(tokens, 2, 2).window(0), null, after);
        assertArrayEquals(after[0].h().toArray(), carried[0]);
        assertArrayEquals(after[0].c().toArray(), carried[1]);
      }
    }
  }

  private static List<float[]> train(LmWindows windows, int epochs) {
    try (LanguageModel model = TINY.toBuilder().device(CPU).build();
        Trainer tr =
            Trainer.builder()
                .quiet()
                .optimizer(Adam.builder().lr(0.02)::build)
                .epochs(epochs)
                .seed(1)
                .build()) {
      tr.fit(new LanguageModelTask(model), windows, null);
      return model.parameters().stream().map(p -> p.value().toArray()).toList();
    }
  }

  @Test
  void k1EqualToK2IsTheOldPathBitForBit() {
    int[] tokens = text(83);
    LmBatches old = new LmBatches(tokens, 3, 5);
    LmBatches same = new LmBatches(tokens, 3, 5, 5);
    assertEquals(old.windowCount(), same.windowCount());
    for (int w = 0; w < old.windowCount(); w++) {
      assertEquals(old.window(w).length(), same.window(w).length());
      assertEquals(old.window(w).advance(), same.window(w).advance());
      assertArrayEquals(old.window(w).inputs(), same.window(w).inputs());
      assertArrayEquals(old.window(w).targets(), same.window(w).targets());
    }
    List<float[]> a = train(new LmWindows(tokens, 3, 5), 2);
    List<float[]> b = train(new LmWindows(tokens, 3, 5, 5), 2);
    for (int i = 0; i < a.size(); i++) {
      assertArrayEquals(a.get(i), b.get(i), "parameter " + i);
    }
  }

  @Test
  void aK1BelowK2RunTrains() {
    int[] tokens = text(200);
    LmWindows eval = new LmWindows(tokens, 2, 8);
    double before;
    try (LanguageModel model = TINY.toBuilder().device(CPU).build()) {
      before = model.evaluate(eval.epoch(0, 0)).get("loss");
    }
    try (LanguageModel model = TINY.toBuilder().device(CPU).build();
        Trainer tr =
            Trainer.builder()
                .quiet()
                .optimizer(Adam.builder().lr(0.02)::build)
                .epochs(15)
                .seed(1)
                .build()) {
      tr.fit(new LanguageModelTask(model), new LmWindows(tokens, 2, 8, 3), null);
      double after = model.evaluate(eval.epoch(0, 0)).get("loss");
      assertTrue(after < 0.7 * before, "loss " + before + " -> " + after);
    }
  }
}
