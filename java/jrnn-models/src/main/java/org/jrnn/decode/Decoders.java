/*
 * Decoders: greedy decoding, sampling (temperature, top-k, top-p, seeded) and batched beam search
 * (length penalties, min/max length, end token per input, n-best, n-gram repeat blocking, stable
 * ties) over any StepModel, with finished rows compacted away and waiting inputs joining.
 */
package org.jrnn.decode;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.jrnn.JrnnException;
import org.jrnn.internal.Arguments;
import org.jrnn.internal.SplitMix64;

/**
 * Decodes many inputs together with a {@link StepModel}.
 *
 * <p><b>The batch.</b> At most {@link DecodeOptions#maxActive()} inputs are live at once (all when
 * 0); each holds one row of the model's state (greedy, sampling) or up to {@code beamSize} rows
 * (beam search). Each step feeds every live row once, then selects the rows that go on with one
 * {@link StepState#select(int[])} (beams reordered or forked, finished inputs dropped; skipped when
 * nothing changed) and appends the initial state of waiting inputs to fill the freed places. Rows
 * of finished inputs are never computed again.
 *
 * <p><b>Beam search</b> (per input, beam K): the candidates are every live beam extended by every
 * allowed token, scored by the summed log-probability; they are ranked by score, ties broken by the
 * beam's rank and then the token id (so results are deterministic). Walking the ranking, an
 * end-token candidate among the first K becomes a finished hypothesis (scored with the {@link
 * LengthPenalty}), other candidates become the next live beams until there are K. Beams that reach
 * {@code maxLength} tokens are finished as they are. An input stops when it has no live beam, or
 * (by default) when it has {@code nBest} finished hypotheses and no live beam can still beat the
 * {@code nBest}-th: the summed log-probability only falls, so with no length penalty this stops as
 * soon as the result is final. With {@link DecodeOptions#earlyStopping()} it stops at K finished
 * hypotheses instead (fewer steps, but a beam still live may have scored better). The finished
 * hypotheses are ranked by score, ties by the order they finished.
 *
 * <p><b>Constraints</b> (all strategies): suppressed tokens are never chosen; the end token is
 * forbidden before {@code minLength} tokens; with {@code noRepeatNgram = n} a token that would
 * complete an n-gram already in the sequence is forbidden; tokens with a log-probability of -inf or
 * NaN are never chosen.
 */
public final class Decoders {
  private static final float NEG_INF = Float.NEGATIVE_INFINITY;

  private Decoders() {}

  /** Decodes every input with the default end token; results in input order. */
  public static <C> List<Decoded> decode(
      StepModel<C> model, List<C> inputs, DecodeOptions options) {
    return decode(model, inputs, null, options);
  }

  /**
   * Decodes every input; results in input order.
   *
   * @param endTokens the end token of each input, or null for {@link DecodeOptions#endToken()}
   */
  public static <C> List<Decoded> decode(
      StepModel<C> model, List<C> inputs, int[] endTokens, DecodeOptions options) {
    Decoded[] out = new Decoded[Arguments.noNulls("inputs", inputs).size()];
    decode(model, inputs, endTokens, options, d -> out[d.input()] = d);
    return Arrays.asList(out);
  }

  /**
   * Decodes every input and hands each result to {@code onDone} as soon as its input finishes (not
   * in input order: see {@link Decoded#input()}).
   *
   * @param model the step model
   * @param inputs the conditioning of each input. Not modified.
   * @param endTokens the end token of each input, or null for {@link DecodeOptions#endToken()}
   * @param options strategy, limits and constraints
   * @param onDone receives each result once
   * @throws JrnnException if an argument or an input is null, or a token of the options or of
   *     {@code endTokens} is outside the model's vocabulary
   */
  public static <C> void decode(
      StepModel<C> model,
      List<C> inputs,
      int[] endTokens,
      DecodeOptions options,
      Consumer<Decoded> onDone) {
    Arguments.notNull("model", model);
    Arguments.noNulls("inputs", inputs);
    Arguments.notNull("options", options);
    Arguments.notNull("onDone", onDone);
    if (endTokens != null && endTokens.length != inputs.size()) {
      throw new JrnnException(
          "endTokens has " + endTokens.length + " entries for " + inputs.size() + " inputs");
    }
    new Run<>(model, inputs, endTokens, options, onDone).run();
  }

