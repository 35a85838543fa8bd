/*
 * GradCheck: central finite differences of a model's loss against the gradients its backward
 * accumulated, on a spread of entries of every parameter.
 */
package org.jrnn.models;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.DoubleSupplier;
import org.jrnn.nn.Parameter;
import org.jrnn.nn.Trainable;

final class GradCheck {
  private GradCheck() {}

  /**
   * For up to {@code perParameter} entries of each parameter: (loss(θ+h) - loss(θ-h)) / 2h must
   * match the accumulated gradient within {@code absTol + relTol·|numeric|}. The gradients must
   * already hold one backward of the same loss; {@code loss} must not change them.
   */
  static void check(
      Trainable model,
      DoubleSupplier loss,
      int perParameter,
      double h,
      double absTol,
      double relTol) {
    int checked = 0;
    double largest = 0;
    for (Parameter p : model.parameters()) {
      float[] grad = p.grad().toArray();
      float[] value = p.value().toArray();
      int n = value.length;
      int stride = Math.max(1, n / perParameter);
      for (int i = (int) (n > perParameter ? 7 % stride : 0); i < n; i += stride) {
        float saved = value[i];
        value[i] = (float) (saved + h);
        p.value().copyFrom(value);
        double plus = loss.getAsDouble();
        value[i] = (float) (saved - h);
        p.value().copyFrom(value);
        double minus = loss.getAsDouble();
        value[i] = saved;
        p.value().copyFrom(value);
        double numeric = (plus - minus) / (2 * h);
        double diff = Math.abs(numeric - grad[i]);
        largest = Math.max(largest, Math.abs(numeric));
        assertTrue(
            diff <= absTol + relTol * Math.abs(numeric),
            p.name() + "[" + i + "]: backward " + grad[i] + " vs finite difference " + numeric);
        checked++;
      }
    }
    assertTrue(checked > 0, "no entries checked");
    assertTrue(
        largest > 10 * absTol, "all gradients are ~0: the check would not see a wrong backward");
  }
}
