/*
 * CheckpointListener: atomic checkpoints at epoch ends, every n steps and at the end of training,
 * and the resume of a run from its checkpoint.
 */
package org.jrnn.train;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.jrnn.JrnnException;
import org.jrnn.internal.Quote;
import org.jrnn.io.AtomicFiles;

/**
 * Writes a {@link Checkpoint} (parameters, optimiser state, the run's position and counters, the
 * metrics log's position, the best parameters, the task's {@link ResumableTask} state) at the end
 * of every epoch (also the partial last one) and every {@code every} steps. {@link #prepare}
 * resumes a run from it before the listeners start.
 */
final class CheckpointListener implements TrainingListener {
  private final Path path;
  private final long every;
  private final MetricsLogListener metricsLog;
  private final RestoreBestListener restoreBest;
  private boolean taskStateRestored;

  /**
   * @param every also checkpoint every this many steps (0: at epoch ends only)
   * @param metricsLog the run's metrics log, whose position each checkpoint records, or null
   * @param restoreBest the run's best-parameter keeper, whose snapshot each checkpoint holds, or
   *     null
   */
  CheckpointListener(
      Path path, long every, MetricsLogListener metricsLog, RestoreBestListener restoreBest) {
    this.path = path;
    this.every = every;
    this.metricsLog = metricsLog;
    this.restoreBest = restoreBest;
  }

  /**
   * Before a run that checkpoints to {@code path}: deletes the temporary files of a writer killed
   * mid-write (this run owns the checkpoint) and, with {@code resume} and an existing checkpoint,
   * restores the model, the optimiser and {@code context}'s position from it.
   *
   * @param log where to say that the run resumes, or null
   * @throws JrnnException when the checkpoint was made with another seed
   */
  static void prepare(TrainingContext context, Path path, boolean resume, PrintStream log) {
    try {
      AtomicFiles.deleteStaleTemps(path);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (!resume || !Files.exists(path)) {
      return;
    }
    Checkpoint c;
    try {
      c = Checkpoint.read(path);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    c.restoreModel(context.model());
    context.optimizer().loadState(c.optimizer());
    if (c.trainer().seed() != context.seed()) {
      throw new JrnnException(
          "the checkpoint "
              + Quote.path(path)
              + " was made with seed "
              + c.trainer().seed()
              + ", not "
              + context.seed());
    }
    context.resumeFrom(c);
    if (log != null) {
      log.println(
          String.format(
              Locale.ROOT,
              "resuming from %s: epoch %d, batch %d, step %d",
              Quote.path(path),
              context.epoch() + 1,
              context.batchInEpoch(),
              context.step()));
      log.flush();
    }
  }

  /** The task's own state goes back after {@link Task#startEpoch} of the first epoch resumed. */
  @Override
  public void onEpochStart(TrainingContext context) {
    if (!taskStateRestored && context.resumedFrom != null) {
      ResumableTask.State state = context.resumedFrom.task();
      if (state != null && context.task() instanceof ResumableTask r) {
        r.restoreTrainingState(state);
      }
    }
    taskStateRestored = true;
  }

  @Override
  public void onStepEnd(TrainingContext context) {
    if (every > 0 && context.step() % every == 0) {
      save(context);
    }
  }

  @Override
  public void onEpochEnd(TrainingContext context, EpochSummary epoch) {
    save(context);
  }

  private void save(TrainingContext context) {
    ResumableTask.State taskState =
        context.task() instanceof ResumableTask r ? r.trainingState() : null;
    Checkpoint.TrainerState state =
        metricsLog == null
            ? context.state(0, 0, null)
            : context.state(
                metricsLog.windowLossSum(), metricsLog.windowLossCount(), metricsLog.position());
    try {
      Checkpoint.write(
          path,
          context.model(),
          context.optimizer(),
          state,
          restoreBest == null ? null : restoreBest.best(),
          taskState);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "could not write the checkpoint " + Quote.path(path) + ": " + IoErrors.describe(e, path),
          e);
    }
  }
}
