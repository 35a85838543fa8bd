/*
 * CaptionerTest: gradients against finite differences (projection, concatenated features, GRU and
 * LSTM, two layers), exact parity with models.ConditionedLanguageModel when there is no projection
 * (loss, gradients, greedy captions, its model files), batched beam decoding with real recurrent state
 * equal to decoding one image at a time, a model-file round trip, and learning a tiny task.
 *   mvn -B -o test -Dtest=CaptionerTest
 */
package org.jrnn.caption;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.jrnn.Cell;
import org.jrnn.Device;
import org.jrnn.JrnnException;
import org.jrnn.data.Tokenizer;
import org.jrnn.data.WordTokenizer;
import org.jrnn.decode.DecodeOptions;
import org.jrnn.decode.Decoded;
import org.jrnn.decode.Decoders;
import org.jrnn.decode.LengthPenalty;
import org.jrnn.io.SafetensorsException;
import org.jrnn.models.ConditionedBatch;
import org.jrnn.models.ConditionedLanguageModel;
import org.jrnn.models.ModelFiles;
import org.jrnn.nn.Parameter;
import org.jrnn.optim.Adam;
import org.jrnn.train.Task.StepResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CaptionerTest {
  private static final Device CPU = Device.cpu();
  static final List<float[]> FEATURES =
      List.of(new float[] {1, 0, 0.5f}, new float[] {0, 1, -0.5f}, new float[] {0.3f, 0.3f, 1});
  static final List<int[]> NAMES = List.of(new int[] {4, 5}, new int[] {6}, new int[] {5, 6, 4});
  static final ConditionedBatch BATCH = ConditionedBatch.of(FEATURES, NAMES, new int[] {0, 1, 2});

  private static Captioner.Config small() {
    return Captioner.builder()
        .featureSize(3)
        .imageSize(0)
        .projectionSize(4)
        .vocabSize(7)
        .embeddingSize(2)
        .cell(Cell.GRU)
        .hiddenSize(3)
        .layers(1)
        .concatFeatures(false)
        .seed(5)
        .config();
  }

  /** Central differences of the loss against the accumulated gradients, a spread of entries. */
  static void gradCheck(Captioner model) {
    model.zeroGradients();
    StepResult r = model.trainStep(BATCH);
    double largest = 0;
    int checked = 0;
    double h = 1e-2;
    for (Parameter p : model.parameters()) {
      float[] grad = p.grad().toArray();
      float[] value = p.value().toArray();
      int stride = Math.max(1, value.length / 6);
      for (int i = value.length > 6 ? 1 : 0; i < value.length; i += stride) {
        float saved = value[i];
        value[i] = (float) (saved + h);
        p.value().copyFrom(value);
        double plus = model.loss(BATCH).mean();
        value[i] = (float) (saved - h);
        p.value().copyFrom(value);
        double minus = model.loss(BATCH).mean();
        value[i] = saved;
        p.value().copyFrom(value);
        double numeric = (plus - minus) / (2 * h);
        largest = Math.max(largest, Math.abs(numeric));
        assertTrue(
            Math.abs(numeric - grad[i]) <= 3e-4 + 2e-2 * Math.abs(numeric),
            p.name() + "[" + i + "]: backward " + grad[i] + " vs finite difference " + numeric);
        checked++;
      }
    }
    assertEquals(9, r.count());
    assertTrue(checked > 20 && largest > 1e-2, "checked " + checked + ", largest " + largest);
  }

  @Test
  void gradientsMatchFiniteDifferences() {
    for (Captioner.Config c :
        List.of(
            small(),
            small().toBuilder().concatFeatures(true).layers(2).config(),
            small().toBuilder().cell(Cell.LSTM).concatFeatures(true).config(),
            small().toBuilder().projectionSize(0).concatFeatures(true).config())) {
      try (Captioner m = c.toBuilder().device(CPU).build()) {
        gradCheck(m);
      }
    }
  }

  private static ConditionedLanguageModel.Config conditionedConfig(boolean concat, Cell cell) {
    return ConditionedLanguageModel.builder()
        .featureSize(3)
        .vocabSize(7)
        .embeddingSize(2)
        .hiddenSize(5)
        .layers(2)
        .cell(cell)
        .concatFeatures(concat)
        .seed(9)
        .config();
  }

  @Test
  void withoutProjectionItIsTheConditionedLanguageModel(@TempDir Path dir) throws Exception {
    for (Cell cell : List.of(Cell.GRU, Cell.LSTM)) {
      ConditionedLanguageModel.Config dc = conditionedConfig(true, cell);
      Captioner.Config cc =
          Captioner.builder()
              .featureSize(3)
              .imageSize(0)
              .projectionSize(0)
              .vocabSize(7)
              .embeddingSize(2)
              .cell(cell)
              .hiddenSize(5)
              .layers(2)
              .concatFeatures(true)
              .seed(9)
              .config();
      try (ConditionedLanguageModel ref = dc.toBuilder().device(CPU).build();
          Captioner m = cc.toBuilder().device(CPU).build()) {
        // same seed streams: the same weights
        for (int i = 0; i < ref.parameters().size(); i++) {
          assertEquals(ref.parameters().get(i).name(), m.parameters().get(i).name());
          assertArrayEquals(
              ref.parameters().get(i).value().toArray(), m.parameters().get(i).value().toArray());
        }
        StepResult a = ref.trainStep(BATCH);
        StepResult b = m.trainStep(BATCH);
        assertEquals(a.lossSum(), b.lossSum(), 1e-5);
        for (int i = 0; i < ref.parameters().size(); i++) {
          assertArrayEquals(
              ref.parameters().get(i).grad().toArray(),
              m.parameters().get(i).grad().toArray(),
              1e-6f,
              ref.parameters().get(i).name());
        }
        int[][] greedy = ref.generate(BATCH.features(), 3, 6);
        List<Decoded> ours =
            Decoders.decode(m, FEATURES, DecodeOptions.builder().maxLength(6).build());
        for (int i = 0; i < 3; i++) {
          assertArrayEquals(greedy[i], ours.get(i).tokens());
        }
        // a ConditionedLanguageModel file loads as a captioner
        Path f = dir.resolve("cd-" + cell + ".safetensors");
        Tokenizer tok = WordTokenizer.builder().build(List.of("a b c"));
        ModelFiles.save(f, ref, tok, null);
        try (CaptionModels.Loaded l = CaptionModels.load(f, CPU)) {
          assertEquals(0, l.model().config().projectionSize());
          List<Decoded> back =
              Decoders.decode(l.model(), FEATURES, DecodeOptions.builder().maxLength(6).build());
          for (int i = 0; i < 3; i++) {
            assertArrayEquals(greedy[i], back.get(i).tokens());
          }
        }
      }
    }
  }

  private static List<float[]> randomFeatures(int n, int f, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    List<float[]> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      float[] v = new float[f];
      for (int k = 0; k < f; k++) {
        v[k] = (float) (r.nextDouble() * 4 - 2);
      }
      out.add(v);
    }
    return out;
  }

  @Test
  void batchedDecodingEqualsOneImageAtATime() {
    Captioner.Config c =
        Captioner.builder()
            .featureSize(6)
            .imageSize(0)
            .projectionSize(8)
            .vocabSize(12)
            .embeddingSize(4)
            .cell(Cell.LSTM)
            .hiddenSize(8)
            .layers(2)
            .concatFeatures(true)
            .seed(3)
            .config();
    List<float[]> feats = randomFeatures(9, 6, 4);
    try (Captioner m = c.toBuilder().device(CPU).build()) {
      for (DecodeOptions o :
          List.of(
              DecodeOptions.builder().maxLength(7).build(),
              DecodeOptions.builder()
                  .beamSize(4)
                  .nBest(3)
                  .maxLength(7)
                  .lengthPenalty(LengthPenalty.gnmt(0.7))
                  .build(),
              DecodeOptions.builder()
                  .beamSize(3)
                  .maxLength(5)
                  .maxActive(2)
                  .noRepeatNgram(2)
                  .build(),
              DecodeOptions.builder()
                  .temperature(1.5)
                  .topK(5)
                  .seed(3)
                  .maxLength(6)
                  .maxActive(4)
                  .build())) {
        List<Decoded> batch = Decoders.decode(m, feats, o);
        // one image at a time (the same input indices, so the same sampling streams)
        List<Decoded> single = Decoders.decode(m, feats, o.toBuilder().maxActive(1).build());
        for (int i = 0; i < feats.size(); i++) {
          Decoded alone = single.get(i);
          assertEquals(alone.nbest().size(), batch.get(i).nbest().size(), o.toString());
          for (int k = 0; k < alone.nbest().size(); k++) {
            assertArrayEquals(
                alone.nbest().get(k).tokens(), batch.get(i).nbest().get(k).tokens(), o + " " + i);
            assertEquals(
                alone.nbest().get(k).score(),
                batch.get(i).nbest().get(k).score(),
                1e-4,
                o + " " + i);
          }
        }
      }
    }
  }

  @Test
  void beamSearchOnNativeRowTopsEqualsTheFullScan() {
    // Without n-gram blocking the beams see only each row's best 2K+1 log-probabilities, picked
    // natively (Ops.logSoftmaxTop); a block of n = maxLength + 1 never matches but takes the full
    // scan of every row on the host. Same hypotheses, same scores to the bit.
    Captioner.Config c =
        Captioner.builder()
            .featureSize(6)
            .imageSize(0)
            .projectionSize(8)
            .vocabSize(40)
            .embeddingSize(8)
            .cell(Cell.GRU)
            .hiddenSize(16)
            .layers(1)
            .concatFeatures(true)
            .seed(5)
            .config();
    List<float[]> feats = randomFeatures(12, 6, 8);
    try (Captioner m = c.toBuilder().device(CPU).build()) {
      // suppress the token greedy picks first for the first image: it is in the rows' top lists
      int likely =
          Decoders.decode(
                  m, feats.subList(0, 1), DecodeOptions.builder().maxLength(6).minLength(2).build())
              .get(0)
              .best()
              .tokens()[0];
      for (int beam : new int[] {1, 3, 5}) {
        DecodeOptions o =
            DecodeOptions.builder()
                .beamSize(beam)
                .nBest(beam)
                .maxLength(6)
                .minLength(2)
                .suppress(likely)
                .lengthPenalty(LengthPenalty.gnmt(0.6))
                .build();
        List<Decoded> tops = Decoders.decode(m, feats, o);
        List<Decoded> full = Decoders.decode(m, feats, o.toBuilder().noRepeatNgram(7).build());
        for (int i = 0; i < feats.size(); i++) {
          assertEquals(full.get(i).nbest(), tops.get(i).nbest(), "beam " + beam + ", image " + i);
        }
      }
    }
  }

  @Test
  void roundTripsThroughAModelFile(@TempDir Path dir) throws Exception {
    Captioner.Config c =
        Captioner.builder()
            .featureSize(12)
            .imageSize(2)
            .projectionSize(5)
            .vocabSize(9)
            .embeddingSize(3)
            .cell(Cell.GRU)
            .hiddenSize(6)
            .layers(1)
            .concatFeatures(true)
            .seed(11)
            .config();
    Tokenizer tok = WordTokenizer.builder().build(List.of("red apple", "green apple", "dog face"));
    Path f = dir.resolve("m.safetensors");
    List<float[]> feats = randomFeatures(4, 12, 1);
    try (Captioner m = c.toBuilder().device(CPU).build()) {
      CaptionModels.save(f, m, tok);
      try (CaptionModels.Loaded l = CaptionModels.load(f, CPU)) {
        assertEquals(c, l.model().config());
        assertEquals(tok.toJson(), l.tokenizer().toJson());
        DecodeOptions o = DecodeOptions.beam(3);
        List<Decoded> a = Decoders.decode(m, feats, o);
        List<Decoded> b = Decoders.decode(l.model(), feats, o);
        for (int i = 0; i < 4; i++) {
          assertEquals(a.get(i).nbest(), b.get(i).nbest());
        }
      }
    }
    assertEquals(c, Captioner.Config.fromJson(c.toJson()));
    // a config written by the gson-based toJson() of earlier versions (captioner model files hold
    // it)
    String gsonWritten =
        "{\"featureSize\":48,\"imageSize\":0,\"projectionSize\":16,\"vocabSize\":30,"
            + "\"embeddingSize\":8,\"cell\":\"GRU\",\"hiddenSize\":12,\"layers\":1,\"concatFeatures\":true,"
            + "\"seed\":-7,\"pixels\":\"rgb+std\"}";
    Captioner.Config old = Captioner.Config.fromJson(gsonWritten);
    assertEquals(48, old.featureSize());
    assertEquals(-7L, old.seed());
    assertEquals(ImagePixels.Mode.RGB_AND_STANDARDIZED, old.pixels());
    assertEquals(gsonWritten, old.toJson());
    assertThrows(
        JrnnException.class,
        () ->
            Captioner.builder()
                .featureSize(10)
                .imageSize(2)
                .projectionSize(5)
                .vocabSize(9)
                .embeddingSize(3)
                .cell(Cell.GRU)
                .hiddenSize(6)
                .layers(1)
                .concatFeatures(true)
                .seed(1)
                .config());
    // a missing file is an I/O failure (IOException), not bad content (SafetensorsException)
    assertThrows(
        java.io.IOException.class, () -> CaptionModels.load(dir.resolve("none.safetensors"), CPU));
    Path notAModel =
        java.nio.file.Files.write(dir.resolve("garbage.safetensors"), new byte[] {1, 2, 3});
    assertThrows(SafetensorsException.class, () -> CaptionModels.load(notAModel, CPU));
  }

  @Test
  void learnsATinyCaptioningTask() {
    List<float[]> features = new ArrayList<>();
    List<int[]> names = new ArrayList<>();
    for (int i = 0; i < 48; i++) {
      features.add(FEATURES.get(i % 3));
      names.add(NAMES.get(i % 3));
    }
    Captioner.Config c =
        Captioner.builder()
            .featureSize(3)
            .imageSize(0)
            .projectionSize(8)
            .vocabSize(7)
            .embeddingSize(4)
            .cell(Cell.GRU)
            .hiddenSize(16)
            .layers(1)
            .concatFeatures(false)
            .seed(2)
            .config();
    CaptionBatches source = CaptionBatches.ofFeatures(features, names, 8);
    try (Captioner m = c.toBuilder().device(CPU).build();
        Adam adam = Adam.builder().lr(0.02).build(m.parameters())) {
      for (int epoch = 0; epoch < 12; epoch++) {
        for (ConditionedBatch b : source.epoch(epoch, 3)) {
          m.zeroGradients();
          m.trainStep(b);
          adam.step();
        }
      }
      Tokenizer tok = WordTokenizer.builder().build(List.of("a b c"));
      Map<String, Double> r = new CaptionTask(m, tok, 6).evaluate(List.of(BATCH));
      assertEquals(1.0, r.get("exact_match"), r.toString());
      assertTrue(r.get("loss") < 0.2, r.toString());
    }
  }
}
