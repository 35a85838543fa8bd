/*
 * RnnReference: a plain double-precision reference of the recurrent stack (all cells, layers,
 * directions, ragged lengths), written from the equations in jrnn.h / Cell's javadoc, and a
 * central-difference gradient of any scalar loss of it. Test oracle only: slow and obvious.
 */
package org.jrnn;

import java.util.HashMap;
import java.util.Map;

/** Double-precision reference forward pass, parameters looked up by PyTorch name. */
final class RnnReference {
  final Cell cell;
  final int c;
  final int h;
  final int layers;
  final int dirs;
  final boolean bias;

  /** Parameters by name: weight_ih_l0 [G*H*C_l] row-major, weight_hh [G*H*H], biases [G*H]. */
  final Map<String, double[]> p = new HashMap<>();

  RnnReference(Recurrent layer) {
    this.cell = layer.cell();
    this.c = layer.inputSize();
    this.h = layer.hiddenSize();
    this.layers = layer.layers();
    this.dirs = layer.directions();
    this.bias = layer.hasBias();
    layer.parameters().forEach((name, t) -> p.put(name, toDouble(t.toArray())));
  }

  static double[] toDouble(float[] a) {
    double[] d = new double[a.length];
    for (int i = 0; i < a.length; i++) {
      d[i] = a[i];
    }
    return d;
  }

  /** Result: y [T][N][D*H], hn/cn [L*D][N][H]. */
  static final class Result {
    double[][][] y;
    double[][][] hn;
    double[][][] cn;
  }

  static double sigmoid(double v) {
    return 1 / (1 + Math.exp(-v));
  }

  /**
   * @param x [T][N][C] (padding ignored)
   * @param lengths [N]
   * @param h0 [L*D][N][H] or null
   * @param c0 [L*D][N][H] or null
   */
  Result forward(double[][][] x, int[] lengths, double[][][] h0, double[][][] c0) {
    int t = x.length;
    int n = x[0].length;
    int g = cell.gatesPerCell();
    double[][][] in = x;
    Result r = new Result();
    r.hn = new double[layers * dirs][n][h];
    r.cn = new double[layers * dirs][n][h];
    for (int l = 0; l < layers; l++) {
      int cl = l == 0 ? c : dirs * h;
      double[][][] out = new double[t][n][dirs * h];
      for (int d = 0; d < dirs; d++) {
        String sfx = "_l" + l + (d == 1 ? "_reverse" : "");
        double[] wih = p.get("weight_ih" + sfx);
        double[] whh = p.get("weight_hh" + sfx);
        double[] bih = bias ? p.get("bias_ih" + sfx) : new double[g * h];
        double[] bhh = bias ? p.get("bias_hh" + sfx) : new double[g * h];
        int s = l * dirs + d;
        for (int b = 0; b < n; b++) {
          double[] hs = h0 == null ? new double[h] : h0[s][b].clone();
          double[] cs = c0 == null ? new double[h] : c0[s][b].clone();
          int len = lengths[b];
          for (int k = 0; k < len; k++) {
            int tt = d == 0 ? k : len - 1 - k;
            double[] xi = in[tt][b];
            double[] gi = new double[g * h];
            double[] gh = new double[g * h];
            for (int row = 0; row < g * h; row++) {
              double a = bih[row];
              for (int j = 0; j < cl; j++) {
                a += wih[row * cl + j] * xi[j];
              }
              gi[row] = a;
              double q = bhh[row];
              for (int j = 0; j < h; j++) {
                q += whh[row * h + j] * hs[j];
              }
              gh[row] = q;
            }
            double[] hNew = new double[h];
            double[] cNew = new double[h];
            for (int u = 0; u < h; u++) {
              switch (cell) {
                case RNN_TANH -> hNew[u] = Math.tanh(gi[u] + gh[u]);
                case RNN_RELU -> hNew[u] = Math.max(0, gi[u] + gh[u]);
                case LSTM -> {
                  double i = sigmoid(gi[u] + gh[u]);
                  double f = sigmoid(gi[h + u] + gh[h + u]);
                  double gg = Math.tanh(gi[2 * h + u] + gh[2 * h + u]);
                  double o = sigmoid(gi[3 * h + u] + gh[3 * h + u]);
                  cNew[u] = f * cs[u] + i * gg;
                  hNew[u] = o * Math.tanh(cNew[u]);
                }
                case GRU -> {
                  double rr = sigmoid(gi[u] + gh[u]);
                  double z = sigmoid(gi[h + u] + gh[h + u]);
                  double nn = Math.tanh(gi[2 * h + u] + rr * gh[2 * h + u]);
                  hNew[u] = (1 - z) * nn + z * hs[u];
                }
              }
            }
            hs = hNew;
            if (cell == Cell.LSTM) {
              cs = cNew;
            }
            System.arraycopy(hs, 0, out[tt][b], d * h, h);
          }
          r.hn[s][b] = hs;
          r.cn[s][b] = cs;
        }
      }
      in = out;
    }
    r.y = in;
    return r;
  }
}
