/*
 * OptimizerState: a host copy of an optimiser's resumable state (for checkpoints).
 */
package org.jrnn.optim;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What {@link Optimizer#state()} saves and {@link Optimizer#loadState} restores.
 *
 * @param optimizer the optimiser's {@link Optimizer#name()}, e.g. "adam"
 * @param learningRate the learning rate at the time of saving
 * @param steps per parameter name, the number of updates it has had
 * @param buffers state buffers keyed {@code "<parameter>.<buffer>"} (e.g. {@code "rnn.weight_ih_l0.exp_avg"})
 */
public record OptimizerState(
    String optimizer, double learningRate, Map<String, Long> steps, Map<String, float[]> buffers) {
  public OptimizerState {
    Objects.requireNonNull(optimizer, "optimizer");
    steps = Collections.unmodifiableMap(new LinkedHashMap<>(steps));
    buffers = Collections.unmodifiableMap(new LinkedHashMap<>(buffers));
  }
}
