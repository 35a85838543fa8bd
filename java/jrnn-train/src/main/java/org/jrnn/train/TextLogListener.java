/*
 * TextLogListener: one line per epoch (train loss, validation metrics, step, learning rate,
 * gradient norm, seconds), e.g. to System.err.
 */
package org.jrnn.train;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;

/**
 * Prints {@code epoch 3/10: train loss 0.4319, valid loss 0.2608 rmse 0.5107, step 28, lr 5.00e-02,
 * grad norm 0.317, 1.2 s}.
 */
final class TextLogListener implements TrainingListener {
  private final PrintStream out;

  TextLogListener(PrintStream out) {
    this.out = out;
  }

  @Override
  public void onEpochEnd(TrainingContext context, EpochSummary epoch) {
    StringBuilder sb = new StringBuilder(epochLabel(epoch.epoch(), context.plannedEpochs()));
    sb.append(String.format(Locale.ROOT, ": train loss %.4f", epoch.trainLoss()));
    if (!epoch.validation().isEmpty()) {
      sb.append(", valid");
      for (Map.Entry<String, Double> e : epoch.validation().entrySet()) {
        sb.append(String.format(Locale.ROOT, " %s %.4f", e.getKey(), e.getValue()));
      }
    }
    sb.append(
        String.format(
            Locale.ROOT,
            ", step %d, lr %.2e, grad norm %.3g, %.1f s",
            context.step(),
            context.learningRate(),
            context.lastGradientNorm(),
            context.trainSeconds()));
    out.println(sb);
    out.flush();
  }

  /** {@code epoch 3/10}, or {@code epoch 3} without an epoch limit (epoch 0-based). */
  static String epochLabel(int epoch, int plannedEpochs) {
    return plannedEpochs > 0
        ? "epoch " + (epoch + 1) + "/" + plannedEpochs
        : "epoch " + (epoch + 1);
  }
}
