/*
 * TinyAdam: a minimal Adam over a module's parameters for the models' tests (the real optimisers
 * live in org.jrnn.optim); state per parameter tensor, forgotten between tests.
 */
package org.jrnn.models;

import java.util.IdentityHashMap;
import java.util.Map;
import org.jrnn.OptimizerKernels;
import org.jrnn.Tensor;
import org.jrnn.nn.Parameter;
import org.jrnn.nn.Trainable;

final class TinyAdam {
  private static final Map<Tensor, Tensor[]> STATE = new IdentityHashMap<>();

  private TinyAdam() {}

  static void step(Trainable model, float lr, long step) {
    for (Parameter p : model.parameters()) {
      Tensor[] mv =
          STATE.computeIfAbsent(
              p.value(),
              v ->
                  new Tensor[] {
                    Tensor.zeros(v.device(), v.shape()).keep(),
                    Tensor.zeros(v.device(), v.shape()).keep()
                  });
      OptimizerKernels.adamUpdate(
          p.value(), p.grad(), mv[0], mv[1], lr, 0.9f, 0.999f, 1e-8f, 0f, false, step);
    }
  }

  static void forget() {
    STATE
        .values()
        .forEach(
            mv -> {
              mv[0].close();
              mv[1].close();
            });
    STATE.clear();
  }
}
