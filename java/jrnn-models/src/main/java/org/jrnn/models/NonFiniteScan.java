/*
 * NonFiniteScan: finds the first NaN/Inf in a time-major activation and names it (stage, time
 * step, sequence, recurrent layer) for the tasks' NonFiniteLocator implementations.
 */
package org.jrnn.models;

import org.jrnn.Ops;
import org.jrnn.RecurrentOutput;
import org.jrnn.Tensor;
import org.jrnn.nn.RecurrentLayer;

/**
 * The shared scan of the models' {@link org.jrnn.train.NonFiniteLocator} implementations. A
 * time-major tensor {@code [T, N, F]} is stored row-major, so its first non-finite flat element is
 * the first in time order (earliest step, then lowest sequence).
 */
final class NonFiniteScan {
  private NonFiniteScan() {}

  /**
   * {@code "<stage>, time step t, sequence n"} for the first non-finite element of {@code tnf}
   * ({@code [T, N, F]}), or null when all are finite.
   */
  static String timeMajor(Tensor tnf, String stage) {
    long bad = Ops.firstNonFinite(tnf);
    if (bad < 0) {
      return null;
    }
    long perStep = tnf.dim(1) * tnf.dim(2);
    return stage + ", time step " + bad / perStep + ", sequence " + (bad % perStep) / tnf.dim(2);
  }

  /**
   * {@code "<stage>, sequence n"} for the first non-finite row of {@code nf} ({@code [N, F]}), or
   * null.
   */
  static String perSequence(Tensor nf, String stage) {
    long bad = Ops.firstNonFinite(nf);
    return bad < 0 ? null : stage + ", sequence " + bad / nf.dim(1);
  }

  /**
   * The recurrent stage of a stacked layer: the first non-finite element of its output {@code [T,
   * N, D*H]}, named after the lowest layer whose final hidden state ({@code hn [L*D, N, H]}) is
   * non-finite (a NaN in layer l reaches every layer above it but none below), e.g. {@code "rnn
   * layer 1 (LSTM), time step 37, sequence 4"}. Layers count from 1 (parameters {@code *_l0} are
   * layer 1). When the output is finite, a non-finite final state is reported as {@code "rnn layer
   * l (LSTM) final state, sequence n"}. Null when everything is finite.
   */
  static String recurrent(RecurrentLayer rnn, RecurrentOutput out) {
    String cell = rnn.recurrent().cell().name();
    int layer = firstBadLayer(out.hn(), rnn.recurrent().directions());
    String name = layer < 0 ? "rnn (" + cell + ")" : "rnn layer " + (layer + 1) + " (" + cell + ")";
    String found = timeMajor(out.output(), name);
    if (found != null || layer < 0) {
      return found;
    }
    long n = out.hn().dim(1);
    long h = out.hn().dim(2);
    float[] hn = out.hn().toArray();
    for (int i = 0; i < hn.length; i++) {
      if (!Float.isFinite(hn[i])) {
        return name + " final state, sequence " + (i / h) % n;
      }
    }
    return null;
  }

  /** The 0-based layer of the first non-finite value in {@code hn [L*D, N, H]}, or -1. */
  private static int firstBadLayer(Tensor hn, int directions) {
    long bad = Ops.firstNonFinite(hn);
    return bad < 0 ? -1 : (int) (bad / (hn.dim(1) * hn.dim(2)) / directions);
  }
}