  // ------------------------------------------------------------------ the loop

  /**
   * A live sequence: its tokens so far ({@code tokens[0..length)}; the array may be longer) and
   * their summed log-probability. Greedy decoding and sampling extend their one live sequence in
   * place (the array doubles when full), so a long generation costs linear time; beam search
   * copies, since its beams fork.
   */
  private record Live(int[] tokens, int length, double logProb) {
    int[] sequence() {
      return Arrays.copyOf(tokens, length);
    }

    int last(int start) {
      return length == 0 ? start : tokens[length - 1];
    }
  }

  /** One input being decoded. */
  private static final class Group {
    final int input;
    final int end;
    final SplittableRandom random;
    List<Live> live = new ArrayList<>();
    final List<Hypothesis> finished = new ArrayList<>();
    boolean done;

    Group(int input, int end, SplittableRandom random) {
      this.input = input;
      this.end = end;
      this.random = random;
      live.add(new Live(new int[0], 0, 0.0));
    }

    /** Inserts h after every finished hypothesis scoring at least as well; keeps the best cap. */
    void addFinished(Hypothesis h, int cap) {
      int at = finished.size();
      while (at > 0 && finished.get(at - 1).score() < h.score()) {
        at--;
      }
      if (at < cap) {
        finished.add(at, h);
        if (finished.size() > cap) {
          finished.remove(finished.size() - 1);
        }
      }
    }

    Decoded result(int nBest) {
      return new Decoded(input, finished.subList(0, Math.min(nBest, finished.size())));
    }
  }

  private static final class Run<C> {
    final StepModel<C> model;
    final List<C> inputs;
    final int[] endTokens;
    final DecodeOptions o;
    final Consumer<Decoded> onDone;
    final int vocab;
    final boolean[] banned;
    final boolean[] suppressed;
    final TopK top;
    // Beam search and greedy without n-gram blocking take only each row's best rowTop
    // log-probabilities (StepModel.stepTop): the beam keeps at most K + (live beams) <= 2K
    // candidates of a row, greedy one, and the end-token rule drops at most one more.
    final boolean rowTops;
    final int rowTop;
    final int[] excludeIds;
    float[] topValues = new float[0];
    int[] topIds = new int[0];
    int[] parents = new int[16];
    int parentCount;

    Run(
        StepModel<C> model,
        List<C> inputs,
        int[] endTokens,
        DecodeOptions o,
        Consumer<Decoded> onDone) {
      this.model = model;
      this.inputs = inputs;
      this.endTokens = endTokens;
      this.o = o;
      this.onDone = onDone;
      this.vocab = model.vocabSize();
      if (vocab < 1) {
        throw new JrnnException("the model's vocabSize must be >= 1 but is " + vocab);
      }
      checkToken("startToken", o.startToken);
      checkToken("endToken", o.endToken);
      if (endTokens != null) {
        for (int i = 0; i < endTokens.length; i++) {
          checkToken("endTokens[" + i + "]", endTokens[i]);
        }
      }
      this.banned = new boolean[vocab];
      this.suppressed = new boolean[vocab];
      for (int i = 0; i < o.suppress.length; i++) {
        checkToken("suppress[" + i + "]", o.suppress[i]);
        suppressed[o.suppress[i]] = true;
      }
      this.top = new TopK(2 * o.beamSize);
      this.rowTops = o.strategy() != DecodeOptions.Strategy.SAMPLE && o.noRepeatNgram == 0;
      this.rowTop = o.strategy() == DecodeOptions.Strategy.BEAM ? 2 * o.beamSize + 1 : 2;
      int n = 0;
      int[] ids = new int[vocab];
      for (int t = 0; t < vocab; t++) {
        if (suppressed[t]) {
          ids[n++] = t;
        }
      }
      this.excludeIds = Arrays.copyOf(ids, n);
    }

    /** A token id of the options: "endToken = 9 is outside the model's vocabulary 0..7". */
    private void checkToken(String name, int token) {
      if (token < 0 || token >= vocab) {
        throw new JrnnException(
            name + " = " + token + " is outside the model's vocabulary 0.." + (vocab - 1));
      }
    }

