/*
 * Charts: line charts as BufferedImages (XChart), for notebooks and reports.
 */
package org.jrnn.notebook;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jrnn.JrnnException;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Line charts drawn with <a href="https://knowm.org/open-source/xchart/">XChart</a> into a {@link
 * BufferedImage}, which every Java notebook kernel (JJava, IJava) shows as a PNG when a cell
 * returns it or passes it to {@code display(...)}. Works headless ({@code
 * -Djava.awt.headless=true}).
 *
 * <pre>{@code
 * Charts.lines("gradient norm per step", "time step", "||dL/dx_t||",
 *              Map.of("RNN", rnnNorms, "LSTM", lstmNorms), true)   // true: log-scale y
 * }</pre>
 */
public final class Charts {
  /** Default image size of one chart. */
  public static final int WIDTH = 640, HEIGHT = 360;

  private Charts() {}

  /**
   * One chart with a line per series; x is 0, 1, 2, ... for each series' values.
   *
   * @param series name → y values, in legend order (use a {@link LinkedHashMap} to fix the order)
   * @param logY whether the y axis is logarithmic (values ≤ 0 are then left out)
   */
  public static BufferedImage lines(
      String title, String xLabel, String yLabel, Map<String, double[]> series, boolean logY) {
    Map<String, double[][]> xy = new LinkedHashMap<>();
    series.forEach(
        (name, y) -> {
          double[] x = new double[y.length];
          for (int i = 0; i < x.length; i++) {
            x[i] = i;
          }
          xy.put(name, new double[][] {x, y});
        });
    return render(xyChart(title, xLabel, yLabel, xy, logY, WIDTH, HEIGHT));
  }

  /**
   * One chart with a line per series of (x, y) points.
   *
   * @param series name → {@code {x[], y[]}} of equal lengths
   */
  public static BufferedImage xy(
      String title, String xLabel, String yLabel, Map<String, double[][]> series, boolean logY) {
    return render(xyChart(title, xLabel, yLabel, series, logY, WIDTH, HEIGHT));
  }

