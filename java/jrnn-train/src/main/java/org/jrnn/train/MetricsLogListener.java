/*
 * MetricsLogListener: training and validation rows in a CSV and/or JSON Lines file, resumable so
 * that a run resumed from a checkpoint ends with the uninterrupted run's log.
 */
package org.jrnn.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Rows of split, epoch, step, seconds, lr, loss, grad_norm and the validation metrics (other than
 * loss): a training row every {@code logEvery} steps (its loss the mean over the steps since the
 * last one) and a row per validation. The file opens at the first validation, when the metric names
 * are known; training rows before it wait in memory, and in each checkpoint ({@link #position()}),
 * which also records the files' lengths: a resumed run cuts the rows written after its checkpoint
 * off and writes them again, so its log equals the uninterrupted run's.
 */
final class MetricsLogListener implements TrainingListener, AutoCloseable {
  private static final List<String> BASE_COLUMNS =
      List.of("split", "epoch", "step", "seconds", "lr", "loss", "grad_norm");

  private final Path csv;
  private final Path jsonl;
  private final long logEvery;
  private MetricsLog out;
  private List<String> extra = List.of();
  private final List<Checkpoint.MetricsRow> waiting = new ArrayList<>();
  // the steps since the last training row
  private double windowLossSum;
  private long windowLossCount;

  /** A log to {@code csv} and/or {@code jsonl} (at least one not null). */
  MetricsLogListener(Path csv, Path jsonl, long logEvery) {
    this.csv = csv;
    this.jsonl = jsonl;
    this.logEvery = logEvery;
  }

  @Override
  public void onStart(TrainingContext context) {
    if (context.resumedFrom == null) {
      // a run from the start (also a resumed one whose first life left no checkpoint): no old rows
      deleteQuietly(csv);
      deleteQuietly(jsonl);
    } else {
      Checkpoint.TrainerState s = context.resumedFrom.trainer();
      windowLossSum = s.windowLossSum();
      windowLossCount = s.windowLossCount();
      if (s.metricsLog() != null) {
        resume(s.metricsLog());
      }
    }
    if (!context.hasValidation()) {
      open(List.of());
    }
  }

  @Override
  public void afterUpdate(TrainingContext context) {
    windowLossSum += context.lastStepResult.lossSum();
    windowLossCount += context.lastStepResult.count();
    if (logEvery > 0 && context.step() % logEvery == 0) {
      Checkpoint.MetricsRow row =
          new Checkpoint.MetricsRow(
              context.epoch() + 1,
              context.step(),
              round(context.trainSeconds()),
              context.learningRate(),
              windowLossCount == 0 ? null : windowLossSum / windowLossCount,
              context.lastGradientNorm());
      windowLossSum = 0;
      windowLossCount = 0;
      if (out == null) {
        waiting.add(row);
      } else {
        write(trainRow(row));
      }
    }
  }

  @Override
  public void afterValidation(TrainingContext context, Map<String, Double> metrics) {
    if (out == null) {
      List<String> names = new ArrayList<>(metrics.keySet());
      names.remove("loss");
      open(names);
    }
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("split", "valid");
    row.put("epoch", context.epoch() + 1);
    row.put("step", context.step());
    row.put("seconds", round(context.trainSeconds()));
    row.put("lr", context.learningRate());
    row.put("loss", metrics.get("loss"));
    for (String k : extra) {
      row.put(k, metrics.get(k));
    }
    write(row);
  }

  /** Writes the rows still waiting for a validation that never came, and closes the files. */
  @Override
  public void onEnd(TrainingContext context) {
    if (out == null && !waiting.isEmpty()) {
      open(List.of());
    }
    close();
  }

  /** Closes the files (rows were flushed as written). */
  @Override
  public void close() {
    if (out != null) {
      try {
        out.close();
      } catch (IOException ignored) {
        // rows were flushed as written
      }
      out = null;
    }
  }

  double windowLossSum() {
    return windowLossSum;
  }

  long windowLossCount() {
    return windowLossCount;
  }

  /**
   * Where the log stands, for a checkpoint: the rows so far are synced first, so that the lengths
   * never count bytes a power loss could take.
   */
  Checkpoint.MetricsLogState position() {
    try {
      if (out != null) {
        out.sync();
      }
      return new Checkpoint.MetricsLogState(
          out == null ? List.of() : out.columns(), size(csv), size(jsonl), waiting);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "could not sync the metrics log: " + IoErrors.describe(e, null), e);
    }
  }

  private void resume(Checkpoint.MetricsLogState s) {
    try {
      if (csv != null && s.csvBytes() >= 0) {
        MetricsLog.cutBack(csv, s.csvBytes());
      }
      if (jsonl != null && s.jsonlBytes() >= 0) {
        MetricsLog.cutBack(jsonl, s.jsonlBytes());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(
          "could not resume the metrics log: " + IoErrors.describe(e, null), e);
    }
    waiting.addAll(s.waiting());
    if (!s.columns().isEmpty()) {
      List<String> names = new ArrayList<>(s.columns());
      names.removeAll(BASE_COLUMNS);
      open(names);
    }
  }

  private void open(List<String> extraColumns) {
    if (out != null) {
      return;
    }
    List<String> cols = new ArrayList<>(BASE_COLUMNS);
    cols.addAll(extraColumns);
    extra = extraColumns;
    try {
      out = MetricsLog.open(csv, jsonl, cols.toArray(new String[0]));
      for (Checkpoint.MetricsRow row : waiting) {
        out.log(trainRow(row));
      }
      waiting.clear();
    } catch (IOException e) {
      throw new UncheckedIOException(
          "could not open the metrics log: " + IoErrors.describe(e, null), e);
    }
  }

  private void write(Map<String, Object> row) {
    row.keySet().retainAll(new HashSet<>(out.columns()));
    try {
      out.log(row);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "could not write the metrics log: " + IoErrors.describe(e, null), e);
    }
  }

  private static Map<String, Object> trainRow(Checkpoint.MetricsRow r) {
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

  private static double round(double s) {
    return Math.round(s * 1000) / 1000.0;
  }

  private static long size(Path file) throws IOException {
    return file == null ? -1 : Files.exists(file) ? Files.size(file) : 0;
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
}
