package org.jrnn.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.jrnn.JrnnException;
import org.jrnn.Scope;
import org.jrnn.Tensor;
import org.jrnn.nn.Parameter;
import org.junit.jupiter.api.Test;

/** Clipping against torch.nn.utils.clip_grad_norm_ / clip_grad_value_ (torch 1.13). */
class GradientClippingTest {
  static List<Parameter> params() {
    Parameter a = new Parameter("a", Tensor.zeros(2), Tensor.of(new float[] {3, -4}));
    Parameter b = new Parameter("b", Tensor.zeros(1, 1), Tensor.of(new float[] {12}, 1, 1));
    return List.of(a, b);
  }

  @Test
  void byNormMatchesClipGradNorm() {
    try (Scope s = Scope.open()) {
      List<Parameter> ps = params();
      // clip_grad_norm_([a, b], 1.0) returns 13 and leaves [0.23076921701431274, -0.307692289352417], [[0.923076868057251]]
      assertEquals(13.0, GradientClipping.byNorm(1.0).apply(ps), 1e-12);
      assertArrayEquals(new float[] {0.23076921701431274f, -0.307692289352417f}, ps.get(0).grad().toArray(), 1e-7f);
      assertArrayEquals(new float[] {0.923076868057251f}, ps.get(1).grad().toArray(), 1e-7f);
      assertEquals(1.0, GradientClipping.globalNorm(ps), 1e-6);
    }
  }

  @Test
  void byNormLeavesSmallGradients() {
    try (Scope s = Scope.open()) {
      List<Parameter> ps = params();
      assertEquals(13.0, GradientClipping.clipByNorm(ps, 20.0), 1e-12);
      assertArrayEquals(new float[] {3, -4}, ps.get(0).grad().toArray());
    }
  }

  @Test
  void byValueMatchesClipGradValue() {
    try (Scope s = Scope.open()) {
      List<Parameter> ps = params();
      assertEquals(13.0, GradientClipping.clipByValue(ps, 3.5), 1e-12); // the norm before clipping
      assertArrayEquals(new float[] {3.0f, -3.5f}, ps.get(0).grad().toArray());
      assertArrayEquals(new float[] {3.5f}, ps.get(1).grad().toArray());
    }
  }

  @Test
  void noneAndNonFiniteChangeNothing() {
    try (Scope s = Scope.open()) {
      List<Parameter> ps = params();
      assertEquals(13.0, GradientClipping.none().apply(ps), 1e-12);
      ps.get(0).grad().set(Float.NaN, 1);
      assertTrue(Double.isNaN(GradientClipping.byNorm(1).apply(ps)));
      assertArrayEquals(new float[] {12}, ps.get(1).grad().toArray());
      assertThrows(JrnnException.class, () -> GradientClipping.byNorm(0));
      assertThrows(JrnnException.class, () -> GradientClipping.byValue(Double.NaN));
    }
  }
}
