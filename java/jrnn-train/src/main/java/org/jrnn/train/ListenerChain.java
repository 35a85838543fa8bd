/*
 * ListenerChain: passes each of a Trainer's calls to its listeners, in order.
 */
package org.jrnn.train;

import java.util.List;
import java.util.Map;

/** Forwards every call to each listener in turn; an exception stops the forwarding. */
final class ListenerChain implements TrainingListener {
  private final List<TrainingListener> listeners;

  ListenerChain(List<TrainingListener> listeners) {
    this.listeners = List.copyOf(listeners);
  }

  /**
   * Closes the listeners that hold files or streams (after a failed run too); the first failure is
   * thrown.
   */
  void closeAll() {
    RuntimeException first = null;
    for (TrainingListener l : listeners) {
      if (l instanceof AutoCloseable c) {
        try {
          c.close();
        } catch (Exception e) {
          if (first == null) {
            first = e instanceof RuntimeException r ? r : new RuntimeException(e);
          }
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }

  @Override
  public void onStart(TrainingContext c) {
    listeners.forEach(l -> l.onStart(c));
  }

  @Override
  public void onEpochStart(TrainingContext c) {
    listeners.forEach(l -> l.onEpochStart(c));
  }

  @Override
  public void beforeUpdate(TrainingContext c, double loss, double gradientNorm) {
    listeners.forEach(l -> l.beforeUpdate(c, loss, gradientNorm));
  }

  @Override
  public void afterUpdate(TrainingContext c) {
    listeners.forEach(l -> l.afterUpdate(c));
  }

  @Override
  public void afterValidation(TrainingContext c, Map<String, Double> metrics) {
    listeners.forEach(l -> l.afterValidation(c, metrics));
  }

  @Override
  public void onStepEnd(TrainingContext c) {
    listeners.forEach(l -> l.onStepEnd(c));
  }

  @Override
  public void onEpochEnd(TrainingContext c, EpochSummary epoch) {
    listeners.forEach(l -> l.onEpochEnd(c, epoch));
  }

  @Override
  public void onEnd(TrainingContext c) {
    listeners.forEach(l -> l.onEnd(c));
  }
}
