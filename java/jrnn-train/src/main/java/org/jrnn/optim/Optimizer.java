/*
 * Optimizer: updates a fixed list of parameters in place from their gradients, one fused native
 * call per parameter tensor, with per-parameter state allocated lazily on the parameter's device.
 */
package org.jrnn.optim;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jrnn.JrnnException;
import org.jrnn.Tensor;
import org.jrnn.internal.Quote;
import org.jrnn.nn.Parameter;

/**
 * A gradient-descent optimiser over a fixed list of {@link Parameter}s (PyTorch's {@code
 * torch.optim} semantics). {@link #step()} updates every parameter's value from its gradient in
 * place, one native call per parameter tensor. State buffers (momentum, Adam moments, ...) are
 * allocated on the parameter's device the first time that parameter is stepped and freed by {@link
 * #close()}.
 *
 * <p>The learning rate is mutable ({@link #setLearningRate}) so that schedules can drive it; every
 * other hyperparameter is fixed at construction. {@link #state()} and {@link #loadState} save and
 * restore everything a resumed run needs (step counts, learning rate, state buffers), so that
 * training continues bit for bit.
 *
 * <pre>{@code
 * try (Optimizer opt = Adam.builder().lr(2e-3).build(model.parameters())) {
 *   model.zeroGradients();
 *   task.trainStep(batch);   // gradients accumulate
 *   opt.step();
 * }
 * }</pre>
 */
public abstract class Optimizer implements AutoCloseable {
  private final List<Parameter> params;
  private final String[] bufferNames;

  /** Per parameter: its state buffers (null until the first step). */
  private final Tensor[][] state;

  /** Per parameter: how many updates it has had. */
  private final long[] steps;

  private double lr;
  private boolean closed;

  /**
   * @param params the parameters to update, names unique. Not modified (the list is copied).
   * @param lr the initial learning rate, {@code >= 0} and at most {@link Float#MAX_VALUE}
   * @param bufferNames the names of the per-parameter state buffers this optimiser keeps
   * @throws JrnnException when {@code params} or one of them is null, or names repeat
   */
  protected Optimizer(List<Parameter> params, double lr, String... bufferNames) {
    checkParameters("optimizer", params, false);
    Set<String> names = new HashSet<>();
    for (Parameter p : params) {
      if (!names.add(p.name())) {
        throw new JrnnException("parameter name " + Quote.quote(p.name()) + " appears twice");
      }
    }
    this.params = List.copyOf(params);
    this.bufferNames = bufferNames.clone();
    this.state = new Tensor[params.size()][];
    this.steps = new long[params.size()];
    setLearningRate(lr);
  }

  /** A short name, e.g. "adam". */
  public abstract String name();

  /** The fixed hyperparameters (not the learning rate), for logs and checkpoints. */
  public abstract Map<String, Object> hyperparameters();

  /**
   * Updates one parameter. {@code buffers} are its state (zeros before its first step), in the
   * order of the constructor's {@code bufferNames}; {@code step} is 1-based.
   */
  protected abstract void update(Parameter p, Tensor[] buffers, float lr, long step);

  /** The parameters, in order (unmodifiable). */
  public List<Parameter> parameters() {
    return params;
  }

  /** The current learning rate. */
  public double learningRate() {
    return lr;
  }

  /**
   * Sets the learning rate used by the following steps: {@code >= 0} and at most {@link
   * Float#MAX_VALUE} (the update runs in float).
   */
  public void setLearningRate(double lr) {
    this.lr = checkedLearningRate(lr);
  }

  static double checkedLearningRate(double lr) {
    if (!(lr >= 0 && lr <= Float.MAX_VALUE)) {
      throw new JrnnException(
          "learning rate must be >= 0 and at most " + Float.MAX_VALUE + " but is " + lr);
    }
    return lr;
  }

  /** Updates of the first parameter so far (all parameters step together). */
  public long stepCount() {
    return steps.length == 0 ? 0 : steps[0];
  }

