/*
 * ResumableTask: an optional extension of Task for state that a checkpoint must carry besides the
 * parameters (e.g. the recurrent state carried across windows, a dropout seed counter).
 */
package org.jrnn.train;

import java.util.Map;

/**
 * Implemented by a {@link Task} that keeps training state of its own, so that a run resumed from a
 * checkpoint continues bit for bit: the state carried between truncated-BPTT windows, the counter
 * its dropout seeds come from, and so on. The trainer saves {@link #trainingState()} in each
 * checkpoint and, on resume, calls {@link Task#startEpoch} for the checkpoint's epoch and then
 * {@link #restoreTrainingState}.
 */
public interface ResumableTask {

  /** Training state as named float arrays and named strings (host copies). */
  State trainingState();

  /** Restores what {@link #trainingState()} returned (after {@code startEpoch}). */
  void restoreTrainingState(State state);

  /**
   * A task's training state.
   *
   * @param arrays named float arrays (e.g. carried hidden states)
   * @param values named strings (e.g. counters, written with {@code Long.toString})
   */
  record State(Map<String, float[]> arrays, Map<String, String> values) {
    public State {
      arrays = Map.copyOf(arrays);
      values = Map.copyOf(values);
    }
  }
}
