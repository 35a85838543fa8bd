package org.jrnn.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.jrnn.JrnnException;
import org.jrnn.Scope;
import org.jrnn.Tensor;
import org.jrnn.nn.Parameter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Three optimiser steps against torch.optim (float32, torch 1.13; the same w0 and gradients as
 * native/tests/test_ops.cc test_optimisers), computed once with /usr/bin/python3:
 *
 * <pre>
 * w = torch.tensor([0.5, -1.25, 2.0], requires_grad=True); opt = torch.optim.X([w], ...)
 * for g in ([0.1, -0.3, 0.7], [-0.2, 0.05, 0.4], [0.3, 0.3, -0.6]): w.grad = torch.tensor(g); opt.step()
 * </pre>
 */
class OptimizerTest {
  static final float[] W0 = {0.5f, -1.25f, 2.0f};
  static final float[][] GRADS = {{0.1f, -0.3f, 0.7f}, {-0.2f, 0.05f, 0.4f}, {0.3f, 0.3f, -0.6f}};

  private final List<AutoCloseable> open = new ArrayList<>();

  @AfterEach
  void free() throws Exception {
    for (AutoCloseable c : open) {
      c.close();
    }
  }

  Parameter param(String name, float[] values) {
    Tensor v = Tensor.of(values);
    Tensor g = Tensor.zeros(values.length);
    open.add(v);
    open.add(g);
    return new Parameter(name, v, g);
  }

  float[] threeSteps(Function<List<Parameter>, Optimizer> make) {
    Parameter p = param("w", W0);
    try (Optimizer opt = make.apply(List.of(p))) {
      for (float[] g : GRADS) {
        p.grad().copyFrom(g);
        opt.step();
      }
      assertEquals(3, opt.stepCount());
    }
    return p.value().toArray();
  }

  static void close(float[] expected, float[] actual) {
    for (int i = 0; i < expected.length; i++) {
      assertEquals(expected[i], actual[i], 2e-6f, "element " + i);
    }
  }

  @Test
  void sgdMatchesTorch() {
    close(
        new float[] {0.479999989f, -1.255f, 1.95000005f}, threeSteps(Sgd.builder().lr(0.1)::build));
    close(
        new float[] {0.47811535f, -1.20130253f, 1.78339553f},
        threeSteps(ps -> Sgd.builder().lr(0.1).momentum(0.9).weightDecay(0.01).build(ps)));
    close(
        new float[] {0.46281001f, -1.21738005f, 1.76487005f},
        threeSteps(ps -> Sgd.builder().lr(0.1).momentum(0.9).nesterov(true).build(ps)));
  }

  @Test
  void adamAndAdamWMatchTorch() {
    close(
        new float[] {0.48532933f, -1.22891188f, 1.97549784f},
        threeSteps(
            ps -> Adam.builder().lr(0.01).betas(0.9, 0.999).eps(1e-8).weightDecay(0.1).build(ps)));
    close(
        new float[] {0.488868237f, -1.23381793f, 1.97348082f},
        threeSteps(
            ps -> AdamW.builder().lr(0.01).betas(0.8, 0.99).eps(1e-6).weightDecay(0.1).build(ps)));
    // PyTorch's defaults (AdamW: weight decay 0.01)
    close(
        new float[] {0.499022871f, -1.24861395f, 1.99784088f},
        threeSteps(ps -> Adam.builder().build(ps)));
    close(
        new float[] {0.499007851f, -1.2485764f, 1.9977808f},
        threeSteps(ps -> AdamW.builder().build(ps)));
  }

  @Test
  void rmspropMatchesTorch() {
    close(
        new float[] {0.3992576f, -1.20391774f, 1.89499843f},
        threeSteps(
            ps -> RmsProp.builder().lr(0.01).alpha(0.99).eps(1e-8).weightDecay(0.05).build(ps)));
    close(
        new float[] {0.461610913f, -1.22621214f, 1.94017565f},
        threeSteps(ps -> RmsProp.builder().lr(0.01).alpha(0.9).momentum(0.5).build(ps)));
  }

  @Test
  void stateIsAllocatedLazilyAndOutlivesScopes() {
    Parameter a = param("a", new float[] {1, 2});
    Parameter b = param("b", new float[] {3});
    try (Optimizer opt = Adam.builder().lr(0.1).build(List.of(a, b))) {
      assertTrue(opt.state().buffers().isEmpty());
      long before = Tensor.liveAllocations();
      try (Scope s = Scope.open()) {
        a.grad().copyFrom(new float[] {1, 1});
        opt.step(); // state made inside a scope must survive it
      }
      assertEquals(before + 4, Tensor.liveAllocations());
      assertEquals(
          List.of("a.exp_avg", "a.exp_avg_sq", "b.exp_avg", "b.exp_avg_sq"),
          List.copyOf(opt.state().buffers().keySet()));
      opt.step();
      assertEquals(2, opt.stepCount());
      opt.close();
      assertEquals(before, Tensor.liveAllocations());
    }
  }

