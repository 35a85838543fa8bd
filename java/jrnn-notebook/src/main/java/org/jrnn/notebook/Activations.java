/*
 * Activations: a recurrent layer's hidden states and gate activations over one sequence, as
 * [time][unit] arrays for heat maps.
 */
package org.jrnn.notebook;

import java.util.LinkedHashMap;
import java.util.Map;
import org.jrnn.Cell;
import org.jrnn.JrnnException;
import org.jrnn.Recurrent;
import org.jrnn.RecurrentOutput;
import org.jrnn.Scope;
import org.jrnn.SequenceBatch;
import org.jrnn.Tensor;

/**
 * What a recurrent layer computes at every step of one sequence, as {@code float[T][units]} (the
 * layout {@link Heatmap#of} draws).
 *
 * <ul>
 *   <li>{@link #hidden(Recurrent, float[][])}: the top layer's output {@code y_t} (both directions
 *       side by side), from jrnn's native forward pass;
 *   <li>{@link #gates(Recurrent, float[][])}: the first layer's gate activations (forward
 *       direction), recomputed here in double precision from the layer's weights with PyTorch's
 *       equations: LSTM {@code input, forget, cell, output} gates and the cell state {@code c}; GRU
 *       {@code reset, update, new}; vanilla RNN its pre-activation; and {@code h} for every cell
 *       (which equals the native forward's output, the tests check).
 * </ul>
 */
public final class Activations {
  private Activations() {}

  /** The top layer's outputs over one sequence {@code [T][C]}: {@code [T][D*H]}. */
  @SuppressWarnings("try") // the scope frees the batch and the output
  public static float[][] hidden(Recurrent layer, float[][] sequence) {
    try (Scope scope = Scope.open()) {
      SequenceBatch batch =
          SequenceBatch.fromList(layer.device(), java.util.Collections.singletonList(sequence));
      return hidden(layer.forward(batch), 0);
    }
  }

  /** Sequence {@code n} of a forward pass's output, up to its length: {@code [length][D*H]}. */
  public static float[][] hidden(RecurrentOutput out, int n) {
    Tensor y = out.output();
    int t = (int) y.dim(0), batch = (int) y.dim(1), width = (int) y.dim(2);
    if (n < 0 || n >= batch) {
      throw new JrnnException("sequence " + n + " of a batch of " + batch);
    }
    float[] all = y.toArray();
    int len = out.lengths()[n];
    float[][] h = new float[Math.min(len, t)][width];
    for (int s = 0; s < h.length; s++) {
      System.arraycopy(all, (s * batch + n) * width, h[s], 0, width);
    }
    return h;
  }

