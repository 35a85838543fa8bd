/*
 * CaptionArgumentsTest: misuse of Captioner and BatchCaptioner (null or non-finite features,
 * foreign step states, tokens outside the vocabulary, bad configs, a tokenizer that cannot spell
 * every id) gives a JrnnException whose short message names the problem; a bad input of a batch run
 * becomes its own error line while the others are captioned.
 *   mvn -B -o test -Dtest=CaptionArgumentsTest
 */
package org.jrnn.caption;

import static org.jrnn.Refusals.rejects;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.StringWriter;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.jrnn.Cell;
import org.jrnn.Device;
import org.jrnn.data.WordTokenizer;
import org.jrnn.decode.DecodeOptions;
import org.jrnn.decode.Decoders;
import org.jrnn.decode.RecurrentRows;
import org.jrnn.decode.StepState;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

class CaptionArgumentsTest {
  private static final Device CPU = Device.cpu();
  private static final Captioner.Config CONFIG =
      Captioner.builder()
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

  /** Seven ids: the specials and three words, as the model generates. */
  private static final WordTokenizer WORDS =
      WordTokenizer.builder().build(List.of("red green blue"));

  private static Captioner model;

  @BeforeAll
  static void open() {
    model = CONFIG.toBuilder().device(CPU).build();
  }

  @AfterAll
  static void close() {
    model.close();
  }

  /** A step state that is not the captioner's. */
  private static final class Foreign implements StepState {
    @Override
    public int rows() {
      return 1;
    }

    @Override
    public void select(int[] rows) {}

    @Override
    public void append(StepState other) {}

    @Override
    public StepState copy() {
      return this;
    }

    @Override
    public StepState to(Device device) {
      return this;
    }

    @Override
    public Device device() {
      return CPU;
    }

    @Override
    public void close() {}
  }

