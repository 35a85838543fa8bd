/*
 * DecodersTest: greedy, sampling and beam search on hand-built step models with known
 * probabilities (paths, scores and rankings computed by hand), constraints, ties, compaction and
 * joining, and beam search against a brute-force search over all sequences.
 *   mvn -B -o test -Dtest=DecodersTest
 */
package org.jrnn.decode;

import static org.jrnn.decode.TableModel.A;
import static org.jrnn.decode.TableModel.B;
import static org.jrnn.decode.TableModel.C;
import static org.jrnn.decode.TableModel.EOS;
import static org.jrnn.decode.TableModel.dist;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.jrnn.JrnnException;
import org.junit.jupiter.api.Test;

class DecodersTest {
  private static final double EPS = 1e-6;

  private static double lp(double p) {
    return (float) Math.log(p); // the models hand out float log-probabilities
  }

  private static Map<List<Integer>, Map<Integer, Double>> rules() {
    return new HashMap<>();
  }

  /** Greedy takes A (0.6) then C (0.4); the best sequence is B <eos> (0.4 * 0.9 = 0.36 > 0.24). */
  private static TableModel trap() {
    Map<List<Integer>, Map<Integer, Double>> r = rules();
    r.put(List.of(), dist(A, 0.6, B, 0.4));
    r.put(List.of(A), dist(C, 0.4, EOS, 0.35, A, 0.25));
    r.put(List.of(B), dist(EOS, 0.9, A, 0.1));
    return TableModel.of(8, r);
  }

  private static Decoded one(StepModel<Integer> m, DecodeOptions o) {
    return Decoders.decode(m, List.of(0), o).get(0);
  }

  @Test
  void greedyFollowsTheMostLikelyToken() {
    Decoded d = one(trap(), DecodeOptions.greedy());
    assertArrayEquals(new int[] {A, C}, d.tokens());
    Hypothesis h = d.best();
    assertTrue(h.ended());
    assertEquals(lp(0.6) + lp(0.4) + lp(1.0), h.logProb(), EPS);
    assertEquals(h.logProb(), h.score(), 0);
    assertEquals(1, d.nbest().size());
  }

  @Test
  void greedyNeverChoosesNaN() {
    // NaN where the most likely token would be, and NaN first in a row: the best finite one wins
    StepModel<Integer> nan =
        new StepModel<>() {
          private final TableModel inner = trap();

          @Override
          public int vocabSize() {
            return inner.vocabSize();
          }

          @Override
          public StepState initialState(List<Integer> inputs) {
            return inner.initialState(inputs);
          }

          @Override
          public float[] step(int[] tokens, StepState state) {
            float[] lp = inner.step(tokens, state);
            int v = inner.vocabSize();
            for (int r = 0; r < tokens.length; r++) {
              if (tokens[r] == B) {
                lp[r * v] = Float.NaN; // after B: NaN first in the row (<eos>, 0.9, still wins)
              } else {
                lp[r * v + A] = Float.NaN; // the first step: A (0.6) is NaN, so B (0.4) wins
              }
            }
            return lp;
          }
        };
    assertArrayEquals(new int[] {B}, one(nan, DecodeOptions.greedy()).tokens());
  }

  @Test
  void suppressedTokensAreNeverChosen() {
    DecodeOptions o = DecodeOptions.builder().suppress(A).build();
    assertArrayEquals(new int[] {B}, one(trap(), o).tokens());
    assertArrayEquals(new int[] {B}, one(trap(), o.toBuilder().beamSize(3).build()).tokens());
    assertArrayEquals(new int[] {B}, one(trap(), o.toBuilder().temperature(1).build()).tokens());
  }

  @Test
  void beamSearchFindsTheSequenceGreedyMisses() {
    Decoded d = one(trap(), DecodeOptions.builder().beamSize(2).nBest(2).build());
    assertArrayEquals(new int[] {B}, d.nbest().get(0).tokens());
    assertEquals(lp(0.4) + lp(0.9), d.nbest().get(0).score(), EPS);
    // step 2 ranks B<eos> .36, AC .24, A<eos> .21 (rank 2: not kept), AA .15; step 3 ends AC and AA
    assertArrayEquals(new int[] {A, C}, d.nbest().get(1).tokens());
    assertEquals(lp(0.6) + lp(0.4) + lp(1.0), d.nbest().get(1).score(), EPS);
    // beam 1 is greedy
    assertArrayEquals(new int[] {A, C}, one(trap(), DecodeOptions.beam(1)).tokens());
  }

