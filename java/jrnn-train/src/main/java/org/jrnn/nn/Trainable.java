/*
 * Trainable: what every trainable jrnn model and layer exposes to optimisers, trainers and model
 * files (PyTorch calls this a Module; the name would clash with java.lang.Module under
 * `import org.jrnn.nn.*`).
 */
package org.jrnn.nn;

import java.util.List;
import org.jrnn.Device;

/**
 * A trainable piece of a network. Forward and backward passes are explicit methods of each concrete
 * module (there is no autograd tape): a module's backward accumulates (+=) into the gradients of
 * its {@link #parameters()}.
 */
public interface Trainable extends AutoCloseable {

  /** Trainable parameters in a fixed order, with unique PyTorch-style dotted names. */
  List<Parameter> parameters();

  /** The device holding every parameter. */
  Device device();

  /** Sets every gradient to zero (call once per optimisation step). */
  default void zeroGradients() {
    for (Parameter p : parameters()) {
      p.grad().zero();
    }
  }

  /** Number of trainable scalars. */
  default long parameterCount() {
    long n = 0;
    for (Parameter p : parameters()) {
      n += p.value().numel();
    }
    return n;
  }

  /** Frees the module's native memory; idempotent. */
  @Override
  void close();
}