  @TestFactory
  Stream<DynamicTest> captioner() {
    String json = CONFIG.toJson();
    List<float[]> withNull = Arrays.asList(new float[3], null);
    return Stream.of(
        rejects(
            "decode a null feature vector",
            "inputs[1] is null",
            () -> Decoders.decode(model, withNull, DecodeOptions.greedy())),
        rejects(
            "initialState null element", "inputs[1] is null", () -> model.initialState(withNull)),
        rejects("initialState null", "inputs is null", () -> model.initialState(null)),
        rejects(
            "initialState empty",
            "initialState needs at least one feature vector",
            () -> model.initialState(List.of())),
        rejects(
            "initialState NaN",
            "feature vector 0[2] = NaN is not finite",
            () -> model.initialState(List.of(new float[] {0, 1, Float.NaN}))),
        rejects(
            "initialState infinity",
            "feature vector 0[0] = Infinity is not finite",
            () -> model.initialState(List.of(new float[] {Float.POSITIVE_INFINITY, 1, 0}))),
        rejects(
            "initialState wrong size",
            "feature vector 0 has 2 values but the model takes 3",
            () -> model.initialState(List.of(new float[2]))),
        rejects(
            "step on a foreign state",
            "the state must be the RecurrentRows of initialState",
            () -> model.step(new int[] {2}, new Foreign())),
        rejects(
            "stepTop on a null state",
            "the state must be the RecurrentRows of initialState but is null",
            () -> model.stepTop(new int[] {2}, null, 1, new int[0], new float[1], new int[1])),
        rejects(
            "step null tokens",
            "tokens is null",
            () -> {
              try (StepState s = model.initialState(List.of(new float[3]))) {
                model.step(null, s);
              }
            }),
        rejects(
            "step token outside the vocabulary",
            "tokens[0] = 7 is outside the vocabulary 0..6",
            () -> {
              try (StepState s = model.initialState(List.of(new float[3]))) {
                model.step(new int[] {7}, s);
              }
            }),
        rejects(
            "step on a closed state",
            "RecurrentRows is closed",
            () -> {
              StepState s = model.initialState(List.of(new float[3]));
              s.close();
              model.step(new int[] {2}, s);
            }),
        rejects("train null", "batch is null", () -> model.trainStep(null)),
        rejects("loss null", "batch is null", () -> model.loss(null)),
        rejects(
            "no feature size",
            "featureSize is required",
            () -> Captioner.builder().vocabSize(5).build()),
        rejects("null device", "device is null", () -> CONFIG.toBuilder().device(null).build()),
        rejects(
            "config fromJson null",
            "captioner config is null",
            () -> Captioner.Config.fromJson(null)),
        rejects(
            "config bad cell",
            "captioner config: \"cell\" must be one of [RNN_TANH, RNN_RELU, LSTM, GRU] but is \"xxx",
            () ->
                Captioner.Config.fromJson(json.replace("\"GRU\"", "\"" + "x".repeat(5000) + "\""))),
        rejects(
            "config missing key",
            "captioner config has no \"imageSize\"",
            () ->
                Captioner.Config.fromJson(
                    "{\"featureSize\":3,\"cell\":\"GRU\",\"junk\":\"" + "x".repeat(5000) + "\"}")),
        rejects(
            "config not an object",
            "captioner config is not a JSON object",
            () -> Captioner.Config.fromJson("[1]")),
        rejects(
            "config text size",
            "captioner config: \"featureSize\" must be an integer but is \"3\"",
            () ->
                Captioner.Config.fromJson(
                    json.replace("\"featureSize\":3", "\"featureSize\":\"3\""))),
        rejects(
            "config fractional size",
            "captioner config: \"layers\" must be an integer but is 1.5",
            () -> Captioner.Config.fromJson(json.replace("\"layers\":1", "\"layers\":1.5"))),
        rejects(
            "config huge size",
            "captioner config: \"hiddenSize\" must be an int but is 30000000000",
            () ->
                Captioner.Config.fromJson(
                    json.replace("\"hiddenSize\":3", "\"hiddenSize\":30000000000"))),
        rejects(
            "config text flag",
            "captioner config: \"concatFeatures\" must be true or false but is \"yes\"",
            () ->
                Captioner.Config.fromJson(
                    json.replace("\"concatFeatures\":false", "\"concatFeatures\":\"yes\""))),
        rejects(
            "config long pixels",
            "captioner config: \"pixels\" must be rgb or rgb+std but is \"xxx",
            () ->
                Captioner.Config.fromJson(json.replace("\"rgb\"", "\"" + "x".repeat(5000) + "\""))),
        rejects(
            "config huge image",
            "an image encoder of size 40000 (rgb) needs featureSize 4800000000",
            () ->
                Captioner.builder()
                    .featureSize(3)
                    .imageSize(40000)
                    .projectionSize(4)
                    .vocabSize(7)
                    .embeddingSize(2)
                    .cell(Cell.GRU)
                    .hiddenSize(3)
                    .layers(1)
                    .concatFeatures(false)
                    .seed(5)
                    .config()),
        rejects(
            "config tiny vocabulary",
            "vocabSize must be >= 4 but is 3",
            () ->
                Captioner.builder()
                    .featureSize(3)
                    .imageSize(0)
                    .projectionSize(4)
                    .vocabSize(3)
                    .embeddingSize(2)
                    .cell(Cell.GRU)
                    .hiddenSize(3)
                    .layers(1)
                    .concatFeatures(false)
                    .seed(5)
                    .config()));
  }

