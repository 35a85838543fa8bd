/*
 * Adam (torch.optim.Adam semantics), one fused native update per parameter tensor.
 */
package org.jrnn.optim;

import java.util.List;
import org.jrnn.nn.Parameter;

/**
 * Adam as {@code torch.optim.Adam(params, lr, betas, eps, weight_decay)} (L2 weight decay added to
 * the gradient, amsgrad off): {@code g' = g + wd·w}, {@code m = b1·m + (1-b1)·g'}, {@code v = b2·v
 * + (1-b2)·g'²}, {@code w -= lr·(m/(1-b1^t)) / (sqrt(v/(1-b2^t)) + eps)}. Keeps {@code exp_avg} and
 * {@code exp_avg_sq} per parameter. {@link AdamW} is the decoupled-weight-decay variant.
 */
public final class Adam extends AdamBase {
  private Adam(List<Parameter> params, Builder b) {
    super(params, b.lr, b.beta1, b.beta2, b.eps, b.weightDecay, false);
  }

  /** Options with PyTorch's defaults: lr 1e-3, betas (0.9, 0.999), eps 1e-8, weight decay 0. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public String name() {
    return "adam";
  }

  /** Adam options. */
  public static final class Builder {
    private double lr = 1e-3;
    private double beta1 = 0.9;
    private double beta2 = 0.999;
    private double eps = 1e-8;
    private double weightDecay;

    private Builder() {}

    /** Learning rate (default 1e-3). */
    public Builder lr(double lr) {
      this.lr = checkedLearningRate(lr);
      return this;
    }

    /** The moment decay rates (default 0.9, 0.999). */
    public Builder betas(double beta1, double beta2) {
      this.beta1 = fraction("beta1", beta1);
      this.beta2 = fraction("beta2", beta2);
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

    /**
     * The optimiser over {@code params}; a method reference to it is what {@code
     * Trainer.Builder.optimizer} takes: {@code .optimizer(Adam.builder().lr(3e-3)::build)}.
     *
     * @throws org.jrnn.JrnnException when {@code params} is null, holds null or repeats a name
     */
    public Adam build(List<Parameter> params) {
      return new Adam(params, this);
    }
  }
}
