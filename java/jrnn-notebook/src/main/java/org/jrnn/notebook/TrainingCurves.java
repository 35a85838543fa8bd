/*
 * TrainingCurves: loss and metric curves of a training run, as one image, optionally live.
 */
package org.jrnn.notebook;

import java.awt.image.BufferedImage;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import org.jrnn.JrnnException;
import org.jrnn.nn.Trainable;
import org.jrnn.train.NonFiniteLocator;
import org.jrnn.train.ResumableTask;
import org.jrnn.train.Task;
import org.jrnn.train.TrainResult;
import org.knowm.xchart.XYChart;

/**
 * Records training curves (one chart per metric, one line per series, e.g. metric {@code "loss"}
 * with series {@code "train"} and {@code "valid"}) and draws them side by side as one {@link
 * BufferedImage} with XChart.
 *
 * <p>Live in a notebook (JJava and IJava both provide {@code display} and {@code updateDisplay}):
 *
 * <pre>{@code
 * TrainingCurves curves = new TrainingCurves("sentiment, LSTM");
 * String id = display(curves.image());              // an empty chart now
 * curves.live(img -> updateDisplay(id, img));       // redrawn in place while training
 * TrainResult r = trainer.fit(curves.watch(task), trainBatches, validBatches);
 * curves.finish();                                   // the final image
 * }</pre>
 *
 * {@link #watch} wraps a {@link Task} so that every training step's mean loss (averaged over {@link
 * #trainEvery} steps) becomes a point of {@code loss/train}, and every {@code evaluate} (the
 * trainer's validations) a point of each returned metric's {@code valid} series, at the current
 * step. Without a display, {@link #printTo} prints a line per validation instead (the plain
 * fallback); {@link #add} records anything else (e.g. from a hand-written loop). Thread-safe.
 */
public final class TrainingCurves {
  private final String title;
  private final Map<String, Map<String, List<double[]>>> data = new LinkedHashMap<>();
  private String xLabel = "step";
  private int panelWidth = 440, panelHeight = 320, perRow = 3;
  private Consumer<BufferedImage> sink;
  private PrintStream printer;
  private long intervalNanos = Duration.ofMillis(750).toNanos();
  private long lastPush;
  private boolean dirty;
  private int trainEvery = 10;

  /** Curves under a title (shown above the charts; may be empty). */
  public TrainingCurves(String title) {
    this.title = title == null ? "" : title;
  }

  /** The x axis label (default {@code "step"}). */
  public synchronized TrainingCurves xLabel(String label) {
    this.xLabel = label;
    return this;
  }

  /** Size of each chart in pixels (default 440 x 320) and charts per row (default 3). */
  public synchronized TrainingCurves panels(int width, int height, int perRow) {
    if (width < 120 || height < 100 || perRow < 1) {
      throw new JrnnException("panels need width >= 120, height >= 100, perRow >= 1");
    }
    this.panelWidth = width;
    this.panelHeight = height;
    this.perRow = perRow;
    return this;
  }

  /**
   * How many training steps {@link #watch} averages into one {@code loss/train} point (default 10).
   */
  public synchronized TrainingCurves trainEvery(int steps) {
    if (steps < 1) {
      throw new JrnnException("trainEvery must be >= 1 but is " + steps);
    }
    this.trainEvery = steps;
    return this;
  }

  /**
   * Sends a fresh image to {@code sink} after new points arrive, at most once per {@link
   * #liveInterval} (and always on a validation and on {@link #finish}); null stops it. In JJava or
   * IJava: {@code String id = display(curves.image()); curves.live(img -> updateDisplay(id, img));}
   */
  public synchronized TrainingCurves live(Consumer<BufferedImage> sink) {
    this.sink = sink;
    return this;
  }

  /** The shortest time between two live images (default 750 ms). */
  public synchronized TrainingCurves liveInterval(Duration d) {
    this.intervalNanos = d.toNanos();
    return this;
  }

  /**
   * The plain fallback: prints one line per validation (and per {@link #finish}); null stops it.
   */
  public synchronized TrainingCurves printTo(PrintStream out) {
    this.printer = out;
    return this;
  }

  /** Adds a point (x, y) to the line {@code series} of the chart {@code metric}. */
  public TrainingCurves add(String metric, String series, double x, double y) {
    Consumer<BufferedImage> push = null;
    synchronized (this) {
      data.computeIfAbsent(metric, k -> new LinkedHashMap<>())
          .computeIfAbsent(series, k -> new ArrayList<>())
          .add(new double[] {x, y});
      dirty = true;
      long now = System.nanoTime();
      if (sink != null && now - lastPush >= intervalNanos) {
        lastPush = now;
        dirty = false;
        push = sink;
      }
    }
    if (push != null) {
      push.accept(image());
    }
    return this;
  }

