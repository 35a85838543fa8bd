/*
 * Seq2SeqBatches: the BatchSource of a Seq2Seq model (seeded per-epoch batches, optionally
 * bucketed by source length).
 */
package org.jrnn.models;

import java.util.ArrayList;
import java.util.List;
import org.jrnn.JrnnException;
import org.jrnn.data.Batches;
import org.jrnn.internal.Arguments;
import org.jrnn.train.BatchSource;

/** Batches of (source, target) pairs; the lists are not copied. */
public final class Seq2SeqBatches implements BatchSource<Seq2SeqBatch> {
  private final List<int[]> sources;
  private final List<int[]> targets;
  private final int batchSize;
  private final int chunkBatches;

  /**
   * @param sources source ids per pair (each non-empty)
   * @param targets target ids per pair (may be empty: just {@code <eos>})
   * @param batchSize pairs per batch
   * @param chunkBatches {@code > 0}: bucket by source length in chunks of this many batches; 0:
   *     plain
   */
  public Seq2SeqBatches(List<int[]> sources, List<int[]> targets, int batchSize, int chunkBatches) {
    Arguments.noNulls("sources", sources);
    Arguments.noNulls("targets", targets);
    if (sources.size() != targets.size()) {
      throw new JrnnException(sources.size() + " sources but " + targets.size() + " targets");
    }
    if (batchSize < 1 || chunkBatches < 0) {
      throw new JrnnException(
          "batchSize must be >= 1 and chunkBatches >= 0 but are "
              + batchSize
              + ", "
              + chunkBatches);
    }
    Sequences.requireNonEmpty(sources, "source");
    this.sources = sources;
    this.targets = targets;
    this.batchSize = batchSize;
    this.chunkBatches = chunkBatches;
  }

  /** Batches in pair order, unshuffled (for evaluation). */
  public static List<Seq2SeqBatch> inOrder(
      List<int[]> sources, List<int[]> targets, int batchSize) {
    return new Seq2SeqBatches(sources, targets, batchSize, 0)
        .batches(Batches.builder(sources.size(), batchSize).shuffle(false).build().epoch(0));
  }

  @Override
  public Iterable<Seq2SeqBatch> epoch(int epoch, long seed) {
    Batches.Builder b = Batches.builder(sources.size(), batchSize).seed(seed);
    if (chunkBatches > 0) {
      b.bucketByLength(sources.stream().mapToInt(s -> s.length).toArray(), chunkBatches);
    }
    return batches(b.build().epoch(epoch));
  }

  private List<Seq2SeqBatch> batches(List<int[]> indexBatches) {
    List<Seq2SeqBatch> out = new ArrayList<>(indexBatches.size());
    for (int[] idx : indexBatches) {
      out.add(Seq2SeqBatch.of(sources, targets, idx));
    }
    return out;
  }

  @Override
  public int batchesPerEpoch() {
    return Sequences.batchCount(sources.size(), batchSize);
  }
}