  @Test
  void earlyStoppingCanMissWhatExactStoppingFinds() {
    // beam 2. Step 1: A .6 (live), <eos> .3 (rank 1: finished []), B .1 (live). Step 2: AC .54
    // (live), B<eos> .1 (rank 1: finished), A<eos> .06 (rank 2: dropped). Early stopping has 2
    // finished and returns [] (.3); exact stopping sees AC (.54 > .3) still live: one more step
    // gives AC<eos> .54, which greedy finds too.
    Map<List<Integer>, Map<Integer, Double>> r = rules();
    r.put(List.of(), dist(A, 0.6, EOS, 0.3, B, 0.1));
    r.put(List.of(A), dist(C, 0.9, EOS, 0.1));
    TableModel m = TableModel.of(8, r);
    DecodeOptions exact = DecodeOptions.beam(2);
    assertFalse(exact.earlyStopping());
    assertArrayEquals(new int[] {A, C}, one(m, exact).tokens());
    assertArrayEquals(new int[] {A, C}, one(m, DecodeOptions.greedy()).tokens());
    Decoded early = one(m, exact.toBuilder().earlyStopping(true).nBest(2).build());
    assertArrayEquals(new int[] {}, early.tokens());
    assertEquals(lp(0.3), early.best().score(), EPS);
    assertArrayEquals(new int[] {B}, early.nbest().get(1).tokens());
  }

  /** [] .40 (length 1 with <eos>), [A] .6 x .6 = .36 (length 2), [A B] .6 x .4 = .24 (length 3). */
  private static TableModel lengths() {
    Map<List<Integer>, Map<Integer, Double>> r = rules();
    r.put(List.of(), dist(EOS, 0.4, A, 0.6));
    r.put(List.of(A), dist(EOS, 0.6, B, 0.4));
    r.put(List.of(A, B), dist(EOS, 1.0));
    return TableModel.of(8, r);
  }

  private static List<Hypothesis> ranked(LengthPenalty p) {
    DecodeOptions o =
        DecodeOptions.builder().beamSize(3).nBest(3).earlyStopping(false).lengthPenalty(p).build();
    return one(lengths(), o).nbest();
  }

  @Test
  void lengthPenaltiesChangeTheRankingAsComputedByHand() {
    double empty = lp(0.4);
    double a = lp(0.6) + lp(0.6);
    double ab = lp(0.6) + lp(0.4) + lp(1.0);
    // none: -0.916 > -1.022 > -1.427
    List<Hypothesis> none = ranked(LengthPenalty.NONE);
    assertArrayEquals(new int[] {}, none.get(0).tokens());
    assertArrayEquals(new int[] {A}, none.get(1).tokens());
    assertArrayEquals(new int[] {A, B}, none.get(2).tokens());
    assertEquals(empty, none.get(0).score(), EPS);
    // average: ab/3 = -0.476 > a/2 = -0.511 > empty/1 = -0.916
    List<Hypothesis> avg = ranked(LengthPenalty.AVERAGE);
    assertArrayEquals(new int[] {A, B}, avg.get(0).tokens());
    assertEquals(ab / 3, avg.get(0).score(), EPS);
    assertArrayEquals(new int[] {A}, avg.get(1).tokens());
    assertEquals(a / 2, avg.get(1).score(), EPS);
    assertArrayEquals(new int[] {}, avg.get(2).tokens());
    // GNMT alpha 1: a/(7/6) = -0.876 > empty/1 = -0.916 > ab/(8/6) = -1.070
    List<Hypothesis> gnmt = ranked(LengthPenalty.gnmt(1.0));
    assertArrayEquals(new int[] {A}, gnmt.get(0).tokens());
    assertEquals(a / (7.0 / 6.0), gnmt.get(0).score(), EPS);
    assertArrayEquals(new int[] {}, gnmt.get(1).tokens());
    assertArrayEquals(new int[] {A, B}, gnmt.get(2).tokens());
    assertEquals(ab / (8.0 / 6.0), gnmt.get(2).score(), EPS);
    // GNMT alpha 0 is no penalty
    assertArrayEquals(new int[] {}, ranked(LengthPenalty.gnmt(0)).get(0).tokens());
    // the raw log-probability is kept beside the score
    assertEquals(ab, avg.get(0).logProb(), EPS);
  }

