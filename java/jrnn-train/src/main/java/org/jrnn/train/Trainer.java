/*
 * Trainer: the training loop shared by every jrnn task: epochs / step limit / time budget, seeded
 * batches, zero -> trainStep -> listeners' check -> clip -> optimiser step -> schedule, validation;
 * checkpoints, early stopping, the non-finite guard, metrics files, the progress bar and the epoch
 * log are listeners (TrainingListener) that the builder installs.
 */
package org.jrnn.train;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.jrnn.JrnnException;
import org.jrnn.internal.Arguments;
import org.jrnn.nn.Parameter;
import org.jrnn.optim.Adam;
import org.jrnn.optim.GradientClipping;
import org.jrnn.optim.LrSchedule;
import org.jrnn.optim.NonFiniteGuard;
import org.jrnn.optim.Optimizer;

/**
 * Trains a {@link Task} on batches from a {@link BatchSource}.
 *
 * <p>Each step: {@code model.zeroGradients()} → {@link Task#trainStep} → the listeners' {@link
 * TrainingListener#beforeUpdate} (the NaN/Inf guard, {@link NonFiniteGuard}: the loss and the
 * global gradient norm) → clipping (by global norm 1.0 unless told otherwise) → {@link
 * Optimizer#step()}, with the learning rate set from the {@link LrSchedule} before the step. Epoch
 * {@code e} trains on {@code trainSource.epoch(e, seed)}. Training stops after the epochs, the step
 * limit or the time budget, whichever comes first (a step limit or budget given without epochs is
 * not cut short by the default of 10 epochs), or when a listener asks it to: early stopping does
 * when the task's {@link Task#primaryMetric()} has not improved for {@code patience} validations.
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
 *     .listener(new TrainingListener() {
 *       public void afterUpdate(TrainingContext c) { losses.add(c.lastLoss()); }
 *     })
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
  private final List<TrainingListener> userListeners;

  private Optimizer optimizer;

  private Trainer(Builder b) {
    this.optimizerFactory = b.optimizerFactory;
    this.optimizer = b.optimizer;
    this.schedule = b.schedule;
    this.clipping = b.clipping;
    this.epochs =
        b.epochs != null ? b.epochs : b.maxSteps > 0 || b.timeBudget != null ? 0 : DEFAULT_EPOCHS;
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
    this.userListeners = List.copyOf(b.listeners);
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

  /**
   * Trains {@code task} on {@code train}, validating on {@code validation} (may be null) after each
   * epoch or every {@code validateEvery} steps.
   *
   * @throws org.jrnn.optim.NonFiniteException when the loss or a gradient becomes NaN or infinite
   * @throws java.io.UncheckedIOException when a checkpoint or metrics file cannot be written or
   *     read
   * @throws RuntimeException whatever a task or a listener throws, unchanged
   */
  public <B> TrainResult fit(Task<B> task, BatchSource<B> train, BatchSource<B> validation) {
    Arguments.notNull("task", task);
    Arguments.notNull("train", train);
    prepareOptimizer(task.model().parameters());
    double baseLr = optimizer.learningRate(); // before a resume loads the optimiser's state
    int batchesPerEpoch = train.batchesPerEpoch();
    TrainingContext context =
        new TrainingContext(
            task,
            optimizer,
            epochs,
            batchesPerEpoch,
            plannedSteps(batchesPerEpoch),
            seed,
            validation != null);
    if (checkpoint != null) {
      CheckpointListener.prepare(context, checkpoint, resume, log);
    }
    long stepsAtStart = context.step;
    ListenerChain listeners = new ListenerChain(listeners(validation != null));
    try {
      listeners.onStart(context);
      while (context.stopReason == null && !stopAtLimit(context, true)) {
        task.startEpoch(context.epoch);
        listeners.onEpochStart(context);
        if (trainEpoch(task, train, validation, baseLr, context, listeners)) {
          break; // stopped inside the epoch
        }
        double trainLoss = context.epochTrainLoss();
        Map<String, Double> v =
            validateEvery == 0 ? validate(task, validation, context, listeners) : Map.of();
        context.finishEpoch();
        listeners.onEpochEnd(
            context, new TrainingListener.EpochSummary(context.epoch - 1, true, trainLoss, v));
      }
      if (context.batchInEpoch > 0) {
        // stopped inside an epoch: a last validation, epoch line and checkpoint
        context.lastLossOfEpoch = context.epochTrainLoss();
        Map<String, Double> v =
            context.lastValidationStep != context.step
                ? validate(task, validation, context, listeners)
                : Map.of();
        listeners.onEpochEnd(
            context,
            new TrainingListener.EpochSummary(context.epoch, false, context.lastLossOfEpoch, v));
      }
      if (context.step == stepsAtStart && stepsAtStart > 0 && stoppedAtALimit(context)) {
        context.stopReason =
            StopReason.ALREADY_DONE; // nothing was left to do for the resumed checkpoint
      }
      listeners.onEnd(context);
    } finally {
      listeners.closeAll();
    }
    return result(context);
  }

  /** Trains the rest of the context's epoch; returns whether training stopped inside it. */
  private <B> boolean trainEpoch(
      Task<B> task,
      BatchSource<B> train,
      BatchSource<B> validation,
      double baseLr,
      TrainingContext context,
      ListenerChain listeners) {
    int done = context.batchInEpoch; // a resumed run skips the batches it trained before
    int seen = 0;
    for (B batch : train.epoch(context.epoch, seed)) {
      if (seen++ < done) {
        continue;
      }
      step(task, batch, baseLr, context, listeners);
      if (validateEvery > 0 && context.step % validateEvery == 0) {
        validate(task, validation, context, listeners);
      }
      listeners.onStepEnd(context);
      if (context.stopReason != null || stopAtLimit(context, false)) {
        return true;
      }
    }
    return false;
  }

  /** One optimisation step on {@code batch}. */
  private <B> void step(
      Task<B> task, B batch, double baseLr, TrainingContext context, ListenerChain listeners) {
    long start = System.nanoTime();
    optimizer.setLearningRate(schedule.learningRate(baseLr, context.step, context.plannedSteps));
    context.model.zeroGradients();
    Task.StepResult result = task.trainStep(batch);
    double norm = GradientClipping.globalNorm(context.parameters);
    context.nonFiniteLocator =
        task instanceof NonFiniteLocator<?> ? () -> locate(task, batch) : null;
    listeners.beforeUpdate(context, result.mean(), norm);
    clipping.apply(context.parameters, norm);
    optimizer.step();
    context.recordStep(result, norm, (System.nanoTime() - start) / 1e9);
    listeners.afterUpdate(context);
  }

  /** Evaluates on {@code validation} (nothing when null) and records the result. */
  private <B> Map<String, Double> validate(
      Task<B> task, BatchSource<B> validation, TrainingContext context, ListenerChain listeners) {
    if (validation == null) {
      return Map.of();
    }
    Map<String, Double> metrics =
        Collections.unmodifiableMap(new LinkedHashMap<>(task.evaluate(validation.epoch(0, seed))));
    String key = task.primaryMetric();
    Double value = metrics.get(key);
    if (value == null) {
      throw new JrnnException(
          "the task's evaluate() has no primary metric '"
              + key
              + "' (it gave "
              + metrics.keySet()
              + ")");
    }
    context.recordValidation(metrics, value, task.higherIsBetter());
    listeners.afterValidation(context, metrics);
    return metrics;
  }

  /**
   * Sets the stop reason when the step limit or time budget is reached, or, at an epoch's start,
   * the epochs are done; returns whether it did.
   */
  private boolean stopAtLimit(TrainingContext context, boolean atEpochStart) {
    if (atEpochStart && epochs > 0 && context.epoch >= epochs) {
      context.stopReason = StopReason.EPOCHS;
    } else if (maxSteps > 0 && context.step >= maxSteps) {
      context.stopReason = StopReason.MAX_STEPS;
    } else if (timeBudget != null && context.trainSeconds >= timeBudget.toNanos() / 1e9) {
      context.stopReason = StopReason.TIME_BUDGET;
    }
    return context.stopReason != null;
  }

  private static boolean stoppedAtALimit(TrainingContext context) {
    StopReason r = context.stopReason;
    return r == StopReason.EPOCHS || r == StopReason.MAX_STEPS || r == StopReason.TIME_BUDGET;
  }

  /** The built-in listeners the options ask for, in their documented order, then the user's. */
  private List<TrainingListener> listeners(boolean hasValidation) {
    List<TrainingListener> all = new ArrayList<>();
    if (guard) {
      all.add(new NonFiniteGuardListener());
    }
    if (progressOut != null) {
      all.add(new ProgressListener(progressOut, progressInteractive, statusEvery));
    }
    MetricsLogListener metricsLog =
        metricsCsv != null || metricsJsonl != null
            ? new MetricsLogListener(metricsCsv, metricsJsonl, logEvery)
            : null;
    if (metricsLog != null) {
      all.add(metricsLog);
    }
    if (log != null) {
      all.add(new TextLogListener(log));
    }
    if (patience > 0) {
      all.add(new EarlyStoppingListener(patience));
    }
    boolean restoreBest =
        hasValidation && (restoreBestOption != null ? restoreBestOption : patience > 0);
    RestoreBestListener best = restoreBest ? new RestoreBestListener() : null;
    if (best != null) {
      all.add(best);
    }
    if (checkpoint != null) {
      all.add(new CheckpointListener(checkpoint, checkpointEvery, metricsLog, best));
    }
    all.addAll(userListeners);
    return all;
  }

  /** Makes the optimiser for {@code params}, or checks that the caller's covers them. */
  private void prepareOptimizer(List<Parameter> params) {
    if (optimizerFactory != null) {
      if (optimizer != null) {
        optimizer.close();
      }
      optimizer = optimizerFactory.apply(params);
    } else if (!sameParameters(optimizer.parameters(), params)) {
      throw new JrnnException("the optimizer's parameters are not the task's model's parameters");
    }
  }

  private static TrainResult result(TrainingContext context) {
    Map<String, Double> best = Map.of();
    for (TrainResult.Validation v : context.history) {
      if (v.step() == context.bestStep) {
        best = v.metrics();
      }
    }
    return new TrainResult(
        context.stopReason,
        context.batchInEpoch > 0 ? context.epoch + 1 : context.epoch,
        context.step,
        context.trainSeconds,
        context.lastLossOfEpoch,
        context.lastValidation(),
        best,
        context.bestStep,
        context.restoredBest,
        List.copyOf(context.history));
  }

  @SuppressWarnings("unchecked")
  private static <B> String locate(Task<B> task, B batch) {
    return ((NonFiniteLocator<B>) task).locateNonFinite(batch);
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

  // ------------------------------------------------------------------ builder

  /** Trainer options. */
  public static final class Builder {
    private Function<List<Parameter>, Optimizer> optimizerFactory = Adam.builder().lr(1e-3)::build;
    private Optimizer optimizer;
    private LrSchedule schedule = LrSchedule.constant();
    private GradientClipping clipping = GradientClipping.byNorm(1.0);
    private Integer
        epochs; // null: DEFAULT_EPOCHS, or no limit when a step limit or time budget is given
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
    private final List<TrainingListener> listeners = new ArrayList<>();

    private Builder() {}

    /** How to make the optimiser from the model's parameters (default Adam, lr 1e-3). */
    public Builder optimizer(Function<List<Parameter>, Optimizer> factory) {
      this.optimizerFactory = Arguments.notNull("optimizer factory", factory);
      this.optimizer = null;
      return this;
    }

    /**
     * An optimiser made by the caller over the task's model's parameters (the caller closes it).
     */
    public Builder optimizer(Optimizer optimizer) {
      this.optimizer = Arguments.notNull("optimizer", optimizer);
      this.optimizerFactory = null;
      return this;
    }

    /** The learning-rate schedule (default constant). */
    public Builder schedule(LrSchedule schedule) {
      this.schedule = Arguments.notNull("schedule", schedule);
      return this;
    }

    /**
     * Gradient clipping (default by global norm 1.0; {@link GradientClipping#none()} to turn off).
     */
    public Builder clipping(GradientClipping clipping) {
      this.clipping = Arguments.notNull("clipping", clipping);
      return this;
    }

    /**
     * Epochs (0 = no limit, then give a step limit or a time budget). Default: 10 when neither
     * {@link #maxSteps} nor {@link #timeBudget} is given, else no limit (the step limit or budget
     * decides).
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
     * Stop when the primary metric has not improved for {@code patience} validations (0 = off, the
     * default). With early stopping the best parameters are restored at the end unless {@link
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

    /**
     * Write checkpoints to this file (atomically), at each epoch end and at the end of training.
     */
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

    /**
     * How often a status line is printed when the progress output is not a terminal (default 30 s;
     * null: never).
     */
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

    /**
     * Whether the NaN/Inf guard ({@link NonFiniteGuard}) runs before every update (default true).
     */
    public Builder nonFiniteGuard(boolean on) {
      this.guard = on;
      return this;
    }

    /**
     * Adds a listener that sees every step, validation and epoch of {@link #fit} after the built-in
     * ones; listeners run in the order added. See {@link TrainingListener} for the calls and their
     * order.
     */
    public Builder listener(TrainingListener listener) {
      this.listeners.add(Arguments.notNull("listener", listener));
      return this;
    }

    /** The trainer. */
    public Trainer build() {
      return new Trainer(this);
    }
  }
}
