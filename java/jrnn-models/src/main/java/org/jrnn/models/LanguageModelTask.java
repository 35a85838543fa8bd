/*
 * LanguageModelTask: the Trainer's view of a LanguageModel (truncated-BPTT steps, evaluation in
 * bits per token, state reset at each epoch, and the carried state a checkpoint must keep).
 */
package org.jrnn.models;

import java.util.HashMap;
import java.util.Map;
import org.jrnn.data.LmBatches;
import org.jrnn.internal.Arguments;
import org.jrnn.train.NonFiniteLocator;
import org.jrnn.train.ResumableTask;
import org.jrnn.train.Task;

/**
 * Trains a {@link LanguageModel} on {@link LmWindows}; the primary metric is {@code
 * "bits_per_token"} (lower is better). {@link #startEpoch} resets the carried state.
 */
public final class LanguageModelTask
    implements Task<LmBatches.Window>, ResumableTask, NonFiniteLocator<LmBatches.Window> {
  private static final String DROPOUT_SEEDS = "dropout.seeds";
  private static final String STREAMS = "carried.streams";
  private final LanguageModel model;

  public LanguageModelTask(LanguageModel model) {
    this.model = Arguments.notNull("model", model);
  }

  @Override
  public LanguageModel model() {
    return model;
  }

  @Override
  public StepResult trainStep(LmBatches.Window batch) {
    return model.trainStep(batch);
  }

  /**
   * {@code "loss"}, {@code "bits_per_token"}, {@code "perplexity"}; see {@link
   * LanguageModel#evaluate}.
   */
  @Override
  public Map<String, Double> evaluate(Iterable<LmBatches.Window> batches) {
    return model.evaluate(batches);
  }

  /**
   * Where the forward pass over {@code batch} first becomes non-finite (see {@link NonFiniteScan}).
   */
  @Override
  public String locateNonFinite(LmBatches.Window batch) {
    return model.locateNonFinite(batch);
  }

  @Override
  public String primaryMetric() {
    return "bits_per_token";
  }

  @Override
  public boolean higherIsBetter() {
    return false;
  }

  @Override
  public void startEpoch(int epoch) {
    model.resetState();
  }

  /** The carried state ({@code "carried.h"}, {@code "carried.c"}) and the dropout seed counter. */
  @Override
  public State trainingState() {
    Map<String, float[]> arrays = new HashMap<>();
    Map<String, String> values = new HashMap<>();
    values.put(DROPOUT_SEEDS, Long.toString(model.dropoutSeedsDrawn()));
    float[][] hc = model.carriedState();
    if (hc != null) {
      arrays.put("carried.h", hc[0]);
      if (hc[1] != null) {
        arrays.put("carried.c", hc[1]);
      }
      int perStream = model.config().layers() * model.config().hiddenSize();
      values.put(STREAMS, Integer.toString(hc[0].length / perStream));
    }
    return new State(arrays, values);
  }

  @Override
  public void restoreTrainingState(State state) {
    Arguments.notNull("state", state);
    model.setDropoutSeedsDrawn(TaskStates.longValue(state, DROPOUT_SEEDS));
    float[] h = state.arrays().get("carried.h");
    if (h == null) {
      model.resetState();
      return;
    }
    int streams = (int) TaskStates.longValue(state, STREAMS);
    model.setCarriedState(new float[][] {h, state.arrays().get("carried.c")}, streams);
  }
}