  @Test
  void lengthPenaltyFormulas() {
    assertEquals(1.0, LengthPenalty.NONE.divisor(7));
    assertEquals(7.0, LengthPenalty.AVERAGE.divisor(7));
    assertEquals(Math.pow(12.0 / 6.0, 0.6), LengthPenalty.gnmt(0.6).divisor(7), 1e-12);
    assertEquals(LengthPenalty.gnmt(0.6), LengthPenalty.parse("gnmt:0.6"));
    assertEquals(LengthPenalty.AVERAGE, LengthPenalty.parse("average"));
    assertThrows(JrnnException.class, () -> LengthPenalty.parse("short"));
  }

  /** After A: B .6; after B: A .7; so greedy repeats A B A B ... */
  private static TableModel repeats() {
    return new TableModel(
        8,
        (input, seq) -> {
          double[] p = new double[8];
          int last = seq.length == 0 ? -1 : seq[seq.length - 1];
          if (last == -1) {
            p[A] = 0.9;
            p[EOS] = 0.1;
          } else if (last == A) {
            p[B] = 0.6;
            p[C] = 0.3;
            p[EOS] = 0.1;
          } else if (last == B) {
            p[A] = 0.7;
            p[EOS] = 0.3;
          } else {
            p[EOS] = 1;
          }
          return p;
        });
  }

  @Test
  void ngramBlockingForbidsRepeats() {
    DecodeOptions free = DecodeOptions.builder().maxLength(6).build();
    Decoded d = one(repeats(), free);
    assertArrayEquals(new int[] {A, B, A, B, A, B}, d.tokens());
    assertFalse(d.best().ended()); // cut at maxLength
    // bigram (A, B) may not come back: after A B A the next B is forbidden, C (.3) is taken
    Decoded blocked = one(repeats(), free.toBuilder().noRepeatNgram(2).build());
    assertArrayEquals(new int[] {A, B, A, C}, blocked.tokens());
    assertEquals(lp(0.9) + lp(0.6) + lp(0.7) + lp(0.3) + lp(1.0), blocked.best().logProb(), EPS);
    // unigrams: after A B no A again: <eos> (.3)
    assertArrayEquals(
        new int[] {A, B}, one(repeats(), free.toBuilder().noRepeatNgram(1).build()).tokens());
    // beam search obeys the same rule
    Decoded beam = one(repeats(), free.toBuilder().beamSize(3).noRepeatNgram(2).build());
    for (Hypothesis h : beam.nbest()) {
      assertNoRepeatedBigram(h.tokens());
    }
  }

  private static void assertNoRepeatedBigram(int[] t) {
    Set<List<Integer>> seen = new HashSet<>();
    for (int i = 0; i + 1 < t.length; i++) {
      assertTrue(seen.add(List.of(t[i], t[i + 1])), "bigram repeated in " + Arrays.toString(t));
    }
  }

  @Test
  void minLengthForbidsTheEndTokenEarly() {
    Map<List<Integer>, Map<Integer, Double>> r = rules();
    r.put(List.of(), dist(EOS, 0.9, A, 0.1));
    r.put(List.of(A), dist(EOS, 0.8, A, 0.2));
    r.put(List.of(A, A), dist(EOS, 0.7, B, 0.3));
    TableModel m = TableModel.of(8, r);
    assertArrayEquals(new int[] {}, one(m, DecodeOptions.greedy()).tokens());
    Decoded d = one(m, DecodeOptions.builder().minLength(2).build());
    assertArrayEquals(new int[] {A, A}, d.tokens());
    // the score uses the model's probabilities, not renormalised ones
    assertEquals(lp(0.1) + lp(0.2) + lp(0.7), d.best().logProb(), EPS);
    Decoded beam = one(m, DecodeOptions.builder().beamSize(2).nBest(2).minLength(2).build());
    for (Hypothesis h : beam.nbest()) {
      assertTrue(h.tokens().length >= 2);
    }
    assertArrayEquals(new int[] {A, A}, beam.tokens());
  }

