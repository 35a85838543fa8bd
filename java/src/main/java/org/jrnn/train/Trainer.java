/*
 * Trainer: the training loop shared by every jrnn task: epochs / step limit / time budget, seeded
 * batches, zero -> trainStep -> NaN guard -> clip -> optimiser step -> schedule, validation and
 * early stopping, atomic resumable checkpoints, CSV/JSONL metrics and a progress bar.
 */
package org.jrnn.train;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import org.jrnn.JrnnException;
import org.jrnn.internal.Quote;
import org.jrnn.nn.Parameter;
import org.jrnn.nn.Trainable;
import org.jrnn.optim.Adam;
import org.jrnn.optim.GradientClipping;
import org.jrnn.optim.LrSchedule;
import org.jrnn.optim.NonFiniteGuard;
import org.jrnn.optim.Optimizer;
import org.jrnn.io.AtomicFiles;
import org.jrnn.train.util.MetricsLog;
import org.jrnn.train.util.ProgressBar;

/**
 * Trains a {@link Task} on batches from a {@link BatchSource}.
 *
 * <p>Each step: {@code model.zeroGradients()} → {@link Task#trainStep} → NaN/Inf guard ({@link
 * NonFiniteGuard}; the loss and the global gradient norm) → clipping (by global norm 1.0 unless
 * told otherwise) → {@link Optimizer#step()}, with the learning rate set from the {@link
 * LrSchedule} before the step. Epoch {@code e} trains on {@code trainSource.epoch(e, seed)}.
 * Training stops after the epochs, the step limit or the time budget, whichever comes first (a
 * step limit or budget given without epochs is not cut short by the default of 10 epochs), or
 * early when the task's {@link Task#primaryMetric()} has not improved for {@code patience}
 * validations.
 *
 * <p>With a checkpoint path, a checkpoint (parameters, optimiser state, trainer position and
 * counters, the task's {@link ResumableTask} state) is written atomically at the end of every
 * epoch, every {@code checkpointEvery} steps and at the end; {@link Builder#resume(boolean)} makes
 * {@link #fit} continue from it, bit for bit where the uninterrupted seeded run would have been.
 *
 * <pre>{@code
 * Trainer trainer = Trainer.builder()
 *     .optimizer(params -> Adam.builder().lr(2e-3).build(params))
 *     .epochs(5).seed(42).clipping(GradientClipping.byNorm(1.0))
 *     .build();
 * TrainResult r = trainer.fit(task, trainBatches, testBatches);
 * }</pre>
 *
 * A seeded run on the CPU is reproducible bit for bit (the native kernels are deterministic for a
 * fixed thread count).
 */
public final class Trainer implements AutoCloseable {
  private final Function<List<Parameter>, Optimizer> optimizerFactory;
  private final LrSchedule schedule;
  private final GradientClipping clipping;
  private final int epochs;
  private final long maxSteps;
  private final Duration timeBudget;
  private final long seed;
  private final long validateEvery;
  private final int patience;
  private final Boolean restoreBestOption;
  private final Path checkpoint;
  private final long checkpointEvery;
  private final boolean resume;
  private final Path metricsCsv;
  private final Path metricsJsonl;
  private final long logEvery;
  private final PrintStream log;
  private final PrintStream progressOut;
  private final Boolean progressInteractive;
  private final Duration statusEvery;
  private final boolean guard;

  private Optimizer optimizer;
  private double baseLr;

  private Trainer(Builder b) {
    this.optimizerFactory = b.optimizerFactory;
    this.optimizer = b.optimizer;
    this.schedule = b.schedule;
    this.clipping = b.clipping;
    this.epochs = b.epochs != null ? b.epochs : b.maxSteps > 0 || b.timeBudget != null ? 0 : DEFAULT_EPOCHS;
    this.maxSteps = b.maxSteps;
    this.timeBudget = b.timeBudget;
    this.seed = b.seed;
    this.validateEvery = b.validateEvery;
    this.patience = b.patience;
    this.restoreBestOption = b.restoreBest;
    this.checkpoint = b.checkpoint;
    this.checkpointEvery = b.checkpointEvery;
    this.resume = b.resume;
    this.metricsCsv = b.metricsCsv;
    this.metricsJsonl = b.metricsJsonl;
    this.logEvery = b.logEvery;
    this.log = b.log;
    this.progressOut = b.progressOut;
    this.progressInteractive = b.progressInteractive;
    this.statusEvery = b.statusEvery;
    this.guard = b.guard;
    if (epochs == 0 && maxSteps == 0 && timeBudget == null) {
      throw new JrnnException("give a number of epochs, a step limit or a time budget");
    }
    if (resume && checkpoint == null) {
      throw new JrnnException("resuming needs a checkpoint path");
    }
  }

