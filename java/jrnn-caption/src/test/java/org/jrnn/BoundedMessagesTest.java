/*
 * BoundedMessagesTest: every message that repeats a piece of the input stays short and names no
 * Java class, whatever the input: each case below feeds one parser or loader 100,000 characters
 * (a name, a value, a whole JSON document, a file name) and checks the exception's message.
 *   mvn -B test -Dtest=BoundedMessagesTest
 */
package org.jrnn;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.jrnn.caption.Augment;
import org.jrnn.caption.CaptionData;
import org.jrnn.caption.CaptionModels;
import org.jrnn.caption.Captioner;
import org.jrnn.caption.FeatureFiles;
import org.jrnn.caption.ImagePixels;
import org.jrnn.data.BundledData;
import org.jrnn.data.CharTokenizer;
import org.jrnn.data.DataFormatException;
import org.jrnn.data.LabelIndex;
import org.jrnn.data.LabelledTextReader;
import org.jrnn.data.Tokenizer;
import org.jrnn.data.Vocabulary;
import org.jrnn.data.WordTokenizer;
import org.jrnn.decode.LengthPenalty;
import org.jrnn.io.SafetensorsWriter;
import org.jrnn.models.LanguageModel;
import org.jrnn.models.ModelFiles;
import org.jrnn.nn.Parameter;
import org.jrnn.nn.RecurrentInit;
import org.jrnn.optim.Adam;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

class BoundedMessagesTest {
  @TempDir static Path dir;

  static final String HUGE = "x".repeat(100_000);

  /** A package or an exception class name as a message would show it. */
  static final Pattern CLASS_NAME =
      Pattern.compile(
          "\\b(java|javax|jdk|sun|com\\.google|org\\.jrnn)\\.|[A-Za-z]+(Exception|Error)\\b");

  /**
   * {@code call} throws a JrnnException or IOException whose message is short and names no class.
   */
  static DynamicTest bounded(String name, Executable call) {
    return DynamicTest.dynamicTest(
        name,
        () -> {
          Throwable e = assertThrows(Throwable.class, call, name);
          assertTrue(e instanceof JrnnException || e instanceof IOException, name + ": threw " + e);
          String m = e.getMessage();
          assertTrue(m.length() < 1000, name + ": message of " + m.length() + " characters");
          assertFalse(CLASS_NAME.matcher(m).find(), name + ": names a class: " + m);
        });
  }

  static Path file(String name, String content) throws IOException {
    return Files.writeString(dir.resolve(name), content, StandardCharsets.UTF_8);
  }

  /** A safetensors file with one small tensor and {@code metadata}. */
  static Path safetensors(String name, Map<String, String> metadata) throws IOException {
    Path p = dir.resolve(name);
    new SafetensorsWriter().metadata(metadata).putFloats("t", new float[] {1}, 1).write(p);
    return p;
  }

  /** An NPY version 2 file whose header is {@code header}. */
  static Path npy(String name, String header) throws IOException {
    byte[] h = header.getBytes(StandardCharsets.ISO_8859_1);
    ByteBuffer b = ByteBuffer.allocate(12 + h.length + 8).order(ByteOrder.LITTLE_ENDIAN);
    b.put((byte) 0x93)
        .put("NUMPY".getBytes(StandardCharsets.ISO_8859_1))
        .put((byte) 2)
        .put((byte) 0);
    b.putInt(h.length).put(h);
    Path p = dir.resolve(name);
    Files.write(p, b.array());
    return p;
  }

