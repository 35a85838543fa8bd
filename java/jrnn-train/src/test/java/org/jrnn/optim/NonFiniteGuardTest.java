package org.jrnn.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.jrnn.JrnnException;
import org.jrnn.Scope;
import org.jrnn.Tensor;
import org.jrnn.nn.Parameter;
import org.junit.jupiter.api.Test;

class NonFiniteGuardTest {
  /** embedding -> rnn -> out, in model order (input to output). */
  static List<Parameter> model() {
    return List.of(
        new Parameter("embed.weight", Tensor.zeros(4, 2), Tensor.zeros(4, 2)),
        new Parameter("rnn.weight_hh_l0", Tensor.zeros(3, 2), Tensor.zeros(3, 2)),
        new Parameter("out.bias", Tensor.zeros(3), Tensor.zeros(3)));
  }

  static NonFiniteException fails(double loss, List<Parameter> ps, String located) {
    double norm = GradientClipping.globalNorm(ps);
    return assertThrows(
        NonFiniteException.class,
        () ->
            NonFiniteGuard.check(
                loss, norm, ps, 17, "epoch 2, batch 5", located == null ? null : () -> located));
  }

  @Test
  void finiteStepPasses() {
    try (Scope s = Scope.open()) {
      List<Parameter> ps = model();
      NonFiniteGuard.check(1.5, GradientClipping.globalNorm(ps), ps, 0, null, null);
    }
  }

  @Test
  void namesTheGradientClosestToTheLoss() {
    try (Scope s = Scope.open()) {
      List<Parameter> ps = model();
      ps.get(0).grad().set(Float.NaN, 3, 1);
      ps.get(1).grad().set(Float.POSITIVE_INFINITY, 2, 0);
      NonFiniteException e = fails(0.7, ps, "layer rnn, time step 12");
      assertEquals(NonFiniteException.Source.GRADIENT, e.source());
      assertEquals("rnn.weight_hh_l0", e.parameter());
      assertArrayEquals(new long[] {2, 0}, e.index());
      assertEquals(17, e.step());
      assertEquals(
          "non-finite gradient at step 17 (epoch 2, batch 5): it began at parameter"
              + " rnn.weight_hh_l0 [3, 2], whose gradient is Infinity at [2, 0] (also non-finite:"
              + " embed.weight); the loss is 0.7; layer rnn, time step 12",
          e.getMessage());
    }
  }

  @Test
  void namesAParameterThatOverflowed() {
    try (Scope s = Scope.open()) {
      List<Parameter> ps = model();
      ps.get(2).value().set(Float.NEGATIVE_INFINITY, 1);
      ps.get(0).grad().set(Float.NaN, 0, 0);
      NonFiniteException e = fails(Double.NaN, ps, null);
      assertEquals(NonFiniteException.Source.PARAMETER, e.source());
      assertEquals("out.bias", e.parameter());
      assertEquals(
          "non-finite value at step 17 (epoch 2, batch 5): parameter out.bias [3] holds -Infinity"
              + " at [1] (an earlier update overflowed; lower the learning rate or clip gradients);"
              + " the loss is NaN",
          e.getMessage());
    }
  }

  @Test
  void lossAloneBlamesTheForwardPass() {
    try (Scope s = Scope.open()) {
      List<Parameter> ps = model();
      NonFiniteException e = fails(Double.POSITIVE_INFINITY, ps, "layer out, time step 3");
      assertEquals(NonFiniteException.Source.LOSS, e.source());
      assertNull(e.parameter());
      assertEquals(
          "non-finite loss at step 17 (epoch 2, batch 5): the loss is Infinity while every"
              + " parameter and gradient is finite (the forward pass overflowed); layer out, time"
              + " step 3",
          e.getMessage());
    }
  }

  @Test
  void aNonFiniteInitialWeightIsNotBlamedOnAnUpdate() {
    try (Scope s = Scope.open()) {
      List<Parameter> ps = model();
      ps.get(1).value().set(Float.NaN, 2, 1);
      double norm = GradientClipping.globalNorm(ps);
      NonFiniteException e =
          assertThrows(
              NonFiniteException.class,
              () -> NonFiniteGuard.check(Double.NaN, norm, ps, 0, "epoch 1, batch 1", null));
      assertEquals(NonFiniteException.Source.PARAMETER, e.source());
      assertEquals(0, e.step());
      assertEquals(
          "non-finite value at step 0 (epoch 1, batch 1): parameter rnn.weight_hh_l0 [3, 2] holds"
              + " NaN at [2, 1] before the first update (the initial weights or a loaded checkpoint"
              + " hold it); the loss is NaN",
          e.getMessage());
    }
  }

  @Test
  void emptyParametersAndBadArguments() {
    try (Scope s = Scope.open()) {
      List<Parameter> ps = new ArrayList<>(model());
      ps.add(0, new Parameter("empty", Tensor.zeros(0), Tensor.zeros(0)));
      ps.get(3).grad().set(Float.NaN, 0);
      NonFiniteException e = fails(1.0, ps, null);
      assertEquals("out.bias", e.parameter());
      assertEquals(
          "non-finite guard: the parameter list is null",
          assertThrows(JrnnException.class, () -> NonFiniteGuard.check(1, 1, null, 0, null, null))
              .getMessage());
      assertEquals(
          "non-finite guard: step must be >= 0 but is -1",
          assertThrows(JrnnException.class, () -> NonFiniteGuard.check(1, 1, ps, -1, null, null))
              .getMessage());
      ps.get(2).value().close();
      JrnnException closed =
          assertThrows(JrnnException.class, () -> NonFiniteGuard.check(1, 1, ps, 3, null, null));
      assertEquals(JrnnException.Status.CLOSED, closed.status());
      assertEquals(
          "non-finite guard: the value of parameter rnn.weight_hh_l0 is closed",
          closed.getMessage());
    }
  }
}