  @Test
  void endTokenPerInput() {
    Map<List<Integer>, Map<Integer, Double>> r = rules();
    r.put(List.of(), dist(C, 0.6, A, 0.4));
    r.put(List.of(C), dist(EOS, 0.9, A, 0.1));
    TableModel m = TableModel.of(8, r);
    for (DecodeOptions o : List.of(DecodeOptions.greedy(), DecodeOptions.beam(3))) {
      List<Decoded> d = Decoders.decode(m, List.of(0, 1), new int[] {EOS, C}, o);
      assertArrayEquals(new int[] {C}, d.get(0).tokens(), o.toString());
      assertArrayEquals(new int[] {}, d.get(1).tokens(), o.toString()); // C ends input 1 at once
      assertEquals(lp(0.6), d.get(1).best().logProb(), EPS);
      assertTrue(d.get(1).best().ended());
    }
    assertThrows(
        RuntimeException.class,
        () -> Decoders.decode(m, List.of(0, 1), new int[] {EOS}, DecodeOptions.greedy()));
  }

  @Test
  void tiesAreBrokenByTokenIdAndBeamRank() {
    Map<List<Integer>, Map<Integer, Double>> r = rules();
    r.put(List.of(), dist(B, 0.5, A, 0.5));
    r.put(List.of(A), dist(C, 0.5, B, 0.5));
    r.put(List.of(B), dist(C, 0.5, A, 0.5));
    TableModel m = TableModel.of(8, r);
    assertArrayEquals(new int[] {A, B}, one(m, DecodeOptions.greedy()).tokens());
    DecodeOptions beam = DecodeOptions.builder().beamSize(4).nBest(4).build();
    Decoded d = one(m, beam);
    // all four sequences score .25; order: beam rank (A before B), then token id
    List<int[]> got = new ArrayList<>();
    d.nbest().forEach(h -> got.add(h.tokens()));
    assertArrayEquals(new int[] {A, B}, got.get(0));
    assertArrayEquals(new int[] {A, C}, got.get(1));
    assertArrayEquals(new int[] {B, A}, got.get(2));
    assertArrayEquals(new int[] {B, C}, got.get(3));
    for (int i = 0; i < 3; i++) {
      assertEquals(d.nbest(), one(m, beam).nbest());
    }
    // with 2 beams, the beams after step 2 are AB, AC (beam A ranks first)
    assertArrayEquals(
        new int[] {A, B}, one(m, DecodeOptions.builder().beamSize(2).build()).tokens());
  }

  /** The random stream of one (seed, input, sequence): the same one every time it is asked for. */
  private static SplittableRandom stream(long seed, int input, int[] seq) {
    long h = seed * 31 + input;
    for (int t : seq) {
      h = h * 1_000_003 + t + 1;
    }
    return new SplittableRandom(h);
  }

  /** A fixed random next-token distribution for every (input, sequence). */
  private static TableModel random(int vocab, long seed) {
    return new TableModel(
        vocab,
        (input, seq) -> {
          SplittableRandom r = stream(seed, input, seq);
          double[] p = new double[vocab];
          double sum = 0;
          for (int v = 0; v < vocab; v++) {
            p[v] = Math.pow(r.nextDouble(), 3) + 1e-3;
            sum += p[v];
          }
          for (int v = 0; v < vocab; v++) {
            p[v] /= sum;
          }
          return p;
        });
  }

