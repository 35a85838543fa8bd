/*
 * LmWindows: the BatchSource of a LanguageModel, the consecutive truncated-BPTT windows of
 * org.jrnn.data.LmBatches (the same every epoch: the order carries the state).
 */
package org.jrnn.models;

import org.jrnn.data.LmBatches;
import org.jrnn.train.BatchSource;

/**
 * Windows of a token stream, as {@code lm_windows()} of scripts/lib_torch_common.py: N parallel
 * streams read T steps at a time, in order (never shuffled, since each window continues the one
 * before it).
 */
public final class LmWindows implements BatchSource<LmBatches.Window> {
  private final LmBatches windows;

  /**
   * @param tokens the token ids (not copied)
   * @param streams N, parallel streams (the batch size)
   * @param windowLength T, steps per window (the truncated-BPTT length)
   */
  public LmWindows(int[] tokens, int streams, int windowLength) {
    this.windows = new LmBatches(tokens, streams, windowLength);
  }

  /**
   * Windows for TBPTT(k1, k2): a window of the last {@code windowLength} (k2) steps every {@code
   * stride} (k1) new steps; each target is counted once per epoch (see {@link LmBatches}).
   *
   * @param tokens the token ids (not copied)
   * @param streams N, parallel streams (the batch size)
   * @param windowLength k2, steps per window (the backpropagation length)
   * @param stride k1, new steps per window ({@code 1 <= k1 <= k2}; k1 = k2: the constructor above)
   */
  public LmWindows(int[] tokens, int streams, int windowLength, int stride) {
    this.windows = new LmBatches(tokens, streams, windowLength, stride);
  }

  /** The underlying windows. */
  public LmBatches windows() {
    return windows;
  }

  /** The windows in order; {@code epoch} and {@code seed} do not change them. */
  @Override
  public Iterable<LmBatches.Window> epoch(int epoch, long seed) {
    return windows;
  }

  @Override
  public int batchesPerEpoch() {
    return windows.windowCount();
  }
}
