/*
 * Heatmap: values over time (hidden states, gate activations) as a heat map image (XChart).
 */
package org.jrnn.notebook;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import org.jrnn.JrnnException;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.style.HeatMapStyler;
import org.knowm.xchart.style.Styler;

/**
 * A heat map of {@code values[t][unit]}: time runs left to right, one row per unit (hidden unit,
 * gate unit, ...), drawn with XChart's {@link HeatMapChart} into a {@link BufferedImage}.
 *
 * <pre>{@code
 * float[][] h = Activations.hidden(lstm, sequence);          // [T][H]
 * Heatmap.of(h).title("LSTM hidden state").xLabels(chars).range(-1, 1).image()
 * }</pre>
 *
 * Colours: diverging blue–white–red when the range spans zero (tanh states), white to dark blue
 * otherwise (sigmoid gates in [0, 1]).
 */
public final class Heatmap {
  private final float[][] values;
  private String title = "", xLabel = "time step", yLabel = "unit";
  private List<String> xLabels;
  private Double min, max;
  private int width = -1, height = -1;

  private Heatmap(float[][] values) {
    if (values.length == 0 || values[0].length == 0) {
      throw new JrnnException("a heat map needs at least one step and one unit");
    }
    for (float[] row : values) {
      if (row.length != values[0].length) {
        throw new JrnnException("rows differ in length: " + row.length + " vs " + values[0].length);
      }
    }
    this.values = values;
  }

  /** A heat map of {@code values[t][unit]} (not copied; read when {@link #image()} draws). */
  public static Heatmap of(float[][] values) {
    return new Heatmap(values);
  }

  public Heatmap title(String title) {
    this.title = title;
    return this;
  }

  /** Axis titles (default "time step" and "unit"). */
  public Heatmap axes(String xLabel, String yLabel) {
    this.xLabel = xLabel;
    this.yLabel = yLabel;
    return this;
  }

  /**
   * A label per time step, e.g. the input characters; shown instead of the step numbers when there
   * are at most 80 steps.
   */
  public Heatmap xLabels(List<String> labels) {
    if (labels != null && labels.size() != values.length) {
      throw new JrnnException(labels.size() + " labels for " + values.length + " steps");
    }
    this.xLabels = labels;
    return this;
  }

  /**
   * The colour scale's ends (default: symmetric around 0 from the largest |value|, or [0, max]).
   */
  public Heatmap range(double min, double max) {
    if (!(min < max)) {
      throw new JrnnException("range needs min < max, got " + min + ", " + max);
    }
    this.min = min;
    this.max = max;
    return this;
  }

  /** Image size (default from the data: about 12 px per step and 8 px per unit). */
  public Heatmap size(int width, int height) {
    this.width = width;
    this.height = height;
    return this;
  }

  public BufferedImage image() {
    int steps = values.length, units = values[0].length;
    double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
    for (float[] row : values) {
      for (float v : row) {
        if (Float.isFinite(v)) {
          lo = Math.min(lo, v);
          hi = Math.max(hi, v);
        }
      }
    }
    if (!(lo <= hi)) {
      lo = 0;
      hi = 1;
    }
    double cmin, cmax;
    if (min != null) {
      cmin = min;
      cmax = max;
    } else if (lo < 0) {
      double a = nice(Math.max(Math.max(-lo, hi), 1e-6));
      cmin = -a;
      cmax = a;
    } else {
      cmin = 0;
      cmax = nice(Math.max(hi, 1e-6));
    }
    boolean diverging = cmin < 0 && cmax > 0;

    boolean named = xLabels != null && steps <= 80;
    List<Object> xs = new ArrayList<>(steps);
    int every = named ? 1 : tickEvery(steps);
    for (int t = 0; t < steps; t++) {
      // distinct category names (XChart keys the columns by them); unlabelled steps get invisible
      // ones
      xs.add(
          named
              ? label(xLabels.get(t), t)
              : t % every == 0 ? Integer.toString(t) : "\u200b".repeat(t + 1));
    }
    List<Object> ys = new ArrayList<>(units);
    for (int u = 0; u < units; u++) {
      ys.add(u);
    }
    List<Number[]> cells = new ArrayList<>(steps * units);
    for (int t = 0; t < steps; t++) {
      for (int u = 0; u < units; u++) {
        double v = values[t][u];
        cells.add(
            new Number[] {t, u, Double.isFinite(v) ? Math.max(cmin, Math.min(cmax, v)) : cmin});
      }
    }
    int longest = 1;
    if (named) {
      for (String l : xLabels) {
        longest = Math.max(longest, l.length());
      }
    }
    int perStep = Math.max(14, 7 * longest + 8); // room for each label
    int w = width > 0 ? width : Math.max(420, Math.min(1600, 130 + steps * perStep));
    int h = height > 0 ? height : Math.max(240, Math.min(900, 110 + units * 9));
    HeatMapChart chart =
        new HeatMapChartBuilder()
            .width(w)
            .height(h)
            .title(title)
            .xAxisTitle(xLabel)
            .yAxisTitle(yLabel)
            .build();
    HeatMapStyler st = chart.getStyler();
    Charts.style(st);
    st.setLegendVisible(true);
    st.setLegendPosition(Styler.LegendPosition.OutsideE);
    st.setPlotContentSize(1.0);
    st.setShowValue(false);
    st.setDrawBorder(false);
    st.setMin(cmin);
    st.setMax(cmax);
    st.setGradientColorColumnWeight(12);
    st.setHeatMapValueDecimalPattern("0.##");
    st.setRangeColors(
        diverging
            ? new Color[] {
              new Color(0x2166ac),
              new Color(0x92c5de),
              Color.WHITE,
              new Color(0xf4a582),
              new Color(0xb2182b)
            }
            : new Color[] {
              Color.WHITE, new Color(0x9ecae1), new Color(0x3182bd), new Color(0x08306b)
            });
    st.setPlotGridLinesVisible(false);
    if (units > 40) {
      st.setYAxisTicksVisible(false);
    }
    chart.addSeries("values", xs, ys, cells);
    return Charts.render(chart);
  }

  /** Label every 1, 2, 5, 10, 20, 50, ... steps: about 20 labels at most. */
  static int tickEvery(int steps) {
    int[] base = {1, 2, 5};
    for (int scale = 1; ; scale *= 10) {
      for (int b : base) {
        if (steps / (b * scale) <= 20) {
          return b * scale;
        }
      }
    }
  }

  /** Rounds up to two significant digits (0.99999 -> 1.0, 0.234 -> 0.24) for a readable scale. */
  static double nice(double v) {
    double p = Math.pow(10, Math.floor(Math.log10(v)) - 1);
    return Math.ceil(v / p - 1e-9) * p;
  }

  private static String label(String s, int t) {
    String shown = s.equals(" ") ? "\u2423" : s.equals("\n") ? "\u21b5" : s;
    // zero-width spaces make repeated labels distinct while looking the same
    return shown + "\u200b".repeat(t);
  }
}
