/*
 * CaptionBatches: seeded, shuffled training batches of (image features, caption ids), with the
 * images augmented anew each epoch when asked.
 */
package org.jrnn.caption;

import java.util.ArrayList;
import java.util.List;
import org.jrnn.JrnnException;
import org.jrnn.data.Batches;
import org.jrnn.internal.Arguments;
import org.jrnn.internal.SplitMix64;
import org.jrnn.models.ConditionedBatch;
import org.jrnn.train.BatchSource;

/**
 * The batches of one epoch: a seeded shuffle of the examples into batches; each example's features
 * are either fixed vectors, or its image through an {@link ImagePixels.Encoder} after an {@link
 * Augment} drawn from {@code (seed, epoch, example)}.
 */
public final class CaptionBatches implements BatchSource<ConditionedBatch> {
  private final List<ImagePixels.Rgb> images;
  private final List<float[]> fixed;
  private final ImagePixels.Encoder encoder;
  private final Augment augment;
  private final List<int[]> sequences;
  private final int batchSize;
  private final boolean shuffle;

  private CaptionBatches(
      List<ImagePixels.Rgb> images,
      List<float[]> fixed,
      ImagePixels.Encoder encoder,
      Augment augment,
      List<int[]> sequences,
      int batchSize,
      boolean shuffle) {
    int n = images != null ? images.size() : fixed.size();
    if (n != sequences.size()) {
      throw new JrnnException(n + " examples but " + sequences.size() + " sequences");
    }
    if (n == 0) {
      throw new JrnnException("no examples");
    }
    if (batchSize < 1) {
      throw new JrnnException("batchSize must be >= 1 but is " + batchSize);
    }
    this.images = images;
    this.encoder = encoder;
    this.augment = augment;
    this.sequences = sequences;
    this.batchSize = batchSize;
    this.shuffle = shuffle;
    if (images != null && augment.isNone()) {
      List<float[]> f = new ArrayList<>(n);
      for (ImagePixels.Rgb img : images) {
        f.add(encoder.features(img));
      }
      this.fixed = f;
    } else {
      this.fixed = fixed;
    }
  }

  /** Batches of images through {@code encoder}, augmented with {@code augment} (may be NONE). */
  public static CaptionBatches ofImages(
      List<ImagePixels.Rgb> images,
      ImagePixels.Encoder encoder,
      Augment augment,
      List<int[]> sequences,
      int batchSize) {
    return new CaptionBatches(
        Arguments.noNulls("images", images),
        null,
        Arguments.notNull("encoder", encoder),
        Arguments.notNull("augment", augment),
        Arguments.noNulls("sequences", sequences),
        batchSize,
        true);
  }

  /** Batches of fixed feature vectors. */
  public static CaptionBatches ofFeatures(
      List<float[]> features, List<int[]> sequences, int batchSize) {
    return new CaptionBatches(
        null,
        Arguments.noNulls("features", features),
        null,
        Augment.NONE,
        Arguments.noNulls("sequences", sequences),
        batchSize,
        true);
  }

  /** The same examples in order, unshuffled and unaugmented (for evaluation). */
  public static CaptionBatches inOrder(
      List<float[]> features, List<int[]> sequences, int batchSize) {
    return new CaptionBatches(
        null,
        Arguments.noNulls("features", features),
        null,
        Augment.NONE,
        Arguments.noNulls("sequences", sequences),
        batchSize,
        false);
  }

  /** The number of examples. */
  public int size() {
    return sequences.size();
  }

  @Override
  public Iterable<ConditionedBatch> epoch(int epoch, long seed) {
    List<int[]> idx =
        Batches.builder(size(), batchSize).seed(seed).shuffle(shuffle).build().epoch(epoch);
    long epochSeed = SplitMix64.deriveSeed(SplitMix64.deriveSeed(seed, 0x5eedL), epoch);
    return () ->
        new java.util.Iterator<>() {
          int next = 0;

          @Override
          public boolean hasNext() {
            return next < idx.size();
          }

          @Override
          public ConditionedBatch next() {
            int[] batch = idx.get(next++);
            List<float[]> feats = new ArrayList<>(batch.length);
            List<int[]> seqs = new ArrayList<>(batch.length);
            int[] local = new int[batch.length];
            for (int k = 0; k < batch.length; k++) {
              int i = batch[k];
              feats.add(
                  fixed != null
                      ? fixed.get(i)
                      : encoder.features(
                          augment.apply(images.get(i), SplitMix64.deriveSeed(epochSeed, i))));
              seqs.add(sequences.get(i));
              local[k] = k;
            }
            return ConditionedBatch.of(feats, seqs, local);
          }
        };
  }

  @Override
  public int batchesPerEpoch() {
    return (int) (((long) size() + batchSize - 1) / batchSize); // size() + batchSize may pass int
  }
}
