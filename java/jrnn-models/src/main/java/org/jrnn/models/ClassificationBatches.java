/*
 * ClassificationBatches: the BatchSource of a SequenceClassifier, the per-epoch (optionally
 * length-bucketed) batches of org.jrnn.data.Batches over token sequences and labels.
 */
package org.jrnn.models;

import java.util.ArrayList;
import java.util.List;
import org.jrnn.JrnnException;
import org.jrnn.data.Batches;
import org.jrnn.data.PaddedBatch;
import org.jrnn.internal.Arguments;
import org.jrnn.train.BatchSource;

/**
 * Batches of (sequence, label) examples, reshuffled each epoch exactly as {@code epoch_batches()}
 * of scripts/lib_torch_common.py does (so a jrnn run and the PyTorch baseline see the same
 * batches). The lists are not copied: do not change them while in use.
 */
public final class ClassificationBatches implements BatchSource<ClassificationBatch> {
  private final List<int[]> sequences;
  private final int[] labels;
  private final int batchSize;
  private final int chunkBatches;

  /**
   * @param sequences token ids of each example, each with at least one token
   * @param labels the class of each example
   * @param batchSize examples per batch (the last batch may be smaller)
   * @param chunkBatches with {@code > 0}: bucket by length in chunks of this many batches
   *     (torch_sentiment.py's default is 50); 0: plain shuffled batches
   */
  public ClassificationBatches(
      List<int[]> sequences, int[] labels, int batchSize, int chunkBatches) {
    Arguments.noNulls("sequences", sequences);
    Arguments.notNull("labels", labels);
    if (sequences.size() != labels.length) {
      throw new JrnnException(sequences.size() + " sequences but " + labels.length + " labels");
    }
    if (batchSize < 1 || chunkBatches < 0) {
      throw new JrnnException(
          "batchSize must be >= 1 and chunkBatches >= 0 but are "
              + batchSize
              + ", "
              + chunkBatches);
    }
    Sequences.requireNonEmpty(sequences, "sequence");
    this.sequences = sequences;
    this.labels = labels;
    this.batchSize = batchSize;
    this.chunkBatches = chunkBatches;
  }

  /** Batches in example order, unshuffled (for evaluation and prediction). */
  public static List<ClassificationBatch> inOrder(
      List<int[]> sequences, int[] labels, int batchSize) {
    return new ClassificationBatches(sequences, labels, batchSize, 0)
        .batches(Batches.builder(sequences.size(), batchSize).shuffle(false).build().epoch(0));
  }

  @Override
  public Iterable<ClassificationBatch> epoch(int epoch, long seed) {
    Batches.Builder b = Batches.builder(sequences.size(), batchSize).seed(seed);
    if (chunkBatches > 0) {
      int[] lengths = new int[sequences.size()];
      for (int i = 0; i < lengths.length; i++) {
        lengths[i] = sequences.get(i).length;
      }
      b.bucketByLength(lengths, chunkBatches);
    }
    return batches(b.build().epoch(epoch));
  }

  private List<ClassificationBatch> batches(List<int[]> indexBatches) {
    List<ClassificationBatch> out = new ArrayList<>(indexBatches.size());
    for (int[] idx : indexBatches) {
      int[] y = new int[idx.length];
      for (int k = 0; k < idx.length; k++) {
        y[k] = labels[idx[k]];
      }
      out.add(new ClassificationBatch(PaddedBatch.of(sequences, idx), y));
    }
    return out;
  }

  @Override
  public int batchesPerEpoch() {
    return Sequences.batchCount(sequences.size(), batchSize);
  }
}
