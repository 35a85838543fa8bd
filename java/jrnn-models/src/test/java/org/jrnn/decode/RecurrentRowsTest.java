/*
 * RecurrentRowsTest: forking, reordering, compacting and joining rows of a real recurrent state
 * gives exactly what stepping each row on its own gives; copies are independent; save/load and
 * device moves keep the values; no native memory leaks.
 *   mvn -B -o test -Dtest=RecurrentRowsTest
 */
package org.jrnn.decode;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.jrnn.Cell;
import org.jrnn.Device;
import org.jrnn.JrnnException;
import org.jrnn.Recurrent;
import org.jrnn.Scope;
import org.jrnn.Tensor;
import org.jrnn.io.SafetensorsException;
import org.jrnn.io.SafetensorsWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class RecurrentRowsTest {
  private static final int L = 2;
  private static final int C = 3;
  private static final int H = 4;

  private static Recurrent layer(Cell cell) {
    return Recurrent.builder().cell(cell).inputSize(C).hiddenSize(H).layers(L).seed(5).build();
  }

  private static float[] random(int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] v = new float[n];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) (r.nextDouble() * 2 - 1);
    }
    return v;
  }

  /** A state of n rows whose row i starts from values drawn with seed 100 + ids[i]. */
  private static RecurrentRows rows(Cell cell, int[] ids) {
    int n = ids.length;
    float[] h = new float[L * n * H];
    float[] c = new float[L * n * H];
    for (int i = 0; i < n; i++) {
      float[] hi = random(L * H, 100 + ids[i]);
      float[] ci = random(L * H, 200 + ids[i]);
      for (int l = 0; l < L; l++) {
        System.arraycopy(hi, l * H, h, (l * n + i) * H, H);
        System.arraycopy(ci, l * H, c, (l * n + i) * H, H);
      }
    }
    float[] ctx = new float[n * 2];
    for (int i = 0; i < n; i++) {
      ctx[2 * i] = ids[i];
      ctx[2 * i + 1] = -ids[i];
    }
    try (Scope s = Scope.open()) {
      return RecurrentRows.own(
          Tensor.of(h, L, n, H), cell.hasCellState() ? Tensor.of(c, L, n, H) : null, ctx, 2);
    }
  }

  /** Input of a row with identity id at step t. */
  private static float[] input(int id, int t) {
    return random(C, 1000 + 17L * id + t);
  }

  /** One step of every row; row i is fed input(ids[i], t). Returns y [N, H]. */
  private static float[] step(Recurrent rnn, RecurrentRows rows, int[] ids, int t) {
    float[] x = new float[ids.length * C];
    for (int i = 0; i < ids.length; i++) {
      System.arraycopy(input(ids[i], t), 0, x, i * C, C);
    }
    try (Scope s = Scope.open()) {
      return rnn.step(Tensor.of(x, ids.length, C), rows.state()).toArray();
    }
  }

  /** The row of [L, N, H] values for row i, layer by layer. */
  private static float[] row(float[] lnh, int n, int i) {
    float[] out = new float[L * H];
    for (int l = 0; l < L; l++) {
      System.arraycopy(lnh, (l * n + i) * H, out, l * H, H);
    }
    return out;
  }

  @ParameterizedTest
  @EnumSource(
      value = Cell.class,
      names = {"GRU", "LSTM"})
  void rowOperationsEqualSteppingRowsSeparately(Cell cell) {
    long live = Tensor.liveAllocations();
    try (Recurrent rnn = layer(cell)) {
      // batch: rows 0..3 step, then rows [2, 0, 0, 3] (reorder, fork, drop row 1), row 7 joins,
      // step twice more; each row of the result follows its own history
      int[] ids = {0, 1, 2, 3};
      try (RecurrentRows batch = rows(cell, ids)) {
        step(rnn, batch, ids, 0);
        batch.select(new int[] {2, 0, 0, 3});
        try (RecurrentRows joining = rows(cell, new int[] {7})) {
          batch.append(joining);
        }
        int[] now = {2, 0, 0, 3, 7};
        // the joining row starts at step 1 here; the others continue at step 1
        float[] y1 = step(rnn, batch, now, 1);
        float[] y2 = step(rnn, batch, now, 2);
        assertEquals(5, batch.rows());
        float[] h = batch.h().toArray();
        float[] c = cell.hasCellState() ? batch.c().toArray() : null;
        for (int i = 0; i < now.length; i++) {
          int id = now[i];
          try (RecurrentRows alone = rows(cell, new int[] {id})) {
            if (id != 7) {
              step(rnn, alone, new int[] {id}, 0);
            }
            float[] a1 = step(rnn, alone, new int[] {id}, 1);
            float[] a2 = step(rnn, alone, new int[] {id}, 2);
            assertArrayEquals(a1, Arrays.copyOfRange(y1, i * H, (i + 1) * H), 1e-6f, "row " + i);
            assertArrayEquals(a2, Arrays.copyOfRange(y2, i * H, (i + 1) * H), 1e-6f, "row " + i);
            assertArrayEquals(alone.h().toArray(), row(h, 5, i), 1e-6f);
            if (c != null) {
              assertArrayEquals(alone.c().toArray(), row(c, 5, i), 1e-6f);
            }
          }
        }
        // the context follows the rows
        assertArrayEquals(new float[] {2, -2, 0, 0, 0, 0, 3, -3, 7, -7}, batch.context());
        // forks are equal rows, and compaction to nothing leaves an empty state
        float[] hb = batch.h().toArray();
        assertArrayEquals(row(hb, 5, 1), row(hb, 5, 2));
        try (RecurrentRows fork = batch.fork(new int[] {4, 4})) {
          assertEquals(5, batch.rows());
          assertArrayEquals(row(hb, 5, 4), row(fork.h().toArray(), 2, 1));
        }
        batch.select(new int[0]);
        assertEquals(0, batch.rows());
        try (RecurrentRows more = rows(cell, new int[] {1})) {
          batch.append(more);
          assertArrayEquals(more.h().toArray(), batch.h().toArray());
        }
      }
    }
    assertEquals(live, Tensor.liveAllocations(), "no native memory leaked");
  }

  @Test
  void copiesAreIndependentAndSaveLoadRoundTrips(@TempDir Path dir) throws Exception {
    try (Recurrent rnn = layer(Cell.LSTM);
        RecurrentRows a = rows(Cell.LSTM, new int[] {1, 2, 3});
        RecurrentRows b = a.copy()) {
      float[] before = b.h().toArray();
      step(rnn, a, new int[] {1, 2, 3}, 0);
      assertArrayEquals(before, b.h().toArray(), "stepping the original leaves the copy");
      assertTrue(!Arrays.equals(before, a.h().toArray()));
      Path f = dir.resolve("state.safetensors");
      a.save(f);
      try (RecurrentRows loaded = RecurrentRows.load(f, Device.cpu());
          RecurrentRows moved = a.to(Device.cpu())) {
        assertArrayEquals(a.h().toArray(), loaded.h().toArray());
        assertArrayEquals(a.c().toArray(), loaded.c().toArray());
        assertArrayEquals(a.context(), loaded.context());
        assertEquals(2, loaded.contextSize());
        assertArrayEquals(a.c().toArray(), moved.c().toArray());
      }
      try (RecurrentRows z = RecurrentRows.zeros(rnn, 2)) {
        assertEquals(2, z.rows());
        assertArrayEquals(new float[L * 2 * H], z.c().toArray());
      }
      try (RecurrentRows fromState = RecurrentRows.copyOf(a.state())) {
        assertArrayEquals(a.h().toArray(), fromState.h().toArray());
      }
    }
  }

  @Test
  void badRowsAreRefused() {
    try (RecurrentRows a = rows(Cell.GRU, new int[] {1, 2})) {
      assertThrows(JrnnException.class, () -> a.select(new int[] {2}));
      assertThrows(JrnnException.class, () -> a.select(new int[] {-1}));
      try (RecurrentRows lstm = rows(Cell.LSTM, new int[] {1})) {
        assertThrows(JrnnException.class, () -> a.append(lstm));
      }
      a.close();
      assertThrows(JrnnException.class, () -> a.select(new int[] {0}));
    }
  }

  @Test
  void aFileWhoseContextIsNotNRowsIsRefused(@TempDir Path dir) throws Exception {
    long live = Tensor.liveAllocations();
    float[][] contexts = {new float[4], new float[6]};
    long[][] shapes = {{4}, {3, 2}}; // rank 1; 3 rows for the 2 rows of h
    for (int k = 0; k < shapes.length; k++) {
      Path f = dir.resolve("rows" + k + ".safetensors");
      new SafetensorsWriter()
          .putFloats("h", new float[6], 1, 2, 3)
          .putFloats("context", contexts[k], shapes[k])
          .write(f);
      SafetensorsException e =
          assertThrows(SafetensorsException.class, () -> RecurrentRows.load(f, Device.cpu()));
      assertTrue(e.getMessage().contains("'context' must be [N, F]"), e.getMessage());
    }
    assertEquals(live, Tensor.liveAllocations(), "the refused loads freed what they allocated");
  }

  @Test
  void gatherIsOnePassForManyRows() {
    // a larger state: select with repeats equals the per-row reference built on the host
    List<Integer> idList = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      idList.add(i);
    }
    int[] ids = idList.stream().mapToInt(Integer::intValue).toArray();
    try (RecurrentRows a = rows(Cell.GRU, ids)) {
      float[] h = a.h().toArray();
      int[] order = new int[100];
      SplittableRandom r = new SplittableRandom(3);
      for (int i = 0; i < order.length; i++) {
        order[i] = r.nextInt(40);
      }
      a.select(order);
      float[] g = a.h().toArray();
      for (int i = 0; i < order.length; i++) {
        assertArrayEquals(row(h, 40, order[i]), row(g, 100, i));
      }
    }
  }
}
