/*
 * Sgd: stochastic gradient descent with momentum, Nesterov momentum and L2 weight decay
 * (torch.optim.SGD semantics), one fused native update per parameter tensor.
 */
package org.jrnn.optim;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jrnn.JrnnException;
import org.jrnn.OptimizerKernels;
import org.jrnn.Tensor;
import org.jrnn.nn.Parameter;

/**
 * SGD as {@code torch.optim.SGD(params, lr, momentum, dampening=0, weight_decay, nesterov)}: {@code
 * g' = g + wd·w}; {@code buf = momentum·buf + g'} ({@code buf = g'} on the first step); {@code
 * update = nesterov ? g' + momentum·buf : buf}; {@code w -= lr·update}. Keeps one buffer ({@code
 * momentum_buffer}) per parameter when momentum is not 0.
 */
public final class Sgd extends Optimizer {
  private final float momentum;
  private final float weightDecay;
  private final boolean nesterov;

  private Sgd(List<Parameter> params, Builder b) {
    super(params, b.lr, b.momentum == 0 ? new String[0] : new String[] {"momentum_buffer"});
    this.momentum = fraction("momentum", b.momentum);
    this.weightDecay = nonNegative("weight decay", b.weightDecay);
    if (b.nesterov && b.momentum == 0) {
      throw new JrnnException("Nesterov momentum needs momentum > 0");
    }
    this.nesterov = b.nesterov;
  }

  /** Options: lr 0.01, momentum 0, weight decay 0, no Nesterov. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public String name() {
    return "sgd";
  }

  @Override
  public Map<String, Object> hyperparameters() {
    Map<String, Object> h = new LinkedHashMap<>();
    h.put("momentum", (double) momentum);
    h.put("weight_decay", (double) weightDecay);
    h.put("nesterov", nesterov);
    return h;
  }

  @Override
  protected void update(Parameter p, Tensor[] buffers, float lr, long step) {
    OptimizerKernels.sgdUpdate(
        p.value(),
        p.grad(),
        buffers.length == 0 ? null : buffers[0],
        lr,
        momentum,
        weightDecay,
        nesterov,
        step);
  }

  /** SGD options. */
  public static final class Builder {
    private double lr = 0.01;
    private double momentum;
    private double weightDecay;
    private boolean nesterov;

    private Builder() {}

    /** Learning rate (default 0.01). */
    public Builder lr(double lr) {
      this.lr = checkedLearningRate(lr);
      return this;
    }

    /** Momentum in [0, 1) (default 0). */
    public Builder momentum(double momentum) {
      this.momentum = fraction("momentum", momentum);
      return this;
    }

    /** L2 weight decay added to the gradient (default 0). */
    public Builder weightDecay(double weightDecay) {
      this.weightDecay = nonNegative("weight decay", weightDecay);
      return this;
    }

    /** Nesterov momentum (needs momentum > 0). */
    public Builder nesterov(boolean nesterov) {
      this.nesterov = nesterov;
      return this;
    }

    /**
     * The optimiser over {@code params}; a method reference to it is what {@code
     * Trainer.Builder.optimizer} takes: {@code .optimizer(Sgd.builder().lr(3e-3)::build)}.
     *
     * @throws org.jrnn.JrnnException when {@code params} is null, holds null or repeats a name, or
     *     Nesterov is on without momentum
     */
    public Sgd build(List<Parameter> params) {
      return new Sgd(params, this);
    }
  }
}