  @Test
  void samplingIsReproducibleAndIndependentOfTheBatch() {
    TableModel m = random(8, 7);
    List<Integer> inputs = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      inputs.add(i);
    }
    DecodeOptions o = DecodeOptions.builder().temperature(1.0).seed(42).maxLength(6).build();
    List<Decoded> a = Decoders.decode(m, inputs, o);
    List<Decoded> b = Decoders.decode(m, inputs, o.toBuilder().maxActive(4).build());
    List<Decoded> c = Decoders.decode(m, inputs, o.toBuilder().seed(43).build());
    boolean differs = false;
    for (int i = 0; i < inputs.size(); i++) {
      assertEquals(a.get(i).nbest(), b.get(i).nbest());
      differs |= !a.get(i).nbest().equals(c.get(i).nbest());
    }
    assertTrue(differs, "another seed gives other samples");
    // top-k 1 and a tiny temperature are greedy
    List<Decoded> g = Decoders.decode(m, inputs, DecodeOptions.builder().maxLength(6).build());
    List<Decoded> k1 = Decoders.decode(m, inputs, o.toBuilder().topK(1).build());
    for (int i = 0; i < inputs.size(); i++) {
      assertArrayEquals(g.get(i).tokens(), k1.get(i).tokens());
    }
  }

  @Test
  void topKAndTopPRestrictTheSupport() {
    // first token: A .5, B .3, C .15, <eos> .05
    Map<List<Integer>, Map<Integer, Double>> r = rules();
    r.put(List.of(), dist(A, 0.5, B, 0.3, C, 0.15, EOS, 0.05));
    TableModel m = TableModel.of(8, r);
    List<Integer> inputs = Collections.nCopies(400, 0);
    DecodeOptions o = DecodeOptions.builder().temperature(1.0).seed(1).build();
    assertEquals(Set.of(A, B, C, -1), firstTokens(m, inputs, o));
    assertEquals(Set.of(A, B), firstTokens(m, inputs, o.toBuilder().topK(2).build()));
    assertEquals(
        Set.of(A, B), firstTokens(m, inputs, o.toBuilder().topP(0.79).build())); // .5 + .3 >= .79
    assertEquals(Set.of(A, B, C), firstTokens(m, inputs, o.toBuilder().topP(0.81).build()));
    assertEquals(Set.of(A), firstTokens(m, inputs, o.toBuilder().topP(0.45).build()));
    assertEquals(Set.of(A), firstTokens(m, inputs, o.toBuilder().topK(3).topP(0.4).build()));
    // a high temperature flattens, a low one sharpens: count how often A comes first
    int hot = count(m, inputs, o.toBuilder().temperature(5).build(), A);
    int cold = count(m, inputs, o.toBuilder().temperature(0.2).build(), A);
    assertTrue(hot < 150 && cold > 350, hot + " " + cold);
  }

  private static Set<Integer> firstTokens(TableModel m, List<Integer> inputs, DecodeOptions o) {
    Set<Integer> s = new HashSet<>();
    for (Decoded d : Decoders.decode(m, inputs, o)) {
      int[] t = d.tokens();
      s.add(t.length == 0 ? -1 : t[0]);
    }
    return s;
  }

  private static int count(TableModel m, List<Integer> inputs, DecodeOptions o, int token) {
    int n = 0;
    for (Decoded d : Decoders.decode(m, inputs, o)) {
      int[] t = d.tokens();
      n += t.length > 0 && t[0] == token ? 1 : 0;
    }
    return n;
  }

  @Test
  void finishedRowsAreCompactedAndWaitingInputsJoin() {
    // input 0 ends at once; input 1 runs 3 tokens then ends; input 2 (joining later) 1 token
    TableModel m =
        new TableModel(
            8,
            (input, seq) -> {
              double[] p = new double[8];
              int want = input == 0 ? 0 : input == 1 ? 3 : 1;
              p[seq.length < want ? A : EOS] = 1;
              return p;
            });
    List<Decoded> d = Decoders.decode(m, List.of(0, 1), DecodeOptions.greedy());
    assertEquals(List.of(2, 1, 1, 1), m.rowsPerStep);
    assertEquals(0, d.get(0).tokens().length);
    assertEquals(3, d.get(1).tokens().length);
    m.rowsPerStep.clear();
    List<Decoded> j =
        Decoders.decode(m, List.of(0, 1, 2), DecodeOptions.builder().maxActive(2).build());
    // step 1: inputs 0, 1; input 0 ends, input 2 joins: steps 2-3 have 2 rows; then input 1 alone
    assertEquals(List.of(2, 2, 2, 1), m.rowsPerStep);
    assertEquals(1, j.get(2).tokens().length);
    assertEquals(3, j.get(1).tokens().length);
    // beam: 3 beams per input, the finished input's rows vanish
    m.rowsPerStep.clear();
    TableModel wide =
        new TableModel(
            8,
            (input, seq) -> {
              double[] p = new double[8];
              int want = input == 0 ? 1 : 3;
              if (seq.length < want) {
                p[A] = 0.5;
                p[B] = 0.3;
                p[C] = 0.2;
              } else {
                p[EOS] = 1;
              }
              return p;
            });
    Decoders.decode(wide, List.of(0, 1), DecodeOptions.beam(3));
    assertEquals(List.of(2, 6, 3, 3), wide.rowsPerStep);
  }

  // ------------------------------------------------------------------ brute force

  private record Scored(int[] tokens, double score) {}

  /** Every sequence the decoder could produce: ending with <eos>, or cut at maxLength. */
  private static void enumerate(
      TableModel m,
      int input,
      int[] seq,
      double logProb,
      int maxLength,
      LengthPenalty p,
      List<Scored> out) {
    int v = m.vocabSize();
    TableModel.Rows rows = (TableModel.Rows) m.initialState(List.of(input));
    float[] lp = m.step(new int[] {2}, rows);
    for (int t : seq) {
      lp = m.step(new int[] {t}, rows);
    }
    for (int t = 0; t < v; t++) {
      double s = logProb + lp[t];
      if (t == EOS) {
        out.add(new Scored(seq, p.score(s, seq.length + 1)));
      } else {
        int[] next = Arrays.copyOf(seq, seq.length + 1);
        next[seq.length] = t;
        if (next.length == maxLength) {
          out.add(new Scored(next, p.score(s, next.length)));
        } else {
          enumerate(m, input, next, s, maxLength, p, out);
        }
      }
    }
  }

  @Test
  void wideBeamAgreesWithBruteForce() {
    int vocab = 5;
    int maxLength = 3;
    for (LengthPenalty p :
        List.of(LengthPenalty.NONE, LengthPenalty.AVERAGE, LengthPenalty.gnmt(0.8))) {
      for (int input = 0; input < 4; input++) {
        TableModel m = random(vocab, 11);
        List<Scored> all = new ArrayList<>();
        enumerate(m, input, new int[0], 0, maxLength, p, all);
        all.sort((a, b) -> Double.compare(b.score, a.score));
        DecodeOptions o =
            DecodeOptions.builder()
                .beamSize(200)
                .nBest(5)
                .maxLength(maxLength)
                .lengthPenalty(p)
                .earlyStopping(false)
                .build();
        Decoded d = Decoders.decode(m, List.of(input), o).get(0);
        for (int k = 0; k < 5; k++) {
          assertEquals(all.get(k).score, d.nbest().get(k).score(), 1e-9, p + " rank " + k);
          assertArrayEquals(all.get(k).tokens, d.nbest().get(k).tokens(), p + " rank " + k);
        }
        // exact stopping needs no more than the wide beam: a beam of 25 (all 2-token prefixes)
        // agrees
        Decoded narrow =
            Decoders.decode(m, List.of(input), o.toBuilder().beamSize(25).build()).get(0);
        assertEquals(all.get(0).score, narrow.best().score(), 1e-9);
      }
    }
  }

  /** Like random(), with probabilities in quarters of a few levels: many exact ties. */
  private static TableModel tied(int vocab, long seed) {
    return new TableModel(
        vocab,
        (input, seq) -> {
          SplittableRandom r = stream(seed, input, seq);
          double[] p = new double[vocab];
          double sum = 0;
          for (int v = 0; v < vocab; v++) {
            p[v] = r.nextInt(5) == 0 ? 0 : 1 + r.nextInt(3); // zeros: -inf log-probabilities
            sum += p[v];
          }
          for (int v = 0; v < vocab; v++) {
            p[v] = sum == 0 ? (v == EOS ? 1 : 0) : p[v] / sum;
          }
          return p;
        });
  }

  @Test
  void rowTopsGiveTheSameBeamsAsTheFullScan() {
    // Beam search without n-gram blocking takes each row's best 2K+1 entries (StepModel.stepTop);
    // with a block of n = maxLength + 1 (which can never match) it scans every token as before.
    for (long seed = 1; seed <= 6; seed++) {
      TableModel m = tied(9, seed);
      List<Integer> inputs = List.of(0, 1, 2, 3, 4, 5);
      for (int k = 1; k <= 5; k++) {
        for (int minLength : new int[] {0, 2}) {
          DecodeOptions o =
              DecodeOptions.builder()
                  .beamSize(k)
                  .nBest(k)
                  .maxLength(6)
                  .minLength(minLength)
                  .suppress(A)
                  .lengthPenalty(LengthPenalty.gnmt(0.6))
                  .build();
          List<Decoded> tops = Decoders.decode(m, inputs, o);
          List<Decoded> full = Decoders.decode(m, inputs, o.toBuilder().noRepeatNgram(7).build());
          for (int i : inputs) {
            assertEquals(
                full.get(i).nbest(),
                tops.get(i).nbest(),
                "seed " + seed + ", beam " + k + ", min length " + minLength + ", input " + i);
          }
        }
      }
    }
  }

  @Test
  void aStepOfTheWrongSizeIsAClearError() {
    TableModel good = trap();
    StepModel<Integer> bad =
        new StepModel<>() {
          @Override
          public int vocabSize() {
            return 8;
          }

          @Override
          public StepState initialState(List<Integer> inputs) {
            return good.initialState(inputs);
          }

          @Override
          public float[] step(int[] tokens, StepState state) {
            return new float[3];
          }
        };
    for (DecodeOptions o :
        List.of(
            DecodeOptions.greedy(),
            DecodeOptions.builder().beamSize(3).build(),
            DecodeOptions.builder().beamSize(3).noRepeatNgram(2).build())) {
      org.jrnn.JrnnException e =
          assertThrows(org.jrnn.JrnnException.class, () -> Decoders.decode(bad, List.of(0), o));
      assertEquals("step returned 3 values for 1 rows of V = 8", e.getMessage(), o.toString());
    }
  }

  @Test
  void batchedBeamEqualsOneInputAtATime() {
    TableModel m = random(9, 3);
    List<Integer> inputs = List.of(0, 1, 2, 3, 4, 5, 6);
    DecodeOptions o =
        DecodeOptions.builder()
            .beamSize(4)
            .nBest(3)
            .maxLength(5)
            .lengthPenalty(LengthPenalty.gnmt(0.6))
            .noRepeatNgram(2)
            .minLength(1)
            .build();
    List<Decoded> all = Decoders.decode(m, inputs, o);
    List<Decoded> joined = Decoders.decode(m, inputs, o.toBuilder().maxActive(3).build());
    for (int i : inputs) {
      Decoded alone = Decoders.decode(m, List.of(i), o).get(0);
      assertEquals(alone.nbest(), all.get(i).nbest());
      assertEquals(alone.nbest(), joined.get(i).nbest());
      assertEquals(i, all.get(i).input());
    }
  }

  @Test
  void optionsAreChecked() {
    assertThrows(JrnnException.class, () -> DecodeOptions.builder().beamSize(2).nBest(3).build());
    assertThrows(
        JrnnException.class, () -> DecodeOptions.builder().beamSize(2).temperature(1).build());
    assertThrows(JrnnException.class, () -> DecodeOptions.builder().topP(0).build());
    assertThrows(
        JrnnException.class, () -> DecodeOptions.builder().maxLength(2).minLength(3).build());
    assertEquals(
        DecodeOptions.Strategy.SAMPLE, DecodeOptions.builder().temperature(0.5).build().strategy());
    assertNotEquals(DecodeOptions.greedy().strategy(), DecodeOptions.beam(2).strategy());
  }
}
