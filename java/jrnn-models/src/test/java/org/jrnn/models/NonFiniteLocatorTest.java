/*
 * NonFiniteLocatorTest: the tasks' NonFiniteLocator names the stage (embedding, recurrent layer,
 * logits), time step and sequence of the first NaN after one weight is set to NaN; the trainer's
 * NonFiniteException carries that location.
 *   mvn -B -o test -Dtest=NonFiniteLocatorTest
 */
package org.jrnn.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.jrnn.Cell;
import org.jrnn.Device;
import org.jrnn.Tensor;
import org.jrnn.data.LmBatches;
import org.jrnn.data.PaddedBatch;
import org.jrnn.nn.Parameter;
import org.jrnn.optim.NonFiniteException;
import org.jrnn.optim.Sgd;
import org.jrnn.train.Trainer;
import org.junit.jupiter.api.Test;

class NonFiniteLocatorTest {
  private static final Device CPU = Device.cpu();
  private static final int[] LM_TOKENS = {4, 5, 6, 7, 8, 4, 5, 1, 2, 3, 8, 7, 6, 5, 4, 8, 6, 4, 5};
  private static final LanguageModel.Config LM =
      LanguageModel.builder().vocabSize(9).embeddingSize(3).hiddenSize(4).seed(2).config();

  private static Tensor param(org.jrnn.models.Model model, String name) {
    for (Parameter p : model.parameters()) {
      if (p.name().equals(name)) {
        return p.value();
      }
    }
    throw new AssertionError("no parameter " + name);
  }

  /** Sets embedding row {@code id} to NaN. */
  private static void poisonRow(org.jrnn.models.Model model, int id) {
    param(model, "embedding.weight").set(Float.NaN, id, 0);
  }

  /** "time step t, sequence n" of the first occurrence of {@code id} in time order. */
  private static String firstOccurrence(PaddedBatch b, int id) {
    for (int t = 0; t < b.maxLength(); t++) {
      for (int n = 0; n < b.size(); n++) {
        if (t < b.lengths()[n] && b.id(t, n) == id) {
          return "time step " + t + ", sequence " + n;
        }
      }
    }
    throw new AssertionError("no " + id);
  }

  @Test
  void languageModelStages() {
    LmBatches.Window w = new LmBatches(LM_TOKENS, 2, 4).window(0);
    int[] tm = w.inputsTimeMajor();
    int id = 7;
    int first = -1;
    for (int i = 0; i < tm.length && first < 0; i++) {
      first = tm[i] == id ? i : -1;
    }
    assertTrue(first >= 0, "token 7 is in window 0");
    try (LanguageModel m = LM.toBuilder().device(CPU).build()) {
      LanguageModelTask task = new LanguageModelTask(m);
      assertNull(task.locateNonFinite(w));
      poisonRow(m, id);
      assertEquals(
          "embedding output, time step " + first / 2 + ", sequence " + first % 2,
          task.locateNonFinite(w));
    }
    // the CPU kernels' gate activations are bounded (their exp clamps, which also maps NaN to a
    // finite value), so a recurrent layer only goes non-finite with an unbounded cell: ReLU
    try (LanguageModel m = LM.toBuilder().cell(Cell.RNN_RELU).device(CPU).build()) {
      param(m, "rnn.bias_ih_l1").set(Float.POSITIVE_INFINITY, 2);
      assertEquals(
          "rnn layer 2 (RNN_RELU), time step 0, sequence 0",
          new LanguageModelTask(m).locateNonFinite(w));
    }
    try (LanguageModel m = LM.toBuilder().device(CPU).build()) {
      param(m, "linear.bias").set(Float.NaN, 3);
      assertEquals(
          "linear (logits), time step 0, sequence 0", new LanguageModelTask(m).locateNonFinite(w));
    }
  }

