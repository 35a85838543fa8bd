// TrainSettings: the options of `jrnn train` shared by every task (optimiser, schedule, clipping,
// stopping, checkpoints, metrics log, device), parsed once and turned into a Trainer.
package org.jrnn.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import org.jrnn.Device;
import org.jrnn.JrnnException;
import org.jrnn.cli.Command.UsageException;
import org.jrnn.internal.Quote;
import org.jrnn.nn.Parameter;
import org.jrnn.optim.Adam;
import org.jrnn.optim.AdamW;
import org.jrnn.optim.GradientClipping;
import org.jrnn.optim.LrSchedule;
import org.jrnn.optim.Optimizer;
import org.jrnn.optim.RmsProp;
import org.jrnn.optim.Sgd;
import org.jrnn.train.Trainer;

/** The training options shared by every task. */
record TrainSettings(
    String optimizer,
    double lr,
    double momentum,
    double weightDecay,
    boolean nesterov,
    int batch,
    int epochs,
    long maxSteps,
    Duration timeBudget,
    GradientClipping clipping,
    long seed,
    LrSchedule schedule,
    double validFraction,
    int patience,
    long validateEvery,
    Path checkpoint,
    long checkpointEvery,
    boolean resume,
    Path metrics,
    Device device,
    boolean quiet,
    PrintStream progress) {

  static TrainSettings of(CliOptions o, String task, PrintStream progress) {
    String opt = o.choice("optimizer", "adam", "adam", "adamw", "sgd", "rmsprop");
    double defaultLr =
        switch (opt) {
          case "sgd" -> 0.1;
          case "rmsprop" -> 1e-3;
          default -> 2e-3;
        };
    double lr = o.number("lr", defaultLr, 0, 1e6);
    double momentum = o.number("momentum", 0, 0, 0.999999);
    double wd = o.number("weight-decay", opt.equals("adamw") ? 0.01 : 0, 0, 1e6);
    boolean nesterov = o.flag("nesterov");
    if (nesterov && (!opt.equals("sgd") || momentum == 0)) {
      throw new UsageException("--nesterov needs --optimizer sgd and --momentum > 0");
    }
    if (o.has("momentum") && !(opt.equals("sgd") || opt.equals("rmsprop"))) {
      throw new UsageException("--momentum applies to sgd and rmsprop, not " + opt);
    }
    long maxSteps = o.longValue("max-steps", 0, 0);
    Duration budget = o.duration("time-budget");
    // without --epochs, a step limit or time budget alone decides how long to train
    int epochs =
        o.integer(
            "epochs", maxSteps > 0 || budget != null ? 0 : Trainer.DEFAULT_EPOCHS, 0, 1_000_000);
    if (epochs == 0 && maxSteps == 0 && budget == null) {
      throw new UsageException("--epochs 0 needs --max-steps or --time-budget");
    }
    GradientClipping clipping;
    if (o.has("clip-value")) {
      if (o.has("clip")) {
        throw new UsageException("give --clip or --clip-value, not both");
      }
      // GradientClipping's range: a smaller limit would be flushed to zero by the kernels
      clipping = GradientClipping.byValue(o.number("clip-value", 1, Float.MIN_NORMAL, 1e30));
    } else {
      double c = o.number("clip", 1.0, 0, 1e30);
      if (c != 0 && c < Float.MIN_NORMAL) {
        throw new UsageException(
            "--clip must be 0 (off) or in ["
                + Float.MIN_NORMAL
                + ", 1.0E30], not "
                + Quote.quote(o.string("clip", "")));
      }
      clipping = c == 0 ? GradientClipping.none() : GradientClipping.byNorm(c);
    }
    LrSchedule schedule;
    try {
      schedule = LrSchedule.parse(o.string("schedule", "constant"), o.longValue("warmup", 0, 0));
    } catch (IllegalArgumentException | JrnnException e) {
      throw new UsageException("--schedule: " + Quote.cut(e.getMessage()));
    }
    Path checkpoint = o.path("checkpoint");
    if (o.flag("resume") && checkpoint == null) {
      throw new UsageException("--resume needs --checkpoint FILE");
    }
    if (o.has("checkpoint-every") && checkpoint == null) {
      throw new UsageException("--checkpoint-every needs --checkpoint FILE");
    }
    Path metrics = o.path("metrics");
    if (metrics != null) {
      String n = metrics.getFileName().toString().toLowerCase(Locale.ROOT);
      if (!n.endsWith(".csv") && !n.endsWith(".jsonl")) {
        throw new UsageException("--metrics must name a .csv or .jsonl file");
      }
    }
    Device device;
    try {
      device = Device.parse(o.string("device", "cpu"));
    } catch (RuntimeException e) {
      throw new UsageException("--device: " + Quote.cut(e.getMessage()));
    }
    return new TrainSettings(
        opt,
        lr,
        momentum,
        wd,
        nesterov,
        o.integer("batch", 32, 1, 1 << 20),
        epochs,
        maxSteps,
        budget,
        clipping,
        o.longValue("seed", 42, Long.MIN_VALUE),
        schedule,
        o.number("valid-fraction", 0.1, 0, 0.9),
        o.integer("patience", 0, 0, 1_000_000),
        o.longValue("validate-every", 0, 0),
        checkpoint,
        o.longValue("checkpoint-every", 0, 0),
        o.flag("resume"),
        metrics,
        device,
        o.flag("quiet"),
        progress);
  }

  Function<List<Parameter>, Optimizer> optimizerFactory() {
    return ps ->
        switch (optimizer) {
          case "adamw" -> AdamW.builder().lr(lr).weightDecay(weightDecay).build(ps);
          case "sgd" ->
              Sgd.builder()
                  .lr(lr)
                  .momentum(momentum)
                  .weightDecay(weightDecay)
                  .nesterov(nesterov)
                  .build(ps);
          case "rmsprop" ->
              RmsProp.builder().lr(lr).momentum(momentum).weightDecay(weightDecay).build(ps);
          default -> Adam.builder().lr(lr).weightDecay(weightDecay).build(ps);
        };
  }

  Trainer trainer(PrintStream log) {
    Trainer.Builder b =
        Trainer.builder()
            .optimizer(optimizerFactory())
            .schedule(schedule)
            .clipping(clipping)
            .epochs(epochs)
            .maxSteps(maxSteps)
            .timeBudget(timeBudget)
            .seed(seed)
            .validateEvery(validateEvery)
            .earlyStopping(patience)
            .checkpoint(checkpoint)
            .checkpointEvery(checkpointEvery)
            .resume(resume)
            .log(log)
            .progress(quiet ? null : progress, null);
    if (metrics != null) {
      if (metrics.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".csv")) {
        b.metricsCsv(metrics);
      } else {
        b.metricsJsonl(metrics);
      }
    }
    return b.build();
  }

  String describe() {
    StringBuilder b = new StringBuilder(optimizer).append(' ').append(lr);
    if (weightDecay > 0) {
      b.append(", weight decay ").append(weightDecay);
    }
    if (momentum > 0) {
      b.append(", momentum ").append(momentum).append(nesterov ? " (Nesterov)" : "");
    }
    b.append(", batch ").append(batch);
    if (epochs > 0) {
      b.append(", ").append(epochs).append(" epochs");
    }
    if (maxSteps > 0) {
      b.append(", at most ").append(maxSteps).append(" updates");
    }
    if (timeBudget != null) {
      b.append(", budget ").append(timeBudget.toMillis() / 1000.0).append(" s");
    }
    b.append(", clipping ")
        .append(clipping)
        .append(", schedule ")
        .append(schedule)
        .append(", seed ")
        .append(seed);
    return b.toString();
  }
}