  /**
   * One update of every parameter from its gradient.
   *
   * @throws JrnnException with status {@link JrnnException.Status#CLOSED} when this optimiser, or a
   *     parameter's value or gradient, is closed (then no parameter is updated)
   */
  public void step() {
    checkOpen();
    checkParameters(name() + " step", params, true);
    float rate = (float) lr;
    for (int i = 0; i < params.size(); i++) {
      Parameter p = params.get(i);
      Tensor[] buffers = buffers(i);
      steps[i]++;
      if (p.value().numel() > 0) {
        update(p, buffers, rate, steps[i]);
      }
    }
  }

  private Tensor[] buffers(int i) {
    if (state[i] == null) {
      Tensor value = params.get(i).value();
      Tensor[] b = new Tensor[bufferNames.length];
      try {
        for (int k = 0; k < b.length; k++) {
          b[k] = Tensor.zeros(value.device(), value.shape()).keep(); // owned here, even in a Scope
        }
      } catch (RuntimeException e) {
        for (Tensor t : b) {
          if (t != null) {
            t.close();
          }
        }
        throw e;
      }
      state[i] = b;
    }
    return state[i];
  }

  /**
   * Everything a resumed run needs: the learning rate, per-parameter step counts and state buffers
   * (host copies, keyed {@code "<parameter>.<buffer>"}; parameters not stepped yet have none).
   */
  public OptimizerState state() {
    checkOpen();
    Map<String, Long> stepMap = new LinkedHashMap<>();
    Map<String, float[]> buffers = new LinkedHashMap<>();
    for (int i = 0; i < params.size(); i++) {
      String name = params.get(i).name();
      stepMap.put(name, steps[i]);
      if (state[i] != null) {
        for (int k = 0; k < bufferNames.length; k++) {
          buffers.put(name + "." + bufferNames[k], state[i][k].toArray());
        }
      }
    }
    return new OptimizerState(name(), lr, stepMap, buffers);
  }

  /**
   * Restores a {@link #state()} of an optimiser of the same kind over parameters of the same names
   * and shapes.
   *
   * @throws JrnnException naming what is null, invalid or does not match (nothing is changed then)
   */
  public void loadState(OptimizerState s) {
    checkOpen();
    if (s == null) {
      throw new JrnnException("the optimizer state to load is null");
    }
    if (!s.optimizer().equals(name())) {
      throw new JrnnException(
          "the saved optimizer state is " + Quote.cut(s.optimizer()) + ", not " + name());
    }
    try {
      checkedLearningRate(s.learningRate());
    } catch (JrnnException e) {
      throw new JrnnException("the saved optimizer state's " + e.getMessage());
    }
    Set<String> paramNames = new HashSet<>();
    for (Parameter p : params) {
      paramNames.add(p.name());
    }
    for (String name : s.steps().keySet()) {
      if (!paramNames.contains(name)) {
        throw new JrnnException(
            "the saved optimizer state has an entry for an unknown parameter " + Quote.cut(name));
      }
    }
    List<float[][]> restored = new ArrayList<>();
    long[] newSteps = new long[params.size()];
    Set<String> known = new HashSet<>();
    for (int i = 0; i < params.size(); i++) {
      Parameter p = params.get(i);
      Long n = s.steps().get(p.name());
      if (n == null) {
        throw new JrnnException("the saved optimizer state has no entry for parameter " + p.name());
      }
      if (n < 0) {
        throw new JrnnException(
            "the saved optimizer state has " + n + " steps for parameter " + p.name());
      }
      newSteps[i] = n;
      float[][] values = null;
      for (int k = 0; k < bufferNames.length; k++) {
        String key = p.name() + "." + bufferNames[k];
        known.add(key);
        float[] v = s.buffers().get(key);
        if (v == null) {
          if (values != null) {
            throw new JrnnException("the saved optimizer state lacks " + key);
          }
          continue;
        }
        if (v.length != p.value().numel()) {
          throw new JrnnException(
              "saved "
                  + key
                  + " has "
                  + v.length
                  + " values but the parameter has "
                  + p.value().numel());
        }
        if (values == null) {
          if (k != 0) {
            throw new JrnnException(
                "the saved optimizer state lacks " + p.name() + "." + bufferNames[0]);
          }
          values = new float[bufferNames.length][];
        }
        values[k] = v;
      }
      // state() saves buffers exactly for the parameters stepped at least once; anything else
      // would resume with moments that do not match the step count (bias corrections).
      if (bufferNames.length > 0 && (values != null) != (n > 0)) {
        throw new JrnnException(
            values == null
                ? "the saved optimizer state has "
                    + n
                    + " steps but no buffers for parameter "
                    + p.name()
                : "the saved optimizer state has buffers but 0 steps for parameter " + p.name());
      }
      restored.add(values);
    }
    for (String key : s.buffers().keySet()) {
      if (!known.contains(key)) {
        throw new JrnnException(
            "the saved optimizer state has an unknown buffer " + Quote.cut(key));
      }
    }
    for (int i = 0; i < params.size(); i++) {
      float[][] values = restored.get(i);
      if (values == null) {
        freeState(i);
      } else {
        Tensor[] b = buffers(i);
        for (int k = 0; k < b.length; k++) {
          b[k].copyFrom(values[k]);
        }
      }
      steps[i] = newSteps[i];
    }
    setLearningRate(s.learningRate());
  }

