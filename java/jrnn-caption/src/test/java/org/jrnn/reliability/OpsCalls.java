/*
 * OpsCalls: fuzz calls of the functional ops (org.jrnn.Ops), checked against plain Java
 * references, and of the layers in org.jrnn.nn.
 */
package org.jrnn.reliability;

import static org.jrnn.reliability.Call.Ctx.check;
import static org.jrnn.reliability.Call.Ctx.checkClose;
import static org.jrnn.reliability.Call.Ctx.checkFinite;
import static org.jrnn.reliability.Call.Ctx.checkShape;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.jrnn.Cell;
import org.jrnn.Device;
import org.jrnn.Ops;
import org.jrnn.OptimizerKernels;
import org.jrnn.RecurrentOutput;
import org.jrnn.SequenceBatch;
import org.jrnn.Tensor;
import org.jrnn.nn.Dropout;
import org.jrnn.nn.Embedding;
import org.jrnn.nn.Init;
import org.jrnn.nn.Linear;
import org.jrnn.nn.Parameter;
import org.jrnn.nn.Parameters;
import org.jrnn.nn.RecurrentInit;
import org.jrnn.nn.RecurrentLayer;

/** Generators for the ops and nn families. */
final class OpsCalls {
  private OpsCalls() {}

  private static final double TOL = 1e-5;

  static Call ops(Gen g) {
    int kind = g.between(0, 15);
    return switch (kind) {
      case 0 -> linear(g);
      case 1 -> linearBad(g);
      case 2 -> linearBackward(g);
      case 3 -> embedding(g);
      case 4 -> embeddingBad(g);
      case 5 -> softmax(g);
      case 6 -> crossEntropy(g);
      case 7 -> crossEntropyBad(g);
      case 8 -> logSoftmaxTop(g);
      case 9 -> bceMse(g);
      case 10 -> dropout(g);
      case 11 -> gatherLast(g);
      case 12 -> reductions(g);
      case 13 -> elementwiseBad(g);
      case 14 -> updates(g);
      default -> nonFinite(g);
    };
  }

  /** x [..., I] with rank 1..3. */
  private static long[] lead(Gen g) {
    return g.shape(g.between(0, 2), 3);
  }

  private static long[] with(long[] lead, long last) {
    long[] s = Arrays.copyOf(lead, lead.length + 1);
    s[lead.length] = last;
    return s;
  }

  private static int count(long[] shape) {
    return (int) Arrays.stream(shape).reduce(1, (a, b) -> a * b);
  }

  private static float[] linearRef(float[] x, float[] w, float[] b, int m, int in, int out) {
    float[] y = new float[m * out];
    for (int r = 0; r < m; r++) {
      for (int o = 0; o < out; o++) {
        double s = b == null ? 0 : b[o];
        for (int i = 0; i < in; i++) {
          s += (double) x[r * in + i] * w[o * in + i];
        }
        y[r * out + o] = (float) s;
      }
    }
    return y;
  }

  private static Call linear(Gen g) {
    long[] lead = lead(g);
    int in = g.between(1, 5);
    int out = g.between(1, 5);
    int m = count(lead);
    float[] x = g.floats(m * in);
    float[] w = g.floats(out * in);
    float[] b = g.coin() ? g.floats(out) : null;
    boolean into = g.coin();
    return Call.good(
        "ops",
        "Ops.linear"
            + (into ? "Into" : "")
            + "(x="
            + Gen.brief(with(lead, in))
            + ", w=["
            + out
            + ", "
            + in
            + "], bias="
            + (b != null)
            + ")",
        c -> {
          Tensor xt = c.own(Tensor.of(x, with(lead, in)));
          Tensor wt = c.own(Tensor.of(w, out, in));
          Tensor bt = b == null ? null : c.own(Tensor.of(b, out));
          Tensor y;
          if (into) {
            y = c.own(Tensor.empty(Device.cpu(), with(lead, out)));
            Ops.linearInto(xt, wt, bt, y);
          } else {
            y = c.own(Ops.linear(xt, wt, bt));
          }
          checkShape(y.shape(), with(lead, out));
          checkClose(y.toArray(), linearRef(x, w, b, m, in, out), TOL, "linear");
        });
  }

