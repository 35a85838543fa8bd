/*
 * SequenceClassifierTest: full-model gradients against finite differences (LSTM/CE and
 * bidirectional 2-layer GRU/BCE), seeded reproducibility, predictions, a short training run
 * that must learn a synthetic task, and the batch source.
 *   mvn -B -o test -Dtest=SequenceClassifierTest
 */
package org.jrnn.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.jrnn.Cell;
import org.jrnn.Device;
import org.jrnn.JrnnException;
import org.jrnn.Tensor;
import org.jrnn.data.PaddedBatch;
import org.jrnn.nn.Parameter;
import org.jrnn.nn.RecurrentInit;
import org.jrnn.train.Task.StepResult;
import org.junit.jupiter.api.Test;

class SequenceClassifierTest {
  private static final Device CPU = Device.cpu();

  static ClassificationBatch batch(int[][] seqs, int[] labels) {
    List<int[]> list = List.of(seqs);
    int[] idx = new int[seqs.length];
    for (int i = 0; i < idx.length; i++) {
      idx[i] = i;
    }
    return new ClassificationBatch(PaddedBatch.of(list, idx), labels);
  }

  static final ClassificationBatch TINY =
      batch(new int[][] {{4, 5, 6, 1}, {6}, {5, 4, 2}}, new int[] {2, 0, 1});

  static void gradientsMatchFiniteDifferences(
      SequenceClassifier.Config config, ClassificationBatch b) {
    long live = Tensor.liveAllocations();
    try (SequenceClassifier model = config.toBuilder().device(CPU).build()) {
      model.zeroGradients();
      StepResult r = model.trainStep(b);
      assertEquals(b.size(), r.count());
      double mean = model.evaluate(List.of(b)).get("loss");
      assertEquals(mean, r.mean(), 1e-6, "train and eval losses agree without dropout/smoothing");
      GradCheck.check(model, () -> model.evaluate(List.of(b)).get("loss"), 6, 1e-2, 3e-4, 2e-2);
    }
    assertEquals(live, Tensor.liveAllocations(), "the model leaked native memory");
  }

  @Test
  void lstmSoftmaxGradientsMatchFiniteDifferences() {
    gradientsMatchFiniteDifferences(
        SequenceClassifier.builder()
            .vocabSize(7)
            .numClasses(3)
            .embeddingSize(3)
            .hiddenSize(4)
            .seed(5)
            .config(),
        TINY);
  }

  @Test
  void bidirectionalTwoLayerGruBceGradientsMatchFiniteDifferences() {
    gradientsMatchFiniteDifferences(
        SequenceClassifier.builder()
            .vocabSize(7)
            .numClasses(2)
            .embeddingSize(3)
            .hiddenSize(3)
            .cell(Cell.GRU)
            .layers(2)
            .bidirectional(true)
            .binaryLogistic(true)
            .paddingIndex(-1)
            .seed(9)
            .config(),
        batch(new int[][] {{4, 5, 6, 1}, {6}, {5, 4, 2}}, new int[] {1, 0, 1}));
  }

  @Test
  void paddingRowStaysZeroAndGetsNoGradient() {
    try (SequenceClassifier model =
        SequenceClassifier.builder()
            .vocabSize(7)
            .numClasses(3)
            .embeddingSize(3)
            .hiddenSize(4)
            .device(CPU)
            .build()) {
      Parameter emb = model.parameters().get(0);
      assertEquals("embedding.weight", emb.name());
      assertArrayEquals(
          new float[3], java.util.Arrays.copyOfRange(emb.value().toArray(), 0, 3), 0f);
      model.trainStep(batch(new int[][] {{0, 4, 0}, {5}}, new int[] {1, 2}));
      float[] g = emb.grad().toArray();
      assertArrayEquals(new float[3], java.util.Arrays.copyOfRange(g, 0, 3), 0f);
      assertNotEquals(0f, g[4 * 3], "token 4 got a gradient");
    }
  }