  private void freeState(int i) {
    if (state[i] != null) {
      for (Tensor t : state[i]) {
        t.close();
      }
      state[i] = null;
    }
  }

  /** Names of the per-parameter state buffers. */
  public List<String> bufferNames() {
    return Collections.unmodifiableList(List.of(bufferNames));
  }

  private void checkOpen() {
    if (closed) {
      throw new JrnnException(JrnnException.Status.CLOSED, name() + " optimizer is closed");
    }
  }

  /** Frees the state buffers; idempotent. */
  @Override
  public void close() {
    if (!closed) {
      closed = true;
      for (int i = 0; i < state.length; i++) {
        freeState(i);
      }
    }
  }

  @Override
  public String toString() {
    Map<String, Object> h = new LinkedHashMap<>();
    h.put("lr", lr);
    h.putAll(hyperparameters());
    return name() + h;
  }

  /** {@code v} in {@code [0, 1)}, as a float. */
  static float fraction(String name, double v) {
    if (!(v >= 0 && v < 1)) {
      throw new JrnnException(name + " must be in [0, 1) but is " + v);
    }
    return (float) v;
  }

  /** {@code v >= 0} and finite as a float. */
  static float nonNegative(String name, double v) {
    if (!(v >= 0 && v <= Float.MAX_VALUE)) {
      throw new JrnnException(
          name + " must be >= 0 and at most " + Float.MAX_VALUE + " but is " + v);
    }
    return (float) v;
  }

  /**
   * Checks that {@code params} and its elements are not null and, with {@code values}, that every
   * value is open; every gradient must be open.
   *
   * @param what the operation, for the message
   */
  static void checkParameters(String what, List<Parameter> params, boolean values) {
    if (params == null) {
      throw new JrnnException(what + ": the parameter list is null");
    }
    for (int i = 0; i < params.size(); i++) {
      Parameter p = params.get(i);
      if (p == null) {
        throw new JrnnException(what + ": parameter " + i + " of the list is null");
      }
      if (values && p.value().isClosed()) {
        throw new JrnnException(
            JrnnException.Status.CLOSED,
            what + ": the value of parameter " + p.name() + " is closed");
      }
      if (p.grad().isClosed()) {
        throw new JrnnException(
            JrnnException.Status.CLOSED,
            what + ": the gradient of parameter " + p.name() + " is closed");
      }
    }
  }
}