    void run() {
      int n = inputs.size();
      int cap = o.maxActive == 0 ? Math.max(n, 1) : o.maxActive;
      int next = 0;
      List<Group> active = new ArrayList<>();
      StepState state = null;
      try {
        while (next < n || !active.isEmpty()) {
          if (active.size() < cap && next < n) {
            int m = Math.min(cap - active.size(), n - next);
            StepState fresh = model.initialState(inputs.subList(next, next + m));
            if (fresh.rows() != m) {
              fresh.close();
              throw new JrnnException(
                  "initialState gave " + fresh.rows() + " rows for " + m + " inputs");
            }
            if (state == null) {
              state = fresh;
            } else {
              try {
                state.append(fresh);
              } finally {
                fresh.close();
              }
            }
            for (int i = 0; i < m; i++) {
              int input = next + i;
              int end = endTokens == null ? o.endToken : endTokens[input];
              SplittableRandom random =
                  o.strategy() == DecodeOptions.Strategy.SAMPLE
                      ? new SplittableRandom(SplitMix64.deriveSeed(o.seed, input))
                      : null;
              active.add(new Group(input, end, random));
            }
            next += m;
          }
          int rows = state.rows();
          int[] tokens = new int[rows];
          int r = 0;
          for (Group g : active) {
            for (Live l : g.live) {
              tokens[r++] = l.last(o.startToken);
            }
          }
          if (r != rows) {
            throw new JrnnException(
                JrnnException.Status.INTERNAL,
                "state has " + rows + " rows but " + r + " sequences are live");
          }
          float[] lp = null;
          if (rowTops) {
            long need = (long) rows * rowTop;
            if (topValues.length < need) {
              int size =
                  Arguments.arrayLength(
                      rows + " rows of " + rowTop + " candidates (lower maxActive)",
                      Math.min(2 * need, Math.max(need, Arguments.MAX_ARRAY)));
              topValues = new float[size];
              topIds = new int[size];
            }
            model.stepTop(tokens, state, rowTop, excludeIds, topValues, topIds);
          } else {
            lp = model.step(tokens, state);
            if (lp == null || lp.length != (long) rows * vocab) {
              throw new JrnnException(
                  "step returned "
                      + (lp == null ? "null" : lp.length + " values")
                      + " for "
                      + rows
                      + " rows of V = "
                      + vocab);
            }
          }
          parentCount = 0;
          List<Group> still = new ArrayList<>(active.size());
          int base = 0;
          for (Group g : active) {
            int count = g.live.size();
            int mark = parentCount;
            if (rowTops) {
              if (o.strategy() == DecodeOptions.Strategy.BEAM) {
                selectBeamFromTops(g, base);
              } else {
                selectOneFromTops(g, base);
              }
            } else if (o.strategy() == DecodeOptions.Strategy.BEAM) {
              selectBeam(g, lp, base);
            } else {
              selectOne(g, lp, base);
            }
            if (g.done) {
              parentCount = mark;
              g.live = List.of();
              onDone.accept(g.result(o.nBest));
            } else {
              still.add(g);
            }
            base += count;
          }
          active = still;
          if (parentCount == 0) {
            state.close();
            state = null;
          } else if (!identity(rows)) {
            state.select(Arrays.copyOf(parents, parentCount));
          }
        }
      } finally {
        if (state != null) {
          state.close();
        }
      }
    }

    private boolean identity(int rows) {
      if (parentCount != rows) {
        return false;
      }
      for (int i = 0; i < rows; i++) {
        if (parents[i] != i) {
          return false;
        }
      }
      return true;
    }

    private void addParent(int row) {
      if (parentCount == parents.length) {
        parents = Arrays.copyOf(parents, parents.length * 2);
      }
      parents[parentCount++] = row;
    }

    /**
     * Marks in {@link #banned} the tokens n-gram blocking forbids after {@code seq}; returns them.
     */
    private int[] markBanned(int[] seq, int len) {
      int n = o.noRepeatNgram;
      if (n == 0 || len < n - 1) {
        return null;
      }
      int[] found = new int[Math.max(len - n + 2, 0)];
      int k = 0;
      for (int i = 0; i <= len - n; i++) {
        boolean match = true;
        for (int j = 0; j < n - 1; j++) {
          if (seq[i + j] != seq[len - n + 1 + j]) {
            match = false;
            break;
          }
        }
        if (match) {
          int t = seq[i + n - 1];
          if (t >= 0 && t < vocab && !banned[t]) {
            banned[t] = true;
            found[k++] = t;
          }
        }
      }
      return Arrays.copyOf(found, k);
    }

