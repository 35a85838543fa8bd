/*
 * TaggingBatches: the BatchSource of a SequenceTagger (seeded per-epoch batches, optionally
 * bucketed by length, from org.jrnn.data.Batches).
 */
package org.jrnn.models;

import java.util.ArrayList;
import java.util.List;
import org.jrnn.JrnnException;
import org.jrnn.data.Batches;
import org.jrnn.internal.Arguments;
import org.jrnn.train.BatchSource;

/** Batches of tagged sentences; the lists are not copied. */
public final class TaggingBatches implements BatchSource<TaggingBatch> {
  private final List<int[]> tokens;
  private final List<int[]> tags;
  private final int batchSize;
  private final int chunkBatches;

  /**
   * @param tokens token ids per sentence (each non-empty)
   * @param tags tag ids per sentence, as long as its tokens
   * @param batchSize sentences per batch
   * @param chunkBatches {@code > 0}: bucket by length in chunks of this many batches; 0: plain
   */
  public TaggingBatches(List<int[]> tokens, List<int[]> tags, int batchSize, int chunkBatches) {
    Arguments.noNulls("tokens", tokens);
    Arguments.noNulls("tags", tags);
    if (tokens.size() != tags.size()) {
      throw new JrnnException(tokens.size() + " token lists but " + tags.size() + " tag lists");
    }
    if (batchSize < 1 || chunkBatches < 0) {
      throw new JrnnException(
          "batchSize must be >= 1 and chunkBatches >= 0 but are "
              + batchSize
              + ", "
              + chunkBatches);
    }
    Sequences.requireNonEmpty(tokens, "sentence");
    this.tokens = tokens;
    this.tags = tags;
    this.batchSize = batchSize;
    this.chunkBatches = chunkBatches;
  }

  /** Batches in sentence order, unshuffled (for evaluation). */
  public static List<TaggingBatch> inOrder(List<int[]> tokens, List<int[]> tags, int batchSize) {
    return new TaggingBatches(tokens, tags, batchSize, 0)
        .batches(Batches.builder(tokens.size(), batchSize).shuffle(false).build().epoch(0));
  }

  @Override
  public Iterable<TaggingBatch> epoch(int epoch, long seed) {
    Batches.Builder b = Batches.builder(tokens.size(), batchSize).seed(seed);
    if (chunkBatches > 0) {
      b.bucketByLength(tokens.stream().mapToInt(s -> s.length).toArray(), chunkBatches);
    }
    return batches(b.build().epoch(epoch));
  }

  private List<TaggingBatch> batches(List<int[]> indexBatches) {
    List<TaggingBatch> out = new ArrayList<>(indexBatches.size());
    for (int[] idx : indexBatches) {
      out.add(TaggingBatch.of(tokens, tags, idx));
    }
    return out;
  }

  @Override
  public int batchesPerEpoch() {
    return Sequences.batchCount(tokens.size(), batchSize);
  }
}