  @TestFactory
  Stream<DynamicTest> modelFiles() throws IOException {
    Map<String, String> manyKeys = new LinkedHashMap<>();
    for (int i = 0; i < 10_000; i++) {
      manyKeys.put("key" + i + "_" + "k".repeat(20), "v");
    }
    Path noKind = safetensors("many-keys.safetensors", manyKeys);
    Path hugeKind =
        safetensors(
            "kind.safetensors", Map.of(ModelFiles.MODEL_KEY, HUGE, ModelFiles.CONFIG_KEY, "{}"));
    Path unknownConfigKey =
        safetensors(
            "config-key.safetensors",
            Map.of(
                ModelFiles.MODEL_KEY,
                LanguageModel.KIND,
                ModelFiles.CONFIG_KEY,
                "{\"" + HUGE + "\": 1}"));
    Path configNotJson =
        safetensors(
            "config-json.safetensors",
            Map.of(ModelFiles.MODEL_KEY, LanguageModel.KIND, ModelFiles.CONFIG_KEY, "[" + HUGE));
    Path tokenizerVersion =
        safetensors(
            "tokenizer.safetensors",
            Map.of(
                ModelFiles.MODEL_KEY,
                LanguageModel.KIND,
                ModelFiles.CONFIG_KEY,
                "{}",
                ModelFiles.TOKENIZER_KEY,
                "{\"type\":\"char\",\"version\":\"" + HUGE + "\"}"));
    Path labelsNotArray =
        safetensors(
            "labels.safetensors",
            Map.of(
                ModelFiles.MODEL_KEY,
                LanguageModel.KIND,
                ModelFiles.CONFIG_KEY,
                "{}",
                ModelFiles.LABELS_KEY,
                "{\"labels\": \"" + HUGE + "\"}"));
    Path conditionedNotJson =
        safetensors(
            "conditioned.safetensors",
            Map.of(ModelFiles.MODEL_KEY, "conditioned-decoder", ModelFiles.CONFIG_KEY, "{" + HUGE));
    Path conditionedBadValue =
        safetensors(
            "conditioned-value.safetensors",
            Map.of(
                ModelFiles.MODEL_KEY,
                "conditioned-decoder",
                ModelFiles.CONFIG_KEY,
                "{\"featureSize\": \"" + HUGE + "\"}"));
    Path captionerKind =
        safetensors(
            "captioner-kind.safetensors",
            Map.of(ModelFiles.MODEL_KEY, HUGE, ModelFiles.CONFIG_KEY, "{}"));
    Device cpu = Device.cpu();
    return Stream.of(
        bounded(
            "model file without a kind, 10,000 metadata keys", () -> ModelFiles.load(noKind, cpu)),
        bounded("model file of a huge kind", () -> ModelFiles.load(hugeKind, cpu)),
        bounded("model config with a huge key", () -> ModelFiles.load(unknownConfigKey, cpu)),
        bounded("model config not JSON", () -> ModelFiles.load(configNotJson, cpu)),
        bounded(
            "model tokenizer with a huge version", () -> ModelFiles.load(tokenizerVersion, cpu)),
        bounded("model labels not an array", () -> ModelFiles.load(labelsNotArray, cpu)),
        bounded(
            "conditioned-decoder config not JSON",
            () -> CaptionModels.load(conditionedNotJson, cpu)),
        bounded(
            "conditioned-decoder config value", () -> CaptionModels.load(conditionedBadValue, cpu)),
        bounded("captioner file of a huge kind", () -> CaptionModels.load(captionerKind, cpu)),
        bounded(
            "language model config with a huge key",
            () -> LanguageModel.Config.fromJson("{\"" + HUGE + "\":1}")),
        bounded("language model config not JSON", () -> LanguageModel.Config.fromJson("{" + HUGE)));
  }

  @TestFactory
  Stream<DynamicTest> captionerConfigs() {
    return Stream.of(
        bounded(
            "captioner config, unterminated object", () -> Captioner.Config.fromJson("{" + HUGE)),
        bounded(
            "captioner config, a huge string", () -> Captioner.Config.fromJson("\"" + HUGE + "\"")),
        bounded(
            "captioner config, a huge array value",
            () -> Captioner.Config.fromJson("{\"cell\": [" + "1,".repeat(50_000) + "1]}")),
        bounded(
            "captioner config, a huge cell",
            () -> Captioner.Config.fromJson("{\"cell\": \"" + HUGE + "\"}")),
        bounded("pixel mode", () -> ImagePixels.Mode.parse(HUGE)),
        bounded("pixel mode null", () -> ImagePixels.Mode.parse(null)),
        bounded("image with a huge file name", () -> ImagePixels.read(dir.resolve(HUGE))),
        bounded("augmentation", () -> Augment.parse(HUGE)),
        bounded("augmentation value", () -> Augment.parse("shift=" + HUGE)),
        bounded("augmentation key", () -> Augment.parse(HUGE + "=1")));
  }

  @TestFactory
  Stream<DynamicTest> captionFiles() throws IOException {
    Path captions = file("captions.jsonl", "{\"image\": \"" + HUGE + "\n");
    Path header = npy("header.npy", "{'" + HUGE + "'}");
    Path dtype =
        npy("dtype.npy", "{'descr': '" + HUGE + "', 'fortran_order': False, 'shape': (1, 2), }");
    Path shape =
        npy(
            "shape.npy",
            "{'descr': '<f4', 'fortran_order': False, 'shape': (" + "1, ".repeat(30_000) + "1), }");
    Path twoTensors = dir.resolve("two.safetensors");
    new SafetensorsWriter()
        .putFloats("a" + HUGE, new float[] {1}, 1, 1)
        .putFloats("b" + HUGE, new float[] {1}, 1, 1)
        .write(twoTensors);
    return Stream.of(
        bounded("captions line not JSON", () -> CaptionData.readCaptions(captions)),
        bounded("NPY header without keys", () -> FeatureFiles.readNpy(header)),
        bounded("NPY dtype", () -> FeatureFiles.readNpy(dtype)),
        bounded("NPY shape of 30,000 dimensions", () -> FeatureFiles.readNpy(shape)),
        bounded(
            "features file with two huge 2-D tensor names",
            () -> FeatureFiles.readSafetensors(twoTensors)));
  }

