// Language-model windows: a token array cut into N parallel streams read in windows of T steps,
// with next-token targets, for truncated BPTT with the state carried from one window to the next.
package org.jrnn.data;

import java.util.Iterator;
import java.util.NoSuchElementException;
import org.jrnn.JrnnException;
import org.jrnn.internal.Arguments;

/**
 * The classic char-RNN batching. The first {@code N * S + 1} tokens (with {@code S = (length - 1) /
 * N}) are cut into {@code N} streams; stream {@code s} reads positions {@code s*S .. s*S + S - 1}
 * and predicts the token after each. Window {@code w} covers steps {@code w*T .. w*T + T - 1} of
 * every stream (the last window may be shorter), so window {@code w + 1} continues exactly where
 * window {@code w} stopped: carry the recurrent state across windows and reset it at the start of
 * each pass.
 *
 * <p><b>TBPTT(k1, k2).</b> With a {@code stride} k1 below the window length k2 ({@link
 * #LmBatches(int[], int, int, int)}), window {@code w} covers steps {@code w*k1 .. w*k1 + k2 - 1}:
 * consecutive windows overlap by {@code k2 - k1} steps. Its first {@code k2 - k1} targets are
 * context only (-1, not counted) except in window 0, which counts all of its targets, so each
 * target of the pass is counted exactly once; {@link Window#advance()} = k1 tells the model to
 * carry the state after the window's first k1 steps. A stride equal to the window length (the
 * default) gives the windows above.
 *
 * <p>Mirrors {@code lm_windows()} in scripts/lib_torch_common.py.
 */
public final class LmBatches implements Iterable<LmBatches.Window> {
  private final int[] tokens;
  private final int streams;
  private final int windowLength;
  private final int stride;
  private final int streamLength;

  /**
   * @param tokens the token ids (not copied: do not modify while in use)
   * @param streams N, the number of parallel streams (the batch size)
   * @param windowLength T, the number of steps per window (the truncated-BPTT length)
   * @throws JrnnException if there are too few tokens for one step per stream
   */
  public LmBatches(int[] tokens, int streams, int windowLength) {
    this(tokens, streams, windowLength, windowLength);
  }

  /**
   * Overlapping windows for TBPTT(k1, k2): every {@code stride} (k1) new steps, a window of the
   * last {@code windowLength} (k2) steps; see the class comment.
   *
   * @param tokens the token ids (not copied: do not modify while in use)
   * @param streams N, the number of parallel streams (the batch size)
   * @param windowLength k2, the number of steps per window (the backpropagation length)
   * @param stride k1, the steps between window starts ({@code 1 <= k1 <= k2})
   * @throws JrnnException if there are too few tokens or the stride is out of range
   */
  public LmBatches(int[] tokens, int streams, int windowLength, int stride) {
    if (streams <= 0 || windowLength <= 0) {
      throw new JrnnException(
          "streams and windowLength must be > 0, got " + streams + " and " + windowLength);
    }
    Arguments.notNull("tokens", tokens);
    if (tokens.length < (long) streams + 1) {
      throw new JrnnException(
          tokens.length
              + " tokens are too few for "
              + streams
              + " streams (need at least "
              + (streams + 1)
              + ")");
    }
    this.tokens = tokens;
    this.streams = streams;
    if (stride < 1 || stride > windowLength) {
      throw new JrnnException(
          "the stride (k1) must be in 1.."
              + windowLength
              + " (the window length k2), got "
              + stride);
    }
    this.windowLength = windowLength;
    this.stride = stride;
    this.streamLength = (tokens.length - 1) / streams;
  }

  /** N, the number of parallel streams. */
  public int streams() {
    return streams;
  }

  /** S, the number of steps in each stream over a whole pass. */
  public int streamLength() {
    return streamLength;
  }

  /** k1, the steps between window starts (the window length unless set). */
  public int stride() {
    return stride;
  }

