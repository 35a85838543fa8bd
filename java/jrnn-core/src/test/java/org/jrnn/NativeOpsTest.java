/*
 * NativeOpsTest: each training op bound in org.jrnn.Native once, on a hand-computed case,
 * so a wrong argument order in the binding fails here (numerics are tested natively).
 *   mvn -B test -Dtest=NativeOpsTest
 */
package org.jrnn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class NativeOpsTest {
  private static final float TOL = 1e-6f;
  private final NativeContext ctx = Device.cpu().context();
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
    assertEquals(baseline, Tensor.liveAllocations());
  }

  static Tensor t(float... v) {
    return Tensor.of(v);
  }

  /** An int32 buffer in device memory holding {@code v}; freed by the caller. */
  NativeMemory ints(int... v) {
    NativeMemory m = new NativeMemory(Device.cpu(), 4L * v.length, "ids");
    Native.copyIntsFromHost(ctx, m.address, v, v.length);
    return m;
  }

  @Test
  void intCopiesRoundTrip() {
    NativeMemory m = ints(3, -1, 7);
    try {
      int[] back = new int[3];
      Native.copyIntsToHost(ctx, back, m.address, 3);
      assertArrayEquals(new int[] {3, -1, 7}, back);
    } finally {
      m.free();
    }
  }

  @Test
  void linear() {
    Tensor x = t(1, 2, 3, 4, 5, 6);
    Tensor w = t(1, 0, -1, 0.5f, 0.5f, 0.5f);
    Tensor b = t(0.1f, -0.1f);
    Tensor y = Tensor.zeros(4);
    Native.linearForward(ctx, 2, 3, 2, x.address(), w.address(), b.address(), y.address());
    assertArrayEquals(new float[] {-1.9f, 2.9f, -1.9f, 7.4f}, y.toArray(), 1e-5f);
    Tensor dy = t(1, 0, 0, 1);
    Tensor dx = Tensor.zeros(6);
    Tensor dw = Tensor.zeros(6);
    Tensor db = Tensor.zeros(2);
    Native.linearBackward(
        ctx,
        2,
        3,
        2,
        x.address(),
        w.address(),
        dy.address(),
        dx.address(),
        dw.address(),
        db.address());
    assertArrayEquals(new float[] {1, 0, -1, 0.5f, 0.5f, 0.5f}, dx.toArray(), TOL);
    assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, dw.toArray(), TOL);
    assertArrayEquals(new float[] {1, 1}, db.toArray(), TOL);
  }

  @Test
  void embedding() {
    Tensor table = t(1, 2, 3, 4, 5, 6);
    Tensor y = Tensor.zeros(6);
    NativeMemory ids = ints(2, -1, 0);
    NativeMemory bad = ints(0, 3);
    try {
      Native.embeddingForward(ctx, 3, 3, 2, ids.address, table.address(), y.address());
      assertArrayEquals(new float[] {5, 6, 0, 0, 1, 2}, y.toArray());
      Tensor dtable = Tensor.zeros(6);
      Native.embeddingBackward(
          ctx, 3, 3, 2, ids.address, t(1, 1, 2, 2, 3, 3).address(), dtable.address());
      assertArrayEquals(new float[] {3, 3, 0, 0, 1, 1}, dtable.toArray());
      JrnnException e =
          assertThrows(
              JrnnException.class,
              () ->
                  Native.embeddingForward(ctx, 2, 3, 2, bad.address, table.address(), y.address()));
      assertEquals(JrnnException.Status.INVALID_ARGUMENT, e.status());
      assertTrue(!e.getMessage().isEmpty());
    } finally {
      ids.free();
      bad.free();
    }
  }

  @Test
  void softmaxAndCrossEntropy() {
    float ln3 = (float) Math.log(3);
    Tensor x = t(0, ln3);
    Tensor y = Tensor.zeros(2);
    Native.softmax(ctx, 1, 2, x.address(), false, y.address());
    assertArrayEquals(new float[] {0.25f, 0.75f}, y.toArray(), TOL);
    Native.softmax(ctx, 1, 2, x.address(), true, y.address());
    assertArrayEquals(
        new float[] {(float) Math.log(0.25), (float) Math.log(0.75)}, y.toArray(), 1e-5f);

    Tensor logits = t(0, ln3, 5, 5);
    NativeMemory targets = ints(1, -1);
    try {
      Tensor loss = Tensor.zeros(2);
      Tensor dlogits = Tensor.zeros(4);
      Native.softmaxCrossEntropy(
          ctx, 2, 2, logits.address(), targets.address, 0f, 1f, loss.address(), dlogits.address());
      assertArrayEquals(new float[] {(float) -Math.log(0.75), 0}, loss.toArray(), 1e-5f);
      assertArrayEquals(new float[] {0.25f, -0.25f, 0, 0}, dlogits.toArray(), 1e-5f);
    } finally {
      targets.free();
    }
  }

  @Test
  void binaryCrossEntropyAndMse() {
    Tensor loss = Tensor.zeros(1);
    Tensor dz = Tensor.zeros(1);
    Native.bceWithLogits(
        ctx, 1, t(0).address(), t(1).address(), 0, 1f, loss.address(), dz.address());
    assertEquals((float) Math.log(2), loss.get(0), 1e-6f);
    assertEquals(-0.5f, dz.get(0), TOL);

    Tensor mloss = Tensor.zeros(1);
    Tensor dp = Tensor.zeros(2);
    Native.mse(
        ctx, 1, 2, t(1, 2).address(), t(0, 0).address(), 0, 1f, mloss.address(), dp.address());
    assertEquals(5f, mloss.get(0), TOL);
    assertArrayEquals(new float[] {2, 4}, dp.toArray(), TOL);
  }

  @Test
  void dropoutIsRepeatableAndScaled() {
    float[] ones = new float[64];
    java.util.Arrays.fill(ones, 1f);
    Tensor x = Tensor.of(ones);
    Tensor a = Tensor.zeros(64);
    Tensor b = Tensor.zeros(64);
    Native.dropout(ctx, 64, 0f, 5, x.address(), a.address());
    assertArrayEquals(ones, a.toArray());
    Native.dropout(ctx, 64, 0.5f, 5, x.address(), a.address());
    Native.dropout(ctx, 64, 0.5f, 5, x.address(), b.address());
    assertArrayEquals(a.toArray(), b.toArray(), "same seed, same mask");
    int kept = 0;
    for (float v : a.toArray()) {
      assertTrue(v == 0f || v == 2f, "kept values are scaled by 1/(1-p): " + v);
      kept += v != 0 ? 1 : 0;
    }
    assertTrue(kept > 0 && kept < 64);
  }

  @Test
  void gatherLast() {
    Tensor y = t(1, 2, 3, 4, 5, 6); // [T=3, N=2, F=1]
    Tensor out = Tensor.zeros(2);
    Native.gatherLast(ctx, 3, 2, 1, new int[] {3, 1}, y.address(), out.address());
    assertArrayEquals(new float[] {5, 2}, out.toArray());
    Tensor dy = Tensor.zeros(6);
    Native.gatherLastBackward(ctx, 3, 2, 1, new int[] {3, 1}, t(1, 7).address(), dy.address());
    assertArrayEquals(new float[] {0, 7, 0, 0, 1, 0}, dy.toArray());
  }

  @Test
  void reductionsAndElementwise() {
    assertEquals(14.0, Native.sumSquares(ctx, 3, t(1, 2, 3).address()), 1e-9);
    assertEquals(-1, Native.firstNonFinite(ctx, 2, t(1, 2).address()));
    assertEquals(
        1, Native.firstNonFinite(ctx, 3, t(1, Float.NaN, Float.POSITIVE_INFINITY).address()));
    Tensor s = t(1, 2);
    Native.scale(ctx, 2, 3f, s.address());
    assertArrayEquals(new float[] {3, 6}, s.toArray());
    Tensor c = t(-5, 0.5f, 5);
    Native.clipValues(ctx, 3, 1f, c.address());
    assertArrayEquals(new float[] {-1, 0.5f, 1}, c.toArray());
    Tensor yy = t(1, 1);
    Native.axpy(ctx, 2, 2f, t(1, 2).address(), yy.address());
    assertArrayEquals(new float[] {3, 5}, yy.toArray());
  }

  @Test
  void optimiserUpdates() {
    Tensor w = t(1);
    Tensor g = t(0.5f);
    Native.sgdUpdate(ctx, 1, w.address(), g.address(), 0, 0.1f, 0f, 0f, false, 1);
    assertEquals(0.95f, w.get(0), TOL);
    Tensor buf = Tensor.zeros(1);
    Native.sgdUpdate(ctx, 1, w.address(), g.address(), buf.address(), 0.1f, 0.9f, 0f, false, 1);
    assertEquals(0.9f, w.get(0), TOL);
    assertEquals(0.5f, buf.get(0), TOL);

    Tensor wa = t(1);
    Tensor m = Tensor.zeros(1);
    Tensor v = Tensor.zeros(1);
    Native.adamUpdate(
        ctx,
        1,
        wa.address(),
        g.address(),
        m.address(),
        v.address(),
        0.1f,
        0.9f,
        0.999f,
        1e-8f,
        0f,
        false,
        1);
    assertEquals(0.9f, wa.get(0), 1e-6f);
    assertEquals(0.05f, m.get(0), TOL);
    assertEquals(0.00025f, v.get(0), 1e-8f);

    Tensor wr = t(1);
    Tensor sq = Tensor.zeros(1);
    Native.rmspropUpdate(
        ctx, 1, wr.address(), g.address(), sq.address(), 0, 0.1f, 0.99f, 0f, 0f, 0f);
    assertEquals(0.0025f, sq.get(0), 1e-8f);
    assertEquals(0f, wr.get(0), 1e-6f);
  }
}
