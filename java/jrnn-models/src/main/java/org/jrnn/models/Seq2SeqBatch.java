/*
 * Seq2SeqBatch: N source sequences and their target sequences, laid out for teacher forcing
 * (decoder inputs <bos> + target, decoder targets target + <eos>).
 */
package org.jrnn.models;

import java.util.ArrayList;
import java.util.List;
import org.jrnn.JrnnException;
import org.jrnn.data.PaddedBatch;
import org.jrnn.data.Vocabulary;
import org.jrnn.internal.Arguments;

/**
 * The input of {@link Seq2Seq}.
 *
 * @param sources source ids {@code [Ts, N]} time-major with lengths ({@code >= 1})
 * @param decoderInputs {@code [Td, N]}: {@code <bos>} then the target
 * @param decoderTargets {@code [Td, N]}: the target then {@code <eos>}, -1 past each length
 * @param targets the target sequences themselves
 */
public record Seq2SeqBatch(
    PaddedBatch sources, PaddedBatch decoderInputs, int[] decoderTargets, List<int[]> targets) {
  /**
   * Checks the parts agree.
   *
   * @throws JrnnException if a part or a target is null, or the sizes disagree
   */
  public Seq2SeqBatch {
    Arguments.notNull("sources", sources);
    Arguments.notNull("decoderInputs", decoderInputs);
    Arguments.notNull("decoderTargets", decoderTargets);
    Arguments.noNulls("targets", targets);
    if (sources.size() != decoderInputs.size() || targets.size() != sources.size()) {
      throw new JrnnException(
          "sources has "
              + sources.size()
              + " sequences, decoderInputs "
              + decoderInputs.size()
              + " and targets "
              + targets.size()
              + ": they must agree");
    }
    if (decoderTargets.length != decoderInputs.ids().length) {
      throw new JrnnException(
          "decoderTargets has "
              + decoderTargets.length
              + " entries but decoderInputs has "
              + decoderInputs.ids().length);
    }
  }

  /** Pairs {@code indices} of parallel source and target lists. */
  public static Seq2SeqBatch of(List<int[]> sources, List<int[]> targets, int[] indices) {
    Arguments.notNull("sources", sources);
    Arguments.notNull("targets", targets);
    Arguments.notNull("indices", indices);
    if (sources.size() != targets.size()) {
      throw new JrnnException(sources.size() + " sources but " + targets.size() + " targets");
    }
    List<int[]> in = new ArrayList<>();
    List<int[]> out = new ArrayList<>();
    List<int[]> src = new ArrayList<>();
    List<int[]> tgt = new ArrayList<>();
    for (int i : indices) {
      if (i < 0 || i >= sources.size()) {
        throw new JrnnException(
            "index " + i + " is outside 0.." + (sources.size() - 1) + " (the pairs)");
      }
      int[] t = Arguments.notNull("target " + i, targets.get(i));
      Arguments.notNull("source " + i, sources.get(i));
      int[] a = new int[t.length + 1];
      int[] b = new int[t.length + 1];
      a[0] = Vocabulary.BOS_ID;
      System.arraycopy(t, 0, a, 1, t.length);
      System.arraycopy(t, 0, b, 0, t.length);
      b[t.length] = Vocabulary.EOS_ID;
      in.add(a);
      out.add(b);
      src.add(sources.get(i));
      tgt.add(t);
    }
    int[] all = new int[indices.length];
    for (int k = 0; k < all.length; k++) {
      all[k] = k;
    }
    return new Seq2SeqBatch(
        PaddedBatch.of(src, all), PaddedBatch.of(in, all), PaddedBatch.of(out, all, -1).ids(), tgt);
  }

  /** N, the number of pairs. */
  public int size() {
    return sources.size();
  }
}
