/*
 * Checkpoint: one safetensors file with everything a training run needs to continue bit for bit:
 * the model's parameters, the optimiser's state, the trainer's position and counters, the task's
 * own state and (optionally) the best parameters so far. Written atomically (temp file + rename).
 */
package org.jrnn.train;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.jrnn.JrnnException;
import org.jrnn.internal.Arguments;
import org.jrnn.internal.Quote;
import org.jrnn.io.AtomicFiles;
import org.jrnn.io.Json;
import org.jrnn.io.SafetensorsFile;
import org.jrnn.io.SafetensorsWriter;
import org.jrnn.io.TensorInfo;
import org.jrnn.nn.Parameter;
import org.jrnn.nn.Trainable;
import org.jrnn.optim.Optimizer;
import org.jrnn.optim.OptimizerState;

/**
 * A training checkpoint. The file is safetensors: tensors {@code model/<param>}, {@code
 * optimizer/<param>.<buffer>}, {@code best/<param>} and {@code task/<name>}, all F32; {@code
 * __metadata__} holds {@code format = "jrnn-checkpoint"}, {@code version}, and the trainer,
 * optimiser and task state as JSON. {@link #write} replaces the file atomically: a failure while
 * writing leaves the previous checkpoint as it was.
 */
public final class Checkpoint {
  /** The {@code format} metadata value. */
  public static final String FORMAT = "jrnn-checkpoint";

  private static final String VERSION = "1";

  private final TrainerState trainer;
  private final Map<String, float[]> model;
  private final OptimizerState optimizer;
  private final Map<String, float[]> best;
  private final ResumableTask.State task;

  Checkpoint(
      TrainerState trainer,
      Map<String, float[]> model,
      OptimizerState optimizer,
      Map<String, float[]> best,
      ResumableTask.State task) {
    this.trainer = Arguments.notNull("trainer state", trainer);
    this.model = model;
    this.optimizer = optimizer;
    this.best = best;
    this.task = task;
  }

  /** Where the run was and what it had measured. */
  public TrainerState trainer() {
    return trainer;
  }

  /** The model's parameters by name. */
  public Map<String, float[]> model() {
    return model;
  }

  /** The optimiser's state. */
  public OptimizerState optimizer() {
    return optimizer;
  }

  /** The parameters at the best validation so far (empty when not kept). */
  public Map<String, float[]> best() {
    return best;
  }

  /** The task's own state, or null. */
  public ResumableTask.State task() {
    return task;
  }