  @Test
  void savedStateContinuesBitForBit() {
    for (Function<List<Parameter>, Optimizer> make :
        List.<Function<List<Parameter>, Optimizer>>of(
            ps -> Sgd.builder().lr(0.1).momentum(0.9).nesterov(true).build(ps),
            Adam.builder().lr(0.01)::build,
            AdamW.builder().lr(0.01)::build,
            ps -> RmsProp.builder().momentum(0.3).build(ps))) {
      Parameter p1 = param("w", W0);
      Parameter p2 = param("w", W0);
      try (Optimizer straight = make.apply(List.of(p1));
          Optimizer first = make.apply(List.of(p2))) {
        for (int s = 0; s < 2; s++) {
          p1.grad().copyFrom(GRADS[s]);
          straight.step();
          p2.grad().copyFrom(GRADS[s]);
          first.step();
        }
        OptimizerState saved = first.state();
        first.close();
        try (Optimizer second = make.apply(List.of(p2))) {
          second.setLearningRate(123); // restored by loadState
          second.loadState(saved);
          assertEquals(straight.learningRate(), second.learningRate());
          p1.grad().copyFrom(GRADS[2]);
          straight.step();
          p2.grad().copyFrom(GRADS[2]);
          second.step();
          assertArrayEquals(p1.value().toArray(), p2.value().toArray(), straight.name());
          assertEquals(3, second.stepCount());
        }
      }
    }
  }

  @Test
  void loadStateRejectsAnotherOptimizerOrShape() {
    Parameter p = param("w", W0);
    try (Optimizer adam = Adam.builder().lr(0.1).build(List.of(p));
        Optimizer sgd = Sgd.builder().lr(0.1).build(List.of(p))) {
      p.grad().copyFrom(GRADS[0]);
      adam.step();
      OptimizerState s = adam.state();
      assertEquals(
          "the saved optimizer state is adam, not sgd",
          assertThrows(JrnnException.class, () -> sgd.loadState(s)).getMessage());
      Parameter q = param("w", new float[] {1, 2});
      try (Optimizer other = Adam.builder().lr(0.1).build(List.of(q))) {
        assertEquals(
            "saved w.exp_avg has 3 values but the parameter has 2",
            assertThrows(JrnnException.class, () -> other.loadState(s)).getMessage());
      }
    }
  }

  @Test
  void badHyperparametersAreRefused() {
    Parameter p = param("w", W0);
    assertEquals(
        "Nesterov momentum needs momentum > 0",
        assertThrows(JrnnException.class, () -> Sgd.builder().nesterov(true).build(List.of(p)))
            .getMessage());
    assertThrows(JrnnException.class, () -> Sgd.builder().lr(-1).build(List.of(p)));
    assertThrows(JrnnException.class, () -> Adam.builder().betas(1.0, 0.9).build(List.of(p)));
    assertThrows(JrnnException.class, () -> RmsProp.builder().momentum(-0.1).build(List.of(p)));
    assertEquals(
        "parameter name 'w' appears twice",
        assertThrows(JrnnException.class, () -> Adam.builder().lr(0.1).build(List.of(p, p)))
            .getMessage());
  }

  @Test
  void buildersRefuseABadValueInTheSetterItself() {
    // as the model and layer builders do: the error points at the line that sets the value
    assertEquals(
        "learning rate must be >= 0 and at most 3.4028235E38 but is -1.0",
        message(() -> Adam.builder().lr(-1)));
    assertEquals(
        "beta2 must be in [0, 1) but is 1.0", message(() -> AdamW.builder().betas(0.9, 1.0)));
    assertEquals("momentum must be in [0, 1) but is 1.0", message(() -> Sgd.builder().momentum(1)));
    assertEquals("alpha must be in [0, 1) but is 1.5", message(() -> RmsProp.builder().alpha(1.5)));
    assertEquals(
        "weight decay must be >= 0 and at most 3.4028235E38 but is -1.0",
        message(() -> RmsProp.builder().weightDecay(-1)));
    assertEquals(
        "eps must be >= 0 and at most 3.4028235E38 but is NaN",
        message(() -> Adam.builder().eps(Double.NaN)));
  }

  static String message(org.junit.jupiter.api.function.Executable e) {
    return assertThrows(JrnnException.class, e).getMessage();
  }