  /**
   * The first layer's activations over one sequence (forward direction, zero initial state), by
   * name: LSTM {@code "input gate", "forget gate", "cell input", "output gate", "c", "h"}; GRU
   * {@code "reset gate", "update gate", "new", "h"}; RNN {@code "pre-activation", "h"}. Each is
   * {@code [T][H]}.
   */
  public static Map<String, float[][]> gates(Recurrent layer, float[][] sequence) {
    Map<String, Tensor> p = layer.parameters();
    int hs = layer.hiddenSize(), in = layer.inputSize();
    Cell cell = layer.cell();
    int g = cell.gatesPerCell();
    float[] wih = p.get("weight_ih_l0").toArray(); // [g*H, I]
    float[] whh = p.get("weight_hh_l0").toArray(); // [g*H, H]
    float[] bih = p.containsKey("bias_ih_l0") ? p.get("bias_ih_l0").toArray() : new float[g * hs];
    float[] bhh = p.containsKey("bias_hh_l0") ? p.get("bias_hh_l0").toArray() : new float[g * hs];
    int steps = sequence.length;
    for (float[] x : sequence) {
      if (x.length != in) {
        throw new JrnnException("a step has " + x.length + " features, the layer takes " + in);
      }
    }
    String[] names =
        switch (cell) {
          case LSTM ->
              new String[] {"input gate", "forget gate", "cell input", "output gate", "c", "h"};
          case GRU -> new String[] {"reset gate", "update gate", "new", "h"};
          default -> new String[] {"pre-activation", "h"};
        };
    Map<String, float[][]> out = new LinkedHashMap<>();
    for (String name : names) {
      out.put(name, new float[steps][hs]);
    }
    double[] h = new double[hs], c = new double[hs];
    double[] ai = new double[g * hs], ah = new double[g * hs];
    for (int t = 0; t < steps; t++) {
      float[] x = sequence[t];
      for (int r = 0; r < g * hs; r++) {
        double si = bih[r], sh = bhh[r];
        for (int k = 0; k < in; k++) {
          si += (double) wih[r * in + k] * x[k];
        }
        for (int k = 0; k < hs; k++) {
          sh += (double) whh[r * hs + k] * h[k];
        }
        ai[r] = si;
        ah[r] = sh;
      }
      double[] hNew = new double[hs];
      for (int u = 0; u < hs; u++) {
        switch (cell) {
          case LSTM -> {
            double ig = sigmoid(ai[u] + ah[u]);
            double fg = sigmoid(ai[hs + u] + ah[hs + u]);
            double gg = Math.tanh(ai[2 * hs + u] + ah[2 * hs + u]);
            double og = sigmoid(ai[3 * hs + u] + ah[3 * hs + u]);
            c[u] = fg * c[u] + ig * gg;
            hNew[u] = og * Math.tanh(c[u]);
            out.get("input gate")[t][u] = (float) ig;
            out.get("forget gate")[t][u] = (float) fg;
            out.get("cell input")[t][u] = (float) gg;
            out.get("output gate")[t][u] = (float) og;
            out.get("c")[t][u] = (float) c[u];
          }
          case GRU -> {
            double rg = sigmoid(ai[u] + ah[u]);
            double zg = sigmoid(ai[hs + u] + ah[hs + u]);
            double ng = Math.tanh(ai[2 * hs + u] + rg * ah[2 * hs + u]);
            hNew[u] = (1 - zg) * ng + zg * h[u];
            out.get("reset gate")[t][u] = (float) rg;
            out.get("update gate")[t][u] = (float) zg;
            out.get("new")[t][u] = (float) ng;
          }
          default -> {
            double a = ai[u] + ah[u];
            hNew[u] = cell == Cell.RNN_RELU ? Math.max(0, a) : Math.tanh(a);
            out.get("pre-activation")[t][u] = (float) a;
          }
        }
      }
      h = hNew;
      for (int u = 0; u < hs; u++) {
        out.get("h")[t][u] = (float) h[u];
      }
    }
    return out;
  }

  /**
   * How much of a gradient at each sequence's LAST output reaches the input at every step: runs
   * {@code forwardTrain} and {@code backward} with {@code dy} zero except at step {@code length-1}
   * of sequence {@code n}, where it is {@code dLast[n]}, and returns, per time step {@code t}, the
   * mean over the sequences still running at {@code t} of {@code ||dL/dx_t||} (L2 over features).
   * With {@code dLast} the loss's gradient at the final state, this is the classic "vanishing
   * gradients" curve. The layer's gradient buffer is left as it was.
   *
   * @param dLast {@code [N][D*H]}, e.g. {@code W^T (softmax - onehot)} of a linear classifier
   * @return {@code [T]} mean gradient norms (0 where no sequence runs)
   */
  @SuppressWarnings("try")
  public static double[] inputGradientNorms(Recurrent layer, SequenceBatch input, float[][] dLast) {
    int steps = input.maxLength(),
        n = input.batchSize(),
        width = layer.outputSize(),
        c = input.featureSize();
    if (dLast.length != n) {
      throw new JrnnException(dLast.length + " gradients for " + n + " sequences");
    }
    int[] len = input.lengths();
    float[] dy = new float[steps * n * width];
    for (int k = 0; k < n; k++) {
      if (dLast[k].length != width) {
        throw new JrnnException(
            "gradient " + k + " has " + dLast[k].length + " values, the output " + width);
      }
      System.arraycopy(dLast[k], 0, dy, ((len[k] - 1) * n + k) * width, width);
    }
    float[] savedGrads = layer.gradientBuffer().toArray();
    try (Scope scope = Scope.open()) {
      RecurrentOutput out = layer.forwardTrain(input, null);
      Tensor dyT = Tensor.of(layer.device(), dy, steps, n, width);
      float[] dx = layer.backward(out, dyT, null, null).dx().toArray();
      double[] norms = new double[steps];
      for (int t = 0; t < steps; t++) {
        double sum = 0;
        int running = 0;
        for (int k = 0; k < n; k++) {
          if (t >= len[k]) {
            continue;
          }
          double sq = 0;
          for (int f = 0; f < c; f++) {
            double v = dx[(t * n + k) * c + f];
            sq += v * v;
          }
          sum += Math.sqrt(sq);
          running++;
        }
        norms[t] = running == 0 ? 0 : sum / running;
      }
      return norms;
    } finally {
      layer.gradientBuffer().copyFrom(savedGrads);
    }
  }

  private static double sigmoid(double x) {
    return 1 / (1 + Math.exp(-x));
  }
}