    private void unmark(int[] marked) {
      if (marked != null) {
        for (int t : marked) {
          banned[t] = false;
        }
      }
    }

    /** A copy of {@code h}'s tokens with {@code token} appended (a forked beam). */
    private static int[] append(Live h, int token) {
      int[] out = Arrays.copyOf(h.tokens, h.length + 1);
      out[h.length] = token;
      return out;
    }

    /** {@code h}'s array with {@code token} at {@code h.length}: in place, or doubled when full. */
    private static int[] appendInPlace(Live h, int token, int limit) {
      int[] out = h.tokens;
      if (h.length == out.length) {
        int grown =
            (int)
                Math.min(
                    Math.max(2L * out.length, 16), Math.min((long) limit, Arguments.MAX_ARRAY));
        out = Arrays.copyOf(out, Math.max(grown, h.length + 1));
      }
      out[h.length] = token;
      return out;
    }

    // ---------------------------------------------------------------- beam search

    private void selectBeam(Group g, float[] lp, int base) {
      int k = o.beamSize;
      int count = g.live.size();
      top.reset(k + count);
      for (int b = 0; b < count; b++) {
        Live h = g.live.get(b);
        boolean endAllowed = h.length >= o.minLength;
        int[] marked = markBanned(h.tokens, h.length);
        int off = (base + b) * vocab;
        double hp = h.logProb;
        double worst = top.threshold();
        try {
          for (int v = 0; v < vocab; v++) {
            float x = lp[off + v];
            double sc = hp + x;
            if (sc < worst) { // cannot enter the full heap (ties are settled in offer)
              continue;
            }
            if (!(x > NEG_INF) || banned[v] || suppressed[v] || (v == g.end && !endAllowed)) {
              continue;
            }
            top.offer(sc, b, v);
            worst = top.threshold();
          }
        } finally {
          unmark(marked);
        }
      }
      finishBeam(g, base);
    }

    /**
     * selectBeam on each row's best rowTop entries (topValues / topIds), so the same beams: a
     * candidate outside its row's list is worse than rowTop others of that row, and the list
     * reaches the heap's K + (live beams) whenever the row has that many eligible tokens. A row's
     * list runs by value descending with ties by token id, so, as in the full scan, a candidate
     * that ties the heap's root never ranks above it (TopK.offer relies on that).
     */
    private void selectBeamFromTops(Group g, int base) {
      int count = g.live.size();
      top.reset(o.beamSize + count);
      for (int b = 0; b < count; b++) {
        Live h = g.live.get(b);
        boolean endAllowed = h.length >= o.minLength;
        int off = (base + b) * rowTop;
        double hp = h.logProb;
        double worst = top.threshold();
        for (int i = 0; i < rowTop && topIds[off + i] >= 0; i++) {
          int v = topIds[off + i];
          double sc = hp + topValues[off + i];
          if (sc < worst) { // the rest of the row scores no better
            break;
          }
          if (v == g.end && !endAllowed) {
            continue;
          }
          top.offer(sc, b, v);
          worst = top.threshold();
        }
      }
      finishBeam(g, base);
    }

    /** Turns the ranked candidates in {@link #top} into finished hypotheses and the next beams. */
    private void finishBeam(Group g, int base) {
      int k = o.beamSize;
      int[] order = top.sorted();
      List<Live> next = new ArrayList<>(k);
      int mark = parentCount;
      for (int p = 0; p < order.length && next.size() < k; p++) {
        int i = order[p];
        Live h = g.live.get(top.beam[i]);
        int v = top.token[i];
        double s = top.score[i];
        if (v == g.end) {
          if (p < k) {
            int len = h.length + 1;
            g.addFinished(new Hypothesis(h.sequence(), s, o.lengthPenalty.score(s, len), true), k);
          }
        } else {
          next.add(new Live(append(h, v), h.length + 1, s));
          addParent(base + top.beam[i]);
        }
      }
      if (!next.isEmpty() && next.get(0).length >= o.maxLength) {
        for (Live h : next) {
          int len = h.length;
          g.addFinished(
              new Hypothesis(h.sequence(), h.logProb, o.lengthPenalty.score(h.logProb, len), false),
              k);
        }
        next.clear();
        parentCount = mark;
      }
      g.live = next;
      if (next.isEmpty()) {
        g.done = true;
      } else if (o.earlyStopping) {
        g.done = g.finished.size() >= k;
      } else if (g.finished.size() >= o.nBest) {
        // no live beam can still beat the n-th best finished hypothesis
        double bound = o.lengthPenalty.bound(next.get(0).logProb, o.maxLength + 1L);
        g.done = bound <= g.finished.get(o.nBest - 1).score();
      }
    }

