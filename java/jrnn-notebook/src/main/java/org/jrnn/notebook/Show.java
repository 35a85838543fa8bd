/*
 * Show: readable text summaries of models, tensors and batches, for notebooks and logs.
 */
package org.jrnn.notebook;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jrnn.Recurrent;
import org.jrnn.RecurrentOutput;
import org.jrnn.SequenceBatch;
import org.jrnn.Tensor;
import org.jrnn.data.PaddedBatch;
import org.jrnn.internal.TextTable;
import org.jrnn.models.Model;
import org.jrnn.nn.ParameterTable;
import org.jrnn.nn.Trainable;

/**
 * Multi-line text summaries to print or to return from a notebook cell:
 *
 * <ul>
 *   <li>{@link #model(Trainable)}: every parameter by module with its shape and count, the total,
 *       and the config of a {@link Model};
 *   <li>{@link #tensor(Tensor)}: shape, device, statistics and a NumPy-style preview;
 *   <li>{@link #batch(SequenceBatch)} and {@link #batch(PaddedBatch)}: sizes and each sequence's
 *       length drawn as a bar (padding shown as dots).
 * </ul>
 *
 * The objects' own {@code toString()} stays one line (e.g. {@code Tensor[5, 2, 6] on cpu [...]});
 * these are the long forms.
 */
public final class Show {
  private Show() {}

  // ------------------------------------------------------------------ models

  /** The parameters of a model or layer, grouped by module (the name before the first dot). */
  public static String model(Trainable m) {
    if (m instanceof Model model) {
      return ParameterTable.describe(m, model.kind()) + "\nconfig: " + model.configJson().strip();
    }
    return ParameterTable.describe(m, null);
  }

  /** A recurrent layer: its configuration and every weight's shape and count. */
  public static String model(Recurrent r) {
    StringBuilder sb = new StringBuilder(r.toString());
    sb.append(": ")
        .append(count(r.parameterCount()))
        .append(" parameters, output size ")
        .append(r.outputSize())
        .append('\n');
    List<String[]> rows = new ArrayList<>();
    for (Map.Entry<String, Tensor> e : r.parameters().entrySet()) {
      rows.add(
          new String[] {
            e.getKey(), Arrays.toString(e.getValue().shape()), count(e.getValue().numel())
          });
    }
    sb.append(
        table(
            new String[] {"parameter", "shape", "count"},
            rows,
            new boolean[] {false, false, true}));
    return sb.toString().stripTrailing();
  }

  // ------------------------------------------------------------------ tensors

  /**
   * Shape, device, min/max/mean/std and a NumPy-style preview (3 items at each edge of long axes).
   */
  public static String tensor(Tensor t) {
    StringBuilder sb =
        new StringBuilder("Tensor ")
            .append(Arrays.toString(t.shape()))
            .append(" float32 on ")
            .append(t.device());
    if (t.isView()) {
      sb.append(" (view)");
    }
    if (t.isClosed()) {
      return sb.append(" (closed)").toString();
    }
    float[] v = t.toArray();
    sb.append(", ").append(count(v.length)).append(v.length == 1 ? " value" : " values");
    if (v.length > 0) {
      double min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY, sum = 0, sq = 0;
      long nonFinite = 0;
      for (float x : v) {
        if (!Float.isFinite(x)) {
          nonFinite++;
          continue;
        }
        min = Math.min(min, x);
        max = Math.max(max, x);
        sum += x;
        sq += (double) x * x;
      }
      long n = v.length - nonFinite;
      if (n > 0) {
        double mean = sum / n;
        double std = Math.sqrt(Math.max(0, sq / n - mean * mean));
        sb.append(": min ")
            .append(num(min))
            .append(", max ")
            .append(num(max))
            .append(", mean ")
            .append(num(mean))
            .append(", std ")
            .append(num(std));
      }
      if (nonFinite > 0) {
        sb.append(", ").append(nonFinite).append(" NaN/Inf");
      }
    }
    sb.append('\n');
    long[] shape = t.shape();
    if (shape.length == 0) {
      return sb.append(v.length > 0 ? num(v[0]) : "").toString();
    }
    boolean summarise = v.length > 200;
    preview(sb, v, shape, 0, 0, summarise, 0);
    return sb.toString();
  }