  @TestFactory
  Stream<DynamicTest> batchCaptioner() {
    DecodeOptions greedy = DecodeOptions.greedy();
    WordTokenizer small = WordTokenizer.builder().build(List.of("red"));
    return Stream.of(
        rejects("null model", "model is null", () -> new BatchCaptioner(null, WORDS, greedy, 2)),
        rejects(
            "null tokenizer",
            "tokenizer is null",
            () -> new BatchCaptioner(model, null, greedy, 2)),
        rejects("null options", "options is null", () -> new BatchCaptioner(model, WORDS, null, 2)),
        rejects(
            "tokenizer too small",
            "the tokenizer has 5 ids but the model generates 7",
            () -> new BatchCaptioner(model, small, greedy, 2)),
        rejects(
            "batch 0",
            "batch must be >= 1 but is 0",
            () -> new BatchCaptioner(model, WORDS, greedy, 0)),
        rejects(
            "null inputs",
            "inputs is null",
            () -> new BatchCaptioner(model, WORDS, greedy, 2).run(null, new StringWriter(), null)),
        rejects(
            "null input",
            "inputs[0] is null",
            () ->
                new BatchCaptioner(model, WORDS, greedy, 2)
                    .run(Arrays.asList((BatchCaptioner.Input) null), new StringWriter(), null)),
        rejects(
            "null writer",
            "out is null",
            () -> new BatchCaptioner(model, WORDS, greedy, 2).run(List.of(), null, null)),
        rejects(
            "input null name",
            "name is null",
            () -> new BatchCaptioner.Input(null, () -> new float[3])),
        rejects("input null reader", "reader is null", () -> new BatchCaptioner.Input("a", null)),
        rejects(
            "detokenize null tokenizer",
            "tokenizer is null",
            () -> BatchCaptioner.detokenize(null, new int[0])),
        rejects(
            "detokenize null ids", "ids is null", () -> BatchCaptioner.detokenize(WORDS, null)));
  }

  @Test
  void badFeaturesOfOneInputBecomeItsErrorLine() throws IOException {
    assertEquals(7, WORDS.vocabSize());
    List<BatchCaptioner.Input> inputs =
        List.of(
            new BatchCaptioner.Input("good", () -> new float[] {1, 0, 0.5f}),
            new BatchCaptioner.Input("nan", () -> new float[] {1, Float.NaN, 0}),
            new BatchCaptioner.Input("nothing", () -> null),
            new BatchCaptioner.Input("also good", () -> new float[] {0, 1, -0.5f}));
    StringWriter out = new StringWriter();
    BatchCaptioner.Summary s =
        new BatchCaptioner(model, WORDS, DecodeOptions.beam(2), 2).run(inputs, out, null);
    assertEquals(2, s.captioned());
    assertEquals(2, s.failed());
    String[] lines = out.toString().split("\n");
    assertEquals(4, lines.length);
    assertTrue(lines[0].startsWith("{\"image\":\"good\",\"caption\":"), lines[0]);
    assertEquals("{\"image\":\"nan\",\"error\":\"nan: feature 1 is NaN\"}", lines[1]);
    assertEquals(
        "{\"image\":\"nothing\",\"error\":\"nothing: the reader returned no features\"}", lines[2]);
    assertTrue(lines[3].startsWith("{\"image\":\"also good\",\"caption\":"), lines[3]);
  }

  @Test
  void batchCountDoesNotOverflowForAHugeBatchSize() {
    List<float[]> features = List.of(new float[] {1}, new float[] {2});
    List<int[]> captions = List.of(new int[] {4}, new int[] {5});
    assertEquals(
        1, CaptionBatches.ofFeatures(features, captions, Integer.MAX_VALUE).batchesPerEpoch());
    assertEquals(2, CaptionBatches.ofFeatures(features, captions, 1).batchesPerEpoch());
  }

  @Test
  void configRoundTrips() {
    assertEquals(CONFIG, Captioner.Config.fromJson(CONFIG.toJson()));
    Captioner.Config images =
        Captioner.builder()
            .imageSize(4)
            .vocabSize(9)
            .pixels(ImagePixels.Mode.RGB_AND_STANDARDIZED)
            .seed(-3)
            .config();
    assertEquals(images, Captioner.Config.fromJson(images.toJson()));
  }

  @Test
  void decodingStillWorksThroughTheChecks() {
    // the checks accept what the decoders hand the model
    assertEquals(
        2,
        Decoders.decode(model, List.of(new float[3], new float[] {1, 2, 3}), DecodeOptions.beam(3))
            .size());
    try (RecurrentRows rows = (RecurrentRows) model.initialState(List.of(new float[3]))) {
      assertEquals(7, model.step(new int[] {2}, rows).length);
    }
  }
}
