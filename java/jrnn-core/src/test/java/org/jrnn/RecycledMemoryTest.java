/*
 * RecycledMemoryTest: the CPU block cache (Device.cachedBytes) and Tensor.empty. Outputs, reserve
 * and scratch are allocated without zero-filling, so whatever a recycled block held (here NaN)
 * must never reach a result.
 *   mvn -B test -Dtest=RecycledMemoryTest
 */
package org.jrnn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RecycledMemoryTest {
  private static final Device CPU = Device.cpu();

  /** Fills the cache with NaN blocks of every size from 64 KiB to 8 MiB (steps of 1/8). */
  private static void poisonCache() {
    List<Tensor> blocks = new ArrayList<>();
    for (double bytes = 64 << 10; bytes <= 8 << 20; bytes *= 1.125) {
      Tensor t = Tensor.empty(CPU, (long) bytes / Float.BYTES);
      float[] nan = new float[(int) t.numel()];
      Arrays.fill(nan, Float.NaN);
      t.copyFrom(nan);
      blocks.add(t);
    }
    blocks.forEach(Tensor::close);
  }

  /** Forward outputs, input and state gradients, and weight gradients of one training step. */
  private static List<float[]> trainStep(Cell cell) {
    Random rng = new Random(3);
    int t = 30;
    int n = 24;
    int c = 48;
    float[] x = new float[t * n * c];
    for (int i = 0; i < x.length; i++) {
      x[i] = rng.nextFloat() * 2 - 1;
    }
    int[] lengths = new int[n];
    for (int i = 0; i < n; i++) {
      lengths[i] = 1 + rng.nextInt(t);
    }
    List<float[]> out = new ArrayList<>();
    try (Scope scope = Scope.open();
        Recurrent rnn =
            Recurrent.builder()
                .cell(cell)
                .inputSize(c)
                .hiddenSize(96)
                .layers(2)
                .bidirectional(true)
                .seed(7)
                .build()) {
      SequenceBatch batch = SequenceBatch.of(Tensor.of(x, t, n, c), lengths);
      RecurrentOutput inference = rnn.forward(batch);
      out.add(inference.output().toArray());
      out.add(inference.hn().toArray());
      RecurrentOutput trained = rnn.forwardTrain(batch, null);
      // ops overwrite their outputs too: a zero weight gives zeros whatever the block held
      out.add(Ops.linear(trained.output(), Tensor.zeros(CPU, 192, 192), null).toArray());
      Tensor dy = Tensor.of(trained.output().toArray(), t, n, 192);
      RecurrentGradients g = rnn.backward(trained, dy, trained.hn(), null);
      out.add(g.dx().toArray());
      out.add(g.dh0().toArray());
      out.add(rnn.gradientBuffer().toArray());
    }
    return out;
  }

  @Test
  void recycledBlocksNeverReachResults() {
    for (Cell cell : new Cell[] {Cell.LSTM, Cell.GRU, Cell.RNN_TANH}) {
      CPU.releaseCachedMemory();
      List<float[]> fresh = trainStep(cell);
      poisonCache();
      assertTrue(CPU.cachedBytes() > 8 << 20, "the NaN blocks went back to the cache");
      List<float[]> recycled = trainStep(cell);
      for (int i = 0; i < fresh.size(); i++) {
        for (float v : fresh.get(i)) {
          assertTrue(Float.isFinite(v), cell + " result " + i + " is not finite");
        }
        assertArrayEquals(fresh.get(i), recycled.get(i), cell + " result " + i + " changed");
      }
    }
  }

  @Test
  void closedBlocksAreCachedAndReleased() {
    CPU.releaseCachedMemory();
    assertEquals(0, CPU.cachedBytes());
    Tensor big = Tensor.zeros(CPU, 1 << 20); // 4 MiB
    big.close();
    assertTrue(CPU.cachedBytes() >= 4 << 20, "a closed 4 MiB tensor went back to the cache");
    try (Tensor again = Tensor.zeros(CPU, (1 << 20) - 100)) {
      assertEquals(0, CPU.cachedBytes(), "the cached block was reused");
      for (float v : again.toArray()) {
        assertEquals(0f, v, "zeros() zero-fills a recycled block");
      }
    }
    CPU.releaseCachedMemory();
    assertEquals(0, CPU.cachedBytes());
  }
}