    // ---------------------------------------------------------------- greedy, sampling

    private void selectOne(Group g, float[] lp, int base) {
      Live h = g.live.get(0);
      boolean endAllowed = h.length >= o.minLength;
      int[] marked = markBanned(h.tokens, h.length);
      int off = base * vocab;
      int pick;
      try {
        pick =
            o.strategy() == DecodeOptions.Strategy.SAMPLE
                ? sample(lp, off, g, endAllowed)
                : argmax(lp, off, g, endAllowed);
      } finally {
        unmark(marked);
      }
      advanceOne(g, h, pick, pick < 0 ? NEG_INF : lp[off + pick], base);
    }

    /** Greedy on the row's best entries (topValues / topIds): the first one the rules allow. */
    private void selectOneFromTops(Group g, int base) {
      Live h = g.live.get(0);
      boolean endAllowed = h.length >= o.minLength;
      int off = base * rowTop;
      for (int i = 0; i < rowTop && topIds[off + i] >= 0; i++) {
        int v = topIds[off + i];
        if (v != g.end || endAllowed) {
          advanceOne(g, h, v, topValues[off + i], base);
          return;
        }
      }
      advanceOne(g, h, -1, NEG_INF, base);
    }

    /** Extends the group's one live sequence by {@code pick} (log-probability x), or ends it. */
    private void advanceOne(Group g, Live h, int pick, float x, int base) {
      if (pick < 0) {
        g.done = true;
        return;
      }
      double s = h.logProb + x;
      if (pick == g.end) {
        int len = h.length + 1;
        g.addFinished(new Hypothesis(h.sequence(), s, o.lengthPenalty.score(s, len), true), 1);
        g.done = true;
        return;
      }
      Live next = new Live(appendInPlace(h, pick, o.maxLength), h.length + 1, s);
      if (next.length >= o.maxLength) {
        g.addFinished(
            new Hypothesis(next.sequence(), s, o.lengthPenalty.score(s, next.length), false), 1);
        g.done = true;
        return;
      }
      g.live = List.of(next);
      addParent(base);
    }

    private boolean allowed(float x, int v, Group g, boolean endAllowed) {
      return x > NEG_INF && !banned[v] && !suppressed[v] && (v != g.end || endAllowed);
    }

    private int argmax(float[] lp, int off, Group g, boolean endAllowed) {
      // the row's first maximum, then the rules: usually it is allowed, and this plain loop is
      // half the cost of testing every token (a vocabulary per row per step)
      int top = 0;
      float topX = lp[off];
      for (int v = 1; v < vocab; v++) {
        if (lp[off + v] > topX) {
          top = v;
          topX = lp[off + v];
        }
      }
      if (allowed(topX, top, g, endAllowed)) {
        return top; // also what the scan below returns: no allowed token comes before it or beats
        // it
      }
      int best = -1;
      float bestX = NEG_INF;
      for (int v = 0; v < vocab; v++) {
        float x = lp[off + v];
        if (allowed(x, v, g, endAllowed) && (best < 0 || x > bestX)) {
          best = v;
          bestX = x;
        }
      }
      return best;
    }