  @TestFactory
  Stream<DynamicTest> dataFiles() throws IOException {
    Path array = file("array.json", "[\"" + HUGE + "\"]");
    Path label = file("label.jsonl", "{\"text\": \"t\", \"label\": [\"" + HUGE + "\"]}\n");
    Path unterminated = file("open.jsonl", "{\"text\": \"" + HUGE + "\n");
    Path digits = Files.createDirectories(dir.resolve("digits"));
    try (OutputStream out =
        new GZIPOutputStream(Files.newOutputStream(digits.resolve("digits.csv.gz")))) {
      out.write(("0,".repeat(64) + HUGE + "\n").getBytes(StandardCharsets.UTF_8));
    }
    Path longName = Path.of("/" + HUGE);
    return Stream.of(
        bounded("JSON array element not an object", () -> LabelledTextReader.readJsonArray(array)),
        bounded("JSONL label an array", () -> LabelledTextReader.readJsonl(label)),
        bounded("JSONL unterminated string", () -> LabelledTextReader.readJsonl(unterminated)),
        bounded("digits with a huge value", () -> BundledData.digits(digits)),
        bounded(
            "data format error of a huge file name",
            () -> {
              throw new DataFormatException(longName, 3, "bad");
            }));
  }

  @TestFactory
  Stream<DynamicTest> tokenizersAndLabels() {
    List<String> many = new ArrayList<>();
    for (int i = 0; i < 10_000; i++) {
      many.add("label" + i);
    }
    LabelIndex labels = LabelIndex.of(many);
    return Stream.of(
        bounded(
            "char tokenizer vocab entry",
            () ->
                CharTokenizer.fromJson(
                    "{\"type\":\"char\",\"version\":1,\"vocab\":[{\"a\":\"" + HUGE + "\"}]}")),
        bounded(
            "char tokenizer version",
            () -> CharTokenizer.fromJson("{\"type\":\"char\",\"version\":\"" + HUGE + "\"}")),
        bounded("char tokenizer type", () -> CharTokenizer.fromJson("{\"type\":\"" + HUGE + "\"}")),
        bounded("char tokenizer not JSON", () -> CharTokenizer.fromJson("{" + HUGE)),
        bounded(
            "word tokenizer pattern",
            () ->
                WordTokenizer.fromJson(
                    "{\"type\":\"word\",\"version\":1,\"vocab\":[],\"pattern\":\"("
                        + HUGE
                        + "\"}")),
        bounded("tokenizer type", () -> Tokenizer.fromJson("{\"type\":\"" + HUGE + "\"}")),
        bounded("label index not JSON", () -> LabelIndex.fromJson("{\"labels\": [" + HUGE)),
        bounded(
            "label index labels not an array",
            () -> LabelIndex.fromJson("{\"labels\": \"" + HUGE + "\"}")),
        bounded("unknown label among 10,000", () -> labels.id(HUGE)),
        bounded(
            "duplicate label",
            () -> LabelIndex.fromJson("{\"labels\": [\"" + HUGE + "\", \"" + HUGE + "\"]}")),
        bounded("duplicate token", () -> Vocabulary.of(List.of(HUGE, HUGE))));
  }

  @TestFactory
  Stream<DynamicTest> parsers() {
    Parameter p = new Parameter(HUGE, Tensor.zeros(1), Tensor.zeros(1));
    return Stream.of(
        bounded("device", () -> Device.parse(HUGE)),
        bounded("cuda device number", () -> Device.parse("cuda:" + HUGE)),
        bounded("length penalty", () -> LengthPenalty.parse(HUGE)),
        bounded("GNMT alpha", () -> LengthPenalty.parse("gnmt:" + HUGE)),
        bounded("recurrent init", () -> RecurrentInit.parse(HUGE)),
        bounded("parameter name twice", () -> Adam.builder().lr(0.1).build(List.of(p, p))));
  }

  @Test
  void aCauseIsWordedWithoutItsClass() {
    // the parser's own message begins with a class name; the cause stays available
    JrnnException e =
        assertThrows(JrnnException.class, () -> Captioner.Config.fromJson("{" + HUGE));
    assertInstanceOf(RuntimeException.class, e.getCause());
    assertTrue(
        e.getMessage().startsWith("captioner config is not a JSON object: "), e.getMessage());
  }
}
