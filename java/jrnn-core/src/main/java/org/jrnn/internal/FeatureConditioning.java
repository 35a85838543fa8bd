/*
 * FeatureConditioning: how a feature vector p conditions a recurrent language model, written once
 * for ConditionedLanguageModel and Captioner. A captioner without projection reads a conditioned
 * language model's files, so both must lay out h0 = tanh(init(p)) and the step input
 * [embedding | p] alike.
 */
package org.jrnn.internal;

import org.jrnn.Device;
import org.jrnn.Tensor;

/**
 * The initial state and step inputs of a recurrent stack conditioned on one feature vector per
 * sequence.
 */
public final class FeatureConditioning {
  private FeatureConditioning() {}

  /**
   * h0 {@code [L, N, H]} from {@code pre = init(p)}, host values {@code [N, L*H]} whose columns
   * {@code [l*H, (l+1)*H)} are layer l's. Replaces {@code pre} by {@code tanh(pre)}, which {@link
   * #initialHiddenGradient} needs.
   */
  public static Tensor initialHidden(float[] pre, int n, int layers, int hidden, Device device) {
    int width = layers * hidden;
    float[] h0 = new float[pre.length];
    for (int s = 0; s < n; s++) {
      for (int k = 0; k < width; k++) {
        float v = FloatMath.tanh(pre[s * width + k]);
        pre[s * width + k] = v;
        h0[((k / hidden) * n + s) * hidden + k % hidden] = v;
      }
    }
    return Tensor.of(device, h0, layers, n, hidden);
  }

  /**
   * Backward of {@link #initialHidden}: the gradient {@code [N, L*H]} of {@code pre} from {@code
   * dh0 [L, N, H]} and the tanh values, {@code dh0 · (1 - tanh²)}.
   */
  public static Tensor initialHiddenGradient(
      float[] tanh, Tensor dh0, int n, int layers, int hidden) {
    int width = layers * hidden;
    float[] d = dh0.toArray();
    float[] dpre = new float[tanh.length];
    for (int s = 0; s < n; s++) {
      for (int k = 0; k < width; k++) {
        float t = tanh[s * width + k];
        dpre[s * width + k] = d[((k / hidden) * n + s) * hidden + k % hidden] * (1f - t * t);
      }
    }
    return Tensor.of(dh0.device(), dpre, n, (long) width);
  }

  /**
   * The embeddings {@code [..., N, E]} (time-major, e.g. {@code [steps, N, E]}) with each
   * sequence's features appended: {@code [..., N, E+F]}, sequence s taking row s of {@code features
   * [N, F]}.
   */
  public static Tensor appendFeatures(Tensor embedded, float[] features, int featureSize) {
    long[] shape = embedded.shape();
    int e = (int) shape[shape.length - 1];
    int n = (int) shape[shape.length - 2];
    int f = featureSize;
    float[] emb = embedded.toArray();
    int rows = emb.length / e;
    float[] x = new float[rows * (e + f)];
    for (int r = 0; r < rows; r++) {
      System.arraycopy(emb, r * e, x, r * (e + f), e);
      System.arraycopy(features, (r % n) * f, x, r * (e + f) + e, f);
    }
    shape[shape.length - 1] = e + f;
    return Tensor.of(embedded.device(), x, shape);
  }
}