  /**
   * Adds one point per metric of {@code metrics} to its {@code series} line at {@code x} (e.g. a
   * validation's {@code {"loss": 0.41, "accuracy": 0.83}} as series {@code "valid"}), prints it
   * when {@link #printTo} is set, and pushes a live image.
   */
  public TrainingCurves addAll(String series, double x, Map<String, Double> metrics) {
    Consumer<BufferedImage> push;
    PrintStream out;
    synchronized (this) {
      for (Map.Entry<String, Double> e : metrics.entrySet()) {
        if (e.getValue() != null) {
          data.computeIfAbsent(e.getKey(), k -> new LinkedHashMap<>())
              .computeIfAbsent(series, k -> new ArrayList<>())
              .add(new double[] {x, e.getValue()});
        }
      }
      push = sink;
      out = printer;
      lastPush = System.nanoTime();
      dirty = false;
    }
    if (out != null) {
      out.println(line(series, x, metrics));
    }
    if (push != null) {
      push.accept(image());
    }
    return this;
  }

  /**
   * Adds the validations of a finished run ({@link TrainResult#history()}) as series {@code
   * "valid"}.
   */
  public TrainingCurves addHistory(TrainResult result) {
    for (TrainResult.Validation v : result.history()) {
      addAll("valid", v.step(), v.metrics());
    }
    return this;
  }

  /** Pushes the final image to the live sink (if any) and prints the last values (if printing). */
  public void finish() {
    Consumer<BufferedImage> push;
    PrintStream out;
    synchronized (this) {
      push = sink;
      out = printer;
      dirty = false;
    }
    if (push != null) {
      push.accept(image());
    }
    if (out != null) {
      out.println(summary());
    }
  }

  /** The metric names, in the order first seen. */
  public synchronized List<String> metrics() {
    return new ArrayList<>(data.keySet());
  }

  /** The points of one line as {@code {x[], y[]}}; empty arrays when there are none. */
  public synchronized double[][] series(String metric, String series) {
    List<double[]> pts = data.getOrDefault(metric, Map.of()).getOrDefault(series, List.of());
    double[] x = new double[pts.size()], y = new double[pts.size()];
    for (int i = 0; i < x.length; i++) {
      x[i] = pts.get(i)[0];
      y[i] = pts.get(i)[1];
    }
    return new double[][] {x, y};
  }

  /**
   * The last value of every line, e.g. {@code "loss: train 0.312 (step 400), valid 0.405 (step
   * 400)"}.
   */
  public synchronized String summary() {
    StringBuilder sb = new StringBuilder(title.isEmpty() ? "" : title + "\n");
    if (data.isEmpty()) {
      return sb.append("(no points yet)").toString();
    }
    for (Map.Entry<String, Map<String, List<double[]>>> m : data.entrySet()) {
      sb.append("  ").append(m.getKey()).append(":");
      String sep = " ";
      for (Map.Entry<String, List<double[]>> s : m.getValue().entrySet()) {
        double[] last = s.getValue().get(s.getValue().size() - 1);
        sb.append(sep)
            .append(s.getKey())
            .append(' ')
            .append(fmt(last[1]))
            .append(" (")
            .append(xLabel)
            .append(' ')
            .append(fmt(last[0]))
            .append(')');
        sep = ", ";
      }
      sb.append('\n');
    }
    return sb.toString().stripTrailing();
  }

  @Override
  public String toString() {
    return summary();
  }

  /** The charts, one per metric, {@link #panels perRow} per row, under the title. */
  public BufferedImage image() {
    List<XYChart> charts = new ArrayList<>();
    synchronized (this) {
      if (data.isEmpty()) {
        charts.add(
            Charts.xyChart(
                title.isEmpty()
                    ? "waiting for the first step ..."
                    : title + ": waiting for the first step ...",
                xLabel,
                "loss",
                Map.of(),
                false,
                panelWidth,
                panelHeight));
      }
      for (Map.Entry<String, Map<String, List<double[]>>> m : data.entrySet()) {
        Map<String, double[][]> lines = new LinkedHashMap<>();
        for (String s : m.getValue().keySet()) {
          lines.put(s, series(m.getKey(), s));
        }
        String chartTitle =
            charts.isEmpty() && !title.isEmpty() ? title + ": " + m.getKey() : m.getKey();
        XYChart c =
            Charts.xyChart(chartTitle, xLabel, m.getKey(), lines, false, panelWidth, panelHeight);
        c.getStyler().setLegendVisible(true);
        // one colour per series name across all charts (e.g. "LSTM valid" in loss and accuracy)
        c.getSeriesMap()
            .forEach(
                (name, series) -> {
                  java.awt.Color col = Charts.PALETTE[seriesIndex(name) % Charts.PALETTE.length];
                  series.setLineColor(col);
                  series.setMarkerColor(col);
                });
        charts.add(c);
      }
    }
    List<BufferedImage> rows = new ArrayList<>();
    for (int i = 0; i < charts.size(); i += perRow) {
      List<BufferedImage> row = new ArrayList<>();
      for (int j = i; j < Math.min(charts.size(), i + perRow); j++) {
        row.add(Charts.render(charts.get(j)));
      }
      rows.add(Charts.beside(row));
    }
    return rows.size() == 1 ? rows.get(0) : Charts.stacked(rows);
  }