  /**
   * The number of windows per pass: {@code ceil(S / T)}, or with a stride k1 {@code 1 + ceil((S -
   * k2) / k1)} (the fewest whose counted targets cover the pass).
   */
  public int windowCount() {
    if (streamLength <= windowLength) {
      return 1;
    }
    return 1 + (streamLength - windowLength + stride - 1) / stride;
  }

  /** The number of predicted tokens per pass: {@code N * S}. */
  public long targetCount() {
    return (long) streams * streamLength;
  }

  /** Window {@code w} (0-based) of the pass. */
  public Window window(int w) {
    if (w < 0 || w >= windowCount()) {
      throw new JrnnException("window " + w + " is outside 0.." + (windowCount() - 1));
    }
    int start = (int) ((long) w * stride);
    int len = Math.min(windowLength, streamLength - start);
    int context = w == 0 ? 0 : windowLength - stride; // leading targets not counted
    int[] inputs = new int[streams * len];
    int[] targets = new int[streams * len];
    for (int s = 0; s < streams; s++) {
      int base = s * streamLength + start;
      System.arraycopy(tokens, base, inputs, s * len, len);
      System.arraycopy(tokens, base + 1, targets, s * len, len);
      java.util.Arrays.fill(targets, s * len, s * len + context, -1);
    }
    return new Window(w, streams, len, inputs, targets, stride);
  }

  /** Iterates over the windows of one pass, in order. */
  @Override
  public Iterator<Window> iterator() {
    return new Iterator<>() {
      private int next;

      @Override
      public boolean hasNext() {
        return next < windowCount();
      }

      @Override
      public Window next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        return window(next++);
      }
    };
  }

  /**
   * One window: {@code streams x length} inputs and targets, stored stream-major ({@code [s *
   * length + t]}); {@code target(s, t)} is the token after {@code input(s, t)}.
   *
   * @param index the window's number in the pass
   * @param streams N
   * @param length the number of steps (T, or fewer for the last window)
   * @param inputs input ids, stream-major
   * @param targets next-token ids, stream-major (-1: not counted)
   * @param advance the steps after which the next window starts: the state to carry into it is the
   *     state after this window's first {@code advance} steps ({@code >= length}: its final state)
   */
  public record Window(
      int index, int streams, int length, int[] inputs, int[] targets, int advance) {
    /**
     * Checks the shapes.
     *
     * @throws JrnnException if an array is null or does not hold {@code streams * length} ids, the
     *     index is negative, or streams, length or advance is below 1
     */
    public Window {
      if (index < 0) {
        throw new JrnnException("window index must be >= 0 but is " + index);
      }
      if (streams < 1 || length < 1 || advance < 1) {
        throw new JrnnException(
            "streams, length and advance must be >= 1 but are "
                + streams
                + ", "
                + length
                + ", "
                + advance);
      }
      long n = (long) streams * length;
      if (Arguments.notNull("inputs", inputs).length != n
          || Arguments.notNull("targets", targets).length != n) {
        throw new JrnnException(
            "inputs and targets must hold streams * length = "
                + n
                + " ids but hold "
                + inputs.length
                + " and "
                + targets.length);
      }
    }

    /** A window whose successor starts right after it ({@code advance = length}). */
    public Window(int index, int streams, int length, int[] inputs, int[] targets) {
      this(index, streams, length, inputs, targets, length);
    }

    /** The input at stream {@code s}, step {@code t}. */
    public int input(int s, int t) {
      return inputs[s * length + t];
    }

    /** The target at stream {@code s}, step {@code t}. */
    public int target(int s, int t) {
      return targets[s * length + t];
    }

    /** The inputs in time-major order ({@code [t * streams + s]}). */
    public int[] inputsTimeMajor() {
      return transpose(inputs);
    }

    /** The targets in time-major order ({@code [t * streams + s]}). */
    public int[] targetsTimeMajor() {
      return transpose(targets);
    }

    private int[] transpose(int[] streamMajor) {
      int[] out = new int[streamMajor.length];
      for (int s = 0; s < streams; s++) {
        for (int t = 0; t < length; t++) {
          out[t * streams + s] = streamMajor[s * length + t];
        }
      }
      return out;
    }
  }
}
