/*
 * ConditionedLanguageModelTest: full-model gradients against finite differences (GRU with 2 layers
 * and features at every step; LSTM), the teacher-forcing layout, a training run to exact match on a
 * tiny feature -> sequence task, generation, and a model-file round trip.
 *   mvn -B -o test -Dtest=ConditionedLanguageModelTest
 */
package org.jrnn.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jrnn.Cell;
import org.jrnn.Device;
import org.jrnn.JrnnException;
import org.jrnn.decode.DecodeOptions;
import org.jrnn.train.Task.StepResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConditionedLanguageModelTest {
  private static final Device CPU = Device.cpu();
  private static final List<float[]> FEATURES =
      List.of(new float[] {1, 0, 0.5f}, new float[] {0, 1, -0.5f}, new float[] {0.3f, 0.3f, 1});
  private static final List<int[]> NAMES =
      List.of(new int[] {4, 5}, new int[] {6}, new int[] {5, 6, 4});
  private static final ConditionedBatch BATCH =
      ConditionedBatch.of(FEATURES, NAMES, new int[] {0, 1, 2});

  @Test
  void teacherForcingLayout() {
    assertArrayEquals(new int[] {3, 2, 4}, BATCH.inputs().lengths());
    // inputs: <bos> name; targets: name <eos>; time-major [T=4, N=3]
    assertArrayEquals(new int[] {2, 2, 2, 4, 6, 5, 5, 0, 6, 0, 0, 4}, BATCH.inputs().ids());
    assertArrayEquals(new int[] {4, 6, 5, 5, 3, 6, 3, -1, 4, -1, -1, 3}, BATCH.targets());
  }

  static void gradientsMatch(ConditionedLanguageModel.Config c) {
    try (ConditionedLanguageModel model = c.toBuilder().device(CPU).build()) {
      StepResult r = model.trainStep(BATCH);
      assertEquals(9, r.count());
      assertEquals(model.evaluate(List.of(BATCH), 4).get("loss"), r.mean(), 1e-6);
      GradCheck.check(
          model, () -> model.evaluate(List.of(BATCH), 1).get("loss"), 6, 1e-2, 3e-4, 2e-2);
    }
  }

  @Test
  void twoLayerGruWithFeaturesAtEveryStepGradientsMatch() {
    gradientsMatch(
        ConditionedLanguageModel.builder()
            .featureSize(3)
            .vocabSize(7)
            .embeddingSize(2)
            .hiddenSize(3)
            .layers(2)
            .concatFeatures(true)
            .seed(8)
            .config());
  }

  @Test
  void lstmGradientsMatch() {
    gradientsMatch(
        ConditionedLanguageModel.builder()
            .featureSize(3)
            .vocabSize(7)
            .embeddingSize(2)
            .hiddenSize(3)
            .cell(Cell.LSTM)
            .seed(1)
            .config());
  }

  @Test
  void learnsToSpellEachFeatureVectorsSequence() {
    List<float[]> features = new ArrayList<>();
    List<int[]> names = new ArrayList<>();
    for (int i = 0; i < 48; i++) {
      features.add(FEATURES.get(i % 3));
      names.add(NAMES.get(i % 3));
    }
    ConditionedLanguageModel.Config c =
        ConditionedLanguageModel.builder()
            .featureSize(3)
            .vocabSize(7)
            .embeddingSize(4)
            .hiddenSize(16)
            .config();
    ConditionedBatches source = new ConditionedBatches(features, names, 8);
    List<ConditionedBatch> test = List.of(BATCH);
    try (ConditionedLanguageModel model = c.toBuilder().device(CPU).build()) {
      ConditionedLanguageModelTask task = new ConditionedLanguageModelTask(model, 6);
      var before = task.evaluate(test);
      int step = 0;
      for (int epoch = 0; epoch < 10; epoch++) {
        for (ConditionedBatch b : source.epoch(epoch, 3)) {
          model.zeroGradients();
          task.trainStep(b);
          TinyAdam.step(model, 0.02f, ++step);
        }
      }
      var after = task.evaluate(test);
      assertEquals(1.0, after.get("exact_match"), "after " + after + ", before " + before);
      assertTrue(after.get("loss") < 0.1 * before.get("loss"), before + " -> " + after);
      int[][] greedy = model.generate(BATCH.features(), 3, 6);
      for (int i = 0; i < 3; i++) {
        assertArrayEquals(NAMES.get(i), greedy[i]);
      }
      DecodeOptions hot = DecodeOptions.builder().temperature(3).topK(0).seed(5).build();
      int[][] a = model.generate(BATCH.features(), 3, hot.toBuilder().maxLength(2).build());
      int[][] b = model.generate(BATCH.features(), 3, hot.toBuilder().maxLength(2).build());
      for (int i = 0; i < 3; i++) {
        assertArrayEquals(a[i], b[i], "the same seed samples the same");
        assertTrue(a[i].length <= 2, "maxLength bounds the output");
      }
    } finally {
      TinyAdam.forget();
    }
  }

  @Test
  void roundTripsThroughAModelFile(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("conditioned.safetensors");
    ConditionedLanguageModel.Config c =
        ConditionedLanguageModel.builder()
            .featureSize(3)
            .vocabSize(7)
            .embeddingSize(2)
            .hiddenSize(5)
            .cell(Cell.LSTM)
            .concatFeatures(true)
            .seed(3)
            .config();
    try (ConditionedLanguageModel model = c.toBuilder().device(CPU).build()) {
      ModelFiles.save(file, model, null, null);
      try (ModelFiles.Contents loaded = ModelFiles.load(file, CPU)) {
        ConditionedLanguageModel back = loaded.model(ConditionedLanguageModel.class);
        assertEquals(c, back.config());
        assertEquals(model.evaluate(List.of(BATCH), 5), back.evaluate(List.of(BATCH), 5));
        DecodeOptions s = DecodeOptions.builder().temperature(1).topK(0).seed(1).build();
        int[][] a = model.generate(BATCH.features(), 3, s.toBuilder().maxLength(5).build());
        int[][] b = back.generate(BATCH.features(), 3, s.toBuilder().maxLength(5).build());
        for (int i = 0; i < 3; i++) {
          assertArrayEquals(a[i], b[i]);
        }
      }
    }
  }

  @Test
  void badInputsAreNamed() {
    try (ConditionedLanguageModel model =
        ConditionedLanguageModel.builder().featureSize(4).vocabSize(7).device(CPU).build()) {
      JrnnException e = assertThrows(JrnnException.class, () -> model.trainStep(BATCH));
      assertTrue(
          e.getMessage().contains("features have 3 values per example but the model takes 4"),
          e.getMessage());
      e = assertThrows(JrnnException.class, () -> model.generate(new float[5], 1, 3));
      assertTrue(
          e.getMessage().contains("features must hold N = 1 rows of 4 values but has 5"),
          e.getMessage());
    }
    assertThrows(
        JrnnException.class,
        () -> ConditionedLanguageModel.builder().featureSize(3).vocabSize(3).config());
  }
}