  @Test
  void namesAndShapesFollowPyTorch() {
    try (SequenceClassifier model =
        SequenceClassifier.builder().vocabSize(10).numClasses(2).device(CPU).build()) {
      List<String> names = model.parameters().stream().map(Parameter::name).toList();
      assertEquals(
          List.of(
              "embedding.weight",
              "rnn.weight_ih_l0",
              "rnn.weight_hh_l0",
              "rnn.bias_ih_l0",
              "rnn.bias_hh_l0",
              "linear.weight",
              "linear.bias"),
          names);
      assertArrayEquals(new long[] {512, 64}, model.parameters().get(1).value().shape());
      assertArrayEquals(new long[] {2, 128}, model.parameters().get(5).value().shape());
      assertEquals(10 * 64 + 512 * 64 + 512 * 128 + 2 * 512 + 2 * 128 + 2, model.parameterCount());
    }
  }

  @Test
  void seededConstructionAndTrainingAreReproducibleBitForBit() {
    SequenceClassifier.Config c =
        SequenceClassifier.builder()
            .vocabSize(7)
            .numClasses(3)
            .embeddingSize(3)
            .hiddenSize(4)
            .dropout(0.3f)
            .seed(11)
            .config();
    float[][] first = trainTwoSteps(c);
    float[][] second = trainTwoSteps(c);
    for (int i = 0; i < first.length; i++) {
      assertArrayEquals(first[i], second[i], 0f);
    }
    float[][] other = trainTwoSteps(c.toBuilder().seed(12).config());
    assertNotEquals(first[1][0], other[1][0], "another seed, other weights");
  }

  private static float[][] trainTwoSteps(SequenceClassifier.Config c) {
    try (SequenceClassifier model = c.toBuilder().device(CPU).build()) {
      for (int i = 0; i < 2; i++) {
        model.zeroGradients();
        model.trainStep(TINY);
        TinyAdam.step(model, 0.01f, i + 1);
      }
      List<Parameter> ps = model.parameters();
      float[][] out = new float[ps.size()][];
      for (int i = 0; i < out.length; i++) {
        out[i] = ps.get(i).value().toArray();
      }
      return out;
    } finally {
      TinyAdam.forget();
    }
  }

  @Test
  void dropoutChangesTrainingButNotPrediction() {
    SequenceClassifier.Config c =
        SequenceClassifier.builder()
            .vocabSize(7)
            .numClasses(3)
            .embeddingSize(3)
            .hiddenSize(4)
            .dropout(0.5f)
            .config();
    try (SequenceClassifier model = c.toBuilder().device(CPU).build()) {
      double a = model.trainStep(TINY).lossSum();
      double b = model.trainStep(TINY).lossSum();
      assertNotEquals(a, b, "two training steps draw two masks");
      float[][] p1 = model.predictProbabilities(TINY.tokens());
      float[][] p2 = model.predictProbabilities(TINY.tokens());
      for (int i = 0; i < p1.length; i++) {
        assertArrayEquals(p1[i], p2[i], 0f);
        float sum = 0;
        for (float v : p1[i]) {
          sum += v;
        }
        assertEquals(1f, sum, 1e-5f);
      }
    }
  }

  @Test
  void learnsWhetherASequenceContainsAToken() {
    // label 1 when token 4 occurs; sequences of 2..8 tokens from 4..9
    SplittableRandom rng = new SplittableRandom(3);
    List<int[]> seqs = new ArrayList<>();
    int[] labels = new int[256];
    for (int i = 0; i < labels.length; i++) {
      int[] s = new int[2 + rng.nextInt(7)];
      for (int t = 0; t < s.length; t++) {
        s[t] = 5 + rng.nextInt(5);
      }
      if (i % 2 == 0) {
        s[rng.nextInt(s.length)] = 4;
      }
      labels[i] = i % 2 == 0 ? 1 : 0;
      seqs.add(s);
    }
    SequenceClassifier.Config c =
        SequenceClassifier.builder()
            .vocabSize(10)
            .numClasses(2)
            .embeddingSize(8)
            .hiddenSize(16)
            .init(RecurrentInit.ORTHOGONAL_FORGET_BIAS_ONE)
            .seed(1)
            .config();
    ClassificationBatches source = new ClassificationBatches(seqs, labels, 32, 2);
    try (SequenceClassifier model = c.toBuilder().device(CPU).build()) {
      ClassifierTask task = new ClassifierTask(model);
      List<ClassificationBatch> all = ClassificationBatches.inOrder(seqs, labels, 64);
      double before = task.evaluate(all).get("loss");
      int step = 0;
      for (int epoch = 0; epoch < 12; epoch++) {
        for (ClassificationBatch b : source.epoch(epoch, 7)) {
          model.zeroGradients();
          task.trainStep(b);
          TinyAdam.step(model, 0.02f, ++step);
        }
      }
      var after = task.evaluate(all);
      assertTrue(after.get("loss") < 0.25 * before, "loss " + before + " -> " + after.get("loss"));
      assertTrue(after.get("accuracy") > 0.95, "accuracy " + after.get("accuracy"));
    } finally {
      TinyAdam.forget();
    }
  }