  /** Epochs when neither epochs, a step limit nor a time budget is given. */
  public static final int DEFAULT_EPOCHS = 10;

  /**
   * A builder with the defaults: Adam 1e-3, constant rate, clipping by norm 1.0, 10 epochs (unless
   * a step limit or time budget is given), seed 42.
   */
  public static Builder builder() {
    return new Builder();
  }

  /** The optimiser of the last {@link #fit} (null before). */
  public Optimizer optimizer() {
    return optimizer;
  }

  /** Frees the optimiser's state (when the trainer created the optimiser). */
  @Override
  public void close() {
    if (optimizer != null && optimizerFactory != null) {
      optimizer.close();
      optimizer = null;
    }
  }

  /**
   * Evaluates {@code task} on epoch 0 of {@code source} (seeded with the trainer's seed) without
   * changing anything.
   */
  public <B> Map<String, Double> evaluate(Task<B> task, BatchSource<B> source) {
    return task.evaluate(source.epoch(0, seed));
  }

  /** The total number of steps the run will take, when known (for schedules); 0 otherwise. */
  long plannedSteps(int batchesPerEpoch) {
    long byEpochs = epochs > 0 ? (long) epochs * batchesPerEpoch : 0;
    if (maxSteps > 0) {
      return byEpochs > 0 ? Math.min(byEpochs, maxSteps) : maxSteps;
    }
    return byEpochs;
  }

  // ------------------------------------------------------------------ the loop

  /** Mutable loop state (what a checkpoint holds, plus what is rebuilt on resume). */
  private static final class Run {
    int epoch;
    int batchInEpoch;
    long step;
    double trainSeconds;
    double epochLossSum;
    long epochLossCount;
    double bestMetric = Double.NaN;
    long bestStep = -1;
    int badValidations;
    List<TrainResult.Validation> history = new ArrayList<>();
    Map<String, float[]> best;
    long lastValidationStep = -1;
    double lastGradNorm = Double.NaN;
    double lastLoss = Double.NaN;
    double lastLossOfEpoch = Double.NaN;
    // metrics rows since the last log row
    double windowLossSum;
    long windowLossCount;
    StopReason stop;

    Checkpoint.TrainerState state(long seed, Checkpoint.MetricsLogState metricsLog) {
      return new Checkpoint.TrainerState(
          epoch,
          batchInEpoch,
          step,
          seed,
          trainSeconds,
          epochLossSum,
          epochLossCount,
          bestMetric,
          bestStep,
          badValidations,
          history,
          windowLossSum,
          windowLossCount,
          metricsLog);
    }
  }

