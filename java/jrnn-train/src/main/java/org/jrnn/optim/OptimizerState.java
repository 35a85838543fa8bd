/*
 * OptimizerState: a host copy of an optimiser's resumable state (for checkpoints).
 */
package org.jrnn.optim;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jrnn.JrnnException;
import org.jrnn.internal.Quote;

/**
 * What {@link Optimizer#state()} saves and {@link Optimizer#loadState} restores.
 *
 * @param optimizer the optimiser's {@link Optimizer#name()}, e.g. "adam"
 * @param learningRate the learning rate at the time of saving
 * @param steps per parameter name, the number of updates it has had
 * @param buffers state buffers keyed {@code "<parameter>.<buffer>"} (e.g. {@code
 *     "rnn.weight_ih_l0.exp_avg"})
 */
public record OptimizerState(
    String optimizer, double learningRate, Map<String, Long> steps, Map<String, float[]> buffers) {
  /**
   * Copies the maps.
   *
   * @throws JrnnException when an argument, a key or a value is null
   */
  public OptimizerState {
    if (optimizer == null || steps == null || buffers == null) {
      throw new JrnnException(
          "optimizer state: "
              + (optimizer == null ? "the optimizer name" : steps == null ? "steps" : "buffers")
              + " is null");
    }
    steps = copy("steps", steps);
    buffers = copy("buffers", buffers);
  }

  private static <V> Map<String, V> copy(String what, Map<String, V> map) {
    Map<String, V> copy = new LinkedHashMap<>();
    for (Map.Entry<String, V> e : map.entrySet()) {
      if (e.getKey() == null || e.getValue() == null) {
        throw new JrnnException(
            "optimizer state: "
                + what
                + (e.getKey() == null
                    ? " has a null name"
                    : " of " + Quote.cut(e.getKey()) + " is null"));
      }
      copy.put(e.getKey(), e.getValue());
    }
    return Collections.unmodifiableMap(copy);
  }
}
