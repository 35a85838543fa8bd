package org.jrnn.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
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
      // clip_grad_norm_([a, b], 1.0) returns 13 and leaves [0.23076921701431274,
      // -0.307692289352417], [[0.923076868057251]]
      assertEquals(13.0, GradientClipping.byNorm(1.0).apply(ps), 1e-12);
      assertArrayEquals(
          new float[] {0.23076921701431274f, -0.307692289352417f},
          ps.get(0).grad().toArray(),
          1e-7f);
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

  /** Gradients whose norm is above 8.5e37: the factor 1/norm is not a normal float. */
  @Test
  void byNormScalesHugeGradients() {
    for (float big : new float[] {1e38f, 3e38f}) {
      try (Scope s = Scope.open()) {
        float[] a = {big, -big / 2, big / 4};
        float[] b = {-big};
        Parameter pa = new Parameter("a", Tensor.zeros(3), Tensor.of(a));
        Parameter pb = new Parameter("b", Tensor.zeros(1), Tensor.of(b));
        List<Parameter> ps = List.of(pa, pb);
        double norm = Math.sqrt(1 + 0.25 + 1.0 / 16 + 1) * big; // 3e38: above Float.MAX_VALUE
        assertEquals(norm, GradientClipping.byNorm(1.0).apply(ps), norm * 1e-12);
        float[] ca = pa.grad().toArray();
        float[] cb = pb.grad().toArray();
        for (int i = 0; i < 3; i++) {
          assertEquals(
              a[i] / norm, ca[i], Math.abs(a[i] / norm) * 1e-6, "a[" + i + "], big " + big);
        }
        assertEquals(b[0] / norm, cb[0], Math.abs(b[0] / norm) * 1e-6, "b, big " + big);
        assertEquals(1.0, GradientClipping.globalNorm(ps), 1e-6, "big " + big);
      }
    }
  }

  /** Factors down to 1e-70 still give normal floats for gradients near Float.MAX_VALUE. */
  @Test
  void clipToNormAppliesFactorsFarBelowTheFloatRange() {
    for (double norm : new double[] {1e50, 1e70}) { // one and two passes of 2^-100 first
      try (Scope s = Scope.open()) {
        float[] g = {3e38f, -1e38f};
        Parameter p = new Parameter("p", Tensor.zeros(2), Tensor.of(g));
        double coef = GradientClipping.clipToNorm(List.of(p), norm, 1.0);
        assertEquals(1.0 / (norm + 1e-6), coef, 0.0);
        float[] c = p.grad().toArray();
        for (int i = 0; i < 2; i++) {
          assertEquals(
              g[i] * coef, c[i], Math.abs(g[i] * coef) * 1e-6, "element " + i + ", norm " + norm);
        }
      }
    }
  }

  @Test
  void byValueClampsEvenWhenAGradientIsNotFinite() {
    try (Scope s = Scope.open()) {
      Parameter a =
          new Parameter(
              "a",
              Tensor.zeros(5),
              Tensor.of(
                  new float[] {
                    Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 7, -0.5f
                  }));
      Parameter b = new Parameter("b", Tensor.zeros(2), Tensor.of(new float[] {-9, 2}));
      List<Parameter> ps = List.of(a, b);
      assertTrue(Double.isNaN(GradientClipping.clipByValue(ps, 3.0)));
      float[] ga = a.grad().toArray();
      assertTrue(Float.isNaN(ga[0]), "NaN stays NaN (torch.clamp)");
      assertArrayEquals(new float[] {3, -3, 3, -0.5f}, new float[] {ga[1], ga[2], ga[3], ga[4]});
      assertArrayEquals(new float[] {-3, 2}, b.grad().toArray());
      // an infinite (not NaN) norm is clamped the same way
      a.grad().copyFrom(new float[] {Float.POSITIVE_INFINITY, 1, 1, 1, 1});
      assertEquals(Double.POSITIVE_INFINITY, GradientClipping.byValue(0.5).apply(ps));
      assertArrayEquals(new float[] {0.5f, 0.5f, 0.5f, 0.5f, 0.5f}, a.grad().toArray());
    }
  }

  @Test
  void emptyParametersAreSkipped() {
    try (Scope s = Scope.open()) {
      Parameter e = new Parameter("empty", Tensor.zeros(0), Tensor.zeros(0));
      List<Parameter> ps = List.of(e, params().get(0));
      assertEquals(5.0, GradientClipping.byNorm(1.0).apply(ps), 1e-12);
      assertEquals(1.0, GradientClipping.globalNorm(ps), 1e-6);
      assertEquals(1.0, GradientClipping.byValue(0.5).apply(ps), 1e-6);
    }
  }

  @Test
  void absurdArgumentsAreRefused() {
    try (Scope s = Scope.open()) {
      List<Parameter> ps = params();
      assertEquals(
          "clipping limit must be in [1.17549435E-38, 3.4028234663852886E38] but is 1.0E-50",
          assertThrows(JrnnException.class, () -> GradientClipping.byValue(1e-50)).getMessage());
      assertThrows(JrnnException.class, () -> GradientClipping.byValue(1e39));
      assertThrows(JrnnException.class, () -> GradientClipping.byNorm(-1));
      assertThrows(JrnnException.class, () -> GradientClipping.byNorm(Double.POSITIVE_INFINITY));
      assertEquals(
          1e39, GradientClipping.byNorm(1e39).limit()); // a norm may exceed the float range
      assertEquals(
          "global norm: the parameter list is null",
          assertThrows(JrnnException.class, () -> GradientClipping.byNorm(1).apply(null))
              .getMessage());
      List<Parameter> withNull = new ArrayList<>(ps);
      withNull.add(null);
      assertEquals(
          "global norm: parameter 2 of the list is null",
          assertThrows(JrnnException.class, () -> GradientClipping.globalNorm(withNull))
              .getMessage());
      assertEquals(
          "gradient clipping: the global norm must be >= 0 but is -1.0",
          assertThrows(JrnnException.class, () -> GradientClipping.byNorm(1).apply(ps, -1))
              .getMessage());
      assertThrows(JrnnException.class, () -> GradientClipping.clipToNorm(ps, Double.NaN, 1));
      assertThrows(JrnnException.class, () -> GradientClipping.clipToNorm(ps, 13, 0));
      assertArrayEquals(new float[] {3, -4}, ps.get(0).grad().toArray()); // nothing was changed
      ps.get(1).grad().close();
      JrnnException closed =
          assertThrows(JrnnException.class, () -> GradientClipping.byValue(1).apply(ps, 13));
      assertEquals(JrnnException.Status.CLOSED, closed.status());
      assertEquals("gradient clipping: the gradient of parameter b is closed", closed.getMessage());
      assertArrayEquals(new float[] {3, -4}, ps.get(0).grad().toArray());
    }
  }
}
