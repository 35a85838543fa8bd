/*
 * NonFiniteGuard: checks the loss and the gradients after each backward pass and stops training
 * with a NonFiniteException naming where a NaN or infinity began.
 */
package org.jrnn.optim;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;
import org.jrnn.JrnnException;
import org.jrnn.Ops;
import org.jrnn.nn.Parameter;

/**
 * The NaN/Inf guard of the training loop. {@link #check} costs nothing beyond the global gradient
 * norm (which clipping computes anyway) while everything is finite; otherwise it looks for the
 * origin and throws a {@link NonFiniteException}:
 *
 * <ol>
 *   <li>a parameter whose <em>value</em> is not finite (at step 0 the initial weights or a loaded
 *       checkpoint held it, later an earlier update overflowed): the first such parameter in model
 *       order;
 *   <li>else a non-finite <em>gradient</em>: backward runs from the loss towards the inputs, and
 *       modules list their parameters from input to output, so the origin is the non-finite
 *       gradient closest to the loss, the <em>last</em> one in model order; the others are listed;
 *   <li>else the loss alone (the forward pass overflowed).
 * </ol>
 *
 * A task that can find the layer and time step where its forward pass first produced a non-finite
 * activation contributes that through {@code locator} (see {@code
 * org.jrnn.train.NonFiniteLocator}).
 */
public final class NonFiniteGuard {
  private static final String BEFORE_FIRST_UPDATE =
      " before the first update (the initial weights or a loaded checkpoint hold it)";
  private static final String AFTER_AN_UPDATE =
      " (an earlier update overflowed; lower the learning rate or clip gradients)";

  private NonFiniteGuard() {}

  /**
   * Throws when {@code loss} or {@code gradientNorm} is not finite.
   *
   * @param loss the step's mean loss
   * @param gradientNorm the global gradient norm of {@code params} (NaN/Inf when a gradient is)
   * @param params the model's parameters, in model order
   * @param step the 0-based optimisation step, {@code >= 0}: the number of updates made so far (for
   *     the message; 0 means the parameters were never updated)
   * @param context e.g. "epoch 3, batch 17" (for the message), or null
   * @param locator the task's account of where the forward pass became non-finite (may return
   *     null), or null
   */
  public static void check(
      double loss,
      double gradientNorm,
      List<Parameter> params,
      long step,
      String context,
      Supplier<String> locator) {
    Optimizer.checkParameters("non-finite guard", params, true);
    if (step < 0) {
      throw new JrnnException("non-finite guard: step must be >= 0 but is " + step);
    }
    if (Double.isFinite(loss) && Double.isFinite(gradientNorm)) {
      return;
    }
    String where = " at step " + step + (context == null ? "" : " (" + context + ")");
    String lossText = "the loss is " + loss;
    // 1. a non-finite parameter value
    for (Parameter p : params) {
      long bad = p.value().numel() == 0 ? -1 : Ops.firstNonFinite(p.value());
      if (bad >= 0) {
        long[] idx = unravel(bad, p.value().shape());
        throw new NonFiniteException(
            "non-finite value"
                + where
                + ": parameter "
                + p.name()
                + " "
                + Arrays.toString(p.value().shape())
                + " holds "
                + p.value().get(idx)
                + " at "
                + Arrays.toString(idx)
                + (step == 0 ? BEFORE_FIRST_UPDATE : AFTER_AN_UPDATE)
                + "; "
                + lossText
                + locate(locator),
            NonFiniteException.Source.PARAMETER,
            p.name(),
            idx,
            step);
      }
    }
    // 2. a non-finite gradient: the origin is the one closest to the loss
    List<String> badNames = new ArrayList<>();
    Parameter origin = null;
    long originBad = -1;
    for (Parameter p : params) {
      long bad = p.grad().numel() == 0 ? -1 : Ops.firstNonFinite(p.grad());
      if (bad >= 0) {
        badNames.add(p.name());
        origin = p;
        originBad = bad;
      }
    }
    if (origin != null) {
      long[] idx = unravel(originBad, origin.grad().shape());
      List<String> others = new ArrayList<>(badNames);
      others.remove(origin.name());
      throw new NonFiniteException(
          "non-finite gradient"
              + where
              + ": it began at parameter "
              + origin.name()
              + " "
              + Arrays.toString(origin.grad().shape())
              + ", whose gradient is "
              + origin.grad().get(idx)
              + " at "
              + Arrays.toString(idx)
              + (others.isEmpty() ? "" : " (also non-finite: " + String.join(", ", others) + ")")
              + "; "
              + lossText
              + locate(locator),
          NonFiniteException.Source.GRADIENT,
          origin.name(),
          idx,
          step);
    }
    // 3. the loss alone
    throw new NonFiniteException(
        "non-finite loss"
            + where
            + ": "
            + lossText
            + " while every parameter and gradient is finite (the forward pass overflowed)"
            + locate(locator),
        NonFiniteException.Source.LOSS,
        null,
        null,
        step);
  }

  /**
   * The multi-index of flat (row-major) element {@code flat} of a tensor of shape {@code shape}.
   */
  static long[] unravel(long flat, long[] shape) {
    long[] idx = new long[shape.length];
    for (int i = shape.length - 1; i >= 0; i--) {
      long d = shape[i];
      idx[i] = d == 0 ? 0 : flat % d;
      flat = d == 0 ? 0 : flat / d;
    }
    return idx;
  }

  private static String locate(Supplier<String> locator) {
    if (locator == null) {
      return "";
    }
    try {
      String s = locator.get();
      return s == null || s.isEmpty() ? "" : "; " + s;
    } catch (RuntimeException e) {
      return "";
    }
  }
}
