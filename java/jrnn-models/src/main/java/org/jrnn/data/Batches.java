// Mini-batches of example indices: shuffled per epoch with a seed, optionally bucketed by length.
// scripts/lib_torch_common.py (epoch_batches) yields the very same batches for the same arguments.
package org.jrnn.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.jrnn.JrnnException;
import org.jrnn.internal.Arguments;
import org.jrnn.internal.SplitMix64;

/**
 * Index batches over {@code size} examples, recomputed deterministically for each epoch.
 *
 * <p>Epoch {@code e}, exactly (mirrored by {@code epoch_batches()} in scripts/lib_torch_common.py):
 *
 * <ol>
 *   <li>{@code rng = new SplitMix64(SplitMix64.deriveSeed(seed, e))}; {@code order =
 *       rng.permutation(size)} (the identity when shuffling is off);
 *   <li>with bucketing: cut {@code order} into chunks of {@code batchSize * chunkBatches} and
 *       stable-sort each chunk by length, so each batch holds sequences of similar length;
 *   <li>cut {@code order} into batches of {@code batchSize}; the last one may be smaller unless
 *       {@code dropLast};
 *   <li>with bucketing and shuffling: shuffle the batch order with the same {@code rng}.
 * </ol>
 */
public final class Batches {
  private final int size;
  private final int batchSize;
  private final long seed;
  private final boolean shuffle;
  private final boolean dropLast;
  private final int[] lengths;
  private final int chunkBatches;

  private Batches(Builder b) {
    this.size = b.size;
    this.batchSize = b.batchSize;
    this.seed = b.seed;
    this.shuffle = b.shuffle;
    this.dropLast = b.dropLast;
    this.lengths = b.lengths;
    this.chunkBatches = b.chunkBatches;
  }

  /**
   * Starts a batching of {@code size} examples into batches of {@code batchSize} (shuffled, seed
   * 0).
   */
  public static Builder builder(int size, int batchSize) {
    return new Builder(size, batchSize);
  }

  /** The number of batches every epoch yields. */
  public int batchesPerEpoch() {
    return dropLast ? size / batchSize : (int) (((long) size + batchSize - 1) / batchSize);
  }

  /**
   * The batches of epoch {@code epoch} (0-based); the same arguments always give the same batches.
   */
  public List<int[]> epoch(int epoch) {
    if (epoch < 0) {
      throw new JrnnException("epoch must be >= 0 (0-based) but is " + epoch);
    }
    SplitMix64 rng = new SplitMix64(SplitMix64.deriveSeed(seed, epoch));
    int[] order = shuffle ? rng.permutation(size) : identity(size);
    if (lengths != null) {
      sortChunksByLength(order);
    }
    List<int[]> batches = new ArrayList<>(batchesPerEpoch());
    for (int start = 0; start < size; start = (int) Math.min((long) start + batchSize, size)) {
      int end = (int) Math.min(size, (long) start + batchSize);
      if (end - start < batchSize && dropLast) {
        break;
      }
      batches.add(Arrays.copyOfRange(order, start, end));
    }
    if (lengths != null && shuffle) {
      rng.shuffle(batches);
    }
    return Collections.unmodifiableList(batches);
  }

  /** Stable sort by length within each chunk: sort keys (length, position in chunk). */
  private void sortChunksByLength(int[] order) {
    int chunk = (int) Math.min((long) batchSize * chunkBatches, Math.max(order.length, 1));
    for (int start = 0;
        start < order.length;
        start = (int) Math.min((long) start + chunk, order.length)) {
      int end = (int) Math.min(order.length, (long) start + chunk);
      long[] keys = new long[end - start];
      for (int k = 0; k < keys.length; k++) {
        keys[k] = ((long) lengths[order[start + k]] << 32) | k;
      }
      Arrays.sort(keys);
      int[] sorted = new int[keys.length];
      for (int k = 0; k < keys.length; k++) {
        sorted[k] = order[start + (int) keys[k]];
      }
      System.arraycopy(sorted, 0, order, start, sorted.length);
    }
  }

  /**
   * The share of padding when each batch is padded to its longest sequence: {@code 1 - sum(lengths)
   * / sum(batch size * longest length in the batch)}; 0 for no tokens.
   */
  public static double paddingFraction(List<int[]> batches, int[] lengths) {
    Arguments.noNulls("batches", batches);
    Arguments.notNull("lengths", lengths);
    long real = 0;
    long padded = 0;
    for (int[] batch : batches) {
      int max = 0;
      for (int i : batch) {
        if (i < 0 || i >= lengths.length) {
          throw new JrnnException(
              "batch index " + i + " is outside 0.." + (lengths.length - 1) + " (the lengths)");
        }
        real += lengths[i];
        max = Math.max(max, lengths[i]);
      }
      padded += (long) max * batch.length;
    }
    return padded == 0 ? 0.0 : 1.0 - (double) real / padded;
  }

  private static int[] identity(int n) {
    int[] a = new int[n];
    for (int i = 0; i < n; i++) {
      a[i] = i;
    }
    return a;
  }

  /** Options of a {@link Batches}. */
  public static final class Builder {
    private final int size;
    private final int batchSize;
    private long seed;
    private boolean shuffle = true;
    private boolean dropLast;
    private int[] lengths;
    private int chunkBatches = 50;

    private Builder(int size, int batchSize) {
      if (size < 0 || size > Arguments.MAX_ARRAY) {
        throw new JrnnException("size must be in 0.." + Arguments.MAX_ARRAY + ", got " + size);
      }
      if (batchSize <= 0) {
        throw new JrnnException("batchSize must be > 0, got " + batchSize);
      }
      this.size = size;
      this.batchSize = batchSize;
    }

    /** The seed of the per-epoch shuffles (default 0). */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /**
     * Whether to shuffle each epoch (default true); off, batches follow index (or bucket) order.
     */
    public Builder shuffle(boolean shuffle) {
      this.shuffle = shuffle;
      return this;
    }

    /** Whether to drop a last batch smaller than {@code batchSize} (default false). */
    public Builder dropLast(boolean dropLast) {
      this.dropLast = dropLast;
      return this;
    }

    /**
     * Buckets by length: sorts each chunk of {@code chunkBatches} batches by {@code lengths[i]}
     * before cutting it into batches, then shuffles the batch order.
     */
    public Builder bucketByLength(int[] lengths, int chunkBatches) {
      Arguments.notNull("lengths", lengths);
      if (lengths.length != size) {
        throw new JrnnException("lengths has " + lengths.length + " entries, expected " + size);
      }
      if (chunkBatches <= 0) {
        throw new JrnnException("chunkBatches must be > 0, got " + chunkBatches);
      }
      for (int i = 0; i < lengths.length; i++) {
        if (lengths[i] < 0) {
          throw new JrnnException("lengths[" + i + "] is negative: " + lengths[i]);
        }
      }
      this.lengths = lengths.clone();
      this.chunkBatches = chunkBatches;
      return this;
    }

    /** Builds the batching. */
    public Batches build() {
      return new Batches(this);
    }
  }
}
