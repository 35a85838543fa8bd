/*
 * BatchSource: the batches of one epoch, reproducible from a seed.
 */
package org.jrnn.train;

/** Produces the batches of an epoch; the same (epoch, seed) gives the same batches in order. */
public interface BatchSource<B> {

  /** Batches of epoch {@code epoch} (0-based), shuffled with {@code seed} where that applies. */
  Iterable<B> epoch(int epoch, long seed);

  /** How many batches one epoch yields (for progress and schedules). */
  int batchesPerEpoch();
}
