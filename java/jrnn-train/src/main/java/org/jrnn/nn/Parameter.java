/*
 * Parameter: one trainable tensor of a model with its gradient, under a PyTorch-style name.
 */
package org.jrnn.nn;

import org.jrnn.JrnnException;
import org.jrnn.Tensor;
import org.jrnn.internal.Arguments;
import org.jrnn.internal.Quote;

/**
 * A named trainable tensor and its gradient buffer of the same shape and device. Both are owned by
 * the module that exposes the parameter (often views of one flat buffer, e.g. a recurrent layer's
 * weights); an optimiser updates {@link #value()} from {@link #grad()} in place.
 *
 * @param name PyTorch-style dotted name, e.g. {@code "rnn.weight_ih_l0"}, {@code "linear.bias"}
 * @param value the parameter (Modified by optimisers)
 * @param grad the gradient; backward passes accumulate into it (+=), {@code zeroGradients} clears
 *     it
 */
public record Parameter(String name, Tensor value, Tensor grad) {
  public Parameter {
    Arguments.notNull("name", name);
    Arguments.notNull("value", value);
    Arguments.notNull("grad", grad);
    if (!java.util.Arrays.equals(value.shape(), grad.shape())) {
      throw new JrnnException(
          "parameter "
              + Quote.cut(name)
              + ": gradient shape "
              + java.util.Arrays.toString(grad.shape())
              + " differs from value shape "
              + java.util.Arrays.toString(value.shape()));
    }
  }
}
