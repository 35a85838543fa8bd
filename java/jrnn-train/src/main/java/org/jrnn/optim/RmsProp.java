/*
 * RmsProp: torch.optim.RMSprop semantics (not centred), one fused native update per parameter tensor.
 */
package org.jrnn.optim;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jrnn.OptimizerKernels;
import org.jrnn.Tensor;
import org.jrnn.nn.Parameter;

/**
 * RMSProp as {@code torch.optim.RMSprop(params, lr, alpha, eps, weight_decay, momentum,
 * centered=False)}: {@code g' = g + wd·w}, {@code sq = alpha·sq + (1-alpha)·g'²}; with momentum
 * {@code buf = momentum·buf + g'/(sqrt(sq)+eps)}, {@code w -= lr·buf}; else {@code w -=
 * lr·g'/(sqrt(sq)+eps)}. Keeps {@code square_avg} (and {@code momentum_buffer}) per parameter.
 */
public final class RmsProp extends Optimizer {
  private final float alpha;
  private final float eps;
  private final float weightDecay;
  private final float momentum;

  private RmsProp(List<Parameter> params, Builder b) {
    super(
        params,
        b.lr,
        b.momentum == 0
            ? new String[] {"square_avg"}
            : new String[] {"square_avg", "momentum_buffer"});
    this.alpha = fraction("alpha", b.alpha);
    this.eps = nonNegative("eps", b.eps);
    this.weightDecay = nonNegative("weight decay", b.weightDecay);
    this.momentum = fraction("momentum", b.momentum);
  }

  /** Options with PyTorch's defaults: lr 0.01, alpha 0.99, eps 1e-8, weight decay 0, momentum 0. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public String name() {
    return "rmsprop";
  }

  @Override
  public Map<String, Object> hyperparameters() {
    Map<String, Object> h = new LinkedHashMap<>();
    h.put("alpha", (double) alpha);
    h.put("eps", (double) eps);
    h.put("weight_decay", (double) weightDecay);
    h.put("momentum", (double) momentum);
    return h;
  }

  @Override
  protected void update(Parameter p, Tensor[] buffers, float lr, long step) {
    OptimizerKernels.rmspropUpdate(
        p.value(),
        p.grad(),
        buffers[0],
        buffers.length > 1 ? buffers[1] : null,
        lr,
        alpha,
        eps,
        weightDecay,
        momentum);
  }

  /** RMSProp options. */
  public static final class Builder {
    private double lr = 0.01;
    private double alpha = 0.99;
    private double eps = 1e-8;
    private double weightDecay;
    private double momentum;

    private Builder() {}

    /** Learning rate (default 0.01). */
    public Builder lr(double lr) {
      this.lr = checkedLearningRate(lr);
      return this;
    }

    /** Smoothing constant of the squared-gradient average (default 0.99). */
    public Builder alpha(double alpha) {
      this.alpha = fraction("alpha", alpha);
      return this;
    }

    /** Added to the denominator (default 1e-8). */
    public Builder eps(double eps) {
      this.eps = nonNegative("eps", eps);
      return this;
    }

    /** L2 weight decay added to the gradient (default 0). */
    public Builder weightDecay(double weightDecay) {
      this.weightDecay = nonNegative("weight decay", weightDecay);
      return this;
    }

    /** Momentum in [0, 1) (default 0). */
    public Builder momentum(double momentum) {
      this.momentum = fraction("momentum", momentum);
      return this;
    }

    /**
     * The optimiser over {@code params}; a method reference to it is what {@code
     * Trainer.Builder.optimizer} takes: {@code .optimizer(RmsProp.builder().lr(3e-3)::build)}.
     *
     * @throws org.jrnn.JrnnException when {@code params} is null, holds null or repeats a name
     */
    public RmsProp build(List<Parameter> params) {
      return new RmsProp(params, this);
    }
  }
}
