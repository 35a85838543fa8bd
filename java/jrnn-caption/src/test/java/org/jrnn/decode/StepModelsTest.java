/*
 * StepModelsTest: every generative model (language model, seq2seq, conditioned language model,
 * captioner) decodes through Decoders: beam 1 is greedy, a wider beam finds a hypothesis at least as likely
 * as greedy's, n-best lists are full and sorted, seeded sampling repeats, batching changes nothing.
 */
package org.jrnn.decode;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.jrnn.Cell;
import org.jrnn.Device;
import org.jrnn.caption.Captioner;
import org.jrnn.data.PaddedBatch;
import org.jrnn.models.ConditionedLanguageModel;
import org.jrnn.models.LanguageModel;
import org.jrnn.models.Seq2Seq;
import org.junit.jupiter.api.Test;

class StepModelsTest {
  private static final Device CPU = Device.cpu();
  private static final int K = 4;

  /**
   * Greedy runs one row per input, beam search K: the recurrent step's matrix products may round
   * differently with the number of rows, so the same path can sum to a log-probability a few ulps
   * apart (float steps summed in double).
   */
  private static final double ROUNDING = 1e-5;

  private static final List<int[]> PROMPTS =
      List.of(new int[] {4}, new int[] {4, 5, 6}, new int[] {7, 4});
  private static final List<float[]> FEATURES =
      List.of(
          new float[] {0.5f, -1f, 0.25f},
          new float[] {-0.5f, 0.75f, 1f},
          new float[] {1f, 1f, -1f});

  /** The properties every step model must have, on its inputs. */
  private static <C> void decodesLikeEveryOther(StepModel<C> model, List<C> inputs) {
    DecodeOptions greedy = DecodeOptions.builder().maxLength(8).build();
    List<Decoded> g = Decoders.decode(model, inputs, greedy);
    // beam 1 is greedy
    List<Decoded> beam1 = Decoders.decode(model, inputs, greedy.toBuilder().beamSize(1).build());
    DecodeOptions beamK = greedy.toBuilder().beamSize(K).nBest(K).build();
    List<Decoded> b = Decoders.decode(model, inputs, beamK);
    for (int i = 0; i < inputs.size(); i++) {
      assertEquals(g.get(i), beam1.get(i), "input " + i + ": beam 1 = greedy");
      List<Hypothesis> nbest = b.get(i).nbest();
      assertEquals(K, nbest.size(), "input " + i + ": K hypotheses");
      for (int j = 1; j < K; j++) {
        assertTrue(
            nbest.get(j - 1).score() >= nbest.get(j).score(), "input " + i + ": sorted " + nbest);
      }
      // same penalty (none): the beam's best is at least as likely as greedy's sequence
      assertTrue(
          b.get(i).best().score() >= g.get(i).best().score() - ROUNDING,
          "input " + i + ": beam " + b.get(i).best() + " vs greedy " + g.get(i).best());
      // one input alone decodes as in the batch
      Decoded alone = Decoders.decode(model, List.of(inputs.get(i)), beamK).get(0);
      assertEquals(b.get(i).nbest().size(), alone.nbest().size());
      for (int j = 0; j < K; j++) {
        assertArrayEquals(
            b.get(i).nbest().get(j).tokens(),
            alone.nbest().get(j).tokens(),
            "input " + i + " alone");
      }
    }
    DecodeOptions sample = greedy.toBuilder().temperature(1.5).topK(5).topP(0.95).seed(11).build();
    List<Decoded> s1 = Decoders.decode(model, inputs, sample);
    List<Decoded> s2 = Decoders.decode(model, inputs, sample);
    boolean differs = false;
    for (int i = 0; i < inputs.size(); i++) {
      assertArrayEquals(
          s1.get(i).tokens(),
          s2.get(i).tokens(),
          "input " + i + ": the same seed samples the same");
      for (long seed = 12; seed < 20 && !differs; seed++) {
        differs =
            !java.util.Arrays.equals(
                s1.get(i).tokens(),
                Decoders.decode(
                        model, List.of(inputs.get(i)), sample.toBuilder().seed(seed).build())
                    .get(0)
                    .tokens());
      }
    }
    assertTrue(differs, "other seeds sample otherwise");
  }

