/*
 * ModelBuildersTest: the builders of the models. Model files saved by the code before the builders
 * (test resources models/*.safetensors, untrained and seeded) still load, to the same config and
 * the same weights a builder makes today; the builders' defaults are the documented ones; every
 * bad setting is refused with a JrnnException naming it.
 *   mvn -B -o test -Dtest=ModelBuildersTest
 */
package org.jrnn.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.jrnn.Cell;
import org.jrnn.Device;
import org.jrnn.JrnnException;
import org.jrnn.data.Vocabulary;
import org.jrnn.nn.Parameter;
import org.jrnn.nn.RecurrentInit;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

class ModelBuildersTest {
  private static final Device CPU = Device.cpu();

  static Path fixture(String name) {
    try {
      return Path.of(ModelBuildersTest.class.getResource("/models/" + name).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Loads {@code file} and checks config and every weight against {@code built}. */
  static void assertSameModel(Path file, Model built) throws IOException {
    try (built;
        ModelFiles.Contents loaded = ModelFiles.load(file, CPU)) {
      Model back = loaded.model();
      assertEquals(built.configJson(), back.configJson(), file.getFileName().toString());
      List<Parameter> want = built.parameters();
      List<Parameter> got = back.parameters();
      assertEquals(want.size(), got.size());
      for (int i = 0; i < want.size(); i++) {
        assertEquals(want.get(i).name(), got.get(i).name());
        assertArrayEquals(
            want.get(i).value().toArray(),
            got.get(i).value().toArray(),
            file.getFileName() + ": " + want.get(i).name() + " differs from the builder's");
      }
    }
  }

  // ------------------------------------------------------------------ files of the old code

  @Test
  void classifierFileOfTheOldCodeLoadsToTheBuildersModel() throws IOException {
    assertSameModel(
        fixture("classifier.safetensors"),
        SequenceClassifier.builder()
            .vocabSize(9)
            .numClasses(3)
            .embeddingSize(4)
            .cell(Cell.GRU)
            .hiddenSize(5)
            .layers(2)
            .bidirectional(true)
            .dropout(0.25f)
            .labelSmoothing(0.1f)
            .paddingIndex(0)
            .init(RecurrentInit.ORTHOGONAL)
            .seed(21)
            .build());
    assertSameModel(
        fixture("classifier-binary.safetensors"),
        SequenceClassifier.builder()
            .vocabSize(9)
            .numClasses(2)
            .embeddingSize(3)
            .cell(Cell.LSTM)
            .hiddenSize(4)
            .binaryLogistic(true)
            .paddingIndex(-1)
            .init(RecurrentInit.FORGET_BIAS_ONE)
            .seed(5)
            .build());
  }

  @Test
  void languageModelFileOfTheOldCodeLoadsToTheBuildersModel() throws IOException {
    assertSameModel(
        fixture("language-model.safetensors"),
        LanguageModel.builder()
            .vocabSize(9)
            .embeddingSize(4)
            .hiddenSize(6)
            .layers(2)
            .cell(Cell.LSTM)
            .dropout(0.2f)
            .init(RecurrentInit.ORTHOGONAL_FORGET_BIAS_ONE)
            .seed(7)
            .build());
  }

  @Test
  void taggerFileOfTheOldCodeLoadsToTheBuildersModel() throws IOException {
    assertSameModel(
        fixture("tagger.safetensors"),
        SequenceTagger.builder()
            .vocabSize(9)
            .numTags(4)
            .embeddingSize(3)
            .hiddenSize(5)
            .cell(Cell.RNN_TANH)
            .dropout(0.1f)
            .seed(9)
            .build());
  }

  @Test
  void seq2seqFileOfTheOldCodeLoadsToTheBuildersModel() throws IOException {
    assertSameModel(
        fixture("seq2seq.safetensors"),
        Seq2Seq.builder()
            .sourceVocabSize(9)
            .targetVocabSize(10)
            .embeddingSize(3)
            .hiddenSize(4)
            .layers(2)
            .cell(Cell.GRU)
            .seed(11)
            .build());
  }

  @Test
  void conditionedLanguageModelFileOfTheOldCodeLoadsToTheBuildersModel() throws IOException {
    assertSameModel(
        fixture("conditioned-decoder.safetensors"),
        ConditionedLanguageModel.builder()
            .featureSize(6)
            .vocabSize(9)
            .embeddingSize(3)
            .hiddenSize(4)
            .concatFeatures(true)
            .cell(Cell.LSTM)
            .seed(13)
            .build());
  }

  @Test
  void theOldJsonReadsToTheSameConfig() {
    String old =
        "{\"vocabSize\":9,\"numClasses\":3,\"embeddingSize\":4,\"cell\":\"GRU\",\"hiddenSize\":5,"
            + "\"layers\":2,\"bidirectional\":true,\"dropout\":0.25,\"binaryLogistic\":false,"
            + "\"labelSmoothing\":0.1,\"paddingIndex\":0,\"init\":\"orthogonal\",\"seed\":21}";
    SequenceClassifier.Config c = SequenceClassifier.Config.fromJson(old);
    assertEquals(old, c.toJson(), "same keys, same order, same values");
    assertEquals(c, c.toBuilder().config());
    assertNotEquals(c, c.toBuilder().seed(22).config());
    assertEquals(22, c.toBuilder().seed(22).config().seed());
    assertEquals(21, c.seed(), "toBuilder() leaves the config alone");
  }

  // ------------------------------------------------------------------ defaults

  @Test
  void defaultsAreTheDocumentedOnes() {
    SequenceClassifier.Config c = SequenceClassifier.builder().vocabSize(9).numClasses(3).config();
    assertEquals(
        List.of(
            9,
            3,
            64,
            Cell.LSTM,
            128,
            1,
            false,
            0f,
            false,
            0f,
            Vocabulary.PAD_ID,
            RecurrentInit.PYTORCH,
            0L),
        List.of(
            c.vocabSize(),
            c.numClasses(),
            c.embeddingSize(),
            c.cell(),
            c.hiddenSize(),
            c.layers(),
            c.bidirectional(),
            c.dropout(),
            c.binaryLogistic(),
            c.labelSmoothing(),
            c.paddingIndex(),
            c.init(),
            c.seed()));
    LanguageModel.Config l = LanguageModel.builder().vocabSize(9).config();
    assertEquals(
        List.of(9, 64, Cell.LSTM, 256, 2, 0f, RecurrentInit.PYTORCH, 0L),
        List.of(
            l.vocabSize(),
            l.embeddingSize(),
            l.cell(),
            l.hiddenSize(),
            l.layers(),
            l.dropout(),
            l.init(),
            l.seed()));
    SequenceTagger.Config t = SequenceTagger.builder().vocabSize(9).numTags(4).config();
    assertEquals(
        List.of(
            9, 4, 64, Cell.LSTM, 128, 1, true, 0f, Vocabulary.PAD_ID, RecurrentInit.PYTORCH, 0L),
        List.of(
            t.vocabSize(),
            t.numTags(),
            t.embeddingSize(),
            t.cell(),
            t.hiddenSize(),
            t.layers(),
            t.bidirectional(),
            t.dropout(),
            t.paddingIndex(),
            t.init(),
            t.seed()));
    Seq2Seq.Config s = Seq2Seq.builder().sourceVocabSize(9).targetVocabSize(10).config();
    assertEquals(
        List.of(9, 10, 64, Cell.LSTM, 128, 1, Vocabulary.PAD_ID, RecurrentInit.PYTORCH, 0L),
        List.of(
            s.sourceVocabSize(),
            s.targetVocabSize(),
            s.embeddingSize(),
            s.cell(),
            s.hiddenSize(),
            s.layers(),
            s.paddingIndex(),
            s.init(),
            s.seed()));
    ConditionedLanguageModel.Config d =
        ConditionedLanguageModel.builder().featureSize(6).vocabSize(9).config();
    assertEquals(
        List.of(6, 9, 16, Cell.GRU, 128, 1, false, Vocabulary.PAD_ID, RecurrentInit.PYTORCH, 0L),
        List.of(
            d.featureSize(),
            d.vocabSize(),
            d.embeddingSize(),
            d.cell(),
            d.hiddenSize(),
            d.layers(),
            d.concatFeatures(),
            d.paddingIndex(),
            d.init(),
            d.seed()));
  }

  @Test
  void defaultModelsHaveTheParameterCountsOfTheirArchitecture() {
    // classifier: embedding 9x64, LSTM 64->128, linear 3x128
    try (SequenceClassifier m = SequenceClassifier.builder().vocabSize(9).numClasses(3).build()) {
      assertEquals(9 * 64 + 4 * 128 * (64 + 128 + 2) + 3 * 128 + 3, m.parameterCount());
    }
    // language model: embedding 9x64, 2 LSTM layers of 256, linear 9x256
    try (LanguageModel m = LanguageModel.builder().vocabSize(9).build()) {
      assertEquals(
          9 * 64 + 4 * 256 * (64 + 256 + 2) + 4 * 256 * (256 + 256 + 2) + 9 * 256 + 9,
          m.parameterCount());
    }
  }

  // ------------------------------------------------------------------ validation

  private static DynamicTest rejects(String setting, Object value, Supplier<?> call) {
    return DynamicTest.dynamicTest(
        setting + " = " + value,
        () -> {
          JrnnException e = assertThrows(JrnnException.class, call::get);
          assertTrue(
              e.getMessage().contains(setting) && e.getMessage().contains(String.valueOf(value)),
              e.getMessage());
        });
  }

  @TestFactory
  Stream<DynamicTest> everyBadSettingIsNamed() {
    return Stream.of(
        rejects("vocabSize", 0, () -> SequenceClassifier.builder().vocabSize(0)),
        rejects("numClasses", 1, () -> SequenceClassifier.builder().numClasses(1)),
        rejects("embeddingSize", -3, () -> SequenceClassifier.builder().embeddingSize(-3)),
        rejects("cell", "null", () -> SequenceClassifier.builder().cell(null)),
        rejects("hiddenSize", 0, () -> SequenceClassifier.builder().hiddenSize(0)),
        rejects("layers", 0, () -> SequenceClassifier.builder().layers(0)),
        rejects("dropout", 1.0f, () -> SequenceClassifier.builder().dropout(1f)),
        rejects("dropout", Float.NaN, () -> SequenceClassifier.builder().dropout(Float.NaN)),
        rejects("labelSmoothing", -0.1f, () -> SequenceClassifier.builder().labelSmoothing(-0.1f)),
        rejects("paddingIndex", -2, () -> SequenceClassifier.builder().paddingIndex(-2)),
        rejects(
            "paddingIndex",
            9,
            () -> SequenceClassifier.builder().vocabSize(9).numClasses(2).paddingIndex(9).config()),
        rejects(
            "binaryLogistic",
            3,
            () ->
                SequenceClassifier.builder()
                    .vocabSize(9)
                    .numClasses(3)
                    .binaryLogistic(true)
                    .config()),
        rejects("init", "null", () -> SequenceClassifier.builder().init(null)),
        rejects("device", "null", () -> SequenceClassifier.builder().device(null)),
        rejects("numClasses", "required", () -> SequenceClassifier.builder().vocabSize(9).build()),
        rejects("vocabSize", 0, () -> LanguageModel.builder().vocabSize(0)),
        rejects("dropout", 2.0f, () -> LanguageModel.builder().dropout(2f)),
        rejects("vocabSize", "required", () -> LanguageModel.builder().hiddenSize(3).config()),
        rejects("numTags", 1, () -> SequenceTagger.builder().numTags(1)),
        rejects(
            "paddingIndex",
            5,
            () -> SequenceTagger.builder().vocabSize(5).numTags(2).paddingIndex(5).config()),
        rejects("targetVocabSize", 3, () -> Seq2Seq.builder().targetVocabSize(3)),
        rejects("sourceVocabSize", "required", () -> Seq2Seq.builder().targetVocabSize(4).config()),
        rejects(
            "paddingIndex",
            4,
            () -> Seq2Seq.builder().sourceVocabSize(4).targetVocabSize(9).paddingIndex(4).config()),
        rejects("featureSize", 0, () -> ConditionedLanguageModel.builder().featureSize(0)),
        rejects("vocabSize", 2, () -> ConditionedLanguageModel.builder().vocabSize(2)),
        rejects(
            "vocabSize",
            "required",
            () -> ConditionedLanguageModel.builder().featureSize(4).build()));
  }

  @Test
  void aBadValueInAFileIsNamedWithTheConfig() {
    String json =
        "{\"vocabSize\":9,\"embeddingSize\":0,\"cell\":\"LSTM\",\"hiddenSize\":6,\"layers\":2,"
            + "\"dropout\":0.2,\"init\":\"pytorch\",\"seed\":7}";
    JrnnException e = assertThrows(JrnnException.class, () -> LanguageModel.Config.fromJson(json));
    assertEquals("LanguageModel config: embeddingSize must be >= 1 but is 0", e.getMessage());
  }
}
