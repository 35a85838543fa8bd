/*
 * Linear: y = x · Wᵀ + b over the last dimension, with PyTorch's seeded uniform initialisation and
 * an explicit backward that accumulates into the weight and bias gradients.
 */
package org.jrnn.nn;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.jrnn.Device;
import org.jrnn.JrnnException;
import org.jrnn.Ops;
import org.jrnn.Tensor;
import org.jrnn.internal.Arguments;
import org.jrnn.internal.SplitMix64;

/**
 * A fully connected layer, {@code torch.nn.Linear}: weight {@code [O, I]}, bias {@code [O]}
 * (optional), both initialised uniformly in {@code [-1/sqrt(I), 1/sqrt(I))} from the seed.
 * Parameters are named {@code "weight"} and {@code "bias"}. The layer owns its tensors; {@link
 * #close()} frees them.
 */
public final class Linear implements Trainable {
  private final int inFeatures;
  private final int outFeatures;
  private final Device device;
  private final Tensor weight;
  private final Tensor weightGrad;
  private final Tensor bias;
  private final Tensor biasGrad;
  private final List<Parameter> parameters;

  /**
   * A builder: {@code Linear.builder().inFeatures(I).outFeatures(O).build()}; {@code inFeatures}
   * and {@code outFeatures} are required, the rest have defaults.
   */
  public static Builder builder() {
    return new Builder();
  }

  /** Settings of a {@link Linear}; each setter checks its value, {@link #build()} the rest. */
  public static final class Builder {
    private int inFeatures;
    private int outFeatures;
    private boolean bias = true;
    private long seed;
    private Device device = Device.cpu();

    private Builder() {}

    /** Required: I, the input features ({@code >= 1}). */
    public Builder inFeatures(int inFeatures) {
      this.inFeatures = Arguments.atLeast("inFeatures", inFeatures, 1);
      return this;
    }

    /** Required: O, the output features ({@code >= 1}). */
    public Builder outFeatures(int outFeatures) {
      this.outFeatures = Arguments.atLeast("outFeatures", outFeatures, 1);
      return this;
    }

    /** Whether to add a bias {@code [O]}; default true. */
    public Builder bias(boolean bias) {
      this.bias = bias;
      return this;
    }

    /** Seed of the initial values (the same seed gives the same values bit for bit); default 0. */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /** Where the parameters live; default {@link Device#cpu()}. */
    public Builder device(Device device) {
      this.device = Arguments.notNull("device", device);
      return this;
    }

    /**
     * Allocates and initialises the layer.
     *
     * @throws JrnnException when a required setting is missing or the weight is too large
     */
    public Linear build() {
      Arguments.required("inFeatures", inFeatures == 0);
      Arguments.required("outFeatures", outFeatures == 0);
      return new Linear(inFeatures, outFeatures, bias, seed, device);
    }
  }

  private Linear(int inFeatures, int outFeatures, boolean hasBias, long seed, Device device) {
    int count =
        Arguments.arrayLength(
            "a Linear of " + outFeatures + " x " + inFeatures, (long) outFeatures * inFeatures);
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    this.device = Arguments.notNull("device", device);
    double bound = 1.0 / Math.sqrt(inFeatures);
    List<Tensor> made = new ArrayList<>();
    try {
      weight = keep(made, Tensor.zeros(device, outFeatures, inFeatures));
      weightGrad = keep(made, Tensor.zeros(device, outFeatures, inFeatures));
      weight.copyFrom(Init.uniform(SplitMix64.deriveSeed(seed, 0), count, bound));
      if (hasBias) {
        bias = keep(made, Tensor.zeros(device, outFeatures));
        biasGrad = keep(made, Tensor.zeros(device, outFeatures));
        bias.copyFrom(Init.uniform(SplitMix64.deriveSeed(seed, 1), outFeatures, bound));
      } else {
        bias = null;
        biasGrad = null;
      }
    } catch (RuntimeException e) {
      made.forEach(Tensor::close);
      throw e;
    }
    List<Parameter> p = new ArrayList<>();
    p.add(new Parameter("weight", weight, weightGrad));
    if (bias != null) {
      p.add(new Parameter("bias", bias, biasGrad));
    }
    this.parameters = Collections.unmodifiableList(p);
  }

  static Tensor keep(List<Tensor> made, Tensor t) {
    made.add(t);
    return t.keep();
  }

  /** I, the input features. */
  public int inFeatures() {
    return inFeatures;
  }

  /** O, the output features. */
  public int outFeatures() {
    return outFeatures;
  }

  /** The weight {@code [O, I]} (owned by the layer). */
  public Tensor weight() {
    return weight;
  }

  /** The bias {@code [O]}, or null without bias. */
  public Tensor bias() {
    return bias;
  }

  /**
   * {@code y = x · Wᵀ + b}.
   *
   * @param x {@code [..., I]} on this layer's device. Not modified.
   * @return {@code [..., O]}, a new tensor (current scope)
   */
  public Tensor forward(Tensor x) {
    return Ops.linear(x, weight, bias);
  }

  /**
   * Backward of {@link #forward}: ACCUMULATES the weight and bias gradients.
   *
   * @param x the forward's input {@code [..., I]}. Not modified.
   * @param dy {@code [..., O]}. Not modified.
   * @return dx {@code [..., I]}, a new tensor (current scope)
   */
  public Tensor backward(Tensor x, Tensor dy) {
    Arguments.notNull("x", x);
    Tensor dx = Tensor.zeros(x.device(), x.shape());
    Ops.linearBackward(x, weight, dy, dx, weightGrad, biasGrad);
    return dx;
  }

  /** Like {@link #backward} when the input needs no gradient: only the parameters' ACCUMULATE. */
  public void backwardParameters(Tensor x, Tensor dy) {
    Ops.linearBackward(x, weight, dy, null, weightGrad, biasGrad);
  }

  @Override
  public List<Parameter> parameters() {
    return parameters;
  }

  @Override
  public Device device() {
    return device;
  }

  @Override
  public void close() {
    for (Parameter p : parameters) {
      p.grad().close();
      p.value().close();
    }
  }

  /**
   * A readable summary: class, device, parameter count, and each parameter's name, shape and count
   * ({@link ParameterTable}), so printing a model in a notebook or a log shows its layers.
   */
  @Override
  public String toString() {
    return ParameterTable.describe(this, null);
  }
}