  @Test
  void taggerClassifierAndDecoder() {
    List<int[]> tokens = List.of(new int[] {4, 5, 6}, new int[] {7}, new int[] {5, 4, 6, 6});
    TaggingBatch tagging =
        TaggingBatch.of(
            tokens,
            List.of(new int[] {0, 1, 2}, new int[] {2}, new int[] {1, 1, 0, 0}),
            new int[] {0, 1, 2});
    try (SequenceTagger m =
        SequenceTagger.builder()
            .vocabSize(8)
            .numTags(3)
            .embeddingSize(3)
            .hiddenSize(3)
            .seed(4)
            .device(CPU)
            .build()) {
      TaggerTask task = new TaggerTask(m);
      assertNull(task.locateNonFinite(tagging));
      poisonRow(m, 6);
      assertEquals("embedding output, time step 2, sequence 0", task.locateNonFinite(tagging));
    }
    try (SequenceTagger m =
        SequenceTagger.builder()
            .vocabSize(8)
            .numTags(3)
            .embeddingSize(3)
            .hiddenSize(3)
            .seed(4)
            .cell(Cell.RNN_RELU)
            .device(CPU)
            .build()) {
      param(m, "rnn.bias_ih_l0").set(Float.POSITIVE_INFINITY, 1);
      assertEquals(
          "rnn layer 1 (RNN_RELU), time step 0, sequence 0",
          new TaggerTask(m).locateNonFinite(tagging));
    }
    ClassificationBatch cls =
        new ClassificationBatch(PaddedBatch.of(tokens, new int[] {0, 1, 2}), new int[] {0, 1, 0});
    try (SequenceClassifier m =
        SequenceClassifier.builder()
            .vocabSize(8)
            .numClasses(2)
            .embeddingSize(3)
            .hiddenSize(4)
            .seed(5)
            .device(CPU)
            .build()) {
      ClassifierTask task = new ClassifierTask(m);
      assertNull(task.locateNonFinite(cls));
      poisonRow(m, 7);
      assertEquals("embedding output, time step 0, sequence 1", task.locateNonFinite(cls));
    }
    try (SequenceClassifier m =
        SequenceClassifier.builder()
            .vocabSize(8)
            .numClasses(2)
            .embeddingSize(3)
            .hiddenSize(4)
            .seed(5)
            .device(CPU)
            .build()) {
      param(m, "linear.bias").set(Float.NaN, 1);
      assertEquals("linear (logits), sequence 0", new ClassifierTask(m).locateNonFinite(cls));
    }
    List<float[]> features =
        List.of(new float[] {1, 0, 0.5f}, new float[] {0, 1, -0.5f}, new float[] {0.3f, 0.3f, 1});
    ConditionedBatch dec =
        ConditionedBatch.of(
            features,
            List.of(new int[] {4, 5}, new int[] {6}, new int[] {5, 6, 4}),
            new int[] {0, 1, 2});
    try (ConditionedLanguageModel m =
        ConditionedLanguageModel.builder()
            .featureSize(3)
            .vocabSize(7)
            .embeddingSize(2)
            .hiddenSize(3)
            .device(CPU)
            .build()) {
      ConditionedLanguageModelTask task = new ConditionedLanguageModelTask(m, 6);
      assertNull(task.locateNonFinite(dec));
      poisonRow(m, 6);
      assertEquals(
          "embedding output, " + firstOccurrence(dec.inputs(), 6), task.locateNonFinite(dec));
    }
  }

  @Test
  void theTrainersExceptionNamesTheLocation() {
    try (LanguageModel m = LM.toBuilder().device(CPU).build();
        Trainer tr =
            Trainer.builder().quiet().optimizer(Sgd.builder().lr(0.1)::build).epochs(1).build()) {
      poisonRow(m, 7);
      NonFiniteException e =
          assertThrows(
              NonFiniteException.class,
              () -> tr.fit(new LanguageModelTask(m), new LmWindows(LM_TOKENS, 2, 4), null));
      assertTrue(
          e.getMessage().endsWith("; embedding output, time step 2, sequence 1"), e.getMessage());
    }
  }
}
