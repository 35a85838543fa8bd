/*
 * LrSchedule: learning-rate schedules as a factor of the base learning rate per optimisation step;
 * constant, step decay, cosine, linear warm-up (composable: warm-up then cosine).
 */
package org.jrnn.optim;

import java.util.Locale;
import org.jrnn.JrnnException;
import org.jrnn.internal.Quote;

/**
 * A learning-rate schedule: the factor by which the base learning rate is multiplied for the update
 * at 0-based step {@code step} of a run of {@code totalSteps} updates ({@code totalSteps <= 0} when
 * unknown, e.g. a time budget; schedules that need it then hold their factor at 1). The trainer
 * sets {@code lr = baseLr · factor(step, total)} before each update.
 *
 * <p>Values (for base learning rate {@code lr}, step {@code t}, total {@code T}):
 *
 * <ul>
 *   <li>{@link #constant()}: {@code lr}.
 *   <li>{@link #step(long, double)}: {@code lr · gamma^floor(t / every)} ({@code
 *       torch.optim.lr_scheduler.StepLR}).
 *   <li>{@link #cosine(double)}: {@code lr · (m + (1 - m)(1 + cos(π t / T)) / 2)} for {@code t <=
 *       T}, then {@code lr · m}, with {@code m} the final factor ({@code CosineAnnealingLR} with
 *       {@code T_max = T}, {@code eta_min = m · lr}).
 *   <li>{@link #warmup(long, LrSchedule)}: {@code lr · (t + 1) / W} for {@code t < W}, then the
 *       inner schedule over the remaining {@code T - W} steps ({@code t - W}, {@code T - W}).
 * </ul>
 */
@FunctionalInterface
public interface LrSchedule {

  /** The factor (usually in [0, 1]) for 0-based step {@code step} of {@code totalSteps}. */
  double factor(long step, long totalSteps);

  /** The learning rate for {@code baseLr}. */
  default double learningRate(double baseLr, long step, long totalSteps) {
    return baseLr * factor(step, totalSteps);
  }

  /** Always the base learning rate. */
  static LrSchedule constant() {
    return new Named("constant", (t, total) -> 1.0);
  }

  /** Multiplies by {@code gamma} every {@code every} steps. */
  static LrSchedule step(long every, double gamma) {
    if (every < 1) {
      throw new JrnnException("step schedule: every must be >= 1 but is " + every);
    }
    if (!(gamma > 0) || Double.isInfinite(gamma)) {
      throw new JrnnException("step schedule: gamma must be finite and > 0 but is " + gamma);
    }
    return new Named(
        String.format(Locale.ROOT, "step(every %d, gamma %s)", every, gamma),
        (t, total) -> Math.pow(gamma, Math.floorDiv(t, every)));
  }

  /** Cosine decay from 1 to {@code finalFactor} over the run's total steps. */
  static LrSchedule cosine(double finalFactor) {
    if (!(finalFactor >= 0 && finalFactor <= 1)) {
      throw new JrnnException(
          "cosine schedule: final factor must be in [0, 1] but is " + finalFactor);
    }
    return new Named(
        finalFactor == 0 ? "cosine" : "cosine(to " + finalFactor + ")",
        (t, total) -> {
          if (total <= 0) {
            return 1.0;
          }
          double p = Math.min(1.0, Math.max(0.0, (double) t / total));
          return finalFactor + (1 - finalFactor) * (1 + Math.cos(Math.PI * p)) / 2;
        });
  }

  /** Cosine decay from 1 to 0 over the run's total steps. */
  static LrSchedule cosine() {
    return cosine(0.0);
  }

  /**
   * Linear warm-up over {@code warmupSteps} steps ({@code (t + 1) / W}), then {@code then} over the
   * remaining steps.
   */
  static LrSchedule warmup(long warmupSteps, LrSchedule then) {
    if (warmupSteps < 0) {
      throw new JrnnException("warm-up steps must be >= 0 but is " + warmupSteps);
    }
    if (then == null) {
      throw new JrnnException("warm-up: the schedule after it is null");
    }
    if (warmupSteps == 0) {
      return then;
    }
    return new Named(
        "warmup(" + warmupSteps + ") then " + then,
        (t, total) -> {
          if (t < warmupSteps) {
            return (double) (t + 1) / warmupSteps;
          }
          long rest = total <= 0 ? 0 : Math.max(1, total - warmupSteps);
          return then.factor(t - warmupSteps, rest);
        });
  }

  /**
   * Parses a command-line schedule: {@code constant}, {@code cosine}, {@code cosine:MIN} (final
   * factor), {@code step:EVERY:GAMMA}; with {@code warmupSteps > 0} it is preceded by a linear
   * warm-up.
   *
   * @throws JrnnException with a one-line message for anything else
   */
  static LrSchedule parse(String spec, long warmupSteps) {
    if (spec == null) {
      throw new JrnnException(
          "the schedule is null (constant, cosine, cosine:MIN, step:EVERY:GAMMA)");
    }
    String s = spec.trim().toLowerCase(Locale.ROOT);
    String[] parts = s.split(":", -1);
    LrSchedule base;
    try {
      switch (parts[0]) {
        case "constant", "none" -> {
          if (parts.length != 1) {
            throw new JrnnException("'constant' takes no arguments");
          }
          base = constant();
        }
        case "cosine" -> {
          if (parts.length > 2) {
            throw new JrnnException("use cosine or cosine:MIN_FACTOR");
          }
          base = parts.length == 2 ? cosine(Double.parseDouble(parts[1])) : cosine();
        }
        case "step" -> {
          if (parts.length != 3) {
            throw new JrnnException("use step:EVERY_STEPS:GAMMA, e.g. step:1000:0.5");
          }
          base = step(Long.parseLong(parts[1]), Double.parseDouble(parts[2]));
        }
        default ->
            throw new JrnnException(
                "unknown schedule "
                    + Quote.quote(spec)
                    + " (constant, cosine, cosine:MIN, step:EVERY:GAMMA)");
      }
    } catch (NumberFormatException e) {
      throw new JrnnException(
          "schedule " + Quote.quote(spec) + ": not a number: " + Quote.reason(e), e);
    }
    return warmup(warmupSteps, base);
  }

  /** A schedule with a readable {@code toString}. */
  final class Named implements LrSchedule {
    private final String name;
    private final LrSchedule f;

    Named(String name, LrSchedule f) {
      this.name = name;
      this.f = f;
    }

    /**
     * @throws JrnnException when {@code step < 0}
     */
    @Override
    public double factor(long step, long totalSteps) {
      if (step < 0) {
        throw new JrnnException("schedule " + name + ": step must be >= 0 but is " + step);
      }
      return f.factor(step, totalSteps);
    }

    @Override
    public String toString() {
      return name;
    }
  }
}
