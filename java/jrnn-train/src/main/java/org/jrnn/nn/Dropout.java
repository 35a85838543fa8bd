/*
 * Dropout: inverted dropout with a counter-based mask, seeded per call, so backward recomputes the
 * forward's mask instead of storing it; the identity in evaluation.
 */
package org.jrnn.nn;

import java.util.List;
import org.jrnn.Device;
import org.jrnn.JrnnException;
import org.jrnn.Ops;
import org.jrnn.Tensor;
import org.jrnn.internal.Arguments;
import org.jrnn.internal.SplitMix64;

/**
 * {@code torch.nn.Dropout(p)}: in training, each element is zeroed with probability p and the rest
 * scaled by {@code 1/(1-p)}. The mask depends only on a per-call seed: take one from {@link
 * #nextSeed()} for each training forward and give the same seed to {@link #backward}. The seeds
 * follow from the constructor's seed, so a seeded run is reproducible. No parameters.
 */
public final class Dropout implements Trainable {
  private final float p;
  private final long seed;
  private final Device device;
  private long calls;

  /** A builder: {@code Dropout.builder().p(0.5f).seed(7).build()}; {@code p} is required. */
  public static Builder builder() {
    return new Builder();
  }

  /** Settings of a {@link Dropout}; each setter checks its value, {@link #build()} the rest. */
  public static final class Builder {
    private float p = Float.NaN;
    private long seed;
    private Device device = Device.cpu();

    private Builder() {}

    /** Required: the drop probability in {@code [0, 1)}; 0 makes the layer the identity. */
    public Builder p(float p) {
      this.p = Arguments.fraction("p", p);
      return this;
    }

    /** Seed of the sequence of mask seeds; default 0. */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /** The device of the tensors it will see; default {@link Device#cpu()}. */
    public Builder device(Device device) {
      this.device = Arguments.notNull("device", device);
      return this;
    }

    /** The layer. @throws JrnnException when {@code p} was not set */
    public Dropout build() {
      Arguments.required("p", Float.isNaN(p));
      return new Dropout(this);
    }
  }

  private Dropout(Builder b) {
    this.p = b.p;
    this.seed = b.seed;
    this.device = b.device;
  }

  /** The drop probability. */
  public float p() {
    return p;
  }

  /**
   * A fresh mask seed (the i-th call returns the i-th seed derived from the constructor's seed).
   */
  public long nextSeed() {
    return SplitMix64.deriveSeed(seed, calls++);
  }

  /** How many seeds {@link #nextSeed()} has given (to save with a checkpoint). */
  public long seedsDrawn() {
    return calls;
  }

  /** Continues the seed sequence after {@code count} seeds (restoring a checkpoint). */
  public void setSeedsDrawn(long count) {
    if (count < 0) {
      throw new JrnnException("seedsDrawn must be >= 0 but is " + count);
    }
    calls = count;
  }

  /**
   * Applies dropout.
   *
   * @param x any shape. Not modified.
   * @param maskSeed the mask's seed (from {@link #nextSeed()})
   * @param training false: the identity
   * @return a new tensor (current scope), or x itself when not training or p = 0
   */
  public Tensor forward(Tensor x, long maskSeed, boolean training) {
    Arguments.notNull("x", x);
    if (!training || p == 0f) {
      return x;
    }
    Tensor y = Tensor.zeros(x.device(), x.shape());
    try {
      Ops.dropout(x, p, maskSeed, y);
    } catch (RuntimeException | Error e) {
      y.close(); // the caller never gets y: outside a scope nothing else would free it
      throw e;
    }
    return y;
  }

  /**
   * Backward of a training {@link #forward} with the same seed: {@code dx = mask · dy / (1-p)}.
   *
   * @param dy the gradient of the forward's output. Not modified.
   * @return a new tensor (current scope), or dy itself when p = 0
   */
  public Tensor backward(Tensor dy, long maskSeed) {
    return forward(dy, maskSeed, true);
  }

  @Override
  public List<Parameter> parameters() {
    return List.of();
  }

  @Override
  public Device device() {
    return device;
  }

  @Override
  public void close() {}
}
