/*
 * RecurrentTest: the recurrent stack against the double-precision RnnReference (forward, backward
 * by central differences, step), parameter layout and init, and argument validation.
 *   mvn -B test -Dtest=RecurrentTest
 */
package org.jrnn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RecurrentTest {
  private long baseline;

  @BeforeEach
  void rememberAllocations() {
    baseline = Tensor.liveAllocations();
  }

  @AfterEach
  void noLeaks() {
    assertEquals(baseline, Tensor.liveAllocations(), "native allocations leaked by the test");
  }

  static Recurrent build(
      Cell cell, int c, int h, int layers, boolean bidir, boolean bias, long seed) {
    return Recurrent.builder()
        .cell(cell)
        .inputSize(c)
        .hiddenSize(h)
        .layers(layers)
        .bidirectional(bidir)
        .bias(bias)
        .seed(seed)
        .build();
  }

  /** Random sequences with the given lengths, values in [-1, 1). */
  static List<float[][]> randomSequences(Random rng, int c, int... lengths) {
    List<float[][]> out = new ArrayList<>();
    for (int len : lengths) {
      float[][] s = new float[len][c];
      for (float[] row : s) {
        for (int k = 0; k < c; k++) {
          row[k] = rng.nextFloat() * 2 - 1;
        }
      }
      out.add(s);
    }
    return out;
  }

  static List<float[][]> seqs(float[][]... s) {
    return new ArrayList<>(Arrays.asList(s));
  }

  static float[] randomArray(Random rng, int n, float scale) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (rng.nextFloat() * 2 - 1) * scale;
    }
    return a;
  }

  static double[][][] to3(float[] flat, int a, int b, int c) {
    double[][][] out = new double[a][b][c];
    for (int i = 0; i < a; i++) {
      for (int j = 0; j < b; j++) {
        for (int k = 0; k < c; k++) {
          out[i][j][k] = flat[(i * b + j) * c + k];
        }
      }
    }
    return out;
  }

  static void assertClose(double[][][] expected, float[] actual, double tol, String what) {
    int idx = 0;
    for (double[][] a : expected) {
      for (double[] b : a) {
        for (double v : b) {
          float got = actual[idx];
          if (Math.abs(v - got) > tol * Math.max(1, Math.abs(v))) {
            throw new AssertionError(what + "[" + idx + "]: expected " + v + " but was " + got);
          }
          idx++;
        }
      }
    }
    assertEquals(idx, actual.length, what + " size");
  }

  static Arguments[] forwardCases() {
    return new Arguments[] {
      Arguments.of(Cell.LSTM, 1, false, true),
      Arguments.of(Cell.GRU, 1, false, true),
      Arguments.of(Cell.RNN_TANH, 1, false, true),
      Arguments.of(Cell.RNN_RELU, 1, false, true),
      Arguments.of(Cell.LSTM, 2, true, true),
      Arguments.of(Cell.GRU, 2, true, false),
      Arguments.of(Cell.GRU, 2, false, true),
      Arguments.of(Cell.LSTM, 1, true, false),
    };
  }

  @ParameterizedTest(name = "{0} layers={1} bidirectional={2} bias={3}")
  @MethodSource("forwardCases")
  void forwardMatchesReferenceOnRaggedBatch(Cell cell, int layers, boolean bidir, boolean bias) {
    int c = 3;
    int h = 5;
    int[] lengths = {4, 1, 3};
    Random rng = new Random(42);
    try (Recurrent rnn = build(cell, c, h, layers, bidir, bias, 11);
        Scope scope = Scope.open()) {
      int d = rnn.directions();
      int n = lengths.length;
      SequenceBatch batch = SequenceBatch.fromList(randomSequences(rng, c, lengths));
      float[] h0 = randomArray(rng, layers * d * n * h, 0.5f);
      float[] c0 = randomArray(rng, layers * d * n * h, 0.5f);
      RecurrentState init =
          RecurrentState.of(
              Tensor.of(h0, layers * d, n, h),
              cell == Cell.LSTM ? Tensor.of(c0, layers * d, n, h) : null);
      RecurrentOutput out = rnn.forward(batch, init);

      RnnReference ref = new RnnReference(rnn);
      RnnReference.Result r =
          ref.forward(
              to3(batch.data().toArray(), 4, n, c),
              lengths,
              to3(h0, layers * d, n, h),
              cell == Cell.LSTM ? to3(c0, layers * d, n, h) : null);
      assertArrayEquals(new long[] {4, n, d * h}, out.output().shape());
      assertClose(r.y, out.output().toArray(), 1e-5, "y");
      assertClose(r.hn, out.hn().toArray(), 1e-5, "hn");
      if (cell == Cell.LSTM) {
        assertClose(r.cn, out.cn().toArray(), 1e-5, "cn");
      } else {
        assertNull(out.cn());
      }
      // padding: exactly zero past each length
      float[] y = out.output().toArray();
      for (int t = 0; t < 4; t++) {
        for (int b = 0; b < n; b++) {
          for (int k = 0; k < d * h; k++) {
            if (t >= lengths[b]) {
              assertEquals(0f, y[(t * n + b) * d * h + k], "padding at t=" + t + " n=" + b);
            }
          }
        }
      }
    }
  }

  @Test
  void forwardWithoutInitialStateStartsFromZeros() {
    Random rng = new Random(5);
    try (Recurrent rnn = build(Cell.LSTM, 2, 3, 1, false, true, 3);
        Scope scope = Scope.open()) {
      SequenceBatch batch = SequenceBatch.fromList(randomSequences(rng, 2, 3, 2));
      float[] a = rnn.forward(batch).output().toArray();
      float[] b = rnn.forward(batch, RecurrentState.zeros(rnn, 2)).output().toArray();
      assertArrayEquals(a, b);
      // an LSTM state with c == null also means zero c0
      Tensor h0 = Tensor.zeros(1, 2, 3);
      assertArrayEquals(a, rnn.forward(batch, RecurrentState.of(h0, null)).output().toArray());
    }
  }

  /** Central differences of the reference loss sum(y*dy)+sum(hn*dhn)+sum(cn*dcn). */
  static final class Loss {
    final RnnReference ref;
    final double[][][] x;
    final int[] lengths;
    final double[][][] h0;
    final double[][][] c0;
    final double[][][] dy;
    final double[][][] dhn;
    final double[][][] dcn;

    Loss(
        RnnReference ref,
        double[][][] x,
        int[] lengths,
        double[][][] h0,
        double[][][] c0,
        double[][][] dy,
        double[][][] dhn,
        double[][][] dcn) {
      this.ref = ref;
      this.x = x;
      this.lengths = lengths;
      this.h0 = h0;
      this.c0 = c0;
      this.dy = dy;
      this.dhn = dhn;
      this.dcn = dcn;
    }

    double value() {
      RnnReference.Result r = ref.forward(x, lengths, h0, c0);
      return dot(r.y, dy) + dot(r.hn, dhn) + (dcn == null ? 0 : dot(r.cn, dcn));
    }

    static double dot(double[][][] a, double[][][] b) {
      double s = 0;
      for (int i = 0; i < a.length; i++) {
        for (int j = 0; j < a[i].length; j++) {
          for (int k = 0; k < a[i][j].length; k++) {
            s += a[i][j][k] * b[i][j][k];
          }
        }
      }
      return s;
    }

    double derivative(double[] array, int index) {
      double eps = 1e-6;
      double keep = array[index];
      array[index] = keep + eps;
      double plus = value();
      array[index] = keep - eps;
      double minus = value();
      array[index] = keep;
      return (plus - minus) / (2 * eps);
    }
  }

  static void assertGrad(double expected, float actual, String what) {
    if (Math.abs(expected - actual) > 2e-4 + 1e-3 * Math.abs(expected)) {
      throw new AssertionError(what + ": expected " + expected + " but was " + actual);
    }
  }

  static Arguments[] backwardCases() {
    return new Arguments[] {
      Arguments.of(Cell.LSTM, 1, false),
      Arguments.of(Cell.GRU, 1, false),
      Arguments.of(Cell.RNN_TANH, 1, false),
      Arguments.of(Cell.LSTM, 2, true),
      Arguments.of(Cell.GRU, 2, true),
    };
  }

  @ParameterizedTest(name = "{0} layers={1} bidirectional={2}")
  @MethodSource("backwardCases")
  void backwardMatchesFiniteDifferencesOfReference(Cell cell, int layers, boolean bidir) {
    int c = 3;
    int h = 4;
    int t = 4;
    int[] lengths = {4, 2, 3};
    int n = lengths.length;
    Random rng = new Random(7);
    try (Recurrent rnn = build(cell, c, h, layers, bidir, true, 21);
        Scope scope = Scope.open()) {
      int d = rnn.directions();
      int s = layers * d;
      boolean lstm = cell == Cell.LSTM;
      SequenceBatch batch = SequenceBatch.fromList(randomSequences(rng, c, lengths));
      float[] h0 = randomArray(rng, s * n * h, 0.5f);
      float[] c0 = randomArray(rng, s * n * h, 0.5f);
      float[] dy = randomArray(rng, t * n * d * h, 1f);
      float[] dhn = randomArray(rng, s * n * h, 1f);
      float[] dcn = randomArray(rng, s * n * h, 1f);
      RecurrentState init =
          RecurrentState.of(Tensor.of(h0, s, n, h), lstm ? Tensor.of(c0, s, n, h) : null);
      RecurrentOutput trained = rnn.forwardTrain(batch, init);
      rnn.zeroGradients();
      RecurrentGradients g =
          rnn.backward(
              trained,
              Tensor.of(dy, t, n, d * h),
              Tensor.of(dhn, s, n, h),
              lstm ? Tensor.of(dcn, s, n, h) : null);

      RnnReference ref = new RnnReference(rnn);
      Loss loss =
          new Loss(
              ref,
              to3(batch.data().toArray(), t, n, c),
              lengths,
              to3(h0, s, n, h),
              lstm ? to3(c0, s, n, h) : null,
              to3(dy, t, n, d * h),
              to3(dhn, s, n, h),
              lstm ? to3(dcn, s, n, h) : null);

      // dx: finite differences inside each length, exactly zero in the padding
      float[] dx = g.dx().toArray();
      for (int tt = 0; tt < t; tt++) {
        for (int b = 0; b < n; b++) {
          for (int k = 0; k < c; k++) {
            float got = dx[(tt * n + b) * c + k];
            if (tt >= lengths[b]) {
              assertEquals(0f, got, "dx padding");
            } else {
              assertGrad(
                  loss.derivative(loss.x[tt][b], k), got, "dx[" + tt + "][" + b + "][" + k + "]");
            }
          }
        }
      }
      float[] dh0 = g.dh0().toArray();
      float[] dc0 = lstm ? g.dc0().toArray() : null;
      for (int i = 0; i < s; i++) {
        for (int b = 0; b < n; b++) {
          for (int k = 0; k < h; k++) {
            int idx = (i * n + b) * h + k;
            assertGrad(loss.derivative(loss.h0[i][b], k), dh0[idx], "dh0[" + idx + "]");
            if (lstm) {
              assertGrad(loss.derivative(loss.c0[i][b], k), dc0[idx], "dc0[" + idx + "]");
            }
          }
        }
      }
      if (!lstm) {
        assertNull(g.dc0());
      }
      // weight gradients, by name
      for (Map.Entry<String, Tensor> e : rnn.gradients().entrySet()) {
        double[] w = ref.p.get(e.getKey());
        float[] got = e.getValue().toArray();
        assertEquals(w.length, got.length, e.getKey());
        for (int i = 0; i < w.length; i++) {
          assertGrad(loss.derivative(w, i), got[i], e.getKey() + "[" + i + "]");
        }
      }
    }
  }

  @Test
  void backwardAccumulatesIntoGradientsAndZeroGradientsResets() {
    Random rng = new Random(3);
    try (Recurrent rnn = build(Cell.GRU, 2, 3, 1, false, true, 4);
        Scope scope = Scope.open()) {
      SequenceBatch batch = SequenceBatch.fromList(randomSequences(rng, 2, 3, 1));
      RecurrentOutput out = rnn.forwardTrain(batch, null);
      Tensor dy = Tensor.of(randomArray(rng, 3 * 2 * 3, 1f), 3, 2, 3);
      rnn.backward(out, dy, null, null);
      float[] once = rnn.gradientBuffer().toArray();
      boolean nonZero = false;
      for (float v : once) {
        nonZero |= v != 0;
      }
      assertTrue(nonZero, "gradients are all zero");
      rnn.backward(out, dy, null, null);
      float[] twice = rnn.gradientBuffer().toArray();
      for (int i = 0; i < once.length; i++) {
        assertEquals(2 * once[i], twice[i], 1e-5f * Math.max(1, Math.abs(twice[i])));
      }
      rnn.zeroGradients();
      assertArrayEquals(new float[once.length], rnn.gradientBuffer().toArray());
    }
  }

  /** Skipping the input gradient changes nothing else: same weight and state gradients, dx null. */
  @ParameterizedTest
  @MethodSource("stepCells")
  void backwardWithoutInputGradient(Cell cell) {
    Random rng = new Random(12);
    try (Recurrent rnn = build(cell, 5, 6, 2, true, true, 3);
        Scope scope = Scope.open()) {
      SequenceBatch batch = SequenceBatch.fromList(randomSequences(rng, 5, 4, 2, 3));
      RecurrentOutput out = rnn.forwardTrain(batch, null);
      Tensor dy = Tensor.of(randomArray(rng, 4 * 3 * 12, 1f), 4, 3, 12);
      rnn.zeroGradients();
      RecurrentGradients full = rnn.backward(out, dy, null, null);
      float[] weightsFull = rnn.gradientBuffer().toArray();
      rnn.zeroGradients();
      RecurrentGradients partial = rnn.backward(out, dy, null, null, false);
      assertNull(partial.dx(), "dx was not asked for");
      assertArrayEquals(weightsFull, rnn.gradientBuffer().toArray(), "weight gradients");
      assertArrayEquals(full.dh0().toArray(), partial.dh0().toArray(), "dh0");
      boolean nonZero = false;
      for (float v : full.dx().toArray()) {
        nonZero |= v != 0;
      }
      assertTrue(nonZero, "the full backward computed dx");
      partial.keep().close(); // keep and close work without dx
    }
  }

  @ParameterizedTest
  @MethodSource("stepCells")
  void stepTimesTEqualsForward(Cell cell) {
    int c = 3;
    int h = 4;
    int t = 5;
    int n = 2;
    Random rng = new Random(9);
    try (Recurrent rnn = build(cell, c, h, 2, false, true, 8);
        Scope scope = Scope.open()) {
      SequenceBatch batch = SequenceBatch.fromList(randomSequences(rng, c, t, t));
      RecurrentState init = RecurrentState.zeros(rnn, n);
      init.h().copyFrom(randomArray(rng, 2 * n * h, 0.5f));
      if (init.c() != null) {
        init.c().copyFrom(randomArray(rng, 2 * n * h, 0.5f));
      }
      RecurrentOutput out = rnn.forward(batch, init);
      float[] y = out.output().toArray();
      float[] x = batch.data().toArray();
      RecurrentState state = init.copy();
      for (int k = 0; k < t; k++) {
        Tensor xt = Tensor.of(Arrays.copyOfRange(x, k * n * c, (k + 1) * n * c), n, c);
        float[] yt = rnn.step(xt, state).toArray();
        float[] expected = Arrays.copyOfRange(y, k * n * h, (k + 1) * n * h);
        assertArrayEquals(expected, yt, 1e-5f, "step " + k);
      }
      assertArrayEquals(out.hn().toArray(), state.h().toArray(), 1e-5f, "h after T steps");
      if (cell == Cell.LSTM) {
        assertArrayEquals(out.cn().toArray(), state.c().toArray(), 1e-5f, "c after T steps");
      }
    }
  }

  static Cell[] stepCells() {
    return new Cell[] {Cell.LSTM, Cell.GRU, Cell.RNN_TANH};
  }

  @Test
  void parametersHavePyTorchNamesOrderAndShapes() {
    try (Recurrent rnn = build(Cell.LSTM, 3, 5, 2, true, true, 1)) {
      Map<String, Tensor> p = rnn.parameters();
      List<String> names = new ArrayList<>(p.keySet());
      assertEquals(
          List.of(
              "weight_ih_l0",
              "weight_hh_l0",
              "bias_ih_l0",
              "bias_hh_l0",
              "weight_ih_l0_reverse",
              "weight_hh_l0_reverse",
              "bias_ih_l0_reverse",
              "bias_hh_l0_reverse",
              "weight_ih_l1",
              "weight_hh_l1",
              "bias_ih_l1",
              "bias_hh_l1",
              "weight_ih_l1_reverse",
              "weight_hh_l1_reverse",
              "bias_ih_l1_reverse",
              "bias_hh_l1_reverse"),
          names);
      assertArrayEquals(new long[] {20, 3}, p.get("weight_ih_l0").shape());
      assertArrayEquals(new long[] {20, 5}, p.get("weight_hh_l0").shape());
      assertArrayEquals(new long[] {20}, p.get("bias_ih_l0").shape());
      assertArrayEquals(new long[] {20, 10}, p.get("weight_ih_l1_reverse").shape());
      long total = 0;
      for (Tensor t : p.values()) {
        total += t.numel();
        assertTrue(t.isView());
      }
      assertEquals(total, rnn.parameterCount());
      assertEquals(4 * 5 * (3 + 5 + 2) * 2 + 4 * 5 * (10 + 5 + 2) * 2, rnn.parameterCount());
      assertEquals(p.keySet(), rnn.gradients().keySet());
      assertEquals(10, rnn.outputSize());
      assertEquals(2, rnn.directions());
    }
    try (Recurrent gru = build(Cell.GRU, 2, 3, 1, false, false, 1)) {
      assertEquals(
          List.of("weight_ih_l0", "weight_hh_l0"), new ArrayList<>(gru.parameters().keySet()));
      assertEquals(9 * 2 + 9 * 3, gru.parameterCount());
    }
    try (Recurrent narrow = build(Cell.RNN_TANH, 1, 2, 1, false, true, 1)) {
      // a weight with one column stays a matrix; biases are vectors
      assertArrayEquals(new long[] {2, 1}, narrow.parameters().get("weight_ih_l0").shape());
      assertArrayEquals(new long[] {2}, narrow.parameters().get("bias_hh_l0").shape());
    }
  }

  @Test
  void parameterViewsShareTheFlatBuffer() {
    try (Recurrent rnn = build(Cell.GRU, 2, 3, 1, false, true, 1)) {
      Tensor whh = rnn.parameters().get("weight_hh_l0");
      whh.set(42f, 1, 2);
      float[] flat = rnn.weights().toArray();
      // weight_ih_l0 [9, 2] comes first, then weight_hh_l0 [9, 3]
      assertEquals(42f, flat[9 * 2 + 1 * 3 + 2]);
      rnn.gradientBuffer().set(7f, 9 * 2 + 9 * 3); // first element of bias_ih_l0's gradient
      assertEquals(7f, rnn.gradients().get("bias_ih_l0").get(0));
    }
  }

  @Test
  void seededInitIsReproducibleAndBounded() {
    try (Recurrent a = build(Cell.LSTM, 4, 16, 2, true, true, 123);
        Recurrent b = build(Cell.LSTM, 4, 16, 2, true, true, 123);
        Recurrent c = build(Cell.LSTM, 4, 16, 2, true, true, 124)) {
      float[] wa = a.weights().toArray();
      float[] wb = b.weights().toArray();
      float[] wc = c.weights().toArray();
      assertEquals(wa.length, wb.length);
      for (int i = 0; i < wa.length; i++) {
        assertEquals(Float.floatToRawIntBits(wa[i]), Float.floatToRawIntBits(wb[i]), "weight " + i);
      }
      assertFalse(Arrays.equals(wa, wc), "a different seed gives different weights");
      double bound = 1 / Math.sqrt(16);
      double min = Double.MAX_VALUE;
      double max = -Double.MAX_VALUE;
      for (float v : wa) {
        assertTrue(Math.abs(v) <= bound, "weight " + v + " outside +-1/sqrt(H)");
        min = Math.min(min, v);
        max = Math.max(max, v);
      }
      assertTrue(min < -0.9 * bound && max > 0.9 * bound, "weights do not span the range");
      // gradients start at zero
      for (float v : a.gradientBuffer().toArray()) {
        assertEquals(0f, v);
      }
      a.resetParameters(124);
      assertArrayEquals(wc, a.weights().toArray());
    }
    try (Recurrent u1 = Recurrent.builder().cell(Cell.GRU).inputSize(2).hiddenSize(4).build();
        Recurrent u2 = Recurrent.builder().cell(Cell.GRU).inputSize(2).hiddenSize(4).build()) {
      assertNotEquals(
          Arrays.toString(u1.weights().toArray()),
          Arrays.toString(u2.weights().toArray()),
          "without a seed, two layers get different weights");
    }
  }

  // ------------------------------------------------------------------ validation

  static JrnnException fails(Runnable r) {
    return assertThrows(JrnnException.class, r::run);
  }

  @Test
  void builderRejectsMissingAndInvalidSettings() {
    assertEquals(
        "cell is required (Cell.RNN_TANH, RNN_RELU, LSTM or GRU)",
        fails(() -> Recurrent.builder().inputSize(2).hiddenSize(2).build()).getMessage());
    assertEquals(
        "inputSize is required",
        fails(() -> Recurrent.builder().cell(Cell.GRU).hiddenSize(2).build()).getMessage());
    assertEquals(
        "hiddenSize is required",
        fails(() -> Recurrent.builder().cell(Cell.GRU).inputSize(2).build()).getMessage());
    assertEquals(
        "hiddenSize must be >= 1 but is 0",
        fails(() -> Recurrent.builder().cell(Cell.GRU).inputSize(2).hiddenSize(0).build())
            .getMessage());
    assertEquals(
        "layers must be >= 1 but is 0",
        fails(() -> Recurrent.builder().cell(Cell.GRU).inputSize(2).hiddenSize(2).layers(0).build())
            .getMessage());
    assertEquals(
        "inputSize must be >= 1 but is -3",
        fails(() -> Recurrent.builder().cell(Cell.GRU).inputSize(-3).hiddenSize(2).build())
            .getMessage());
  }

  @Test
  void forwardRejectsWrongShapesWithNamedMessages() {
    try (Recurrent rnn = build(Cell.LSTM, 8, 16, 2, false, true, 1);
        Scope scope = Scope.open()) {
      SequenceBatch bad = SequenceBatch.fromList(seqs(new float[3][7]));
      assertEquals(
          "input feature size 7 does not match the layer's inputSize 8",
          fails(() -> rnn.forward(bad)).getMessage());

      SequenceBatch good =
          SequenceBatch.fromList(
              seqs(new float[3][8], new float[2][8], new float[1][8], new float[3][8]));
      RecurrentState wrongH = RecurrentState.of(Tensor.zeros(2, 3, 16), null);
      assertEquals(
          "h0 must be [2, 4, 16] but is [2, 3, 16]",
          fails(() -> rnn.forward(good, wrongH)).getMessage());
      assertEquals(
          "c must be [2, 4, 16] but is [2, 4, 8]",
          fails(() -> RecurrentState.of(Tensor.zeros(2, 4, 16), Tensor.zeros(2, 4, 8)))
              .getMessage());
      RecurrentState wrongC = RecurrentState.of(Tensor.zeros(2, 3, 16), Tensor.zeros(2, 3, 16));
      assertEquals(
          "h0 must be [2, 4, 16] but is [2, 3, 16]",
          fails(() -> rnn.forward(good, wrongC)).getMessage());
    }
    try (Recurrent gru = build(Cell.GRU, 2, 3, 1, false, true, 1);
        Scope scope = Scope.open()) {
      SequenceBatch b = SequenceBatch.fromList(seqs(new float[2][2]));
      RecurrentState withC = RecurrentState.of(Tensor.zeros(1, 1, 3), Tensor.zeros(1, 1, 3));
      assertEquals(
          "c0 is given but a GRU layer has no cell state",
          fails(() -> gru.forward(b, withC)).getMessage());
    }
  }

  @Test
  void closedThingsAreRejectedWithClearMessages() {
    Recurrent rnn = build(Cell.GRU, 2, 3, 1, false, true, 1);
    try (Scope scope = Scope.open()) {
      SequenceBatch b = SequenceBatch.fromList(seqs(new float[2][2]));
      b.close();
      JrnnException e = fails(() -> rnn.forward(b));
      assertEquals("input: tensor [2, 1, 2] on cpu is closed", e.getMessage());
      assertEquals(JrnnException.Status.CLOSED, e.status());

      SequenceBatch b2 = SequenceBatch.fromList(seqs(new float[2][2]));
      RecurrentState s = RecurrentState.zeros(rnn, 1);
      s.close();
      assertEquals(
          "h0: tensor [1, 1, 3] on cpu is closed", fails(() -> rnn.forward(b2, s)).getMessage());
    }
    Tensor view = rnn.parameters().get("weight_ih_l0");
    rnn.close();
    rnn.close(); // idempotent
    assertTrue(rnn.isClosed());
    JrnnException e = fails(() -> rnn.forward(null));
    assertEquals(JrnnException.Status.CLOSED, e.status());
    assertTrue(e.getMessage().endsWith(" is closed"), e.getMessage());
    assertTrue(view.isClosed(), "parameter views close with the layer");
    assertEquals(
        "tensor [9, 2] on cpu is closed (it is a view of a tensor that was closed)",
        fails(view::toArray).getMessage());
  }

  @Test
  void backwardChecksWhatItIsGiven() {
    try (Recurrent rnn = build(Cell.LSTM, 2, 3, 1, false, true, 1);
        Recurrent other = build(Cell.LSTM, 2, 3, 1, false, true, 1);
        Scope scope = Scope.open()) {
      SequenceBatch b = SequenceBatch.fromList(seqs(new float[2][2], new float[1][2]));
      RecurrentOutput inference = rnn.forward(b);
      assertEquals(
          "backward needs the output of forwardTrain, but trained came from forward (inference)",
          fails(() -> rnn.backward(inference, null, null, null)).getMessage());
      RecurrentOutput trained = rnn.forwardTrain(b, null);
      assertEquals(
          "trained is the output of another layer, not of this one",
          fails(() -> other.backward(trained, null, null, null)).getMessage());
      assertEquals(
          "dy must be [2, 2, 3] but is [2, 2, 4]",
          fails(() -> rnn.backward(trained, Tensor.zeros(2, 2, 4), null, null)).getMessage());
      assertEquals(
          "dhn must be [1, 2, 3] but is [2, 2, 3]",
          fails(() -> rnn.backward(trained, null, Tensor.zeros(2, 2, 3), null)).getMessage());
      trained.close();
      JrnnException e = fails(() -> rnn.backward(trained, null, null, null));
      assertEquals(JrnnException.Status.CLOSED, e.status());
      assertEquals(
          "trained (the output of forwardTrain) was closed before backward", e.getMessage());

      RecurrentOutput again = rnn.forwardTrain(b, null);
      b.close();
      assertEquals(
          "the input given to forwardTrain was closed before backward",
          fails(() -> rnn.backward(again, null, null, null)).getMessage());
    }
  }

  @Test
  void stepValidatesAndRefusesBidirectional() {
    try (Recurrent bi = build(Cell.GRU, 2, 3, 1, true, true, 1);
        Recurrent lstm = build(Cell.LSTM, 2, 3, 1, false, true, 1);
        Scope scope = Scope.open()) {
      Tensor x = Tensor.zeros(4, 2);
      JrnnException e = fails(() -> bi.step(x, RecurrentState.zeros(bi, 4)));
      assertEquals(JrnnException.Status.NOT_SUPPORTED, e.status());
      assertEquals(
          "step needs a unidirectional layer, but this one is bidirectional", e.getMessage());
      assertEquals(
          "x feature size 3 does not match the layer's inputSize 2",
          fails(() -> lstm.step(Tensor.zeros(4, 3), RecurrentState.zeros(lstm, 4))).getMessage());
      assertEquals(
          "x must be [N, 2] but is [4]",
          fails(() -> lstm.step(Tensor.zeros(4), RecurrentState.zeros(lstm, 4))).getMessage());
      assertEquals(
          "state.h must be [1, 4, 3] but is [1, 5, 3]",
          fails(() -> lstm.step(x, RecurrentState.zeros(lstm, 5))).getMessage());
      assertEquals(
          "state.c is null but an LSTM layer needs a cell state",
          fails(() -> lstm.step(x, RecurrentState.of(Tensor.zeros(1, 4, 3), null))).getMessage());
    }
  }

  @Test
  void deviceMismatchIsCaughtBeforeNativeCode() {
    Device gpu = Device.unchecked(Device.Type.CUDA, 0);
    assertEquals(
        "x is on cuda:0 but the layer is on cpu",
        fails(() -> Checks.sameDevice("x", gpu, "the layer", Device.cpu())).getMessage());
    Checks.sameDevice("x", Device.cpu(), "the layer", Device.cpu()); // no exception
  }

  @Test
  void passesFreeEverythingTheirScopeOwns() {
    Random rng = new Random(1);
    try (Recurrent rnn = build(Cell.LSTM, 3, 4, 2, true, true, 1)) {
      long before = Tensor.liveAllocations();
      try (Scope scope = Scope.open()) {
        SequenceBatch b = SequenceBatch.fromList(randomSequences(rng, 3, 3, 2));
        RecurrentOutput out = rnn.forwardTrain(b, RecurrentState.zeros(rnn, 2));
        rnn.backward(out, out.output(), out.hn(), out.cn());
        rnn.forward(b);
        assertTrue(Tensor.liveAllocations() > before);
      }
      assertEquals(before, Tensor.liveAllocations());
    }
  }

  @Test
  void outputBatchAndStateViewsDoNotOwn() {
    try (Recurrent rnn = build(Cell.GRU, 2, 3, 1, false, true, 1);
        Scope scope = Scope.open()) {
      RecurrentOutput out =
          rnn.forward(SequenceBatch.fromList(seqs(new float[3][2], new float[1][2])));
      SequenceBatch next = out.outputBatch();
      assertArrayEquals(new int[] {3, 1}, next.lengths());
      assertEquals(3, next.featureSize());
      next.close();
      assertFalse(out.output().isClosed());
      out.state().close();
      assertFalse(out.hn().isClosed());
      out.close();
      assertTrue(out.output().isClosed() && out.hn().isClosed());
    }
  }
}
