/*
 * AdamBase: the shared body of Adam and AdamW (one fused native update per parameter tensor).
 */
package org.jrnn.optim;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jrnn.OptimizerKernels;
import org.jrnn.Tensor;
import org.jrnn.nn.Parameter;

/** Adam's update with L2 ({@link Adam}) or decoupled ({@link AdamW}) weight decay. */
abstract class AdamBase extends Optimizer {
  private final float beta1;
  private final float beta2;
  private final float eps;
  private final float weightDecay;
  private final boolean decoupled;

  AdamBase(
      List<Parameter> params,
      double lr,
      double beta1,
      double beta2,
      double eps,
      double weightDecay,
      boolean decoupled) {
    super(params, lr, "exp_avg", "exp_avg_sq");
    this.beta1 = fraction("beta1", beta1);
    this.beta2 = fraction("beta2", beta2);
    this.eps = nonNegative("eps", eps);
    this.weightDecay = nonNegative("weight decay", weightDecay);
    this.decoupled = decoupled;
  }

  @Override
  public Map<String, Object> hyperparameters() {
    Map<String, Object> h = new LinkedHashMap<>();
    h.put("beta1", (double) beta1);
    h.put("beta2", (double) beta2);
    h.put("eps", (double) eps);
    h.put("weight_decay", (double) weightDecay);
    return h;
  }

  @Override
  protected final void update(Parameter p, Tensor[] buffers, float lr, long step) {
    OptimizerKernels.adamUpdate(
        p.value(),
        p.grad(),
        buffers[0],
        buffers[1],
        lr,
        beta1,
        beta2,
        eps,
        weightDecay,
        decoupled,
        step);
  }
}
