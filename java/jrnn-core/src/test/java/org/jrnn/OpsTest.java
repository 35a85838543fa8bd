/*
 * OpsTest: every org.jrnn.Ops wrapper on a hand-computed case (plain-Java expected values), and
 * the argument checks' messages (argument name, expected and actual shape).
 *   mvn -B -o test -Dtest=OpsTest
 */
package org.jrnn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class OpsTest {
  private static final float TOL = 1e-5f;
  private Scope scope;
  private long baseline;

  @BeforeEach
  void open() {
    baseline = Tensor.liveAllocations();
    scope = Scope.open();
  }

  @AfterEach
  void close() {
    scope.close();
    assertEquals(baseline, Tensor.liveAllocations(), "Ops leaked native memory");
  }

  private static void fails(String expected, Executable e) {
    JrnnException ex = assertThrows(JrnnException.class, e);
    assertTrue(ex.getMessage().contains(expected), "message: " + ex.getMessage());
  }

  @Test
  void linearForwardAndBackwardOnRank3Input() {
    Tensor x = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 1, 2, 3); // [1, 2, 3]
    Tensor w = Tensor.of(new float[] {1, 0, -1, 0.5f, 0.5f, 0.5f}, 2, 3);
    Tensor b = Tensor.of(new float[] {0.1f, -0.1f});
    Tensor y = Ops.linear(x, w, b);
    assertArrayEquals(new long[] {1, 2, 2}, y.shape());
    assertArrayEquals(new float[] {-1.9f, 2.9f, -1.9f, 7.4f}, y.toArray(), TOL);
    assertArrayEquals(new float[] {-2, 3, -2, 7.5f}, Ops.linear(x, w, null).toArray(), TOL);

    Tensor dy = Tensor.of(new float[] {1, 0, 0, 1}, 1, 2, 2);
    Tensor dx = Tensor.zeros(1, 2, 3);
    Tensor dw = Tensor.of(new float[] {1, 1, 1, 1, 1, 1}, 2, 3); // accumulates onto ones
    Tensor db = Tensor.zeros(2);
    Ops.linearBackward(x, w, dy, dx, dw, db);
    assertArrayEquals(new float[] {1, 0, -1, 0.5f, 0.5f, 0.5f}, dx.toArray(), TOL);
    assertArrayEquals(new float[] {2, 3, 4, 5, 6, 7}, dw.toArray(), TOL);
    assertArrayEquals(new float[] {1, 1}, db.toArray(), TOL);
    Ops.linearBackward(x, w, dy, null, null, db); // only db, again
    assertArrayEquals(new float[] {2, 2}, db.toArray(), TOL);
  }

  @Test
  void linearNamesTheWrongArgument() {
    Tensor x = Tensor.zeros(2, 3);
    fails(
        "linear: weight must be [O, 3] (I = 3 from x [2, 3]) but is [2, 4]",
        () -> Ops.linear(x, Tensor.zeros(2, 4), null));
    fails(
        "linear: bias must be [2] but is [3]",
        () -> Ops.linear(x, Tensor.zeros(2, 3), Tensor.zeros(3)));
    fails("linear: x is null", () -> Ops.linear(null, Tensor.zeros(2, 3), null));
    fails(
        "linearBackward: dy must be [2, 2] but is [2, 3]",
        () -> Ops.linearBackward(x, Tensor.zeros(2, 3), Tensor.zeros(2, 3), null, null, null));
    fails(
        "linearBackward: dWeight must be [2, 3] but is [3, 2]",
        () ->
            Ops.linearBackward(
                x, Tensor.zeros(2, 3), Tensor.zeros(2, 2), null, Tensor.zeros(3, 2), null));
    Tensor closed = Tensor.zeros(2, 3);
    closed.close();
    JrnnException e =
        assertThrows(JrnnException.class, () -> Ops.linear(closed, Tensor.zeros(2, 3), null));
    assertEquals(JrnnException.Status.CLOSED, e.status());
    assertTrue(
        e.getMessage().contains("linear: x (tensor [2, 3] on cpu) is closed"), e.getMessage());
  }

  @Test
  void embeddingRowsPaddingAndAccumulatedGradient() {
    Tensor table = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 3, 2);
    Tensor y = Ops.embedding(table, new int[] {2, -1, 0, 2}, 2, 2);
    assertArrayEquals(new long[] {2, 2, 2}, y.shape());
    assertArrayEquals(new float[] {5, 6, 0, 0, 1, 2, 5, 6}, y.toArray(), 0f);
    assertArrayEquals(new long[] {1, 2}, Ops.embedding(table, new int[] {1}).shape());

    Tensor dTable = Tensor.zeros(3, 2);
    Tensor dy = Tensor.of(new float[] {1, 1, 7, 7, 2, 3, 10, 20}, 4, 2);
    Ops.embeddingBackward(dTable, new int[] {2, -1, 0, 2}, dy);
    assertArrayEquals(new float[] {2, 3, 0, 0, 11, 21}, dTable.toArray(), 0f);

    fails(
        "embedding: ids[1] = 3 is outside 0..2 (or -1)",
        () -> Ops.embedding(table, new int[] {0, 3}));
    fails("embedding: ids[0] = -2 is outside", () -> Ops.embedding(table, new int[] {-2}));
    fails(
        "embedding: y must be [..., 2] with 2 rows but is [3, 2]",
        () -> Ops.embeddingInto(table, new int[] {0, 1}, Tensor.zeros(3, 2)));
    fails(
        "embedding: table must be [V, E] but is [6]",
        () -> Ops.embedding(Tensor.zeros(6), new int[] {0}));
  }

  @Test
  void softmaxCrossEntropyWithSmoothingIgnoreAndScale() {
    float[] z = {1, 2, 0.5f, -1, 0, 3};
    Tensor logits = Tensor.of(z, 2, 3);
    Tensor loss = Tensor.zeros(2);
    Tensor d = Tensor.zeros(2, 3);
    Ops.softmaxCrossEntropy(logits, new int[] {1, -1}, 0.1f, 0.5f, loss, d);
    double[] p = softmax(new double[] {1, 2, 0.5});
    double[] q = {0.1 / 3, 0.9 + 0.1 / 3, 0.1 / 3};
    double expectLoss = 0;
    for (int k = 0; k < 3; k++) {
      expectLoss -= q[k] * Math.log(p[k]);
    }
    assertArrayEquals(new float[] {(float) expectLoss, 0}, loss.toArray(), TOL);
    float[] g = d.toArray();
    for (int k = 0; k < 3; k++) {
      assertEquals(0.5 * (p[k] - q[k]), g[k], TOL);
      assertEquals(0f, g[3 + k], 0f);
    }
    fails(
        "softmaxCrossEntropy: targets has 3 entries but logits [2, 3] has 2 rows",
        () -> Ops.softmaxCrossEntropy(logits, new int[] {0, 1, 2}, 0f, 1f, null, null));
    fails(
        "softmaxCrossEntropy: targets[0] = 3 is outside 0..2",
        () -> Ops.softmaxCrossEntropy(logits, new int[] {3, 0}, 0f, 1f, null, null));
    fails(
        "labelSmoothing = 1.0 must be in [0, 1)",
        () -> Ops.softmaxCrossEntropy(logits, new int[] {0, 0}, 1f, 1f, null, null));
    fails(
        "softmaxCrossEntropy: loss must have 2 elements but is [3]",
        () -> Ops.softmaxCrossEntropy(logits, new int[] {0, 0}, 0f, 1f, Tensor.zeros(3), null));
  }

  @Test
  void softmaxAndLogSoftmaxInPlace() {
    Tensor x = Tensor.of(new float[] {1, 2, 0.5f}, 1, 3);
    Tensor y = Tensor.zeros(1, 3);
    Ops.softmax(x, y);
    double[] p = softmax(new double[] {1, 2, 0.5});
    assertArrayEquals(new float[] {(float) p[0], (float) p[1], (float) p[2]}, y.toArray(), TOL);
    Ops.logSoftmax(x, x);
    assertArrayEquals(
        new float[] {(float) Math.log(p[0]), (float) Math.log(p[1]), (float) Math.log(p[2])},
        x.toArray(),
        TOL);
    fails("softmax: y must be [1, 3] but is [3]", () -> Ops.softmax(x, Tensor.zeros(3)));
  }

  @Test
  void logSoftmaxTopMatchesTheFullRowsBitForBit() {
    int rows = 4;
    int k = 300;
    int top = 7;
    float[] data = new float[rows * k];
    java.util.SplittableRandom r = new java.util.SplittableRandom(5);
    for (int i = 0; i < data.length; i++) {
      data[i] = 0.5f * (r.nextInt(17) - 8); // coarse: many exact ties
    }
    data[k + 4] = Float.NaN; // row 1: all NaN after the log-softmax, nothing eligible
    data[2 * k + 9] = Float.NEGATIVE_INFINITY;
    int[] exclude = {0, 2};
    Tensor x = Tensor.of(data, rows, k);
    float[] values = new float[rows * top];
    int[] ids = new int[rows * top];
    Ops.logSoftmaxTop(x, top, exclude, values, ids);
    Tensor lp = Tensor.zeros(rows, k);
    Ops.logSoftmax(x, lp);
    float[] wantValues = new float[rows * top];
    int[] wantIds = new int[rows * top];
    TopEntries.select(lp.toArray(), rows, k, top, exclude, wantValues, wantIds);
    assertArrayEquals(wantIds, ids);
    assertArrayEquals(wantValues, values); // exact: the same floats as logSoftmax's
    // the host selection itself, by brute force: descending, ties to the lower column
    float[] all = lp.toArray();
    for (int row : new int[] {0, 2, 3}) {
      for (int i = 0; i < top; i++) {
        int id = ids[row * top + i];
        assertTrue(id != 0 && id != 2 && all[row * k + id] == values[row * top + i]);
        int better = 0;
        for (int c = 0; c < k; c++) {
          float v = all[row * k + c];
          if (c != 0
              && c != 2
              && (v > values[row * top + i] || (v == values[row * top + i] && c < id))) {
            better++;
          }
        }
        assertEquals(i, better, "row " + row + " entry " + i + " is not the " + i + "-th best");
      }
    }
    for (int i = 0; i < top; i++) {
      assertEquals(-1, ids[top + i], "a NaN row has no eligible entry");
      assertEquals(Float.NEGATIVE_INFINITY, values[top + i]);
    }
    fails(
        "logSoftmaxTop: exclude[0] = 300 is outside 0..299",
        () -> Ops.logSoftmaxTop(x, top, new int[] {300}, values, ids));
    fails(
        "logSoftmaxTop: top must be >= 1 but is 0",
        () -> Ops.logSoftmaxTop(x, 0, null, values, ids));
    fails(
        "logSoftmaxTop: values and indices must hold rows·top = 28 entries",
        () -> Ops.logSoftmaxTop(x, top, null, new float[3], ids));
  }

  @Test
  void bceWithLogitsAndMse() {
    Tensor z = Tensor.of(new float[] {0.5f, -2f});
    Tensor t = Tensor.of(new float[] {1f, 0f});
    Tensor w = Tensor.of(new float[] {1f, 0f});
    Tensor loss = Tensor.zeros(2);
    Tensor dz = Tensor.zeros(2);
    Ops.bceWithLogits(z, t, w, 2f, loss, dz);
    double s = 1 / (1 + Math.exp(-0.5));
    assertArrayEquals(new float[] {(float) -Math.log(s), 0f}, loss.toArray(), TOL);
    assertArrayEquals(new float[] {(float) (2 * (s - 1)), 0f}, dz.toArray(), TOL);
    fails(
        "bceWithLogits: t must be [2] but is [3]",
        () -> Ops.bceWithLogits(z, Tensor.zeros(3), null, 1f, null, null));

    Tensor p = Tensor.of(new float[] {1, 2, 3, 4}, 2, 2);
    Tensor target = Tensor.of(new float[] {0, 2, 1, 1}, 2, 2);
    Tensor l2 = Tensor.zeros(2);
    Tensor dp = Tensor.zeros(2, 2);
    Ops.mse(p, target, null, 0.5f, l2, dp);
    assertArrayEquals(new float[] {1, 13}, l2.toArray(), TOL);
    assertArrayEquals(new float[] {1, 0, 2, 3}, dp.toArray(), TOL);
    fails(
        "mse: weights must have 2 elements but is [4]",
        () -> Ops.mse(p, target, Tensor.zeros(4), 1f, null, null));
  }

  @Test
  void dropoutIsReproducibleScaledAndItsOwnBackward() {
    float[] ones = new float[1000];
    java.util.Arrays.fill(ones, 1f);
    Tensor x = Tensor.of(ones);
    Tensor a = Tensor.zeros(1000);
    Tensor b = Tensor.zeros(1000);
    Ops.dropout(x, 0.25f, 42L, a);
    Ops.dropout(x, 0.25f, 42L, b);
    assertArrayEquals(a.toArray(), b.toArray(), 0f);
    int kept = 0;
    for (float v : a.toArray()) {
      assertTrue(v == 0f || Math.abs(v - 1f / 0.75f) < 1e-6, "value " + v);
      kept += v != 0f ? 1 : 0;
    }
    assertTrue(kept > 650 && kept < 850, "kept " + kept);
    Ops.dropout(x, 0.25f, 43L, b);
    assertFalse(java.util.Arrays.equals(a.toArray(), b.toArray()), "another seed, another mask");
    fails("dropout: p = 1.0 must be in [0, 1)", () -> Ops.dropout(x, 1f, 1L, a));
  }

  @Test
  void gatherLastAndBackward() {
    // y [T=3, N=2, F=1]: y[t][n] = 10t + n
    Tensor y = Tensor.of(new float[] {0, 1, 10, 11, 20, 21}, 3, 2, 1);
    assertArrayEquals(new float[] {10, 21}, Ops.gatherLast(y, new int[] {2, 3}).toArray(), 0f);
    assertArrayEquals(new float[] {20, 21}, Ops.gatherLast(y, null).toArray(), 0f);
    Tensor dy = Tensor.zeros(3, 2, 1);
    Ops.gatherLastBackward(Tensor.of(new float[] {5, 7}, 2, 1), new int[] {2, 3}, dy);
    Ops.gatherLastBackward(Tensor.of(new float[] {1, 1}, 2, 1), new int[] {2, 3}, dy);
    assertArrayEquals(new float[] {0, 0, 6, 0, 0, 8}, dy.toArray(), 0f);
    fails("gatherLast: lengths[1] = 4 is outside 1..3", () -> Ops.gatherLast(y, new int[] {1, 4}));
    fails("gatherLast: lengths has 1 entries but N = 2", () -> Ops.gatherLast(y, new int[] {1}));
  }

  @Test
  void reductionsAndElementwise() {
    Tensor x = Tensor.of(new float[] {3, -4, 0.5f});
    assertEquals(25.25, OptimizerKernels.sumSquares(x), 1e-9);
    assertTrue(Ops.allFinite(x));
    fails("axpy: y must have 3 elements but is [2]", () -> Ops.axpy(1f, x, Tensor.zeros(2)));
    OptimizerKernels.scale(x, 2f);
    assertArrayEquals(new float[] {6, -8, 1}, x.toArray(), 0f);
    OptimizerKernels.clipValues(x, 5f);
    assertArrayEquals(new float[] {5, -5, 1}, x.toArray(), 0f);
    Tensor y = Tensor.of(new float[] {1, 1, 1});
    Ops.axpy(-0.5f, x, y);
    assertArrayEquals(new float[] {-1.5f, 3.5f, 0.5f}, y.toArray(), 0f);
    x.set(Float.NaN, 1);
    assertEquals(1, Ops.firstNonFinite(x));
    assertFalse(Ops.allFinite(x));
    fails("clipValues: limit = 0.0 must be > 0", () -> OptimizerKernels.clipValues(y, 0f));
  }

  @Test
  void optimiserUpdatesMatchPyTorchFormulas() {
    // SGD with momentum 0.9, weight decay 0.1, step 1 then 2
    Tensor w = Tensor.of(new float[] {1, -2});
    Tensor g = Tensor.of(new float[] {0.5f, 0.5f});
    Tensor buf = Tensor.zeros(2);
    OptimizerKernels.sgdUpdate(w, g, buf, 0.1f, 0.9f, 0.1f, false, 1);
    // g' = g + 0.1 w = {0.6, 0.3}; buf = g'; w -= 0.1 g'
    assertArrayEquals(new float[] {0.94f, -2.03f}, w.toArray(), TOL);
    OptimizerKernels.sgdUpdate(w, g, buf, 0.1f, 0.9f, 0.1f, false, 2);
    double g0 = 0.5 + 0.1 * 0.94;
    double g1 = 0.5 - 0.1 * 2.03;
    assertArrayEquals(
        new float[] {
          (float) (0.94 - 0.1 * (0.9 * 0.6 + g0)), (float) (-2.03 - 0.1 * (0.9 * 0.3 + g1))
        },
        w.toArray(),
        TOL);
    fails(
        "sgdUpdate: momentumBuffer is null but momentum = 0.9",
        () -> OptimizerKernels.sgdUpdate(w, g, null, 0.1f, 0.9f, 0f, false, 1));

    // Adam step 1: w -= lr * sign(g) (m̂ = g, v̂ = g²)
    Tensor wa = Tensor.of(new float[] {1, -2});
    Tensor ga = Tensor.of(new float[] {0.5f, -0.25f});
    Tensor m = Tensor.zeros(2);
    Tensor v = Tensor.zeros(2);
    OptimizerKernels.adamUpdate(wa, ga, m, v, 0.01f, 0.9f, 0.999f, 1e-8f, 0f, false, 1);
    assertArrayEquals(new float[] {0.99f, -1.99f}, wa.toArray(), 1e-6f);
    assertArrayEquals(new float[] {0.05f, -0.025f}, m.toArray(), 1e-7f);
    fails(
        "adamUpdate: v must have 2 elements but is [3]",
        () ->
            OptimizerKernels.adamUpdate(
                wa, ga, m, Tensor.zeros(3), 0.01f, 0.9f, 0.999f, 1e-8f, 0f, false, 1));

    // RMSProp, no momentum: sq = (1-α) g²; w -= lr g / (sqrt(sq) + eps)
    Tensor wr = Tensor.of(new float[] {1});
    Tensor gr = Tensor.of(new float[] {2});
    Tensor sq = Tensor.zeros(1);
    OptimizerKernels.rmspropUpdate(wr, gr, sq, null, 0.1f, 0.99f, 0f, 0f, 0f);
    assertArrayEquals(new float[] {(float) (1 - 0.1 * 2 / Math.sqrt(0.01 * 4))}, wr.toArray(), TOL);
    assertArrayEquals(new float[] {0.04f}, sq.toArray(), 1e-7f);
  }

  private static double[] softmax(double[] z) {
    double max = Double.NEGATIVE_INFINITY;
    for (double v : z) {
      max = Math.max(max, v);
    }
    double sum = 0;
    double[] p = new double[z.length];
    for (int i = 0; i < z.length; i++) {
      p[i] = Math.exp(z[i] - max);
      sum += p[i];
    }
    for (int i = 0; i < z.length; i++) {
      p[i] /= sum;
    }
    return p;
  }
}
