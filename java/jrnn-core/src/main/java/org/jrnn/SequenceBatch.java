/*
 * SequenceBatch: a ragged batch of sequences as one padded, time-major tensor [T, N, C] plus the
 * length of each sequence. Batch-first views (sequence(n), toList()) are for users.
 */
package org.jrnn;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * N sequences of C features and lengths {@code lengths[n]} in {@code 1..T}, stored padded and
 * time-major as a {@link Tensor} {@code [T, N, C]} (element {@code (t, n, c)} at {@code (t*N + n)*C
 * + c}); {@code T} is the longest length. Entries at {@code t >= lengths[n]} are padding: layers
 * ignore them, and the factories here fill them with zeros.
 *
 * <p>Ownership: the factories that copy Java arrays ({@link #fromList}, {@link #fromBatchFirst})
 * create a data tensor that this batch owns and {@link #close()} frees (it also belongs to the
 * current {@link Scope}, like any new tensor). {@link #of(Tensor, int[])} wraps a tensor it does
 * <em>not</em> own: closing that batch leaves the tensor open.
 */
public final class SequenceBatch implements AutoCloseable {
  private final Tensor data;
  private final int[] lengths;
  private final boolean owns;

  private SequenceBatch(Tensor data, int[] lengths, boolean owns) {
    this.data = data;
    this.lengths = lengths;
    this.owns = owns;
  }

  /**
   * A CPU batch copied from batch-first sequences.
   *
   * @param sequences N >= 1 sequences, each {@code [len][C]} with {@code len >= 1} and the same C
   *     >= 1. Not modified.
   */
  public static SequenceBatch fromList(List<float[][]> sequences) {
    return fromList(Device.cpu(), sequences);
  }

  /** A batch on {@code device} copied from batch-first sequences; see {@link #fromList(List)}. */
  public static SequenceBatch fromList(Device device, List<float[][]> sequences) {
    if (sequences == null || sequences.isEmpty()) {
      throw new JrnnException("sequences must hold at least one sequence");
    }
    int n = sequences.size();
    int[] lengths = new int[n];
    int c = -1;
    int t = 0;
    for (int i = 0; i < n; i++) {
      float[][] s = sequences.get(i);
      if (s == null || s.length == 0) {
        throw new JrnnException("sequence " + i + " is empty (lengths must be >= 1)");
      }
      for (int k = 0; k < s.length; k++) {
        if (s[k] == null) {
          throw new JrnnException("sequence " + i + " step " + k + " is null");
        }
        if (c < 0) {
          c = s[k].length;
          if (c == 0) {
            throw new JrnnException("sequence 0 step 0 has no features (C must be >= 1)");
          }
        } else if (s[k].length != c) {
          throw new JrnnException(
              "sequence " + i + " step " + k + " has " + s[k].length + " features, expected " + c);
        }
      }
      lengths[i] = s.length;
      t = Math.max(t, s.length);
    }
    long total = (long) t * n * c;
    if (total > Integer.MAX_VALUE - 8) {
      throw new JrnnException(
          "batch [" + t + ", " + n + ", " + c + "] is too large to copy from Java");
    }
    float[] flat = new float[(int) total];
    for (int i = 0; i < n; i++) {
      float[][] s = sequences.get(i);
      for (int k = 0; k < s.length; k++) {
        System.arraycopy(s[k], 0, flat, (k * n + i) * c, c);
      }
    }
    return new SequenceBatch(Tensor.of(device, flat, t, n, c), lengths, true);
  }

  /**
   * A CPU batch copied from batch-first data.
   *
   * @param data {@code [N][T][C]}: every {@code data[n]} has T rows of C >= 1 values. Values at
   *     {@code t >= lengths[n]} are not copied (padding is zero). Not modified.
   * @param lengths {@code [N]} each in {@code 1..T}, or null for all T. Not modified (copied).
   */
  public static SequenceBatch fromBatchFirst(float[][][] data, int[] lengths) {
    return fromBatchFirst(Device.cpu(), data, lengths);
  }

  /**
   * A batch on {@code device} from batch-first data; see {@link #fromBatchFirst(float[][][],
   * int[])}.
   */
  public static SequenceBatch fromBatchFirst(Device device, float[][][] data, int[] lengths) {
    if (data == null || data.length == 0) {
      throw new JrnnException("data must hold at least one sequence");
    }
    int n = data.length;
    if (data[0] == null || data[0].length == 0) {
      throw new JrnnException("data[0] has no time steps (T must be >= 1)");
    }
    int t = data[0].length;
    if (data[0][0] == null || data[0][0].length == 0) {
      throw new JrnnException("data[0][0] has no features (C must be >= 1)");
    }
    int c = data[0][0].length;
    int[] lens = lengths == null ? filled(n, t) : lengths.clone();
    Checks.lengths(lens, n, t);
    for (int i = 0; i < n; i++) {
      if (data[i] == null || data[i].length != t) {
        throw new JrnnException(
            "data["
                + i
                + "] has "
                + (data[i] == null ? 0 : data[i].length)
                + " time steps, expected T = "
                + t);
      }
      for (int k = 0; k < t; k++) {
        if (data[i][k] == null || data[i][k].length != c) {
          throw new JrnnException(
              "data["
                  + i
                  + "]["
                  + k
                  + "] has "
                  + (data[i][k] == null ? 0 : data[i][k].length)
                  + " features, expected C = "
                  + c);
        }
      }
    }
    long total = (long) t * n * c;
    if (total > Integer.MAX_VALUE - 8) {
      throw new JrnnException(
          "batch [" + t + ", " + n + ", " + c + "] is too large to copy from Java");
    }
    float[] flat = new float[(int) total];
    for (int i = 0; i < n; i++) {
      for (int k = 0; k < lens[i]; k++) {
        System.arraycopy(data[i][k], 0, flat, (k * n + i) * c, c);
      }
    }
    return new SequenceBatch(Tensor.of(device, flat, t, n, c), lens, true);
  }

  /**
   * Wraps an existing padded tensor. The batch does NOT take ownership: closing the batch leaves
   * {@code dataTNC} open, and the caller closes it.
   *
   * @param dataTNC {@code [T, N, C]}, T, N, C >= 1. Not modified.
   * @param lengths {@code [N]} each in {@code 1..T}, or null for all T. Not modified (copied).
   */
  public static SequenceBatch of(Tensor dataTNC, int[] lengths) {
    Checks.open("dataTNC", dataTNC);
    if (dataTNC.rank() != 3) {
      throw new JrnnException("dataTNC must be [T, N, C] but is " + dataTNC.shapeString());
    }
    long t = dataTNC.dim(0);
    long n = dataTNC.dim(1);
    long c = dataTNC.dim(2);
    if (t < 1 || n < 1 || c < 1 || n > Integer.MAX_VALUE || t > Integer.MAX_VALUE) {
      throw new JrnnException(
          "dataTNC must be [T, N, C] with T, N, C >= 1 but is " + dataTNC.shapeString());
    }
    int[] lens = lengths == null ? filled((int) n, (int) t) : lengths.clone();
    Checks.lengths(lens, (int) n, t);
    return new SequenceBatch(dataTNC, lens, false);
  }

  private static int[] filled(int n, int value) {
    int[] a = new int[n];
    Arrays.fill(a, value);
    return a;
  }

  /** The padded, time-major data {@code [T, N, C]} (not a copy). */
  public Tensor data() {
    return data;
  }

  /** Where the data lives. */
  public Device device() {
    return data.device();
  }

  /** The length of each sequence, {@code [N]} (a copy). */
  public int[] lengths() {
    return lengths.clone();
  }

  /** T: the padded length, the longest sequence. */
  public int maxLength() {
    return (int) data.dim(0);
  }

  /** N: the number of sequences. */
  public int batchSize() {
    return (int) data.dim(1);
  }

  /** C: the features per step. */
  public int featureSize() {
    return (int) data.dim(2);
  }

  /**
   * Sequence {@code n} batch-first, without padding: {@code [lengths[n]][C]} (a copy from the
   * device).
   */
  public float[][] sequence(int n) {
    if (n < 0 || n >= lengths.length) {
      throw new JrnnException("sequence " + n + " does not exist (N = " + lengths.length + ")");
    }
    return extract(data.toArray(), n);
  }

  private float[][] extract(float[] flat, int n) {
    int nn = batchSize();
    int c = featureSize();
    float[][] out = new float[lengths[n]][];
    for (int k = 0; k < lengths[n]; k++) {
      out[k] = Arrays.copyOfRange(flat, (k * nn + n) * c, (k * nn + n + 1) * c);
    }
    return out;
  }

  /** All sequences batch-first without padding (one copy from the device). */
  public List<float[][]> toList() {
    float[] flat = data.toArray();
    List<float[][]> out = new ArrayList<>(lengths.length);
    for (int n = 0; n < lengths.length; n++) {
      out.add(extract(flat, n));
    }
    return out;
  }

  /** {@code mask[n][t]} is true when {@code t < lengths[n]}: {@code [N][T]}. */
  public boolean[][] mask() {
    int t = maxLength();
    boolean[][] m = new boolean[lengths.length][t];
    for (int n = 0; n < lengths.length; n++) {
      Arrays.fill(m[n], 0, lengths[n], true);
    }
    return m;
  }

  /** Whether this batch owns (and closes) its data tensor. */
  public boolean ownsData() {
    return owns;
  }

  /** Detaches an owned data tensor from its scope (see {@link Tensor#keep()}). @return this */
  public SequenceBatch keep() {
    if (owns) {
      data.keep();
    }
    return this;
  }

  /** Frees the data tensor if this batch owns it. Idempotent. */
  @Override
  public void close() {
    if (owns) {
      data.close();
    }
  }

  /** E.g. {@code SequenceBatch[T=5, N=3, C=8, lengths=[5, 2, 4]] on cpu}. */
  @Override
  public String toString() {
    return "SequenceBatch[T="
        + data.dim(0)
        + ", N="
        + data.dim(1)
        + ", C="
        + data.dim(2)
        + ", lengths="
        + Arrays.toString(lengths)
        + "] on "
        + data.device()
        + (data.isClosed() ? " (closed)" : "");
  }
}