  private static Call linearBad(Gen g) {
    int in = g.between(1, 4);
    int out = g.between(1, 4);
    int v = g.between(0, 8);
    return Call.bad(
        "ops",
        "Ops.linear variant " + v + " I=" + in + " O=" + out,
        c -> {
          Tensor x = c.own(Tensor.zeros(2, in));
          Tensor w = c.own(Tensor.zeros(out, in));
          Tensor b = c.own(Tensor.zeros(out));
          switch (v) {
            case 0 -> c.own(Ops.linear(x, c.own(Tensor.zeros(out, in + 1)), b));
            case 1 -> c.own(Ops.linear(x, w, c.own(Tensor.zeros(out + 1))));
            case 2 ->
                c.own(Ops.linear(c.own(Tensor.zeros()), w, b)); // a scalar has no feature axis
            case 3 -> c.own(Ops.linear(c.own(Tensor.zeros(0, in)), w, b)); // no rows
            case 4 -> c.own(Ops.linear(x, null, b));
            case 5 -> {
              x.close();
              c.own(Ops.linear(x, w, b));
            }
            case 6 -> Ops.linearInto(x, w, b, c.own(Tensor.zeros(2, out + 1)));
            case 7 -> c.own(Ops.linear(x, c.own(Tensor.zeros(0, in)), null)); // O = 0
            default -> Ops.linearBackward(x, w, c.own(Tensor.zeros(3, out)), null, null, null);
          }
        });
  }

  private static Call linearBackward(Gen g) {
    int m = g.between(1, 4);
    int in = g.between(1, 4);
    int out = g.between(1, 4);
    float[] x = g.floats(m * in);
    float[] w = g.floats(out * in);
    float[] dy = g.floats(m * out);
    float[] dw0 = g.floats(out * in);
    return Call.good(
        "ops",
        "Ops.linearBackward m=" + m + " I=" + in + " O=" + out,
        c -> {
          Tensor dx = c.own(Tensor.zeros(m, in));
          Tensor dw = c.own(Tensor.of(dw0, out, in));
          Tensor db = c.own(Tensor.zeros(out));
          Ops.linearBackward(
              c.own(Tensor.of(x, m, in)),
              c.own(Tensor.of(w, out, in)),
              c.own(Tensor.of(dy, m, out)),
              dx,
              dw,
              db);
          float[] edx = new float[m * in];
          float[] edw = dw0.clone();
          float[] edb = new float[out];
          for (int r = 0; r < m; r++) {
            for (int o = 0; o < out; o++) {
              edb[o] += dy[r * out + o];
              for (int i = 0; i < in; i++) {
                edx[r * in + i] += dy[r * out + o] * w[o * in + i];
                edw[o * in + i] += dy[r * out + o] * x[r * in + i];
              }
            }
          }
          checkClose(dx.toArray(), edx, TOL, "dx");
          checkClose(dw.toArray(), edw, TOL, "dWeight (accumulated)");
          checkClose(db.toArray(), edb, TOL, "dBias");
        });
  }

  private static Call embedding(Gen g) {
    int v = g.between(1, 6);
    int e = g.between(1, 4);
    int m = g.between(1, 6);
    int[] ids = g.ints(m, -1, v - 1);
    float[] table = g.floats(v * e);
    boolean backward = g.coin();
    float[] dy = g.floats(m * e);
    return Call.good(
        "ops",
        "Ops.embedding"
            + (backward ? "Backward" : "")
            + " V="
            + v
            + " E="
            + e
            + " ids="
            + Gen.brief(ids),
        c -> {
          Tensor t = c.own(Tensor.of(table, v, e));
          if (!backward) {
            Tensor y = c.own(Ops.embedding(t, ids, 1, m));
            checkShape(y.shape(), 1, m, e);
            float[] a = y.toArray();
            for (int i = 0; i < m; i++) {
              for (int k = 0; k < e; k++) {
                float want = ids[i] < 0 ? 0f : table[ids[i] * e + k];
                check(a[i * e + k] == want, "row " + i + " is not the table row of id " + ids[i]);
              }
            }
            return;
          }
          Ops.embeddingBackward(t, ids, c.own(Tensor.of(dy, m, e)));
          float[] want = table.clone();
          for (int i = 0; i < m; i++) {
            if (ids[i] >= 0) {
              for (int k = 0; k < e; k++) {
                want[ids[i] * e + k] += dy[i * e + k];
              }
            }
          }
          checkClose(t.toArray(), want, TOL, "embeddingBackward (accumulated)");
        });
  }

  private static Call embeddingBad(Gen g) {
    int v = g.between(1, 5);
    int variant = g.between(0, 6);
    int bad = g.pick(v, -2, Integer.MAX_VALUE, Integer.MIN_VALUE);
    return Call.bad(
        "ops",
        "Ops.embedding variant " + variant + " V=" + v + " bad id " + bad,
        c -> {
          Tensor table = c.own(Tensor.zeros(v, 2));
          switch (variant) {
            case 0 -> c.own(Ops.embedding(table, new int[] {0, bad}));
            case 1 -> c.own(Ops.embedding(table, null));
            case 2 -> c.own(Ops.embedding(table, new int[0]));
            case 3 -> c.own(Ops.embedding(c.own(Tensor.zeros(v)), new int[] {0}));
            case 4 -> c.own(Ops.embedding(table, new int[] {0, 0, 0}, 2, 2));
            case 5 -> c.own(Ops.embedding(table, new int[] {0}, -1));
            default -> Ops.embeddingBackward(table, new int[] {bad}, c.own(Tensor.zeros(1, 2)));
          }
        });
  }

