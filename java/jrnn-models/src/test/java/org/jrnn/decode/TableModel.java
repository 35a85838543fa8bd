/*
 * TableModel: a hand-built step model for the decoder tests: the next-token distribution is looked
 * up by the sequence so far (and the input), so every probability is known exactly.
 */
package org.jrnn.decode;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import org.jrnn.Device;

/** Inputs are ints (an input id the table may look at); the state is each row's tokens so far. */
final class TableModel implements StepModel<Integer> {
  static final int EOS = 3;
  static final int A = 4;
  static final int B = 5;
  static final int C = 6;

  private final int vocab;
  private final BiFunction<Integer, int[], double[]> table;

  /** Rows fed at each step (to check compaction). */
  final List<Integer> rowsPerStep = new ArrayList<>();

  TableModel(int vocab, BiFunction<Integer, int[], double[]> table) {
    this.vocab = vocab;
    this.table = table;
  }

  /**
   * A table from sequences (written as token lists) to {token: probability} maps; any sequence not
   * listed ends at once ({@code <eos>} with probability 1).
   */
  static TableModel of(int vocab, Map<List<Integer>, Map<Integer, Double>> rules) {
    return new TableModel(
        vocab,
        (input, seq) -> {
          double[] p = new double[vocab];
          List<Integer> key = new ArrayList<>();
          for (int t : seq) {
            key.add(t);
          }
          Map<Integer, Double> rule = rules.get(key);
          if (rule == null) {
            p[EOS] = 1;
          } else {
            rule.forEach((t, q) -> p[t] = q);
          }
          return p;
        });
  }

  static Map<Integer, Double> dist(Object... tokenProb) {
    Map<Integer, Double> m = new HashMap<>();
    for (int i = 0; i < tokenProb.length; i += 2) {
      m.put((Integer) tokenProb[i], ((Number) tokenProb[i + 1]).doubleValue());
    }
    return m;
  }

  @Override
  public int vocabSize() {
    return vocab;
  }

  @Override
  public StepState initialState(List<Integer> inputs) {
    Rows r = new Rows();
    for (Integer i : inputs) {
      r.input.add(i);
      r.seq.add(new int[0]);
      r.started.add(false);
    }
    return r;
  }

  @Override
  public float[] step(int[] tokens, StepState state) {
    Rows r = (Rows) state;
    rowsPerStep.add(r.rows());
    float[] out = new float[r.rows() * vocab];
    for (int i = 0; i < r.rows(); i++) {
      int[] seq = r.seq.get(i);
      if (r.started.get(i)) { // the start token is not part of the sequence
        seq = Arrays.copyOf(seq, seq.length + 1);
        seq[seq.length - 1] = tokens[i];
        r.seq.set(i, seq);
      }
      r.started.set(i, true);
      double[] p = table.apply(r.input.get(i), seq);
      for (int v = 0; v < vocab; v++) {
        out[i * vocab + v] = (float) Math.log(p[v]);
      }
    }
    return out;
  }

  /** Host state: the input and the tokens fed so far of each row. */
  static final class Rows implements StepState {
    final List<Integer> input = new ArrayList<>();
    final List<int[]> seq = new ArrayList<>();
    final List<Boolean> started = new ArrayList<>();

    @Override
    public int rows() {
      return input.size();
    }

    @Override
    public void select(int[] rows) {
      List<Integer> in = new ArrayList<>();
      List<int[]> sq = new ArrayList<>();
      List<Boolean> st = new ArrayList<>();
      for (int r : rows) {
        in.add(input.get(r));
        sq.add(seq.get(r));
        st.add(started.get(r));
      }
      input.clear();
      input.addAll(in);
      seq.clear();
      seq.addAll(sq);
      started.clear();
      started.addAll(st);
    }

    @Override
    public void append(StepState other) {
      Rows o = (Rows) other;
      input.addAll(o.input);
      seq.addAll(o.seq);
      started.addAll(o.started);
    }

    @Override
    public StepState copy() {
      Rows r = new Rows();
      r.input.addAll(input);
      seq.forEach(s -> r.seq.add(s.clone()));
      r.started.addAll(started);
      return r;
    }

    @Override
    public StepState to(Device device) {
      return copy();
    }

    @Override
    public Device device() {
      return Device.cpu();
    }

    @Override
    public void close() {}
  }
}
