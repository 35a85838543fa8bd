/*
 * ConditionedBatches: the BatchSource of a ConditionedLanguageModel (seeded per-epoch shuffled
 * batches
 * of org.jrnn.data.Batches, as torch_digits.py's epoch_batches).
 */
package org.jrnn.models;

import java.util.ArrayList;
import java.util.List;
import org.jrnn.JrnnException;
import org.jrnn.data.Batches;
import org.jrnn.internal.Arguments;
import org.jrnn.train.BatchSource;

/** Batches of (features, sequence) examples; the lists are not copied. */
public final class ConditionedBatches implements BatchSource<ConditionedBatch> {
  private final List<float[]> features;
  private final List<int[]> sequences;
  private final int batchSize;

  /**
   * @param features one vector per example, all of the same size
   * @param sequences the token ids to generate for each example (may be empty: just {@code <eos>})
   * @param batchSize examples per batch
   */
  public ConditionedBatches(List<float[]> features, List<int[]> sequences, int batchSize) {
    Arguments.noNulls("features", features);
    Arguments.noNulls("sequences", sequences);
    if (features.size() != sequences.size()) {
      throw new JrnnException(
          features.size() + " feature vectors but " + sequences.size() + " sequences");
    }
    if (batchSize < 1) {
      throw new JrnnException("batchSize must be >= 1 but is " + batchSize);
    }
    this.features = features;
    this.sequences = sequences;
    this.batchSize = batchSize;
  }

  /** Batches in example order, unshuffled (for evaluation). */
  public static List<ConditionedBatch> inOrder(
      List<float[]> features, List<int[]> sequences, int batchSize) {
    return new ConditionedBatches(features, sequences, batchSize)
        .batches(Batches.builder(features.size(), batchSize).shuffle(false).build().epoch(0));
  }

  @Override
  public Iterable<ConditionedBatch> epoch(int epoch, long seed) {
    return batches(Batches.builder(features.size(), batchSize).seed(seed).build().epoch(epoch));
  }

  private List<ConditionedBatch> batches(List<int[]> indexBatches) {
    List<ConditionedBatch> out = new ArrayList<>(indexBatches.size());
    for (int[] idx : indexBatches) {
      out.add(ConditionedBatch.of(features, sequences, idx));
    }
    return out;
  }

  @Override
  public int batchesPerEpoch() {
    return Sequences.batchCount(features.size(), batchSize);
  }
}