  @Test
  void absurdHyperparametersAreRefusedWithTheirName() {
    Parameter p = param("w", W0);
    List<Parameter> ps = List.of(p);
    assertEquals(
        "learning rate must be >= 0 and at most 3.4028235E38 but is NaN",
        message(() -> Sgd.builder().lr(Double.NaN).build(ps)));
    assertEquals(
        "learning rate must be >= 0 and at most 3.4028235E38 but is 1.0E39",
        message(() -> Adam.builder().lr(1e39).build(ps))); // would be an infinite float
    assertEquals(
        "learning rate must be >= 0 and at most 3.4028235E38 but is Infinity",
        message(() -> RmsProp.builder().lr(Double.POSITIVE_INFINITY).build(ps)));
    assertEquals(
        "beta1 must be in [0, 1) but is -0.1",
        message(() -> Adam.builder().betas(-0.1, 0.9).build(ps)));
    assertEquals(
        "beta2 must be in [0, 1) but is 1.0",
        message(() -> AdamW.builder().betas(0.9, 1.0).build(ps)));
    assertEquals(
        "beta1 must be in [0, 1) but is NaN",
        message(() -> AdamW.builder().betas(Double.NaN, 0.9).build(ps)));
    assertEquals(
        "eps must be >= 0 and at most 3.4028235E38 but is -1.0E-8",
        message(() -> Adam.builder().eps(-1e-8).build(ps)));
    assertEquals(
        "eps must be >= 0 and at most 3.4028235E38 but is 1.0E300",
        message(() -> RmsProp.builder().eps(1e300).build(ps)));
    assertEquals(
        "weight decay must be >= 0 and at most 3.4028235E38 but is -0.01",
        message(() -> AdamW.builder().weightDecay(-0.01).build(ps)));
    assertEquals(
        "weight decay must be >= 0 and at most 3.4028235E38 but is NaN",
        message(() -> Sgd.builder().weightDecay(Double.NaN).build(ps)));
    assertEquals(
        "momentum must be in [0, 1) but is 1.0",
        message(() -> Sgd.builder().momentum(1).build(ps)));
    assertEquals(
        "alpha must be in [0, 1) but is -0.5",
        message(() -> RmsProp.builder().alpha(-0.5).build(ps)));
    assertEquals(
        "optimizer: the parameter list is null", message(() -> Adam.builder().lr(0.1).build(null)));
    List<Parameter> withNull = new ArrayList<>(ps);
    withNull.add(null);
    assertEquals(
        "optimizer: parameter 1 of the list is null", message(() -> Sgd.builder().build(withNull)));
    try (Optimizer opt = Sgd.builder().lr(0.1).build(ps)) {
      assertThrows(JrnnException.class, () -> opt.setLearningRate(-1));
      assertThrows(JrnnException.class, () -> opt.setLearningRate(Double.NaN));
      assertEquals(0.1, opt.learningRate());
    }
  }

  @Test
  void closedOptimizerThrowsClosed() {
    Parameter p = param("w", W0);
    Optimizer opt = Adam.builder().lr(0.1).build(List.of(p));
    p.grad().copyFrom(GRADS[0]);
    opt.step();
    OptimizerState saved = opt.state();
    opt.close();
    opt.close(); // idempotent
    for (org.junit.jupiter.api.function.Executable e :
        List.<org.junit.jupiter.api.function.Executable>of(
            opt::step, opt::state, () -> opt.loadState(saved), () -> opt.loadState(null))) {
      JrnnException x = assertThrows(JrnnException.class, e);
      assertEquals(JrnnException.Status.CLOSED, x.status());
      assertEquals("adam optimizer is closed", x.getMessage());
    }
  }

  @Test
  void stepWithAClosedParameterUpdatesNothing() {
    Parameter a = param("a", new float[] {1, 2});
    Parameter b = param("b", new float[] {3});
    try (Optimizer opt = Sgd.builder().lr(0.5).build(List.of(a, b))) {
      a.grad().copyFrom(new float[] {1, 1});
      b.grad().close();
      JrnnException e = assertThrows(JrnnException.class, opt::step);
      assertEquals(JrnnException.Status.CLOSED, e.status());
      assertEquals("sgd step: the gradient of parameter b is closed", e.getMessage());
      assertArrayEquals(new float[] {1, 2}, a.value().toArray());
      assertEquals(0, opt.stepCount());
    }
    Parameter c = param("c", new float[] {1});
    try (Optimizer opt = Sgd.builder().lr(0.5).build(List.of(c))) {
      c.value().close();
      assertEquals(
          "sgd step: the value of parameter c is closed",
          assertThrows(JrnnException.class, opt::step).getMessage());
    }
  }

