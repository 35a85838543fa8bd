/*
 * NonFiniteGuardListener: stops training at the first NaN or infinite loss or gradient, before the
 * optimiser step spreads it into the parameters.
 */
package org.jrnn.train;

import org.jrnn.optim.NonFiniteGuard;

/**
 * Runs {@link NonFiniteGuard#check} before every update; its {@link
 * org.jrnn.optim.NonFiniteException} names the step, the epoch and batch, the first bad parameter
 * and, for a {@link NonFiniteLocator} task, where the forward pass became non-finite.
 */
final class NonFiniteGuardListener implements TrainingListener {

  @Override
  public void beforeUpdate(TrainingContext context, double loss, double gradientNorm) {
    NonFiniteGuard.check(
        loss,
        gradientNorm,
        context.parameters(),
        context.step(),
        "epoch " + (context.epoch() + 1) + ", batch " + (context.batchInEpoch() + 1),
        context.nonFiniteLocator);
  }
}
