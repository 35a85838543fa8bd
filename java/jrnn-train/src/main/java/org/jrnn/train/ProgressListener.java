/*
 * ProgressListener: a progress bar per epoch (redrawn in place on a terminal, plain lines every 10%
 * otherwise), or a status line every so often when the output is not a terminal.
 */
package org.jrnn.train;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;

/** Shows the epoch's progress, mean training loss and learning rate on {@code out}. */
final class ProgressListener implements TrainingListener, AutoCloseable {
  private final PrintStream out;
  private final Boolean interactive;
  private final Duration statusEvery;
  private ProgressBar bar;
  private long lastStatusNanos;

  /**
   * @param interactive true: a bar redrawn in place; false: plain lines every 10%; null: a bar on a
   *     terminal, otherwise a status line every {@code statusEvery} (null: never)
   */
  ProgressListener(PrintStream out, Boolean interactive, Duration statusEvery) {
    this.out = out;
    this.interactive = interactive;
    this.statusEvery = statusEvery;
  }

  @Override
  public void onEpochStart(TrainingContext context) {
    // not a terminal, and the caller did not choose: status lines instead of a bar
    if (interactive != null || System.console() != null) {
      String label = TextLogListener.epochLabel(context.epoch(), context.plannedEpochs());
      bar =
          new ProgressBar(
              label, context.batchesPerEpoch(), out, interactive != null ? interactive : true);
      bar.set(context.batchInEpoch());
    }
    lastStatusNanos = System.nanoTime();
  }

  @Override
  public void afterUpdate(TrainingContext context) {
    if (bar != null) {
      bar.metric("loss", context.epochLossCount == 0 ? 0 : context.epochTrainLoss());
      bar.metric("lr", String.format(Locale.ROOT, "%.2e", context.learningRate()));
      bar.set(context.batchInEpoch());
    } else if (statusEvery != null
        && System.nanoTime() - lastStatusNanos >= statusEvery.toNanos()) {
      lastStatusNanos = System.nanoTime();
      out.println(
          String.format(
              Locale.ROOT,
              "%s: batch %d/%d, step %d, train loss %.4f, %.1f s",
              TextLogListener.epochLabel(context.epoch(), context.plannedEpochs()),
              context.batchInEpoch(),
              context.batchesPerEpoch(),
              context.step(),
              context.epochTrainLoss(),
              context.trainSeconds()));
      out.flush();
    }
  }

  @Override
  public void onEpochEnd(TrainingContext context, EpochSummary epoch) {
    close();
  }

  /** Ends the bar's line (also when training failed). */
  @Override
  public void close() {
    if (bar != null) {
      bar.close();
      bar = null;
    }
  }
}