  /**
   * The trainer's resumable state.
   *
   * @param epoch the epoch of the next batch (0-based)
   * @param batchInEpoch how many batches of that epoch are done
   * @param step optimisation steps done
   * @param seed the run's seed (batches, shuffling)
   * @param trainSeconds seconds of training so far
   * @param epochLossSum summed loss of the epoch's steps so far
   * @param epochLossCount items of the epoch's steps so far
   * @param bestMetric the best primary metric so far (NaN before the first validation)
   * @param bestStep the step of the best validation (-1 before the first)
   * @param badValidations validations since the best one (for patience)
   * @param history every validation so far
   * @param windowLossSum summed loss of the steps since the last training row of the metrics log (0
   *     without a metrics log)
   * @param windowLossCount items of those steps
   * @param metricsLog where the metrics log stood, or null (no log, or a checkpoint from before
   *     jrnn recorded it)
   */
  public record TrainerState(
      int epoch,
      int batchInEpoch,
      long step,
      long seed,
      double trainSeconds,
      double epochLossSum,
      long epochLossCount,
      double bestMetric,
      long bestStep,
      int badValidations,
      List<TrainResult.Validation> history,
      double windowLossSum,
      long windowLossCount,
      MetricsLogState metricsLog) {
    public TrainerState {
      history = List.copyOf(history);
    }

    Map<String, Object> toJson() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("epoch", (long) epoch);
      m.put("batch_in_epoch", (long) batchInEpoch);
      m.put("step", step);
      m.put("seed", Long.toString(seed));
      m.put("train_seconds", exact(trainSeconds));
      m.put("epoch_loss_sum", exact(epochLossSum));
      m.put("epoch_loss_count", epochLossCount);
      m.put("best_metric", exact(bestMetric));
      m.put("best_step", bestStep);
      m.put("bad_validations", (long) badValidations);
      List<Object> h = new ArrayList<>();
      for (TrainResult.Validation v : history) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("epoch", (long) v.epoch());
        e.put("step", v.step());
        e.put("train_seconds", exact(v.trainSeconds()));
        Map<String, Object> metrics = new LinkedHashMap<>();
        v.metrics().forEach((k, x) -> metrics.put(k, exact(x)));
        e.put("metrics", metrics);
        h.add(e);
      }
      m.put("history", h);
      m.put("window_loss_sum", exact(windowLossSum));
      m.put("window_loss_count", windowLossCount);
      if (metricsLog != null) {
        m.put("metrics_log", metricsLog.toJson());
      }
      return m;
    }

    @SuppressWarnings("unchecked")
    static TrainerState fromJson(Map<String, Object> m) {
      List<TrainResult.Validation> history = new ArrayList<>();
      for (Object o : (List<Object>) m.get("history")) {
        Map<String, Object> e = (Map<String, Object>) o;
        Map<String, Double> metrics = new LinkedHashMap<>();
        ((Map<String, Object>) e.get("metrics")).forEach((k, x) -> metrics.put(k, parseExact(x)));
        history.add(
            new TrainResult.Validation(
                intOf(e.get("epoch")),
                longOf(e.get("step")),
                parseExact(e.get("train_seconds")),
                metrics));
      }
      return new TrainerState(
          intOf(m.get("epoch")),
          intOf(m.get("batch_in_epoch")),
          longOf(m.get("step")),
          Long.parseLong((String) m.get("seed")),
          parseExact(m.get("train_seconds")),
          parseExact(m.get("epoch_loss_sum")),
          longOf(m.get("epoch_loss_count")),
          parseExact(m.get("best_metric")),
          longOf(m.get("best_step")),
          intOf(m.get("bad_validations")),
          history,
          // checkpoints written before these fields have neither (their runs start a new window)
          m.containsKey("window_loss_sum") ? parseExact(m.get("window_loss_sum")) : 0,
          m.containsKey("window_loss_count") ? longOf(m.get("window_loss_count")) : 0,
          m.containsKey("metrics_log")
              ? MetricsLogState.fromJson((Map<String, Object>) m.get("metrics_log"))
              : null);
    }
  }

  /**
   * Where the trainer's metrics log stood at the checkpoint, so that a resumed run cuts off the
   * rows written after it and goes on writing exactly what the uninterrupted run writes.
   *
   * @param columns the log's columns, or empty when the log is not started yet (it starts at the
   *     first validation, which names the validation metrics)
   * @param csvBytes the CSV file's length (-1: no CSV file)
   * @param jsonlBytes the JSON Lines file's length (-1: no JSONL file)
   * @param waiting training rows not written yet (they wait for the log to start)
   */
  public record MetricsLogState(
      List<String> columns, long csvBytes, long jsonlBytes, List<MetricsRow> waiting) {
    public MetricsLogState {
      columns = List.copyOf(columns);
      waiting = List.copyOf(waiting);
    }

    Map<String, Object> toJson() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("columns", new ArrayList<Object>(columns));
      m.put("csv_bytes", csvBytes);
      m.put("jsonl_bytes", jsonlBytes);
      List<Object> rows = new ArrayList<>();
      for (MetricsRow r : waiting) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("epoch", (long) r.epoch());
        e.put("step", r.step());
        e.put("seconds", exact(r.seconds()));
        e.put("lr", exact(r.lr()));
        e.put("loss", r.loss() == null ? null : exact(r.loss()));
        e.put("grad_norm", exact(r.gradNorm()));
        rows.add(e);
      }
      m.put("waiting", rows);
      return m;
    }

    @SuppressWarnings("unchecked")
    static MetricsLogState fromJson(Map<String, Object> m) {
      List<String> columns = new ArrayList<>();
      for (Object o : (List<Object>) m.get("columns")) {
        columns.add((String) o);
      }
      List<MetricsRow> waiting = new ArrayList<>();
      for (Object o : (List<Object>) m.get("waiting")) {
        Map<String, Object> e = (Map<String, Object>) o;
        Object loss = e.get("loss");
        waiting.add(
            new MetricsRow(
                intOf(e.get("epoch")),
                longOf(e.get("step")),
                parseExact(e.get("seconds")),
                parseExact(e.get("lr")),
                loss == null || loss == Json.NULL ? null : parseExact(loss),
                parseExact(e.get("grad_norm"))));
      }
      return new MetricsLogState(
          columns, longOf(m.get("csv_bytes")), longOf(m.get("jsonl_bytes")), waiting);
    }
  }

  /**
   * A training row of the metrics log.
   *
   * @param epoch the epoch, 1-based
   * @param step optimisation steps done
   * @param seconds seconds of training so far
   * @param lr the learning rate of the last step
   * @param loss the mean loss of the steps since the previous training row, or null for none
   * @param gradNorm the global gradient norm of the last step (before clipping)
   */
  public record MetricsRow(
      int epoch, long step, double seconds, double lr, Double loss, double gradNorm) {}

  /** Doubles as their exact Java text (round-trips bit for bit, NaN and infinities included). */
  private static String exact(double d) {
    return Double.toString(d);
  }

  private static double parseExact(Object o) {
    return Double.parseDouble((String) o);
  }

  private static long longOf(Object o) {
    return ((Number) o).longValue();
  }

  private static int intOf(Object o) {
    return Math.toIntExact(longOf(o));
  }

  // ------------------------------------------------------------------ writing

  /**
   * Writes a checkpoint of {@code model}, {@code optimizer} and {@code state} to {@code path},
   * atomically. Temporary files that an earlier writer of {@code path} left when it was killed
   * mid-write are deleted first (see {@link AtomicFiles#deleteStaleTemps}).
   *
   * @param best parameters at the best validation by name, or null
   * @param task the task's state, or null
   */
  public static void write(
      Path path,
      Trainable model,
      Optimizer optimizer,
      TrainerState state,
      Map<String, float[]> best,
      ResumableTask.State task)
      throws IOException {
    write(path, model, optimizer, state, best, task, UnaryOperator.identity());
  }

  /**
   * As {@link #write(Path, Trainable, Optimizer, TrainerState, Map, ResumableTask.State)}; tests
   * wrap the stream.
   */
  static void write(
      Path path,
      Trainable model,
      Optimizer optimizer,
      TrainerState state,
      Map<String, float[]> best,
      ResumableTask.State task,
      UnaryOperator<OutputStream> wrap)
      throws IOException {
    SafetensorsWriter w = new SafetensorsWriter();
    w.metadata("format", FORMAT).metadata("version", VERSION);
    w.metadata("trainer", Json.write(state.toJson()));
    for (Parameter p : model.parameters()) {
      w.putFloats("model/" + p.name(), p.value().toArray(), p.value().shape());
    }
    OptimizerState os = optimizer.state();
    Map<String, Object> om = new LinkedHashMap<>();
    om.put("name", os.optimizer());
    om.put("learning_rate", exact(os.learningRate()));
    Map<String, Object> steps = new LinkedHashMap<>();
    os.steps().forEach(steps::put);
    om.put("steps", steps);
    om.put("hyperparameters", optimizer.hyperparameters());
    w.metadata("optimizer", Json.write(om));
    for (Map.Entry<String, float[]> e : os.buffers().entrySet()) {
      w.putFloats("optimizer/" + e.getKey(), e.getValue(), e.getValue().length);
    }
    if (best != null) {
      for (Map.Entry<String, float[]> e : best.entrySet()) {
        w.putFloats("best/" + e.getKey(), e.getValue(), e.getValue().length);
      }
    }
    if (task != null) {
      w.metadata("task", Json.write(new LinkedHashMap<String, Object>(task.values())));
      for (Map.Entry<String, float[]> e : task.arrays().entrySet()) {
        w.putFloats("task/" + e.getKey(), e.getValue(), e.getValue().length);
      }
    }
    AtomicFiles.deleteStaleTemps(path);
    AtomicFiles.write(path, out -> w.writeTo(wrap.apply(out)));
  }

  // ------------------------------------------------------------------ reading

  /**
   * Reads a checkpoint.
   *
   * @throws IOException when the file is missing, unreadable or not a jrnn checkpoint (the message
   *     says which)
   */
  @SuppressWarnings("unchecked")
  public static Checkpoint read(Path path) throws IOException {
    try (SafetensorsFile f = SafetensorsFile.open(path)) {
      Map<String, String> meta = f.metadata();
      String file = Quote.path(path);
      if (!FORMAT.equals(meta.get("format"))) {
        throw new IOException(
            file + ": not a jrnn training checkpoint (no format=" + FORMAT + " metadata)");
      }
      if (!VERSION.equals(meta.get("version"))) {
        throw new IOException(
            file
                + ": checkpoint version "
                + Quote.quote(meta.get("version"))
                + " is not supported");
      }
      TrainerState trainer;
      OptimizerState os;
      ResumableTask.State task = null;
      Map<String, float[]> model = new LinkedHashMap<>();
      Map<String, float[]> optim = new LinkedHashMap<>();
      Map<String, float[]> best = new LinkedHashMap<>();
      Map<String, float[]> taskArrays = new LinkedHashMap<>();
      for (TensorInfo t : f.tensors()) {
        String n = t.name();
        float[] v = f.floats(n);
        if (n.startsWith("model/")) {
          model.put(n.substring(6), v);
        } else if (n.startsWith("optimizer/")) {
          optim.put(n.substring(10), v);
        } else if (n.startsWith("best/")) {
          best.put(n.substring(5), v);
        } else if (n.startsWith("task/")) {
          taskArrays.put(n.substring(5), v);
        }
      }
      try {
        trainer = TrainerState.fromJson(Json.parseObject(meta.get("trainer")));
        Map<String, Object> om = Json.parseObject(meta.get("optimizer"));
        Map<String, Long> steps = new LinkedHashMap<>();
        ((Map<String, Object>) om.get("steps")).forEach((k, x) -> steps.put(k, longOf(x)));
        os =
            new OptimizerState(
                (String) om.get("name"), parseExact(om.get("learning_rate")), steps, optim);
        if (meta.containsKey("task")) {
          Map<String, String> values = new LinkedHashMap<>();
          Json.parseObject(meta.get("task")).forEach((k, x) -> values.put(k, String.valueOf(x)));
          task = new ResumableTask.State(taskArrays, values);
        }
      } catch (JrnnException e) {
        throw new IOException(file + ": damaged checkpoint metadata: " + e.getMessage(), e);
      } catch (RuntimeException e) {
        // a missing (null), mistyped (cast) or malformed (number) field
        throw new IOException(
            file + ": damaged checkpoint metadata (a field is missing or has the wrong type)", e);
      }
      return new Checkpoint(trainer, model, os, best, task);
    }
  }

  /**
   * Copies the saved parameters into {@code model}.
   *
   * @throws JrnnException naming the first parameter that is missing or has another size
   */
  public void restoreModel(Trainable model) {
    restoreParameters(model, this.model, "checkpoint");
  }

  static void restoreParameters(Trainable model, Map<String, float[]> values, String what) {
    for (Parameter p : model.parameters()) {
      float[] v = values.get(p.name());
      if (v == null) {
        throw new JrnnException("the " + what + " has no parameter " + Quote.quote(p.name()));
      }
      if (v.length != p.value().numel()) {
        throw new JrnnException(
            "the "
                + what
                + "'s parameter "
                + p.name()
                + " has "
                + v.length
                + " values but the model's "
                + Arrays.toString(p.value().shape())
                + " has "
                + p.value().numel());
      }
    }
    if (values.size() != model.parameters().size()) {
      for (String name : values.keySet()) {
        if (model.parameters().stream().noneMatch(p -> p.name().equals(name))) {
          throw new JrnnException(
              "the " + what + " has parameter " + Quote.quote(name) + ", which the model lacks");
        }
      }
    }
    for (Parameter p : model.parameters()) {
      p.value().copyFrom(values.get(p.name()));
    }
  }

  /** Host copies of the model's parameters by name. */
  static Map<String, float[]> snapshot(Trainable model) {
    Map<String, float[]> m = new LinkedHashMap<>();
    for (Parameter p : model.parameters()) {
      m.put(p.name(), p.value().toArray());
    }
    return m;
  }
}