  /** The position of a series name among all series, in the order first seen. */
  private int seriesIndex(String name) {
    int i = 0;
    java.util.Set<String> seen = new java.util.LinkedHashSet<>();
    for (Map<String, List<double[]>> m : data.values()) {
      seen.addAll(m.keySet());
    }
    for (String s : seen) {
      if (s.equals(name)) {
        return i;
      }
      i++;
    }
    return i;
  }

  // ------------------------------------------------------------------ the Task wrapper

  /**
   * A task that behaves exactly like {@code task} (same model, steps, metrics, resumable state) and
   * records its training losses and evaluations here; pass it to {@code Trainer.fit}.
   */
  public <B> Task<B> watch(Task<B> task) {
    return new Watched<>(task, this, "");
  }

  /**
   * As {@link #watch(Task)}, with the lines named {@code name + " train"} and {@code name + "
   * valid"}: several runs (e.g. an RNN and an LSTM) on the same charts.
   */
  public <B> Task<B> watch(Task<B> task, String name) {
    return new Watched<>(task, this, name == null || name.isEmpty() ? "" : name + " ");
  }

  private static final class Watched<B> implements Task<B>, ResumableTask, NonFiniteLocator<B> {
    private final Task<B> inner;
    private final TrainingCurves curves;
    private final String prefix;
    private long steps;
    private double lossSum;
    private long lossCount, pending;

    Watched(Task<B> inner, TrainingCurves curves, String prefix) {
      this.inner = inner;
      this.curves = curves;
      this.prefix = prefix;
    }

    @Override
    public Trainable model() {
      return inner.model();
    }

    @Override
    public StepResult trainStep(B batch) {
      StepResult r = inner.trainStep(batch);
      steps++;
      lossSum += r.lossSum();
      lossCount += r.count();
      pending++;
      int every;
      synchronized (curves) {
        every = curves.trainEvery;
      }
      if (pending >= every && lossCount > 0) {
        curves.add("loss", prefix + "train", steps, lossSum / lossCount);
        lossSum = 0;
        lossCount = 0;
        pending = 0;
      }
      return r;
    }

    @Override
    public Map<String, Double> evaluate(Iterable<B> batches) {
      Map<String, Double> m = inner.evaluate(batches);
      curves.addAll(prefix + "valid", steps, m);
      return m;
    }

    @Override
    public String primaryMetric() {
      return inner.primaryMetric();
    }

    @Override
    public boolean higherIsBetter() {
      return inner.higherIsBetter();
    }

    @Override
    public void startEpoch(int epoch) {
      inner.startEpoch(epoch);
    }

    @Override
    public State trainingState() {
      return inner instanceof ResumableTask r ? r.trainingState() : new State(Map.of(), Map.of());
    }

    @Override
    public void restoreTrainingState(State state) {
      if (inner instanceof ResumableTask r) {
        r.restoreTrainingState(state);
      }
    }

    @SuppressWarnings("unchecked")
    @Override
    public String locateNonFinite(B batch) {
      return inner instanceof NonFiniteLocator<?> l
          ? ((NonFiniteLocator<B>) l).locateNonFinite(batch)
          : null;
    }
  }

  // ------------------------------------------------------------------ text

  private String line(String series, double x, Map<String, Double> metrics) {
    StringBuilder sb =
        new StringBuilder(xLabel).append(' ').append(fmt(x)).append("  ").append(series);
    metrics.forEach(
        (k, v) -> sb.append("  ").append(k).append(' ').append(v == null ? "-" : fmt(v)));
    return sb.toString();
  }

  static String fmt(double v) {
    if (v == Math.rint(v) && Math.abs(v) < 1e9) {
      return Long.toString((long) v);
    }
    double a = Math.abs(v);
    return String.format(Locale.ROOT, a >= 100 ? "%.1f" : a >= 1 ? "%.3f" : "%.4f", v);
  }
}
