/*
 * AdamW: Adam with decoupled weight decay (torch.optim.AdamW semantics).
 */
package org.jrnn.optim;

import java.util.List;
import org.jrnn.nn.Parameter;

/**
 * AdamW as {@code torch.optim.AdamW(params, lr, betas, eps, weight_decay=0.01)}: {@code w -=
 * lr·wd·w}, then the Adam update on the plain gradient. Keeps {@code exp_avg} and {@code
 * exp_avg_sq} per parameter.
 */
public final class AdamW extends AdamBase {
  private AdamW(List<Parameter> params, Builder b) {
    super(params, b.lr, b.beta1, b.beta2, b.eps, b.weightDecay, true);
  }

  /** Options with PyTorch's defaults: lr 1e-3, betas (0.9, 0.999), eps 1e-8, weight decay 0.01. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public String name() {
    return "adamw";
  }

  /** AdamW options. */
  public static final class Builder {
    private double lr = 1e-3;
    private double beta1 = 0.9;
    private double beta2 = 0.999;
    private double eps = 1e-8;
    private double weightDecay = 0.01;

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

    /** Decoupled weight decay (default 0.01). */
    public Builder weightDecay(double weightDecay) {
      this.weightDecay = nonNegative("weight decay", weightDecay);
      return this;
    }

    /**
     * The optimiser over {@code params}; a method reference to it is what {@code
     * Trainer.Builder.optimizer} takes: {@code .optimizer(AdamW.builder().lr(3e-3)::build)}.
     *
     * @throws org.jrnn.JrnnException when {@code params} is null, holds null or repeats a name
     */
    public AdamW build(List<Parameter> params) {
      return new AdamW(params, this);
    }
  }
}