  /**
   * A bar chart over named categories (e.g. the words of a sentence), one bar per category and
   * series. Repeated category names are kept apart.
   *
   * @param series name → one value per category, in legend order
   */
  public static BufferedImage bars(
      String title,
      String xLabel,
      String yLabel,
      List<String> categories,
      Map<String, double[]> series) {
    int n = categories.size();
    if (n == 0) {
      throw new JrnnException("no categories");
    }
    CategoryChart chart =
        new CategoryChartBuilder()
            .width(Math.max(WIDTH, Math.min(1600, 120 + n * 7 * longest(categories) + n * 10)))
            .height(HEIGHT)
            .title(title == null ? "" : title)
            .xAxisTitle(xLabel == null ? "" : xLabel)
            .yAxisTitle(yLabel == null ? "" : yLabel)
            .build();
    style(chart.getStyler());
    chart.getStyler().setLegendVisible(series.size() > 1);
    chart.getStyler().setOverlapped(false);
    List<String> xs = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      xs.add(categories.get(i) + "\u200b".repeat(i)); // zero-width: distinct but looking the same
    }
    for (Map.Entry<String, double[]> e : series.entrySet()) {
      if (e.getValue().length != n) {
        throw new JrnnException(
            "series "
                + e.getKey()
                + " has "
                + e.getValue().length
                + " values for "
                + n
                + " categories");
      }
      List<Double> ys = new ArrayList<>(n);
      for (double v : e.getValue()) {
        ys.add(Double.isFinite(v) ? v : 0.0);
      }
      chart.addSeries(e.getKey(), xs, ys);
    }
    return render(chart);
  }

  private static int longest(List<String> labels) {
    int m = 1;
    for (String l : labels) {
      m = Math.max(m, l.length());
    }
    return m;
  }

  /** The XChart chart behind {@link #xy}, to restyle before {@link #render}. */
  public static XYChart xyChart(
      String title,
      String xLabel,
      String yLabel,
      Map<String, double[][]> series,
      boolean logY,
      int width,
      int height) {
    XYChart chart =
        new XYChartBuilder()
            .width(width)
            .height(height)
            .title(title == null ? "" : title)
            .xAxisTitle(xLabel == null ? "" : xLabel)
            .yAxisTitle(yLabel == null ? "" : yLabel)
            .build();
    style(chart.getStyler());
    chart.getStyler().setYAxisLogarithmic(logY);
    chart.getStyler().setLegendVisible(series.size() > 1);
    for (Map.Entry<String, double[][]> e : series.entrySet()) {
      double[] x = e.getValue()[0];
      double[] y = e.getValue()[1];
      if (x.length != y.length) {
        throw new JrnnException(
            "series " + e.getKey() + ": " + x.length + " x values but " + y.length + " y values");
      }
      double[][] kept = finite(x, y, logY);
      if (kept[0].length == 0) {
        continue; // XChart refuses empty series; a legend entry without a line says nothing
      }
      XYSeries s = chart.addSeries(e.getKey(), kept[0], kept[1]);
      s.setMarker(kept[0].length <= 30 ? SeriesMarkers.CIRCLE : SeriesMarkers.NONE);
    }
    return chart;
  }

  /** Common look: white background, legend inside, readable fonts. */
  static void style(Styler st) {
    st.setChartBackgroundColor(Color.WHITE);
    st.setPlotBackgroundColor(Color.WHITE);
    st.setPlotBorderVisible(false);
    if (!(st instanceof org.knowm.xchart.style.HeatMapStyler)) {
      // below the plot, in a row: never over a curve (heat maps allow only OutsideE/S)
      st.setLegendPosition(Styler.LegendPosition.OutsideS);
      st.setLegendLayout(Styler.LegendLayout.Horizontal);
      st.setLegendBorderColor(Color.WHITE);
    }
    st.setChartTitleBoxVisible(false);
    st.setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
    st.setAntiAlias(true);
    st.setSeriesColors(PALETTE);
    if (st instanceof org.knowm.xchart.style.AxesChartStyler a) {
      a.setAxisTitleFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
      a.setAxisTickLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
      a.setPlotGridLinesColor(new Color(0xe8e8e8));
    }
    st.setMarkerSize(5);
  }

  /** Distinct colours (matplotlib's tab10, first eight). */
  static final Color[] PALETTE = {
    new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c), new Color(0xd62728),
    new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f)
  };

  /** Drops NaN/Inf points (and, on a log axis, those ≤ 0) so XChart can scale the axes. */
  static double[][] finite(double[] x, double[] y, boolean positive) {
    int n = 0;
    for (int i = 0; i < x.length; i++) {
      if (ok(x[i], y[i], positive)) {
        n++;
      }
    }
    double[] fx = new double[n], fy = new double[n];
    for (int i = 0, j = 0; i < x.length; i++) {
      if (ok(x[i], y[i], positive)) {
        fx[j] = x[i];
        fy[j++] = y[i];
      }
    }
    return new double[][] {fx, fy};
  }

  private static boolean ok(double x, double y, boolean positive) {
    return Double.isFinite(x) && Double.isFinite(y) && (!positive || y > 0);
  }

  /** Paints any XChart chart into a new image of the chart's size. */
  public static BufferedImage render(Chart<?, ?> chart) {
    BufferedImage img =
        new BufferedImage(chart.getWidth(), chart.getHeight(), BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g.setRenderingHint(
          RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      chart.paint(g, chart.getWidth(), chart.getHeight());
    } finally {
      g.dispose();
    }
    return img;
  }

  /** Images side by side (top-aligned) on white, e.g. a loss chart next to an accuracy chart. */
  public static BufferedImage beside(List<BufferedImage> images) {
    int w = 0, h = 0;
    for (BufferedImage i : images) {
      w += i.getWidth();
      h = Math.max(h, i.getHeight());
    }
    BufferedImage out =
        new BufferedImage(Math.max(1, w), Math.max(1, h), BufferedImage.TYPE_INT_RGB);
    Graphics2D g = out.createGraphics();
    try {
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, out.getWidth(), out.getHeight());
      int x = 0;
      for (BufferedImage i : images) {
        g.drawImage(i, x, 0, null);
        x += i.getWidth();
      }
    } finally {
      g.dispose();
    }
    return out;
  }

  /** Images one under the other (left-aligned) on white. */
  public static BufferedImage stacked(List<BufferedImage> images) {
    int w = 0, h = 0;
    for (BufferedImage i : images) {
      w = Math.max(w, i.getWidth());
      h += i.getHeight();
    }
    BufferedImage out =
        new BufferedImage(Math.max(1, w), Math.max(1, h), BufferedImage.TYPE_INT_RGB);
    Graphics2D g = out.createGraphics();
    try {
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, out.getWidth(), out.getHeight());
      int y = 0;
      for (BufferedImage i : images) {
        g.drawImage(i, 0, y, null);
        y += i.getHeight();
      }
    } finally {
      g.dispose();
    }
    return out;
  }
}
