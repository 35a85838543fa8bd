/*
 * ConditionedBatch: N feature vectors and the token sequences to generate from them, laid out for
 * teacher forcing (inputs <bos> + sequence, targets sequence + <eos>).
 */
package org.jrnn.models;

import java.util.ArrayList;
import java.util.List;
import org.jrnn.JrnnException;
import org.jrnn.data.PaddedBatch;
import org.jrnn.data.Vocabulary;
import org.jrnn.internal.Arguments;

/**
 * The input of {@link ConditionedLanguageModel}.
 *
 * @param features {@code [N, F]} row-major, finite
 * @param featureSize F
 * @param inputs decoder inputs {@code [T, N]} time-major: {@code <bos>} then the sequence
 * @param targets {@code [T, N]} time-major: the sequence then {@code <eos>}, -1 past each length
 * @param sequences the target sequences themselves (without {@code <bos>}/{@code <eos>})
 */
public record ConditionedBatch(
    float[] features, int featureSize, PaddedBatch inputs, int[] targets, List<int[]> sequences) {
  /**
   * Checks the parts agree.
   *
   * @throws JrnnException if a part or a sequence is null, F is below 1, the sizes disagree or a
   *     feature is not finite
   */
  public ConditionedBatch {
    Arguments.notNull("features", features);
    Arguments.notNull("inputs", inputs);
    Arguments.notNull("targets", targets);
    Arguments.noNulls("sequences", sequences);
    if (featureSize < 1) {
      throw new JrnnException("featureSize must be >= 1 but is " + featureSize);
    }
    if (sequences.size() != inputs.size()) {
      throw new JrnnException(
          "sequences has "
              + sequences.size()
              + " entries but inputs has "
              + inputs.size()
              + " sequences");
    }
    if (features.length != (long) featureSize * inputs.size()) {
      throw new JrnnException(
          "features has "
              + features.length
              + " values but N = "
              + inputs.size()
              + " rows of F = "
              + featureSize
              + " need "
              + (long) featureSize * inputs.size());
    }
    Arguments.finite("features", features);
    if (targets.length != inputs.ids().length) {
      throw new JrnnException(
          "targets has " + targets.length + " entries but inputs has " + inputs.ids().length);
    }
  }

  /** Examples {@code indices} of parallel feature and sequence lists. */
  public static ConditionedBatch of(List<float[]> features, List<int[]> sequences, int[] indices) {
    Arguments.notNull("features", features);
    Arguments.notNull("sequences", sequences);
    Arguments.notNull("indices", indices);
    if (features.size() != sequences.size()) {
      throw new JrnnException(
          features.size() + " feature vectors but " + sequences.size() + " sequences");
    }
    if (indices.length == 0) {
      throw new JrnnException("indices is empty (a batch needs at least one example)");
    }
    for (int i : indices) {
      if (i < 0 || i >= features.size()) {
        throw new JrnnException(
            "index " + i + " is outside 0.." + (features.size() - 1) + " (the examples)");
      }
      Arguments.notNull("features " + i, features.get(i));
      Arguments.notNull("sequence " + i, sequences.get(i));
    }
    int f = features.get(indices[0]).length;
    float[] flat =
        new float[Arguments.arrayLength("the batch's features", (long) f * indices.length)];
    List<int[]> in = new ArrayList<>();
    List<int[]> out = new ArrayList<>();
    List<int[]> picked = new ArrayList<>();
    for (int k = 0; k < indices.length; k++) {
      float[] row = features.get(indices[k]);
      if (row.length != f) {
        throw new JrnnException(
            "features " + indices[k] + " has " + row.length + " values, expected " + f);
      }
      System.arraycopy(row, 0, flat, k * f, f);
      int[] s = sequences.get(indices[k]);
      int[] i = new int[s.length + 1];
      int[] o = new int[s.length + 1];
      i[0] = Vocabulary.BOS_ID;
      System.arraycopy(s, 0, i, 1, s.length);
      System.arraycopy(s, 0, o, 0, s.length);
      o[s.length] = Vocabulary.EOS_ID;
      in.add(i);
      out.add(o);
      picked.add(s);
    }
    int[] all = new int[indices.length];
    for (int k = 0; k < all.length; k++) {
      all[k] = k;
    }
    return new ConditionedBatch(
        flat, f, PaddedBatch.of(in, all), PaddedBatch.of(out, all, -1).ids(), picked);
  }

  /** N, the number of examples. */
  public int size() {
    return inputs.size();
  }
}