  @Test
  void badInputsAreNamed() {
    try (SequenceClassifier model =
        SequenceClassifier.builder()
            .vocabSize(7)
            .numClasses(3)
            .embeddingSize(3)
            .hiddenSize(4)
            .device(CPU)
            .build()) {
      JrnnException e =
          assertThrows(
              JrnnException.class, () -> model.trainStep(batch(new int[][] {{1}}, new int[] {3})));
      assertTrue(e.getMessage().contains("labels[0] = 3 is outside 0..2"), e.getMessage());
      e =
          assertThrows(
              JrnnException.class, () -> model.trainStep(batch(new int[][] {{9}}, new int[] {0})));
      assertTrue(
          e.getMessage()
              .contains("tokens: sequence 0, step 0 holds id 9, outside the vocabulary 0..6"),
          e.getMessage());
    }
    try (SequenceClassifier model =
        SequenceClassifier.builder().vocabSize(7).numClasses(3).device(CPU).build()) {
      JrnnException e =
          assertThrows(
              JrnnException.class,
              () ->
                  model.predict(
                      PaddedBatch.of(List.of(new int[] {4}, new int[0]), new int[] {0, 1})));
      assertTrue(e.getMessage().contains("sequence 1 of the batch has no tokens"), e.getMessage());
    }
    JrnnException e =
        assertThrows(
            JrnnException.class,
            () ->
                SequenceClassifier.builder()
                    .vocabSize(7)
                    .numClasses(3)
                    .binaryLogistic(true)
                    .config());
    assertTrue(e.getMessage().contains("binaryLogistic needs numClasses = 2"), e.getMessage());
    JrnnException empty =
        assertThrows(
            JrnnException.class,
            () ->
                new ClassificationBatches(
                    List.of(new int[] {1}, new int[0]), new int[] {0, 1}, 2, 0));
    assertTrue(empty.getMessage().contains("sequence 1 has no tokens"), empty.getMessage());
  }

  @Test
  void configJsonRoundTripsAndNamesBadKeys() {
    SequenceClassifier.Config c =
        SequenceClassifier.builder()
            .vocabSize(7)
            .numClasses(2)
            .cell(Cell.GRU)
            .dropout(0.1f)
            .init(RecurrentInit.ORTHOGONAL)
            .seed(-3)
            .config();
    assertEquals(c, SequenceClassifier.Config.fromJson(c.toJson()));
    JrnnException e =
        assertThrows(
            JrnnException.class,
            () ->
                SequenceClassifier.Config.fromJson(c.toJson().replace("\"hiddenSize\":128,", "")));
    assertTrue(e.getMessage().contains("has no \"hiddenSize\""), e.getMessage());
    e =
        assertThrows(
            JrnnException.class,
            () -> SequenceClassifier.Config.fromJson(c.toJson().replace("\"GRU\"", "\"XYZ\"")));
    assertTrue(e.getMessage().contains("\"cell\" must be one of"), e.getMessage());
  }

  @Test
  void batchSourceMatchesTheDataPipeline() {
    List<int[]> seqs = List.of(new int[] {1}, new int[] {1, 2}, new int[] {1, 2, 3}, new int[] {4});
    ClassificationBatches source = new ClassificationBatches(seqs, new int[] {0, 1, 0, 1}, 3, 0);
    assertEquals(2, source.batchesPerEpoch());
    List<ClassificationBatch> a = (List<ClassificationBatch>) source.epoch(1, 5);
    List<int[]> idx = org.jrnn.data.Batches.builder(4, 3).seed(5).build().epoch(1);
    assertEquals(idx.size(), a.size());
    for (int i = 0; i < idx.size(); i++) {
      assertEquals(idx.get(i).length, a.get(i).size());
      for (int k = 0; k < idx.get(i).length; k++) {
        assertEquals(idx.get(i)[k] % 2, a.get(i).labels()[k]);
        assertEquals(seqs.get(idx.get(i)[k]).length, a.get(i).tokens().lengths()[k]);
      }
    }
  }
}