  @Test
  void languageModel() {
    try (LanguageModel m =
        LanguageModel.builder()
            .vocabSize(9)
            .embeddingSize(3)
            .hiddenSize(5)
            .seed(4)
            .device(CPU)
            .build()) {
      decodesLikeEveryOther(m, PROMPTS);
      // the convenience method is the decoders' best, with the end token kept when drawn
      DecodeOptions beam = DecodeOptions.builder().maxLength(6).beamSize(3).build();
      for (int[] p : PROMPTS) {
        Hypothesis best = Decoders.decode(m, List.of(p), beam).get(0).best();
        int[] got = m.generate(p, beam);
        assertEquals(best.tokens().length + (best.ended() ? 1 : 0), got.length);
        assertArrayEquals(best.tokens(), java.util.Arrays.copyOf(got, best.tokens().length));
      }
      // the first token follows the whole prompt: the greedy token after [4, 5, 6] is the argmax
      // of a step fed 6 from the state after [4, 5]
      try (StepState st = m.initialState(List.of(new int[] {4, 5}))) {
        float[] lp = m.step(new int[] {6}, st);
        int arg = 0;
        for (int v = 1; v < lp.length; v++) {
          arg = lp[v] > lp[arg] ? v : arg;
        }
        assertEquals(arg, m.generate(new int[] {4, 5, 6}, 1)[0]);
      }
    }
  }

  @Test
  void seq2seq() {
    try (Seq2Seq m =
        Seq2Seq.builder()
            .sourceVocabSize(8)
            .targetVocabSize(9)
            .embeddingSize(3)
            .hiddenSize(5)
            .cell(Cell.GRU)
            .seed(5)
            .device(CPU)
            .build()) {
      decodesLikeEveryOther(m, PROMPTS);
      DecodeOptions beam = DecodeOptions.builder().maxLength(6).beamSize(3).build();
      int[][] got = m.generate(PaddedBatch.of(PROMPTS, new int[] {0, 1, 2}), beam);
      List<Decoded> d = Decoders.decode(m, PROMPTS, beam);
      for (int i = 0; i < 3; i++) {
        assertArrayEquals(d.get(i).tokens(), got[i]);
      }
    }
  }

  @Test
  void conditionedLanguageModel() {
    try (ConditionedLanguageModel m =
        ConditionedLanguageModel.builder()
            .featureSize(3)
            .vocabSize(9)
            .embeddingSize(3)
            .hiddenSize(5)
            .cell(Cell.LSTM)
            .concatFeatures(true)
            .seed(6)
            .device(CPU)
            .build()) {
      decodesLikeEveryOther(m, FEATURES);
      float[] flat = new float[9];
      for (int i = 0; i < 3; i++) {
        System.arraycopy(FEATURES.get(i), 0, flat, 3 * i, 3);
      }
      DecodeOptions beam = DecodeOptions.builder().maxLength(6).beamSize(3).build();
      int[][] got = m.generate(flat, 3, beam);
      List<Decoded> d = Decoders.decode(m, FEATURES, beam);
      for (int i = 0; i < 3; i++) {
        assertArrayEquals(d.get(i).tokens(), got[i]);
      }
    }
  }

  @Test
  void captioner() {
    try (Captioner m =
        Captioner.builder()
            .featureSize(3)
            .vocabSize(9)
            .projectionSize(4)
            .hiddenSize(5)
            .seed(7)
            .device(CPU)
            .build()) {
      decodesLikeEveryOther(m, new ArrayList<>(FEATURES));
    }
  }
}