  /**
   * Trains {@code task} on {@code train}, validating on {@code validation} (may be null) after each
   * epoch or every {@code validateEvery} steps.
   *
   * @throws org.jrnn.optim.NonFiniteException when the loss or a gradient becomes NaN or infinite
   * @throws UncheckedIOException when a checkpoint or metrics file cannot be written or read
   */
  public <B> TrainResult fit(Task<B> task, BatchSource<B> train, BatchSource<B> validation) {
    Objects.requireNonNull(task, "task");
    Objects.requireNonNull(train, "train");
    Trainable model = task.model();
    List<Parameter> params = model.parameters();
    if (optimizerFactory != null) {
      if (optimizer != null) {
        optimizer.close();
      }
      optimizer = optimizerFactory.apply(params);
    } else if (!sameParameters(optimizer.parameters(), params)) {
      throw new JrnnException("the optimizer's parameters are not the task's model's parameters");
    }
    baseLr = optimizer.learningRate();
    boolean restoreBest = restoreBestOption != null ? restoreBestOption : patience > 0;
    restoreBest &= validation != null;
    int batchesPerEpoch = train.batchesPerEpoch();
    long planned = plannedSteps(batchesPerEpoch);

    Run run = new Run();
    ResumableTask.State taskState = null;
    Checkpoint.MetricsLogState metricsLog = null;
    boolean resumed = false;
    if (checkpoint != null) {
      // this run owns the checkpoint: temp files of a writer killed mid-write are garbage
      try {
        AtomicFiles.deleteStaleTemps(checkpoint);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    if (resume && Files.exists(checkpoint)) {
      Checkpoint c;
      try {
        c = Checkpoint.read(checkpoint);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      c.restoreModel(model);
      optimizer.loadState(c.optimizer());
      Checkpoint.TrainerState s = c.trainer();
      if (s.seed() != seed) {
        throw new JrnnException(
            "the checkpoint " + Quote.path(checkpoint) + " was made with seed " + s.seed() + ", not " + seed);
      }
      run.epoch = s.epoch();
      run.batchInEpoch = s.batchInEpoch();
      run.step = s.step();
      run.trainSeconds = s.trainSeconds();
      run.epochLossSum = s.epochLossSum();
      run.epochLossCount = s.epochLossCount();
      run.bestMetric = s.bestMetric();
      run.bestStep = s.bestStep();
      run.badValidations = s.badValidations();
      run.windowLossSum = s.windowLossSum();
      run.windowLossCount = s.windowLossCount();
      metricsLog = s.metricsLog();
      run.history = new ArrayList<>(s.history());
      run.lastValidationStep = run.history.isEmpty() ? -1 : run.history.get(run.history.size() - 1).step();
      run.best = c.best().isEmpty() ? null : new LinkedHashMap<>(c.best());
      taskState = c.task();
      resumed = true;
      say(
          String.format(
              Locale.ROOT,
              "resuming from %s: epoch %d, batch %d, step %d",
              Quote.path(checkpoint),
              run.epoch + 1,
              run.batchInEpoch,
              run.step));
    } else {
      // a run from the start (also a resumed one whose first life left no checkpoint): no old rows
      deleteQuietly(metricsCsv);
      deleteQuietly(metricsJsonl);
    }

    Metrics metrics = new Metrics(validation != null, metricsLog);
    long stepsAtStart = run.step;
    try {
      outer:
      while (true) {
        if (patience > 0 && run.badValidations >= patience) {
          run.stop = StopReason.EARLY_STOPPING;
          break;
        }
        if (epochs > 0 && run.epoch >= epochs) {
          run.stop = StopReason.EPOCHS;
          break;
        }
        if (limitReached(run) != null) {
          run.stop = limitReached(run);
          break;
        }
        int epoch = run.epoch;
        task.startEpoch(epoch);
        if (resumed && taskState != null && task instanceof ResumableTask r) {
          r.restoreTrainingState(taskState);
        }
        resumed = false;
        int skip = run.batchInEpoch;
        int b = 0;
        ProgressBar bar = progressBar(epoch, batchesPerEpoch);
        if (bar != null) {
          bar.set(skip);
        }
        long lastStatus = System.nanoTime();
        try {
          for (B batch : train.epoch(epoch, seed)) {
            if (b < skip) {
              b++;
              continue;
            }
            long t0 = System.nanoTime();
            double lr = schedule.learningRate(baseLr, run.step, planned);
            optimizer.setLearningRate(lr);
            model.zeroGradients();
            Task.StepResult r = task.trainStep(batch);
            double loss = r.mean();
            double norm = GradientClipping.globalNorm(params);
            if (guard) {
              final long stepNow = run.step;
              NonFiniteGuard.check(
                  loss,
                  norm,
                  params,
                  stepNow,
                  "epoch " + (epoch + 1) + ", batch " + (b + 1),
                  task instanceof NonFiniteLocator<?> ? () -> locate(task, batch) : null);
            }
            clipping.apply(params, norm);
            optimizer.step();
            run.trainSeconds += (System.nanoTime() - t0) / 1e9;
            run.step++;
            b++;
            run.batchInEpoch = b;
            run.epochLossSum += r.lossSum();
            run.epochLossCount += r.count();
            run.windowLossSum += r.lossSum();
            run.windowLossCount += r.count();
            run.lastGradNorm = norm;
            run.lastLoss = loss;
            if (bar != null) {
              bar.metric("loss", run.epochLossCount == 0 ? 0 : run.epochLossSum / run.epochLossCount);
              bar.metric("lr", String.format(Locale.ROOT, "%.2e", lr));
              bar.set(b);
            } else if (progressOut != null && statusEvery != null
                && System.nanoTime() - lastStatus >= statusEvery.toNanos()) {
              lastStatus = System.nanoTime();
              progressOut.println(
                  String.format(
                      Locale.ROOT,
                      "%s: batch %d/%d, step %d, train loss %.4f, %.1f s",
                      epochs > 0 ? "epoch " + (epoch + 1) + "/" + epochs : "epoch " + (epoch + 1),
                      b,
                      batchesPerEpoch,
                      run.step,
                      run.epochLossCount == 0 ? Double.NaN : run.epochLossSum / run.epochLossCount,
                      run.trainSeconds));
              progressOut.flush();
            }
            if (logEvery > 0 && run.step % logEvery == 0) {
              metrics.train(run, lr);
            }
            if (validation != null && validateEvery > 0 && run.step % validateEvery == 0) {
              if (validate(task, validation, run, restoreBest, model, metrics)) {
                run.stop = StopReason.EARLY_STOPPING;
              }
            }
            if (checkpoint != null && checkpointEvery > 0 && run.step % checkpointEvery == 0) {
              saveCheckpoint(model, task, run, restoreBest, metrics);
            }
            if (run.stop != null) {
              break outer;
            }
            StopReason limit = limitReached(run);
            if (limit != null) {
              run.stop = limit;
              break outer;
            }
          }
        } finally {
          if (bar != null) {
            bar.close();
          }
        }
        // end of the epoch
        double trainLoss = run.epochLossCount == 0 ? Double.NaN : run.epochLossSum / run.epochLossCount;
        Map<String, Double> v = null;
        boolean stopEarly = false;
        if (validation != null && validateEvery == 0) {
          stopEarly = validate(task, validation, run, restoreBest, model, metrics);
          v = run.history.get(run.history.size() - 1).metrics();
        }
        epochLine(epoch, trainLoss, v, run);
        run.epoch = epoch + 1;
        run.batchInEpoch = 0;
        run.lastLossOfEpoch = trainLoss;
        run.epochLossSum = 0;
        run.epochLossCount = 0;
        if (checkpoint != null) {
          saveCheckpoint(model, task, run, restoreBest, metrics);
        }
        if (stopEarly) {
          run.stop = StopReason.EARLY_STOPPING;
          break;
        }
      }
      // stopped inside an epoch: a last validation and checkpoint
      if (run.batchInEpoch > 0) {
        double trainLoss = run.epochLossCount == 0 ? Double.NaN : run.epochLossSum / run.epochLossCount;
        run.lastLossOfEpoch = trainLoss;
        Map<String, Double> v = null;
        if (validation != null && run.lastValidationStep != run.step) {
          validate(task, validation, run, restoreBest, model, metrics);
          v = run.history.get(run.history.size() - 1).metrics();
        }
        epochLine(run.epoch, trainLoss, v, run);
        if (checkpoint != null) {
          saveCheckpoint(model, task, run, restoreBest, metrics);
        }
      }
      if (metrics.pending()) {
        metrics.flushWithout();
      }
    } finally {
      metrics.close();
    }
    if (run.step == stepsAtStart && run.stop != StopReason.EARLY_STOPPING) {
      // nothing left to do for the resumed checkpoint
      if (stepsAtStart > 0 && resume) {
        run.stop = StopReason.ALREADY_DONE;
      }
    }
    boolean restored = false;
    if (restoreBest && run.best != null && run.bestStep != run.step) {
      Checkpoint.restoreParameters(model, run.best, "best snapshot");
      restored = true;
    }
    Map<String, Double> last = run.history.isEmpty() ? Map.of() : run.history.get(run.history.size() - 1).metrics();
    Map<String, Double> bestMetrics = Map.of();
    for (TrainResult.Validation v : run.history) {
      if (v.step() == run.bestStep) {
        bestMetrics = v.metrics();
      }
    }
    return new TrainResult(
        run.stop,
        run.batchInEpoch > 0 ? run.epoch + 1 : run.epoch,
        run.step,
        run.trainSeconds,
        run.lastLossOfEpoch,
        last,
        bestMetrics,
        run.bestStep,
        restored,
        List.copyOf(run.history));
  }

  @SuppressWarnings("unchecked")
  private static <B> String locate(Task<B> task, B batch) {
    return ((NonFiniteLocator<B>) task).locateNonFinite(batch);
  }

  private StopReason limitReached(Run run) {
    if (maxSteps > 0 && run.step >= maxSteps) {
      return StopReason.MAX_STEPS;
    }
    if (timeBudget != null && run.trainSeconds >= timeBudget.toNanos() / 1e9) {
      return StopReason.TIME_BUDGET;
    }
    return null;
  }

  /** Validates; returns whether patience ran out. */
  private <B> boolean validate(
      Task<B> task, BatchSource<B> validation, Run run, boolean keepBest, Trainable model, Metrics metrics) {
    Map<String, Double> m = new LinkedHashMap<>(task.evaluate(validation.epoch(0, seed)));
    String key = task.primaryMetric();
    Double value = m.get(key);
    if (value == null) {
      throw new JrnnException(
          "the task's evaluate() has no primary metric '" + key + "' (it gave " + m.keySet() + ")");
    }
    run.history.add(
        new TrainResult.Validation(
            run.epoch, run.step, run.trainSeconds, java.util.Collections.unmodifiableMap(m)));
    run.lastValidationStep = run.step;
    boolean better =
        Double.isNaN(run.bestMetric)
            || (task.higherIsBetter() ? value > run.bestMetric : value < run.bestMetric);
    if (better && !Double.isNaN(value)) {
      run.bestMetric = value;
      run.bestStep = run.step;
      run.badValidations = 0;
      if (keepBest) {
        run.best = Checkpoint.snapshot(model);
      }
    } else {
      run.badValidations++;
    }
    metrics.validation(run, optimizer.learningRate(), m);
    return patience > 0 && run.badValidations >= patience;
  }

  private <B> void saveCheckpoint(
      Trainable model, Task<B> task, Run run, boolean keepBest, Metrics metrics) {
    ResumableTask.State ts = task instanceof ResumableTask r ? r.trainingState() : null;
    Checkpoint.MetricsLogState logState = metrics.position();
    try {
      Checkpoint.write(
          checkpoint, model, optimizer, run.state(seed, logState), keepBest ? run.best : null, ts);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "could not write the checkpoint " + Quote.path(checkpoint) + ": " + describe(e, checkpoint), e);
    }
  }

  /**
   * Why an I/O operation failed, in words, after the file the exception is about unless that is
   * {@code named} (null: none), which the message names already.
   */
  private static String describe(IOException e, Path named) {
    String m = e.getMessage();
    String reason = e instanceof FileSystemException || m == null || m.isBlank() ? Quote.reason(e) : m;
    if (e instanceof FileSystemException f
        && f.getFile() != null
        && (named == null
            || !(f.getFile().equals(Quote.path(named)) || f.getFile().equals(named.toString())))) {
      return Quote.cut(f.getFile()) + ": " + reason;
    }
    return reason;
  }

  private ProgressBar progressBar(int epoch, int batchesPerEpoch) {
    if (progressOut == null) {
      return null;
    }
    String label = epochs > 0 ? "epoch " + (epoch + 1) + "/" + epochs : "epoch " + (epoch + 1);
    if (progressInteractive == null && System.console() == null) {
      return null; // not a terminal: status lines every statusEvery instead
    }
    boolean interactive = progressInteractive != null ? progressInteractive : true;
    return new ProgressBar(label, batchesPerEpoch, progressOut, interactive);
  }

  private void epochLine(int epoch, double trainLoss, Map<String, Double> v, Run run) {
    if (log == null) {
      return;
    }
    StringBuilder sb = new StringBuilder();
    sb.append(epochs > 0 ? String.format(Locale.ROOT, "epoch %d/%d", epoch + 1, epochs) : "epoch " + (epoch + 1));
    sb.append(String.format(Locale.ROOT, ": train loss %.4f", trainLoss));
    if (v != null) {
      sb.append(", valid");
      for (Map.Entry<String, Double> e : v.entrySet()) {
        sb.append(String.format(Locale.ROOT, " %s %.4f", e.getKey(), e.getValue()));
      }
    }
    sb.append(
        String.format(
            Locale.ROOT,
            ", step %d, lr %.2e, grad norm %.3g, %.1f s",
            run.step,
            optimizer.learningRate(),
            run.lastGradNorm,
            run.trainSeconds));
    say(sb.toString());
  }

  private void say(String line) {
    if (log != null) {
      log.println(line);
      log.flush();
    }
  }

  private static boolean sameParameters(List<Parameter> a, List<Parameter> b) {
    if (a.size() != b.size()) {
      return false;
    }
    for (int i = 0; i < a.size(); i++) {
      if (a.get(i).value() != b.get(i).value() || !a.get(i).name().equals(b.get(i).name())) {
        return false;
      }
    }
    return true;
  }

  private static void deleteQuietly(Path p) {
    if (p != null) {
      try {
        Files.deleteIfExists(p);
      } catch (IOException ignored) {
        // MetricsLog.open reports a problem with the file
      }
    }
  }

  // ------------------------------------------------------------------ metrics files

  private static final List<String> BASE_COLUMNS =
      List.of("split", "epoch", "step", "seconds", "lr", "loss", "grad_norm");

  /**
   * CSV/JSONL rows: split, epoch, step, seconds, lr, loss, grad_norm and the validation metrics
   * (other than loss). The file opens at the first validation, when the metric names are known;
   * training rows before it wait in memory, and in each checkpoint ({@link #position()}), which
   * also records the files' lengths: a resumed run cuts the rows written after its checkpoint off
   * and writes them again, so its log equals the uninterrupted run's.
   */
  private final class Metrics implements AutoCloseable {
    private MetricsLog out;
    private List<String> extra = List.of();
    private final List<Checkpoint.MetricsRow> waiting = new ArrayList<>();

    /** A new log, or the log at {@code resumed} (from a checkpoint; null when it recorded none). */
    Metrics(boolean expectValidation, Checkpoint.MetricsLogState resumed) {
      if (enabled() && resumed != null) {
        resume(resumed);
      }
      if (!expectValidation) {
        open(List.of());
      }
    }

    boolean enabled() {
      return metricsCsv != null || metricsJsonl != null;
    }

    boolean pending() {
      return enabled() && out == null && !waiting.isEmpty();
    }

    private void resume(Checkpoint.MetricsLogState s) {
      try {
        if (metricsCsv != null && s.csvBytes() >= 0) {
          MetricsLog.cutBack(metricsCsv, s.csvBytes());
        }
        if (metricsJsonl != null && s.jsonlBytes() >= 0) {
          MetricsLog.cutBack(metricsJsonl, s.jsonlBytes());
        }
      } catch (IOException e) {
        throw new UncheckedIOException("could not resume the metrics log: " + describe(e, null), e);
      }
      waiting.addAll(s.waiting());
      if (!s.columns().isEmpty()) {
        List<String> names = new ArrayList<>(s.columns());
        names.removeAll(BASE_COLUMNS);
        open(names);
      }
    }

    private void open(List<String> extraColumns) {
      if (!enabled() || out != null) {
        return;
      }
      List<String> cols = new ArrayList<>(BASE_COLUMNS);
      cols.addAll(extraColumns);
      extra = extraColumns;
      try {
        out = MetricsLog.open(metricsCsv, metricsJsonl, cols.toArray(new String[0]));
        for (Checkpoint.MetricsRow row : waiting) {
          out.log(trainRow(row));
        }
        waiting.clear();
      } catch (IOException e) {
        throw new UncheckedIOException("could not open the metrics log: " + describe(e, null), e);
      }
    }

    void flushWithout() {
      open(List.of());
    }

    /**
     * Where the log stands, for a checkpoint: the rows so far are synced first, so that the
     * lengths never count bytes a power loss could take. Null without a log.
     */
    Checkpoint.MetricsLogState position() {
      if (!enabled()) {
        return null;
      }
      try {
        if (out != null) {
          out.sync();
        }
        return new Checkpoint.MetricsLogState(
            out == null ? List.of() : out.columns(), size(metricsCsv), size(metricsJsonl), waiting);
      } catch (IOException e) {
        throw new UncheckedIOException("could not sync the metrics log: " + describe(e, null), e);
      }
    }

    private static long size(Path file) throws IOException {
      return file == null ? -1 : Files.exists(file) ? Files.size(file) : 0;
    }

    private void row(Map<String, Object> row) {
      row.keySet().retainAll(new java.util.HashSet<>(out.columns()));
      try {
        out.log(row);
      } catch (IOException e) {
        throw new UncheckedIOException("could not write the metrics log: " + describe(e, null), e);
      }
    }

    void train(Run run, double lr) {
      Checkpoint.MetricsRow row =
          new Checkpoint.MetricsRow(
              run.epoch + 1,
              run.step,
              round(run.trainSeconds),
              lr,
              run.windowLossCount == 0 ? null : run.windowLossSum / run.windowLossCount,
              run.lastGradNorm);
      run.windowLossSum = 0;
      run.windowLossCount = 0;
      if (!enabled()) {
        return;
      }
      if (out == null) {
        waiting.add(row);
      } else {
        row(trainRow(row));
      }
    }

    private Map<String, Object> trainRow(Checkpoint.MetricsRow r) {
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("split", "train");
      row.put("epoch", r.epoch());
      row.put("step", r.step());
      row.put("seconds", r.seconds());
      row.put("lr", r.lr());
      row.put("loss", r.loss());
      row.put("grad_norm", r.gradNorm());
      return row;
    }

    void validation(Run run, double lr, Map<String, Double> m) {
      if (!enabled()) {
        return;
      }
      if (out == null) {
        List<String> names = new ArrayList<>(m.keySet());
        names.remove("loss");
        open(names);
      }
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("split", "valid");
      row.put("epoch", run.epoch + 1);
      row.put("step", run.step);
      row.put("seconds", round(run.trainSeconds));
      row.put("lr", lr);
      row.put("loss", m.get("loss"));
      for (String k : extra) {
        row.put(k, m.get(k));
      }
      row(row);
    }

    private double round(double s) {
      return Math.round(s * 1000) / 1000.0;
    }

    @Override
    public void close() {
      if (out != null) {
        try {
          out.close();
        } catch (IOException ignored) {
          // rows were flushed as written
        }
      }
    }
  }

  // ------------------------------------------------------------------ builder

  /** Trainer options. */
  public static final class Builder {
    private Function<List<Parameter>, Optimizer> optimizerFactory = Adam.builder().lr(1e-3)::build;
    private Optimizer optimizer;
    private LrSchedule schedule = LrSchedule.constant();
    private GradientClipping clipping = GradientClipping.byNorm(1.0);
    private Integer epochs; // null: DEFAULT_EPOCHS, or no limit when a step limit or time budget is given
    private long maxSteps;
    private Duration timeBudget;
    private long seed = 42;
    private long validateEvery;
    private int patience;
    private Boolean restoreBest;
    private Path checkpoint;
    private long checkpointEvery;
    private boolean resume;
    private Path metricsCsv;
    private Path metricsJsonl;
    private long logEvery = 50;
    private PrintStream log = System.err;
    private PrintStream progressOut = System.err;
    private Boolean progressInteractive;
    private Duration statusEvery = Duration.ofSeconds(30);
    private boolean guard = true;

    private Builder() {}

    /** How to make the optimiser from the model's parameters (default Adam, lr 1e-3). */
    public Builder optimizer(Function<List<Parameter>, Optimizer> factory) {
      this.optimizerFactory = Objects.requireNonNull(factory);
      this.optimizer = null;
      return this;
    }

    /** An optimiser made by the caller over the task's model's parameters (the caller closes it). */
    public Builder optimizer(Optimizer optimizer) {
      this.optimizer = Objects.requireNonNull(optimizer);
      this.optimizerFactory = null;
      return this;
    }

    /** The learning-rate schedule (default constant). */
    public Builder schedule(LrSchedule schedule) {
      this.schedule = Objects.requireNonNull(schedule);
      return this;
    }

    /** Gradient clipping (default by global norm 1.0; {@link GradientClipping#none()} to turn off). */
    public Builder clipping(GradientClipping clipping) {
      this.clipping = Objects.requireNonNull(clipping);
      return this;
    }

    /**
     * Epochs (0 = no limit, then give a step limit or a time budget). Default: 10 when neither {@link
     * #maxSteps} nor {@link #timeBudget} is given, else no limit (the step limit or budget decides).
     */
    public Builder epochs(int epochs) {
      if (epochs < 0) {
        throw new JrnnException("epochs must be >= 0 but is " + epochs);
      }
      this.epochs = epochs;
      return this;
    }

    /** Stop after this many optimisation steps (0 = no limit). */
    public Builder maxSteps(long maxSteps) {
      if (maxSteps < 0) {
        throw new JrnnException("max steps must be >= 0 but is " + maxSteps);
      }
      this.maxSteps = maxSteps;
      return this;
    }

    /** Stop once the training steps have taken this long (null = no limit). */
    public Builder timeBudget(Duration budget) {
      if (budget != null && (budget.isNegative() || budget.isZero())) {
        throw new JrnnException("the time budget must be positive but is " + budget);
      }
      this.timeBudget = budget;
      return this;
    }

    /** The seed of the batch order (default 42). */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /** Validate every this many steps (default 0: at the end of each epoch). */
    public Builder validateEvery(long steps) {
      if (steps < 0) {
        throw new JrnnException("validateEvery must be >= 0 but is " + steps);
      }
      this.validateEvery = steps;
      return this;
    }

    /**
     * Stop when the primary metric has not improved for {@code patience} validations (0 = off,
     * the default). With early stopping the best parameters are restored at the end unless {@link
     * #restoreBest(boolean)} says otherwise.
     */
    public Builder earlyStopping(int patience) {
      if (patience < 0) {
        throw new JrnnException("patience must be >= 0 but is " + patience);
      }
      this.patience = patience;
      return this;
    }

    /** Whether to end with the parameters of the best validation (default: with early stopping). */
    public Builder restoreBest(boolean restoreBest) {
      this.restoreBest = restoreBest;
      return this;
    }

    /** Write checkpoints to this file (atomically), at each epoch end and at the end of training. */
    public Builder checkpoint(Path path) {
      this.checkpoint = path;
      return this;
    }

    /** Also checkpoint every this many steps (0 = only at epoch ends and the end). */
    public Builder checkpointEvery(long steps) {
      if (steps < 0) {
        throw new JrnnException("checkpointEvery must be >= 0 but is " + steps);
      }
      this.checkpointEvery = steps;
      return this;
    }

    /** Continue from the checkpoint file when it exists (needs {@link #checkpoint(Path)}). */
    public Builder resume(boolean resume) {
      this.resume = resume;
      return this;
    }

    /**
     * Append metrics rows to a CSV file: replaced at the start of a run that does not continue from
     * a checkpoint; a resumed run first cuts off the rows written after its checkpoint, so that the
     * file ends up as the uninterrupted run's would (but for the {@code seconds} column).
     */
    public Builder metricsCsv(Path path) {
      this.metricsCsv = path;
      return this;
    }

    /** Append metrics rows to a JSON Lines file (replaced or cut back as {@link #metricsCsv}). */
    public Builder metricsJsonl(Path path) {
      this.metricsJsonl = path;
      return this;
    }

    /** A training row in the metrics files every this many steps (default 50; 0 = none). */
    public Builder logEvery(long steps) {
      this.logEvery = Math.max(0, steps);
      return this;
    }

    /** Where epoch summaries go (default {@code System.err}; null = nowhere). */
    public Builder log(PrintStream log) {
      this.log = log;
      return this;
    }

    /**
     * Where the progress bar goes (default {@code System.err}; null = no bar), and whether it is
     * redrawn in place ({@code true}), printed as plain lines every 10% ({@code false}), or, with
     * null, redrawn in place on a terminal and otherwise replaced by a status line every {@link
     * #statusEvery(Duration)}.
     */
    public Builder progress(PrintStream out, Boolean interactive) {
      this.progressOut = out;
      this.progressInteractive = interactive;
      return this;
    }

    /** How often a status line is printed when the progress output is not a terminal (default 30 s; null: never). */
    public Builder statusEvery(Duration every) {
      this.statusEvery = every;
      return this;
    }

    /** No epoch lines and no progress bar. */
    public Builder quiet() {
      this.log = null;
      this.progressOut = null;
      return this;
    }

    /** Whether the NaN/Inf guard runs (default true). */
    public Builder nonFiniteGuard(boolean on) {
      this.guard = on;
      return this;
    }

    /** The trainer. */
    public Trainer build() {
      return new Trainer(this);
    }
  }
}