  @Test
  void emptyParametersAreStepped() {
    Parameter e = param("e", new float[0]);
    Parameter w = param("w", W0);
    try (Optimizer opt = Adam.builder().lr(0.01).build(List.of(e, w))) {
      w.grad().copyFrom(GRADS[0]);
      opt.step();
      assertEquals(1, opt.stepCount());
      assertEquals(0, opt.state().buffers().get("e.exp_avg").length);
      assertTrue(w.value().toArray()[0] < W0[0]);
    }
  }

  @Test
  void loadStateRefusesNullAndGarbageAndChangesNothing() {
    Parameter p = param("w", W0);
    try (Optimizer adam = Adam.builder().lr(0.1).build(List.of(p))) {
      p.grad().copyFrom(GRADS[0]);
      adam.step();
      OptimizerState good = adam.state();
      float[] m = good.buffers().get("w.exp_avg");
      float[] v = good.buffers().get("w.exp_avg_sq");
      assertEquals("the optimizer state to load is null", message(() -> adam.loadState(null)));
      assertEquals(
          "the saved optimizer state's learning rate must be >= 0 and at most 3.4028235E38"
              + " but is NaN",
          message(
              () ->
                  adam.loadState(
                      new OptimizerState("adam", Double.NaN, good.steps(), good.buffers()))));
      assertEquals(
          "the saved optimizer state has an unknown buffer w.momentum",
          message(
              () ->
                  adam.loadState(
                      new OptimizerState(
                          "adam",
                          0.5,
                          good.steps(),
                          Map.of("w.exp_avg", m, "w.exp_avg_sq", v, "w.momentum", m)))));
      assertEquals(
          "the saved optimizer state lacks w.exp_avg",
          message(
              () ->
                  adam.loadState(
                      new OptimizerState("adam", 0.5, good.steps(), Map.of("w.exp_avg_sq", v)))));
      assertEquals(
          "the saved optimizer state has no entry for parameter w",
          message(() -> adam.loadState(new OptimizerState("adam", 0.5, Map.of(), good.buffers()))));
      assertEquals(
          "the saved optimizer state has an entry for an unknown parameter x",
          message(
              () ->
                  adam.loadState(
                      new OptimizerState("adam", 0.5, Map.of("w", 1L, "x", 1L), good.buffers()))));
      assertEquals(
          "the saved optimizer state has -3 steps for parameter w",
          message(
              () ->
                  adam.loadState(
                      new OptimizerState("adam", 0.5, Map.of("w", -3L), good.buffers()))));
      assertEquals(
          "the saved optimizer state has buffers but 0 steps for parameter w",
          message(
              () ->
                  adam.loadState(
                      new OptimizerState("adam", 0.5, Map.of("w", 0L), good.buffers()))));
      assertEquals(
          "the saved optimizer state has 4 steps but no buffers for parameter w",
          message(
              () -> adam.loadState(new OptimizerState("adam", 0.5, Map.of("w", 4L), Map.of()))));
      assertEquals(
          "saved w.exp_avg_sq has 2 values but the parameter has 3",
          message(
              () ->
                  adam.loadState(
                      new OptimizerState(
                          "adam",
                          0.5,
                          good.steps(),
                          Map.of("w.exp_avg", m, "w.exp_avg_sq", new float[2])))));
      String longName = "x".repeat(500);
      assertEquals(
          "the saved optimizer state is " + "x".repeat(200) + "... (500 characters), not adam",
          message(
              () ->
                  adam.loadState(new OptimizerState(longName, 0.5, good.steps(), good.buffers()))));
      // nothing was changed by the refused loads
      assertEquals(0.1, adam.learningRate());
      assertEquals(1, adam.stepCount());
      assertArrayEquals(m, adam.state().buffers().get("w.exp_avg"));
    }
  }

  @Test
  void optimizerStateRefusesNulls() {
    Map<String, Long> steps = Map.of("w", 1L);
    assertEquals(
        "optimizer state: the optimizer name is null",
        message(() -> new OptimizerState(null, 0.1, steps, Map.of())));
    assertEquals(
        "optimizer state: steps is null",
        message(() -> new OptimizerState("adam", 0.1, null, Map.of())));
    assertEquals(
        "optimizer state: buffers is null",
        message(() -> new OptimizerState("adam", 0.1, steps, null)));
    Map<String, float[]> nullValue = new HashMap<>();
    nullValue.put("w.exp_avg", null);
    assertEquals(
        "optimizer state: buffers of w.exp_avg is null",
        message(() -> new OptimizerState("adam", 0.1, steps, nullValue)));
    Map<String, Long> nullKey = new HashMap<>();
    nullKey.put(null, 1L);
    assertEquals(
        "optimizer state: steps has a null name",
        message(() -> new OptimizerState("adam", 0.1, nullKey, Map.of())));
  }
}