  private static void preview(
      StringBuilder sb,
      float[] v,
      long[] shape,
      int dim,
      long offset,
      boolean summarise,
      int indent) {
    long n = shape[dim];
    long stride = 1;
    for (int d = dim + 1; d < shape.length; d++) {
      stride *= shape[d];
    }
    sb.append('[');
    int edge = 3;
    boolean cut = summarise && n > 2 * edge;
    for (long i = 0; i < n; i++) {
      if (cut && i == edge) {
        sb.append(dim == shape.length - 1 ? "..., " : "...,\n" + " ".repeat(indent + 1));
        i = n - edge;
      }
      if (dim == shape.length - 1) {
        sb.append(String.format(Locale.ROOT, "%8.4f", v[(int) (offset + i)]).strip());
      } else {
        preview(sb, v, shape, dim + 1, offset + i * stride, summarise, indent + 1);
      }
      if (i < n - 1) {
        sb.append(
            dim == shape.length - 1
                ? ", "
                : ",\n" + (dim < shape.length - 2 ? "\n" : "") + " ".repeat(indent + 1));
      }
    }
    sb.append(']');
  }

  // ------------------------------------------------------------------ batches

  /**
   * Sizes, device and each sequence's length as a bar ({@code █} real steps, {@code ·} padding).
   */
  public static String batch(SequenceBatch b) {
    StringBuilder sb =
        new StringBuilder("SequenceBatch: ")
            .append(b.batchSize())
            .append(" sequences, up to ")
            .append(b.maxLength())
            .append(" steps of ")
            .append(b.featureSize())
            .append(" features on ")
            .append(b.device())
            .append(" (time-major [T=")
            .append(b.maxLength())
            .append(", N=")
            .append(b.batchSize())
            .append(", C=")
            .append(b.featureSize())
            .append("])\n");
    bars(sb, b.lengths(), b.maxLength(), null, 0);
    return sb.toString().stripTrailing();
  }

  /** Token-id batch: sizes, each sequence's length as a bar, and its first ids. */
  public static String batch(PaddedBatch b) {
    StringBuilder sb =
        new StringBuilder("PaddedBatch: ")
            .append(b.size())
            .append(" sequences of token ids, up to ")
            .append(b.maxLength())
            .append(" steps (time-major ids[t * N + n])\n");
    bars(sb, b.lengths(), b.maxLength(), b.ids(), b.size());
    return sb.toString().stripTrailing();
  }

  /** What a forward pass returned: shapes and the lengths. */
  public static String output(RecurrentOutput o) {
    return "RecurrentOutput: output "
        + Arrays.toString(o.output().shape())
        + ", hn "
        + Arrays.toString(o.hn().shape())
        + (o.cn() != null ? ", cn " + Arrays.toString(o.cn().shape()) : "")
        + ", lengths "
        + Arrays.toString(o.lengths())
        + (o.isTraining() ? " (training: keeps what backward needs)" : "");
  }

  private static void bars(StringBuilder sb, int[] lengths, int maxLength, int[] ids, int n) {
    int shown = Math.min(lengths.length, 16);
    int width = Math.min(maxLength, 60);
    int digits = Integer.toString(lengths.length - 1).length();
    for (int i = 0; i < shown; i++) {
      int filled = (int) Math.round((double) lengths[i] * width / Math.max(1, maxLength));
      if (lengths[i] > 0) {
        filled = Math.max(1, filled);
      }
      sb.append(String.format(Locale.ROOT, "  %" + digits + "d ", i))
          .append("\u2588".repeat(filled))
          .append("\u00b7".repeat(width - filled))
          .append(' ')
          .append(lengths[i]);
      if (ids != null) {
        sb.append("  ids [");
        int k = Math.min(lengths[i], 8);
        for (int t = 0; t < k; t++) {
          sb.append(t == 0 ? "" : ", ").append(ids[t * n + i]);
        }
        sb.append(lengths[i] > k ? ", ...]" : "]");
      }
      sb.append('\n');
    }
    if (lengths.length > shown) {
      sb.append("  ... ").append(lengths.length - shown).append(" more\n");
    }
  }

  // ------------------------------------------------------------------ formatting

  static String count(long n) {
    return TextTable.count(n);
  }

  static String num(double v) {
    if (v == 0) {
      return "0";
    }
    double a = Math.abs(v);
    if (a >= 1e5 || a < 1e-3) {
      return String.format(Locale.ROOT, "%.3e", v);
    }
    return String.format(Locale.ROOT, "%.4f", v).replaceAll("0+$", "").replaceAll("\\.$", "");
  }

  static String table(String[] head, List<String[]> rows, boolean[] right) {
    return TextTable.table(head, rows, right);
  }
}