    private int sample(float[] lp, int off, Group g, boolean endAllowed) {
      int m = 0;
      Integer[] ids = new Integer[vocab];
      for (int v = 0; v < vocab; v++) {
        if (allowed(lp[off + v], v, g, endAllowed)) {
          ids[m++] = v;
        }
      }
      if (m == 0) {
        return -1;
      }
      Integer[] cand = Arrays.copyOf(ids, m);
      // most likely first, ties by id (a total order: the draw depends only on the values)
      Arrays.sort(
          cand,
          (a, b) -> {
            int c = Float.compare(lp[off + b], lp[off + a]);
            return c != 0 ? c : Integer.compare(a, b);
          });
      int keep = o.topK > 0 ? Math.min(o.topK, m) : m;
      double t = o.temperature;
      double zMax = lp[off + cand[0]] / t;
      double[] p = new double[keep];
      double sum = 0;
      for (int i = 0; i < keep; i++) {
        p[i] = Math.exp(lp[off + cand[i]] / t - zMax);
        sum += p[i];
      }
      if (o.topP < 1.0) {
        double cum = 0;
        int cut = keep;
        for (int i = 0; i < keep; i++) {
          cum += p[i] / sum;
          if (cum >= o.topP) {
            cut = i + 1;
            break;
          }
        }
        keep = cut;
        sum = 0;
        for (int i = 0; i < keep; i++) {
          sum += p[i];
        }
      }
      double u = g.random.nextDouble() * sum;
      for (int i = 0; i < keep; i++) {
        u -= p[i];
        if (u < 0) {
          return cand[i];
        }
      }
      return cand[keep - 1];
    }
  }

  // ------------------------------------------------------------------ top candidates

  /**
   * The best {@code cap} of a stream of (score, beam, token) candidates: a min-heap whose root is
   * the worst kept (lower score, then higher beam rank, then higher token id is worse).
   */
  static final class TopK {
    double[] score;
    int[] beam;
    int[] token;
    int[] heap;
    int size;
    int cap;

    TopK(int initial) {
      grow(Math.max(initial, 1));
    }

    private void grow(int n) {
      score = new double[n];
      beam = new int[n];
      token = new int[n];
      heap = new int[n];
    }

    void reset(int capacity) {
      if (capacity > score.length) {
        grow(capacity);
      }
      cap = capacity;
      size = 0;
    }

    /** The worst kept score once {@code cap} candidates are kept, else -infinity. */
    double threshold() {
      return size < cap ? Double.NEGATIVE_INFINITY : score[heap[0]];
    }

    /** Whether candidate i ranks below candidate j. */
    private boolean worse(int i, int j) {
      if (score[i] != score[j]) {
        return score[i] < score[j];
      }
      if (beam[i] != beam[j]) {
        return beam[i] > beam[j];
      }
      return token[i] > token[j];
    }

    void offer(double s, int b, int t) {
      if (size < cap) {
        int slot = size;
        score[slot] = s;
        beam[slot] = b;
        token[slot] = t;
        heap[size++] = slot;
        siftUp(size - 1);
        return;
      }
      int root = heap[0];
      // candidates come in (beam, token) order, so a tie with the root is never better
      if (s <= score[root]) {
        if (s < score[root] || !(b < beam[root] || (b == beam[root] && t < token[root]))) {
          return;
        }
      }
      score[root] = s;
      beam[root] = b;
      token[root] = t;
      siftDown(0);
    }

    private void siftUp(int i) {
      while (i > 0) {
        int parent = (i - 1) / 2;
        if (worse(heap[i], heap[parent])) {
          int tmp = heap[i];
          heap[i] = heap[parent];
          heap[parent] = tmp;
          i = parent;
        } else {
          break;
        }
      }
    }

    private void siftDown(int i) {
      while (true) {
        int l = 2 * i + 1;
        int r = l + 1;
        int w = i;
        if (l < size && worse(heap[l], heap[w])) {
          w = l;
        }
        if (r < size && worse(heap[r], heap[w])) {
          w = r;
        }
        if (w == i) {
          return;
        }
        int tmp = heap[i];
        heap[i] = heap[w];
        heap[w] = tmp;
        i = w;
      }
    }

    /** The kept slots, best first. */
    int[] sorted() {
      Integer[] s = new Integer[size];
      for (int i = 0; i < size; i++) {
        s[i] = heap[i];
      }
      Arrays.sort(s, (a, b) -> worse(a, b) ? 1 : worse(b, a) ? -1 : 0);
      int[] out = new int[size];
      for (int i = 0; i < size; i++) {
        out[i] = s[i];
      }
      return out;
    }
  }
}