  private static Call softmax(Gen g) {
    long[] lead = lead(g);
    int k = g.between(1, 6);
    boolean log = g.coin();
    boolean inPlace = g.coin();
    boolean bad = g.chance(0.3);
    float[] x = g.floats(count(lead) * k);
    return Call.of(
        "ops",
        bad,
        (log ? "Ops.logSoftmax" : "Ops.softmax")
            + " x="
            + Gen.brief(with(lead, k))
            + (inPlace ? " in place" : "")
            + (bad ? " y of another shape" : ""),
        c -> {
          Tensor xt = c.own(Tensor.of(x, with(lead, k)));
          Tensor y = inPlace && !bad ? xt : c.own(Tensor.zeros(with(lead, bad ? k + 1 : k)));
          if (log) {
            Ops.logSoftmax(xt, y);
          } else {
            Ops.softmax(xt, y);
          }
          float[] a = y.toArray();
          for (int r = 0; r < a.length / k; r++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < k; j++) {
              max = Math.max(max, x[r * k + j]);
            }
            double z = 0;
            for (int j = 0; j < k; j++) {
              z += Math.exp(x[r * k + j] - max);
            }
            for (int j = 0; j < k; j++) {
              double want =
                  log ? x[r * k + j] - max - Math.log(z) : Math.exp(x[r * k + j] - max) / z;
              check(
                  Math.abs(a[r * k + j] - want) <= 1e-5,
                  "row " + r + " col " + j + ": " + a[r * k + j] + ", expected " + want);
            }
          }
        });
  }

  private static Call crossEntropy(Gen g) {
    int m = g.between(1, 5);
    int k = g.between(1, 5);
    float[] x = g.floats(m * k);
    int[] targets = g.ints(m, -1, k - 1);
    float smoothing = g.chance(0.5) ? 0f : (float) g.nextDouble() * 0.9f;
    float scale = g.pick(1f, 0.5f, 1f / m);
    return Call.good(
        "ops",
        "Ops.softmaxCrossEntropy m="
            + m
            + " K="
            + k
            + " targets="
            + Gen.brief(targets)
            + " s="
            + smoothing,
        c -> {
          Tensor loss = c.own(Tensor.zeros(m));
          Tensor dl = c.own(Tensor.zeros(m, k));
          Ops.softmaxCrossEntropy(c.own(Tensor.of(x, m, k)), targets, smoothing, scale, loss, dl);
          float[] l = loss.toArray();
          float[] d = dl.toArray();
          for (int r = 0; r < m; r++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < k; j++) {
              max = Math.max(max, x[r * k + j]);
            }
            double z = 0;
            for (int j = 0; j < k; j++) {
              z += Math.exp(x[r * k + j] - max);
            }
            double want = 0;
            for (int j = 0; j < k; j++) {
              double q =
                  targets[r] < 0 ? 0 : (1 - smoothing) * (j == targets[r] ? 1 : 0) + smoothing / k;
              double lp = x[r * k + j] - max - Math.log(z);
              want -= q * lp;
              double dwant = targets[r] < 0 ? 0 : scale * (Math.exp(lp) - q);
              check(
                  Math.abs(d[r * k + j] - dwant) <= 1e-5,
                  "dLogits[" + r + "," + j + "] = " + d[r * k + j] + ", expected " + dwant);
            }
            check(
                Math.abs(l[r] - want) <= 1e-4 * (1 + want),
                "loss[" + r + "] = " + l[r] + ", expected " + want);
          }
        });
  }

  private static Call crossEntropyBad(Gen g) {
    int m = g.between(1, 4);
    int k = g.between(1, 4);
    int v = g.between(0, 6);
    return Call.bad(
        "ops",
        "Ops.softmaxCrossEntropy variant " + v + " m=" + m + " K=" + k,
        c -> {
          Tensor x = c.own(Tensor.zeros(m, k));
          int[] targets = new int[m];
          float s = 0f;
          Tensor loss = null;
          Tensor dl = null;
          switch (v) {
            case 0 -> targets = new int[m + 1];
            case 1 -> targets[0] = g.pick(k, -2, Integer.MAX_VALUE);
            case 2 -> s = g.pick(1f, -0.1f, Float.NaN, Float.POSITIVE_INFINITY);
            case 3 -> loss = c.own(Tensor.zeros(m + 1));
            case 4 -> dl = c.own(Tensor.zeros(m, k + 1));
            case 5 -> targets = null;
            default -> x = c.own(Tensor.zeros(0, k));
          }
          Ops.softmaxCrossEntropy(x, targets, s, 1f, loss, dl);
        });
  }

  private static Call logSoftmaxTop(Gen g) {
    int m = g.between(1, 4);
    int k = g.between(1, 7);
    int top = g.between(1, k + 2);
    int[] exclude = g.coin() ? null : g.ints(g.between(0, 2), 0, k - 1);
    float[] x = g.floats(m * k);
    if (g.chance(0.3)) {
      x[g.between(0, x.length - 1)] = g.pick(Float.NaN, Float.NEGATIVE_INFINITY);
    }
    int badVariant = g.chance(0.3) ? g.between(0, 3) : -1;
    return Call.of(
        "ops",
        badVariant >= 0,
        "Ops.logSoftmaxTop m="
            + m
            + " K="
            + k
            + " top="
            + top
            + " exclude="
            + Gen.brief(exclude)
            + " x="
            + Gen.brief(x)
            + (badVariant >= 0 ? " bad variant " + badVariant : ""),
        c -> {
          Tensor xt = c.own(Tensor.of(x, m, k));
          float[] values = new float[m * top];
          int[] idx = new int[m * top];
          switch (badVariant) {
            case 0 -> Ops.logSoftmaxTop(xt, 0, exclude, values, idx);
            case 1 -> Ops.logSoftmaxTop(xt, top, new int[] {k}, values, idx);
            case 2 -> Ops.logSoftmaxTop(xt, top, exclude, new float[m * top - 1], idx);
            case 3 -> Ops.logSoftmaxTop(xt, top, exclude, values, null);
            default -> {
              Ops.logSoftmaxTop(xt, top, exclude, values, idx);
              Tensor lp = c.own(Tensor.zeros(m, k));
              Ops.logSoftmax(xt, lp);
              float[] all = lp.toArray();
              for (int r = 0; r < m; r++) {
                float prev = Float.POSITIVE_INFINITY;
                for (int j = 0; j < top; j++) {
                  int col = idx[r * top + j];
                  float val = values[r * top + j];
                  if (col < 0) {
                    check(val == Float.NEGATIVE_INFINITY, "value past the eligible entries " + val);
                    continue;
                  }
                  check(col < k, "index " + col + " outside 0.." + (k - 1));
                  check(
                      exclude == null || Arrays.stream(exclude).noneMatch(e -> e == col),
                      "an excluded column was chosen");
                  check(
                      val == all[r * k + col],
                      "value " + val + " differs from logSoftmax " + all[r * k + col]);
                  check(!Float.isNaN(val) && val != Float.NEGATIVE_INFINITY, "chose NaN or -inf");
                  check(val <= prev, "values not in descending order");
                  prev = val;
                }
              }
            }
          }
        });
  }

  private static Call bceMse(Gen g) {
    int m = g.between(1, 4);
    int k = g.between(1, 3);
    boolean mse = g.coin();
    boolean bad = g.chance(0.3);
    float[] z = g.floats(m * k);
    float[] t = new float[m * k];
    for (int i = 0; i < t.length; i++) {
      t[i] = (float) g.nextDouble();
    }
    return Call.of(
        "ops",
        bad,
        (mse ? "Ops.mse" : "Ops.bceWithLogits")
            + " ["
            + m
            + ", "
            + k
            + "]"
            + (bad ? " with a target of another shape" : ""),
        c -> {
          Tensor zt = c.own(Tensor.of(z, m, k));
          Tensor tt = bad ? c.own(Tensor.zeros(m, k + 1)) : c.own(Tensor.of(t, m, k));
          Tensor dz = c.own(Tensor.zeros(m, k));
          if (mse) {
            Tensor loss = c.own(Tensor.zeros(m));
            Ops.mse(zt, tt, null, 1f, loss, dz);
            float[] l = loss.toArray();
            for (int r = 0; r < m; r++) {
              double want = 0;
              for (int j = 0; j < k; j++) {
                want += (z[r * k + j] - t[r * k + j]) * (z[r * k + j] - t[r * k + j]);
              }
              check(Math.abs(l[r] - want) <= 1e-5 * (1 + want), "mse loss " + l[r] + " vs " + want);
            }
          } else {
            Tensor loss = c.own(Tensor.zeros(m, k));
            Ops.bceWithLogits(zt, tt, null, 1f, loss, dz);
            float[] l = loss.toArray();
            for (int i = 0; i < m * k; i++) {
              double want = Math.max(z[i], 0) - z[i] * t[i] + Math.log1p(Math.exp(-Math.abs(z[i])));
              check(Math.abs(l[i] - want) <= 1e-5 * (1 + want), "bce loss " + l[i] + " vs " + want);
            }
          }
          checkFinite(dz.toArray(), "gradient");
        });
  }

  private static Call dropout(Gen g) {
    long[] shape = g.shape(g.between(1, 3), 4);
    float p = g.chance(0.3) ? g.pick(1f, -0.1f, Float.NaN, 1.5f) : (float) g.nextDouble() * 0.9f;
    boolean bad = !(p >= 0 && p < 1);
    float[] x = g.floats(count(shape));
    long seed = g.nextLong();
    return Call.of(
        "ops",
        bad,
        "Ops.dropout(x=" + Gen.brief(shape) + ", p=" + p + ")",
        c -> {
          Tensor xt = c.own(Tensor.of(x, shape));
          Tensor y = c.own(Tensor.zeros(shape));
          Ops.dropout(xt, p, seed, y);
          float[] a = y.toArray();
          for (int i = 0; i < a.length; i++) {
            float kept = (float) (x[i] / (1.0 - p));
            check(
                a[i] == 0f || Math.abs(a[i] - kept) <= 1e-5 * (1 + Math.abs(kept)),
                "element " + i + " = " + a[i] + " is neither 0 nor x/(1-p) = " + kept);
          }
          Tensor y2 = c.own(Tensor.zeros(shape));
          Ops.dropout(xt, p, seed, y2);
          check(Arrays.equals(a, y2.toArray()), "the same seed gave another mask");
        });
  }

  private static Call gatherLast(Gen g) {
    int t = g.between(1, 4);
    int n = g.between(1, 4);
    int f = g.between(1, 3);
    int[] lengths = g.lengths(n, t);
    float[] y = g.floats(t * n * f);
    boolean bad = g.chance(0.35);
    int[] lens =
        bad
            ? g.pick(new int[] {0}, new int[n + 1], new int[] {t + 1}, filledInts(n, 0))
            : g.chance(0.2) ? null : lengths;
    return Call.of(
        "ops",
        bad,
        "Ops.gatherLast(y=[" + t + ", " + n + ", " + f + "], lengths=" + Gen.brief(lens) + ")",
        c -> {
          Tensor out = c.own(Ops.gatherLast(c.own(Tensor.of(y, t, n, f)), lens));
          checkShape(out.shape(), n, f);
          float[] a = out.toArray();
          for (int s = 0; s < n; s++) {
            int last = (lens == null ? t : lens[s]) - 1;
            for (int j = 0; j < f; j++) {
              check(a[s * f + j] == y[(last * n + s) * f + j], "gatherLast row " + s);
            }
          }
          Tensor dy = c.own(Tensor.zeros(t, n, f));
          Ops.gatherLastBackward(out, lens, dy);
          float[] d = dy.toArray();
          for (int s = 0; s < n; s++) {
            int last = (lens == null ? t : lens[s]) - 1;
            for (int j = 0; j < f; j++) {
              check(d[(last * n + s) * f + j] == a[s * f + j], "gatherLastBackward row " + s);
            }
          }
        });
  }

  private static int[] filledInts(int n, int v) {
    int[] a = new int[n];
    Arrays.fill(a, v);
    return a;
  }

  private static Call reductions(Gen g) {
    long[] shape = g.shape(g.between(1, 3), 4);
    float[] x = g.floats(count(shape));
    float alpha = (float) (g.nextDouble() * 4 - 2);
    float limit = (float) (g.nextDouble() + 0.1);
    return Call.good(
        "ops",
        "sumSquares/firstNonFinite/scale/clipValues/axpy x=" + Gen.brief(shape),
        c -> {
          Tensor t = c.own(Tensor.of(x, shape));
          double ss = 0;
          for (float v : x) {
            ss += (double) v * v;
          }
          check(Math.abs(OptimizerKernels.sumSquares(t) - ss) <= 1e-6 * (1 + ss), "sumSquares");
          check(Ops.firstNonFinite(t) == -1 && Ops.allFinite(t), "firstNonFinite of finite values");
          Tensor y = c.own(Tensor.of(x, shape));
          Ops.axpy(alpha, t, y);
          float[] want = new float[x.length];
          for (int i = 0; i < x.length; i++) {
            want[i] = x[i] + alpha * x[i];
          }
          checkClose(y.toArray(), want, TOL, "axpy");
          OptimizerKernels.scale(t, alpha);
          for (int i = 0; i < x.length; i++) {
            want[i] = alpha * x[i];
          }
          checkClose(t.toArray(), want, TOL, "scale");
          OptimizerKernels.clipValues(t, limit);
          for (float v : t.toArray()) {
            check(Math.abs(v) <= limit, "clipValues left " + v);
          }
          int at = x.length / 2;
          t.set(Float.NaN, unflatten(at, shape));
          check(Ops.firstNonFinite(t) == at && !Ops.allFinite(t), "firstNonFinite missed a NaN");
        });
  }

  private static long[] unflatten(long flat, long[] shape) {
    long[] idx = new long[shape.length];
    for (int i = shape.length - 1; i >= 0; i--) {
      idx[i] = flat % shape[i];
      flat /= shape[i];
    }
    return idx;
  }

  private static Call elementwiseBad(Gen g) {
    int v = g.between(0, 7);
    return Call.bad(
        "ops",
        "elementwise op variant " + v,
        c -> {
          Tensor x = c.own(Tensor.zeros(3));
          switch (v) {
            case 0 -> OptimizerKernels.clipValues(x, g.pick(0f, -1f, Float.NaN));
            case 1 -> OptimizerKernels.sumSquares(c.own(Tensor.zeros(0)));
            case 2 -> Ops.axpy(1f, x, c.own(Tensor.zeros(4)));
            case 3 -> OptimizerKernels.scale(null, 1f);
            case 4 -> Ops.firstNonFinite(c.own(Tensor.zeros(2, 0)));
            case 5 -> {
              x.close();
              OptimizerKernels.sumSquares(x);
            }
            case 6 -> Ops.axpy(1f, x, null);
            default ->
                Ops.gatherLastBackward(
                    c.own(Tensor.zeros(2, 2)), null, c.own(Tensor.zeros(3, 3, 2)));
          }
        });
  }

  private static Call updates(Gen g) {
    int n = g.between(1, 6);
    int which = g.between(0, 2);
    boolean bad = g.chance(0.4);
    int v = g.between(0, 2);
    float[] w = g.floats(n);
    float[] grad = g.floats(n);
    return Call.of(
        "ops",
        bad,
        new String[] {"sgdUpdate", "adamUpdate", "rmspropUpdate"}[which]
            + " n="
            + n
            + (bad ? " bad variant " + v : ""),
        c -> {
          Tensor wt = c.own(Tensor.of(w));
          Tensor gt = bad && v == 0 ? c.own(Tensor.zeros(n + 1)) : c.own(Tensor.of(grad));
          Tensor b1 = bad && v == 1 ? c.own(Tensor.zeros(n + 1)) : c.own(Tensor.zeros(n));
          Tensor b2 = c.own(Tensor.zeros(n));
          switch (which) {
            case 0 ->
                OptimizerKernels.sgdUpdate(
                    wt, gt, bad && v == 2 ? null : b1, 0.1f, 0.9f, 0f, false, 1);
            case 1 ->
                OptimizerKernels.adamUpdate(
                    wt,
                    gt,
                    b1,
                    bad && v == 2 ? null : b2,
                    0.01f,
                    0.9f,
                    0.999f,
                    1e-8f,
                    0f,
                    false,
                    1);
            default ->
                OptimizerKernels.rmspropUpdate(
                    wt, gt, b1, bad && v == 2 ? null : b2, 0.01f, 0.99f, 1e-8f, 0f, 0.5f);
          }
          float[] after = wt.toArray();
          checkFinite(after, "updated weights");
          for (int i = 0; i < n; i++) {
            // every rule moves each weight against its gradient's sign at the first step
            check(
                grad[i] == 0 || Math.signum(w[i] - after[i]) == Math.signum(grad[i]),
                "weight " + i + " moved with its gradient: " + w[i] + " -> " + after[i]);
          }
        });
  }

  private static Call nonFinite(Gen g) {
    int m = g.between(1, 3);
    int in = g.between(1, 3);
    float[] x = g.floats(m * in);
    x[g.between(0, x.length - 1)] = g.weirdFloat();
    return Call.either(
        "ops",
        "Ops.linear/softmax with a non-finite input " + Gen.brief(x),
        c -> {
          Tensor y =
              c.own(Ops.linear(c.own(Tensor.of(x, m, in)), c.own(Tensor.zeros(2, in)), null));
          checkShape(y.shape(), m, 2);
          Ops.softmax(y, y);
          Tensor xs = c.own(Tensor.of(x, m, in));
          Ops.softmax(xs, xs);
        });
  }

  // ------------------------------------------------------------------ nn

  static Call nn(Gen g) {
    int kind = g.between(0, 7);
    switch (kind) {
      case 0:
        {
          boolean bad = g.chance(0.4);
          int in = bad && g.coin() ? g.pick(0, -1, Integer.MIN_VALUE) : g.between(1, 5);
          int out = bad && in > 0 ? g.pick(0, -3) : g.between(1, 5);
          boolean bias = g.coin();
          long seed = g.nextLong();
          int m = g.between(1, 3);
          float[] x = g.floats(m * Math.max(in, 1));
          return Call.of(
              "nn",
              bad,
              "new Linear(" + in + ", " + out + ", " + bias + ")",
              c -> {
                Linear l =
                    c.own(
                        Linear.builder()
                            .inFeatures(in)
                            .outFeatures(out)
                            .bias(bias)
                            .seed(seed)
                            .device(Device.cpu())
                            .build());
                check(l.parameters().size() == (bias ? 2 : 1), "parameter count");
                Tensor xt = c.own(Tensor.of(x, m, in));
                Tensor y = c.own(l.forward(xt));
                checkShape(y.shape(), m, out);
                float[] b = bias ? l.bias().toArray() : null;
                checkClose(
                    y.toArray(), linearRef(x, l.weight().toArray(), b, m, in, out), TOL, "forward");
                Tensor dx = c.own(l.backward(xt, c.own(Tensor.zeros(m, out))));
                checkShape(dx.shape(), m, in);
                Linear same =
                    c.own(
                        Linear.builder()
                            .inFeatures(in)
                            .outFeatures(out)
                            .bias(bias)
                            .seed(seed)
                            .device(Device.cpu())
                            .build());
                check(
                    Arrays.equals(same.weight().toArray(), l.weight().toArray()),
                    "seeded init differs");
                l.close();
                check(l.weight().isClosed(), "close left the weight open");
              });
        }
      case 1:
        {
          int v = g.between(1, 6);
          int e = g.between(1, 4);
          int pad = g.between(-1, v - 1);
          boolean bad = g.chance(0.3);
          int badV = g.pick(0, -1);
          int badPad = g.pick(v, -2, Integer.MAX_VALUE);
          boolean badVocab = g.coin();
          int[] ids = g.ints(g.between(1, 5), -1, v - 1);
          return Call.of(
              "nn",
              bad,
              "new Embedding("
                  + (bad && badVocab ? badV : v)
                  + ", "
                  + e
                  + ", "
                  + (bad && !badVocab ? badPad : pad)
                  + ") ids="
                  + Gen.brief(ids),
              c -> {
                Embedding emb =
                    c.own(
                        Embedding.builder()
                            .vocabSize(bad && badVocab ? badV : v)
                            .dim(e)
                            .paddingIndex(bad && !badVocab ? badPad : pad)
                            .seed(1)
                            .device(Device.cpu())
                            .build());
                float[] table = emb.weight().toArray();
                if (pad >= 0) {
                  for (int k = 0; k < e; k++) {
                    check(table[pad * e + k] == 0f, "the padding row does not start at zero");
                  }
                }
                Tensor y = c.own(emb.forward(ids));
                float[] a = y.toArray();
                for (int i = 0; i < ids.length; i++) {
                  for (int k = 0; k < e; k++) {
                    float want = ids[i] < 0 || ids[i] == pad ? 0f : table[ids[i] * e + k];
                    check(a[i * e + k] == want, "row " + i);
                  }
                }
                float[] ones = new float[ids.length * e];
                Arrays.fill(ones, 1f);
                emb.backward(ids, c.own(Tensor.of(ones, ids.length, e)));
                float[] grad = emb.parameters().get(0).grad().toArray();
                if (pad >= 0) {
                  for (int k = 0; k < e; k++) {
                    check(grad[pad * e + k] == 0f, "the padding row got a gradient");
                  }
                }
              });
        }
      case 2:
        {
          float p = g.chance(0.3) ? g.pick(1f, -0.5f, Float.NaN) : (float) g.nextDouble() * 0.8f;
          boolean bad = !(p >= 0 && p < 1);
          boolean training = g.coin();
          // variant 3: a closed input, which must not leak the output allocated before the refusal
          int variant = bad ? 0 : g.between(0, 3);
          // a closed input must be refused when dropout computes; as the identity it may pass
          // through
          Call.Expect expect =
              bad || variant == 3 && training && p > 0
                  ? Call.Expect.BAD
                  : variant == 3 ? Call.Expect.EITHER : Call.Expect.GOOD;
          return new Call(
              "nn",
              expect,
              "new Dropout(" + p + ").forward(training=" + training + ") variant " + variant,
              c -> {
                Dropout d = Dropout.builder().p(p).seed(7).device(Device.cpu()).build();
                Tensor x = c.own(Tensor.of(new float[] {1, 2, 3, 4}, 2, 2));
                if (variant == 3) {
                  x.close();
                }
                long s0 = d.seedsDrawn();
                long seed = d.nextSeed();
                check(d.seedsDrawn() == s0 + 1, "seedsDrawn");
                Tensor y = d.forward(x, seed, training);
                if (y != x) {
                  c.own(y);
                }
                checkShape(y.shape(), 2, 2);
                check(
                    training && p > 0 || y == x, "an evaluation-mode dropout is not the identity");
              },
              false);
        }
      case 3:
        {
          Cell cell = g.pick(Cell.values());
          RecurrentInit init =
              g.pick(
                  RecurrentInit.PYTORCH,
                  RecurrentInit.ORTHOGONAL,
                  RecurrentInit.FORGET_BIAS_ONE,
                  RecurrentInit.ORTHOGONAL_FORGET_BIAS_ONE);
          boolean bad = init.forgetBiasOne() && cell != Cell.LSTM;
          int h = g.between(1, 4);
          int layers = g.between(1, 2);
          boolean bidi = g.coin();
          return Call.of(
              "nn",
              bad,
              "new RecurrentLayer("
                  + cell
                  + ", C=2, H="
                  + h
                  + ", L="
                  + layers
                  + ", bidi="
                  + bidi
                  + ", init="
                  + init.id()
                  + ")",
              c -> {
                RecurrentLayer r =
                    c.own(
                        RecurrentLayer.builder()
                            .cell(cell)
                            .inputSize(2)
                            .hiddenSize(h)
                            .layers(layers)
                            .bidirectional(bidi)
                            .init(init)
                            .seed(3)
                            .device(Device.cpu())
                            .build());
                Map<String, Parameter> byName = Parameters.byName(r);
                check(byName.size() == r.parameters().size(), "duplicate parameter names");
                if (init.orthogonalRecurrent()) {
                  float[] w = byName.get("weight_hh_l0").value().toArray();
                  int gates = cell.gatesPerCell();
                  for (int gate = 0; gate < gates; gate++) {
                    for (int i = 0; i < h; i++) {
                      for (int j = 0; j < h; j++) {
                        double dot = 0;
                        for (int k = 0; k < h; k++) {
                          dot += w[(gate * h + i) * h + k] * w[(gate * h + j) * h + k];
                        }
                        check(
                            Math.abs(dot - (i == j ? 1 : 0)) < 1e-4,
                            "weight_hh gate "
                                + gate
                                + " is not orthogonal: row "
                                + i
                                + "·row "
                                + j
                                + " = "
                                + dot);
                      }
                    }
                  }
                }
                if (init.forgetBiasOne()) {
                  float[] b = byName.get("bias_ih_l0").value().toArray();
                  for (int k = h; k < 2 * h; k++) {
                    check(b[k] == 1f, "forget bias is " + b[k]);
                  }
                }
                SequenceBatch in = c.own(SequenceBatch.of(c.own(Tensor.zeros(2, 1, 2)), null));
                RecurrentOutput o = c.own(r.forward(in, null));
                checkShape(o.output().shape(), 2, 1, r.outputSize());
              });
        }
      case 4:
        {
          String id =
              g.pick(
                  "pytorch",
                  "orthogonal",
                  "forget-bias-1",
                  "orthogonal+forget-bias-1",
                  g.text(10),
                  "",
                  "PYTORCH",
                  "forget-bias-1+orthogonal",
                  null);
          boolean ok =
              id != null
                  && List.of("pytorch", "orthogonal", "forget-bias-1", "orthogonal+forget-bias-1")
                      .contains(id);
          return Call.of(
              "nn",
              !ok,
              "RecurrentInit.parse(" + Gen.brief(id) + ")",
              c -> {
                RecurrentInit r = RecurrentInit.parse(id);
                check(r.id().equals(id), "id() does not give back " + id);
              });
        }
      case 5:
        {
          int count = g.pick(-1, 0, 3, Integer.MIN_VALUE);
          int which = g.between(0, 2);
          // an orthogonal matrix needs n >= 1; uniform and normal give an empty array for 0
          boolean bad = count < 0 || which == 2 && count == 0;
          return Call.of(
              "nn",
              bad,
              "Init."
                  + new String[] {"uniform", "normal", "orthogonal"}[which]
                  + "(seed, "
                  + count
                  + ")",
              c -> {
                float[] a =
                    switch (which) {
                      case 0 -> Init.uniform(1, count, 0.5);
                      case 1 -> Init.normal(1, count, 1.0);
                      default -> Init.orthogonal(1, count);
                    };
                check(a.length == (which == 2 ? count * count : count), "length " + a.length);
                checkFinite(a, "init");
              });
        }
      case 6:
        {
          int v = g.between(0, 2);
          return Call.bad(
              "nn",
              "new Parameter variant " + v,
              c -> {
                Tensor a = c.own(Tensor.zeros(2));
                switch (v) {
                  case 0 -> new Parameter("p", a, c.own(Tensor.zeros(3)));
                  case 1 -> new Parameter(null, a, a);
                  default -> new Parameter("p", null, a);
                }
              });
        }
      default:
        {
          int v = g.between(0, 3);
          return Call.bad(
              "nn",
              "layer after close, variant " + v,
              c -> {
                Linear l =
                    c.own(
                        Linear.builder()
                            .inFeatures(2)
                            .outFeatures(2)
                            .seed(1)
                            .device(Device.cpu())
                            .build());
                Embedding e =
                    c.own(
                        Embedding.builder()
                            .vocabSize(3)
                            .dim(2)
                            .seed(1)
                            .device(Device.cpu())
                            .build());
                l.close();
                e.close();
                switch (v) {
                  case 0 -> c.own(l.forward(c.own(Tensor.zeros(1, 2))));
                  case 1 -> c.own(e.forward(new int[] {0}));
                  case 2 ->
                      l.backwardParameters(c.own(Tensor.zeros(1, 2)), c.own(Tensor.zeros(1, 2)));
                  default -> e.backward(new int[] {0}, c.own(Tensor.zeros(1, 2)));
                }
              });
        }
    }
  }
}
