/*
 * ModelFilesTest: save/load round trips that reproduce outputs bit for bit (with tokenizer and
 * labels), the file's names and metadata, and clear errors for mismatched or corrupt files.
 *   mvn -B -o test -Dtest=ModelFilesTest
 */
package org.jrnn.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.jrnn.Cell;
import org.jrnn.Device;
import org.jrnn.JrnnException;
import org.jrnn.data.CharTokenizer;
import org.jrnn.data.LabelIndex;
import org.jrnn.data.LmBatches;
import org.jrnn.decode.DecodeOptions;
import org.jrnn.io.SafetensorsException;
import org.jrnn.io.SafetensorsFile;
import org.jrnn.io.SafetensorsWriter;
import org.jrnn.nn.Parameter;
import org.jrnn.nn.RecurrentInit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelFilesTest {
  private static final Device CPU = Device.cpu();
  @TempDir Path dir;

  private static final SequenceClassifier.Config CLASSIFIER =
      SequenceClassifier.builder()
          .vocabSize(7)
          .numClasses(3)
          .embeddingSize(3)
          .hiddenSize(4)
          .cell(Cell.GRU)
          .bidirectional(true)
          .layers(2)
          .dropout(0.25f)
          .init(RecurrentInit.ORTHOGONAL)
          .seed(21)
          .config();

  @Test
  void classifierRoundTripIsExactWithTokenizerAndLabels() throws IOException {
    Path file = dir.resolve("clf.safetensors");
    CharTokenizer tok = CharTokenizer.build("abc");
    LabelIndex labels = LabelIndex.of(List.of("neg", "neu", "pos"));
    try (SequenceClassifier model = CLASSIFIER.toBuilder().device(CPU).build()) {
      model.trainStep(SequenceClassifierTest.TINY);
      TinyAdam.step(model, 0.05f, 1); // weights no longer the seeded ones
      ModelFiles.save(file, model, tok, labels);
      try (Stream<Path> files = Files.list(dir)) {
        assertEquals(List.of(file), files.toList(), "no temp file left behind");
      }
      try (ModelFiles.Contents loaded = ModelFiles.load(file, CPU)) {
        SequenceClassifier back = loaded.model(SequenceClassifier.class);
        assertEquals(CLASSIFIER, back.config());
        assertEquals(tok.vocabulary(), loaded.tokenizer().vocabulary());
        assertEquals(labels.labels(), loaded.labels().labels());
        assertNull(loaded.targetTokenizer());
        assertEquals(SequenceClassifier.KIND, loaded.metadata().get(ModelFiles.MODEL_KEY));
        float[][] want = model.predictProbabilities(SequenceClassifierTest.TINY.tokens());
        float[][] got = back.predictProbabilities(SequenceClassifierTest.TINY.tokens());
        for (int i = 0; i < want.length; i++) {
          assertArrayEquals(want[i], got[i], 0f);
        }
        for (int i = 0; i < model.parameters().size(); i++) {
          assertArrayEquals(
              model.parameters().get(i).value().toArray(),
              back.parameters().get(i).value().toArray(),
              0f);
        }
      }
    } finally {
      TinyAdam.forget();
    }
  }

  @Test
  void languageModelRoundTripGeneratesTheSameText() throws IOException {
    Path file = dir.resolve("lm.safetensors");
    LanguageModel.Config c =
        LanguageModel.builder().vocabSize(9).embeddingSize(3).hiddenSize(5).seed(4).config();
    LmBatches windows = new LmBatches(new int[] {4, 5, 6, 7, 8, 4, 5, 1, 2, 3, 8}, 2, 3);
    try (LanguageModel model = c.toBuilder().device(CPU).build()) {
      ModelFiles.save(file, model, null, null);
      try (ModelFiles.Contents loaded = ModelFiles.load(file, CPU)) {
        LanguageModel back = loaded.model(LanguageModel.class);
        assertNull(loaded.tokenizer());
        assertNull(loaded.labels());
        DecodeOptions s = DecodeOptions.builder().temperature(1).topK(3).seed(9).build();
        assertArrayEquals(
            model.generate(new int[] {4, 5}, s.toBuilder().maxLength(12).build()),
            back.generate(new int[] {4, 5}, s.toBuilder().maxLength(12).build()));
        assertEquals(model.evaluate(windows), back.evaluate(windows));
        JrnnException e =
            assertThrows(JrnnException.class, () -> loaded.model(SequenceClassifier.class));
        assertTrue(
            e.getMessage().contains("holds a language-model model, not a SequenceClassifier"));
      }
    }
  }

  @Test
  void tensorsHavePyTorchNamesAndMetadataHasTheConfig() throws IOException {
    Path file = dir.resolve("clf.safetensors");
    try (SequenceClassifier model =
        CLASSIFIER.toBuilder().bidirectional(false).layers(1).device(CPU).build()) {
      ModelFiles.save(file, model, null, LabelIndex.of(List.of("a", "b", "c")));
    }
    try (SafetensorsFile f = SafetensorsFile.open(file)) {
      assertEquals(
          java.util.Set.of(
              "embedding.weight",
              "rnn.weight_ih_l0",
              "rnn.weight_hh_l0",
              "rnn.bias_ih_l0",
              "rnn.bias_hh_l0",
              "linear.weight",
              "linear.bias"),
          f.names());
      assertArrayEquals(new long[] {12, 3}, f.info("rnn.weight_ih_l0").shape());
      Map<String, String> meta = f.metadata();
      assertEquals("pt", meta.get("format"));
      assertTrue(
          meta.get(ModelFiles.CONFIG_KEY).contains("\"hiddenSize\":4"),
          meta.get(ModelFiles.CONFIG_KEY));
      assertEquals("{\"labels\":[\"a\",\"b\",\"c\"]}", meta.get(ModelFiles.LABELS_KEY));
    }
  }

  /** Writes a file like a saved classifier, then lets {@code change} spoil it. */
  private Path spoiled(String name, java.util.function.Consumer<Map<String, Object>> change)
      throws IOException {
    Map<String, Object> parts = new java.util.LinkedHashMap<>();
    try (SequenceClassifier model = CLASSIFIER.toBuilder().device(CPU).build()) {
      for (Parameter p : model.parameters()) {
        parts.put(p.name(), new Object[] {p.value().toArray(), p.value().shape()});
      }
      parts.put("meta:" + ModelFiles.MODEL_KEY, model.kind());
      parts.put("meta:" + ModelFiles.CONFIG_KEY, model.configJson());
    }
    change.accept(parts);
    SafetensorsWriter w = new SafetensorsWriter();
    parts.forEach(
        (k, v) -> {
          if (k.startsWith("meta:")) {
            w.metadata(k.substring(5), (String) v);
          } else {
            Object[] a = (Object[]) v;
            w.putFloats(k, (float[]) a[0], (long[]) a[1]);
          }
        });
    Path file = dir.resolve(name);
    w.write(file);
    return file;
  }

  private void loadFails(Path file, String expected) {
    SafetensorsException e =
        assertThrows(SafetensorsException.class, () -> ModelFiles.load(file, CPU));
    assertTrue(e.getMessage().contains(expected), e.getMessage());
    assertTrue(e.getMessage().contains(file.getFileName().toString()), e.getMessage());
  }

  @Test
  void mismatchedFilesNameTheKey() throws IOException {
    long live = org.jrnn.Tensor.liveAllocations();
    loadFails(
        spoiled("missing.safetensors", p -> p.remove("rnn.bias_hh_l1_reverse")),
        "no tensor named 'rnn.bias_hh_l1_reverse'");
    loadFails(
        spoiled(
            "shape.safetensors",
            p -> p.put("linear.bias", new Object[] {new float[4], new long[] {4}})),
        "tensor 'linear.bias' has shape [4] but the sequence-classifier needs [3]");
    loadFails(
        spoiled(
            "extra.safetensors",
            p -> p.put("head.weight", new Object[] {new float[1], new long[] {1}})),
        "tensor 'head.weight' is not a parameter of the sequence-classifier");
    loadFails(
        spoiled(
            "kind.safetensors",
            p ->
                p.put(
                    "meta:" + ModelFiles.CONFIG_KEY,
                    ((String) p.get("meta:" + ModelFiles.CONFIG_KEY))
                        .replace("\"layers\":2,", ""))),
        "metadata \"jrnn.config\": SequenceClassifier config has no \"layers\"");
    loadFails(
        spoiled("unknown.safetensors", p -> p.put("meta:" + ModelFiles.MODEL_KEY, "transformer")),
        "metadata \"jrnn.model\": unknown model kind \"transformer\"; known: sequence-classifier");
    loadFails(
        spoiled("captioner.safetensors", p -> p.put("meta:" + ModelFiles.MODEL_KEY, "captioner")),
        "metadata \"jrnn.model\": unknown model kind \"captioner\"; known: sequence-classifier");
    loadFails(
        spoiled("plain.safetensors", p -> p.remove("meta:" + ModelFiles.MODEL_KEY)),
        "no metadata \"jrnn.model\": not a jrnn model file");
    loadFails(
        spoiled(
            "tok.safetensors",
            p -> p.put("meta:" + ModelFiles.TOKENIZER_KEY, "{\"type\":\"bpe\"}")),
        "metadata \"jrnn.tokenizer\": unknown tokenizer type 'bpe'");
    assertEquals(live, org.jrnn.Tensor.liveAllocations(), "a failed load frees the model it built");
    Path garbage = dir.resolve("garbage.safetensors");
    Files.write(garbage, new byte[] {1, 2, 3});
    assertThrows(SafetensorsException.class, () -> ModelFiles.load(garbage, CPU));
  }
}
