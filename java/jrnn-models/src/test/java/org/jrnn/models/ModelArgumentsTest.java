/*
 * ModelArgumentsTest: misuse of the models, their batches, batch sources, tasks and model files
 * (null, empty, negative, NaN, out-of-vocabulary, inconsistent) gives a JrnnException whose short
 * message names the problem; generation with the largest limits allocates only what it produces.
 *   mvn -B -o test -Dtest=ModelArgumentsTest
 */
package org.jrnn.models;

import static org.jrnn.Refusals.rejects;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.jrnn.Device;
import org.jrnn.Tensor;
import org.jrnn.data.PaddedBatch;
import org.jrnn.data.Vocabulary;
import org.jrnn.decode.DecodeOptions;
import org.jrnn.nn.Parameter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

class ModelArgumentsTest {
  private static final Device CPU = Device.cpu();
  private static final String LONG = "x".repeat(5000);
  private static final int[] ALL = {0, 1, 2};

  private static final List<int[]> SEQS =
      List.of(new int[] {4, 5, 6}, new int[] {6}, new int[] {5, 4});
  private static final List<int[]> TAGS =
      List.of(new int[] {0, 1, 2}, new int[] {1}, new int[] {2, 0});
  private static final List<float[]> FEATURES =
      List.of(new float[] {1, 0}, new float[] {0, 1}, new float[] {0.5f, 0.5f});
  private static final PaddedBatch TOKENS = PaddedBatch.of(SEQS, ALL);

  static final SequenceClassifier.Config CLASSIFIER =
      SequenceClassifier.builder()
          .vocabSize(7)
          .numClasses(3)
          .embeddingSize(3)
          .hiddenSize(4)
          .config();
  static final SequenceTagger.Config TAGGER =
      SequenceTagger.builder().vocabSize(7).numTags(3).embeddingSize(3).hiddenSize(3).config();
  static final Seq2Seq.Config SEQ2SEQ =
      Seq2Seq.builder()
          .sourceVocabSize(7)
          .targetVocabSize(8)
          .embeddingSize(3)
          .hiddenSize(3)
          .config();
  static final ConditionedLanguageModel.Config CONDITIONED =
      ConditionedLanguageModel.builder()
          .featureSize(2)
          .vocabSize(8)
          .embeddingSize(3)
          .hiddenSize(3)
          .config();
  static final LanguageModel.Config LM =
      LanguageModel.builder().vocabSize(9).embeddingSize(3).hiddenSize(4).config();

  private static SequenceClassifier classifier;
  private static SequenceTagger tagger;
  private static Seq2Seq seq2seq;
  private static ConditionedLanguageModel conditioned;
  private static LanguageModel lm;

  @BeforeAll
  static void open() {
    classifier = CLASSIFIER.toBuilder().device(CPU).build();
    tagger = TAGGER.toBuilder().device(CPU).build();
    seq2seq = SEQ2SEQ.toBuilder().device(CPU).build();
    conditioned = CONDITIONED.toBuilder().device(CPU).build();
    lm = LM.toBuilder().device(CPU).build();
  }

  @AfterAll
  static void close() {
    for (Model m : new Model[] {classifier, tagger, seq2seq, conditioned, lm}) {
      m.close();
    }
  }

  private static Tensor param(Model model, String name) {
    for (Parameter p : model.parameters()) {
      if (p.name().equals(name)) {
        return p.value();
      }
    }
    throw new AssertionError("no parameter " + name);
  }

  /** Makes {@code <eos>} the (all but) certain next token, or never the next one. */
  private static void eosBias(Model model, float bias) {
    param(model, "linear.bias").set(bias, Vocabulary.EOS_ID);
  }

  @TestFactory
  Stream<DynamicTest> batches() {
    PaddedBatch decoderInputs =
        PaddedBatch.of(List.of(new int[] {2}, new int[] {2}, new int[] {2}), ALL);
    float[] nan = {0, 1, Float.NaN, 0, 0, 1};
    return Stream.of(
        rejects(
            "classification null labels",
            "labels is null",
            () -> new ClassificationBatch(TOKENS, null)),
        rejects(
            "classification null tokens",
            "tokens is null",
            () -> new ClassificationBatch(null, ALL)),
        rejects(
            "classification label count",
            "labels has 2 entries but the batch has 3 sequences",
            () -> new ClassificationBatch(TOKENS, new int[2])),
        rejects("tagging null tags", "tags is null", () -> new TaggingBatch(TOKENS, null)),
        rejects("tagging null tokens", "tokens is null", () -> new TaggingBatch(null, new int[9])),
        rejects(
            "tagging of null tag list",
            "tags 1 is null",
            () -> TaggingBatch.of(SEQS, Arrays.asList(new int[3], null, new int[2]), ALL)),
        rejects(
            "tagging of index",
            "index 3 is outside 0..2 (the sentences)",
            () -> TaggingBatch.of(SEQS, TAGS, new int[] {3})),
        rejects(
            "tagging of null indices", "indices is null", () -> TaggingBatch.of(SEQS, TAGS, null)),
        rejects(
            "seq2seq null targets",
            "targets is null",
            () -> new Seq2SeqBatch(TOKENS, decoderInputs, new int[3], null)),
        rejects(
            "seq2seq null target",
            "targets[1] is null",
            () ->
                new Seq2SeqBatch(
                    TOKENS,
                    decoderInputs,
                    new int[3],
                    Arrays.asList(new int[0], null, new int[0]))),
        rejects(
            "seq2seq target count",
            "targets 1: they must agree",
            () -> new Seq2SeqBatch(TOKENS, decoderInputs, new int[3], List.of(new int[0]))),
        rejects(
            "seq2seq null sources",
            "sources is null",
            () -> new Seq2SeqBatch(null, decoderInputs, new int[3], TAGS)),
        rejects(
            "seq2seq decoder targets",
            "decoderTargets has 2 entries but decoderInputs has 3",
            () -> new Seq2SeqBatch(TOKENS, decoderInputs, new int[2], TAGS)),
        rejects(
            "seq2seq of index",
            "index 7 is outside 0..2 (the pairs)",
            () -> Seq2SeqBatch.of(SEQS, TAGS, new int[] {7})),
        rejects(
            "seq2seq of null target",
            "target 1 is null",
            () -> Seq2SeqBatch.of(SEQS, Arrays.asList(new int[0], null, new int[0]), ALL)),
        rejects(
            "conditioned of no indices",
            "indices is empty (a batch needs at least one example)",
            () -> ConditionedBatch.of(FEATURES, SEQS, new int[0])),
        rejects(
            "conditioned of null features",
            "features 1 is null",
            () -> ConditionedBatch.of(Arrays.asList(new float[2], null, new float[2]), SEQS, ALL)),
        rejects(
            "conditioned of index",
            "index -1 is outside 0..2 (the examples)",
            () -> ConditionedBatch.of(FEATURES, SEQS, new int[] {-1})),
        rejects(
            "conditioned NaN feature",
            "features[2] = NaN is not finite",
            () -> new ConditionedBatch(nan, 2, TOKENS, new int[9], SEQS)),
        rejects(
            "conditioned null inputs",
            "inputs is null",
            () -> new ConditionedBatch(new float[6], 2, null, new int[9], SEQS)),
        rejects(
            "conditioned null sequence",
            "sequences[0] is null",
            () ->
                new ConditionedBatch(
                    new float[6],
                    2,
                    TOKENS,
                    new int[9],
                    Arrays.asList(null, SEQS.get(1), SEQS.get(2)))),
        rejects(
            "conditioned feature size 0",
            "featureSize must be >= 1 but is 0",
            () -> new ConditionedBatch(new float[0], 0, TOKENS, new int[9], SEQS)),
        rejects(
            "classification source null",
            "sequences is null",
            () -> new ClassificationBatches(null, ALL, 2, 0)),
        rejects(
            "classification source null sequence",
            "sequences[1] is null",
            () -> new ClassificationBatches(Arrays.asList(new int[] {4}, null), new int[2], 2, 0)),
        rejects(
            "classification source null labels",
            "labels is null",
            () -> new ClassificationBatches(SEQS, null, 2, 0)),
        rejects(
            "tagging source null tags",
            "tags[2] is null",
            () -> new TaggingBatches(SEQS, Arrays.asList(new int[3], new int[1], null), 2, 0)),
        rejects(
            "seq2seq source null target",
            "targets[0] is null",
            () -> new Seq2SeqBatches(SEQS, Arrays.asList(null, new int[0], new int[0]), 2, 0)),
        rejects(
            "conditioned source null features",
            "features[0] is null",
            () -> new ConditionedBatches(Arrays.asList(null, new float[2], new float[2]), SEQS, 2)),
        rejects("lm windows null tokens", "tokens is null", () -> new LmWindows(null, 2, 3)),
        rejects(
            "batch source negative epoch",
            "epoch must be >= 0",
            () -> new ClassificationBatches(SEQS, ALL, 2, 0).epoch(-1, 0)));
  }

  @Test
  void hugeBatchSizesCountOneBatch() {
    assertEquals(1, new ClassificationBatches(SEQS, ALL, Integer.MAX_VALUE, 0).batchesPerEpoch());
    assertEquals(1, new TaggingBatches(SEQS, TAGS, Integer.MAX_VALUE, 0).batchesPerEpoch());
    assertEquals(1, new Seq2SeqBatches(SEQS, TAGS, Integer.MAX_VALUE, 0).batchesPerEpoch());
    assertEquals(1, new ConditionedBatches(FEATURES, SEQS, Integer.MAX_VALUE).batchesPerEpoch());
  }

  @TestFactory
  Stream<DynamicTest> models() {
    PaddedBatch outOfVocab = new PaddedBatch(new int[] {4, 99, 5, 0, 6, 0}, new int[] {2, 1}, 2, 3);
    PaddedBatch emptySequence = new PaddedBatch(new int[] {4, 0}, new int[] {1, 0}, 2, 1);
    PaddedBatch none = new PaddedBatch(new int[0], new int[0], 0, 0);
    Seq2SeqBatch badDecoderInput =
        new Seq2SeqBatch(
            TOKENS,
            PaddedBatch.of(List.of(new int[] {2}, new int[] {2, 8}, new int[] {2}), ALL),
            new int[6],
            TAGS);
    return Stream.of(
        rejects(
            "classifier without vocabSize",
            "vocabSize is required",
            () -> SequenceClassifier.builder().numClasses(2).build()),
        rejects(
            "classifier null device",
            "device is null",
            () -> CLASSIFIER.toBuilder().device(null).build()),
        rejects(
            "tagger without numTags",
            "numTags is required",
            () -> SequenceTagger.builder().vocabSize(5).build()),
        rejects(
            "seq2seq without targetVocabSize",
            "targetVocabSize is required",
            () -> Seq2Seq.builder().sourceVocabSize(5).build()),
        rejects(
            "conditioned without featureSize",
            "featureSize is required",
            () -> ConditionedLanguageModel.builder().vocabSize(5).build()),
        rejects(
            "lm without vocabSize", "vocabSize is required", () -> LanguageModel.builder().build()),
        rejects("lm null device", "device is null", () -> LM.toBuilder().device(null).build()),
        rejects("classifier predict null", "tokens is null", () -> classifier.predict(null)),
        rejects(
            "classifier predict empty batch",
            "tokens has no sequences",
            () -> classifier.predict(none)),
        rejects(
            "classifier predict out of vocabulary",
            "tokens: sequence 1, step 0 holds id 99, outside the vocabulary 0..6",
            () -> classifier.predict(outOfVocab)),
        rejects(
            "classifier predict empty sequence",
            "tokens: sequence 1 of the batch has no tokens",
            () -> classifier.predictProbabilities(emptySequence)),
        rejects("classifier train null", "batch is null", () -> classifier.trainStep(null)),
        rejects(
            "classifier train out of vocabulary",
            "holds id 99",
            () -> classifier.trainStep(new ClassificationBatch(outOfVocab, new int[2]))),
        rejects("classifier evaluate null", "batches is null", () -> classifier.evaluate(null)),
        rejects(
            "classifier evaluate null batch",
            "batches[0] is null",
            () -> classifier.evaluate(Arrays.asList((ClassificationBatch) null))),
        rejects(
            "tagger predict out of vocabulary",
            "tokens: sequence 1, step 0 holds id 99",
            () -> tagger.predict(outOfVocab)),
        rejects("tagger predict null", "tokens is null", () -> tagger.predict(null)),
        rejects("tagger train null", "batch is null", () -> tagger.trainStep(null)),
        rejects(
            "tagger evaluate null batch",
            "batches[0] is null",
            () -> tagger.evaluate(Arrays.asList((TaggingBatch) null))),
        rejects("seq2seq generate null", "sources is null", () -> seq2seq.generate(null, 5)),
        rejects(
            "seq2seq generate maxLength 0",
            "maxLength must be >= 1 but is 0",
            () -> seq2seq.generate(TOKENS, 0)),
        rejects(
            "seq2seq generate maxLength -1",
            "maxLength must be >= 1 but is -1",
            () -> seq2seq.generate(TOKENS, -1)),
        rejects(
            "seq2seq generate null options",
            "options is null",
            () -> seq2seq.generate(TOKENS, (DecodeOptions) null)),
        rejects(
            "seq2seq generate out of vocabulary",
            "sources: sequence 1, step 0 holds id 99",
            () -> seq2seq.generate(outOfVocab, 5)),
        rejects("seq2seq train null", "batch is null", () -> seq2seq.trainStep(null)),
        rejects(
            "seq2seq train decoder input",
            "decoderInputs: sequence 1, step 1 holds id 8, outside the vocabulary 0..7",
            () -> seq2seq.trainStep(badDecoderInput)),
        rejects(
            "seq2seq evaluate maxLength 0",
            "maxLength must be >= 1 but is 0",
            () -> seq2seq.evaluate(List.of(), 0)),
        rejects(
            "seq2seq evaluate null batch",
            "batches[0] is null",
            () -> seq2seq.evaluate(Arrays.asList((Seq2SeqBatch) null), 3)),
        rejects(
            "conditioned generate null",
            "features is null",
            () -> conditioned.generate(null, 1, 5)),
        rejects(
            "conditioned generate NaN",
            "features[1] = NaN is not finite",
            () -> conditioned.generate(new float[] {0, Float.NaN}, 1, 5)),
        rejects(
            "conditioned generate maxLength 0",
            "maxLength must be >= 1 but is 0",
            () -> conditioned.generate(new float[2], 1, 0)),
        rejects(
            "conditioned generate null options",
            "options is null",
            () -> conditioned.generate(new float[2], 1, (DecodeOptions) null)),
        rejects("conditioned train null", "batch is null", () -> conditioned.trainStep(null)),
        rejects(
            "conditioned evaluate null batch",
            "batches[0] is null",
            () -> conditioned.evaluate(Arrays.asList((ConditionedBatch) null), 3)),
        rejects(
            "lm generate 0 tokens",
            "maxTokens must be >= 1 but is 0",
            () -> lm.generate(new int[] {4}, 0)),
        rejects(
            "lm generate -1 tokens",
            "maxTokens must be >= 1 but is -1",
            () -> lm.generate(new int[] {4}, -1)),
        rejects(
            "lm generate null options",
            "options is null",
            () -> lm.generate(new int[] {4}, (DecodeOptions) null)),
        rejects(
            "lm generate null prompt",
            "prompt needs at least one token",
            () -> lm.generate(null, 3)),
        rejects("lm train null", "window is null", () -> lm.trainStep(null)),
        rejects("lm evaluate null", "windows is null", () -> lm.evaluate(null)),
        rejects(
            "lm evaluate null window",
            "windows[0] is null",
            () -> lm.evaluate(Arrays.asList((org.jrnn.data.LmBatches.Window) null))),
        rejects(
            "sampling NaN",
            "temperature must be finite and >= 0 (0: no sampling) but is NaN",
            () -> DecodeOptions.builder().temperature(Float.NaN).topK(0).seed(0).build()),
        rejects(
            "sampling -1",
            "temperature must be finite and >= 0 (0: no sampling) but is -1.0",
            () -> DecodeOptions.builder().temperature(-1).topK(0).seed(0).build()),
        rejects(
            "sampling topK -1",
            "topK must be >= 0 (0: all tokens) but is -1",
            () -> DecodeOptions.builder().temperature(1).topK(-1).seed(0).build()));
  }

  @TestFactory
  Stream<DynamicTest> tasksAndFiles(@TempDir Path dir) {
    return Stream.of(
        rejects("classifier task", "model is null", () -> new ClassifierTask(null)),
        rejects("tagger task", "model is null", () -> new TaggerTask(null)),
        rejects("lm task", "model is null", () -> new LanguageModelTask(null)),
        rejects("seq2seq task", "model is null", () -> new Seq2SeqTask(null, 3)),
        rejects(
            "conditioned task", "model is null", () -> new ConditionedLanguageModelTask(null, 3)),
        rejects(
            "restore null state",
            "state is null",
            () -> new LanguageModelTask(lm).restoreTrainingState(null)),
        rejects("save null path", "path is null", () -> ModelFiles.save(null, lm, null, null)),
        rejects(
            "save null model",
            "model is null",
            () -> ModelFiles.save(dir.resolve("m"), null, null, null)),
        rejects(
            "save null contents",
            "contents is null",
            () -> ModelFiles.save(dir.resolve("m"), null)),
        rejects("load null path", "path is null", () -> ModelFiles.load(null, CPU)),
        rejects(
            "load null device", "device is null", () -> ModelFiles.load(dir.resolve("m"), null)),
        rejects(
            "contents null type",
            "type is null",
            () -> new ModelFiles.Contents(lm, null, null, null, null).model(null)),
        rejects(
            "contents null metadata value",
            "metadata has a null value for \"k\"",
            () -> new ModelFiles.Contents(lm, null, null, null, nullValued())),
        rejects("describe null", "model is null", () -> ModelFiles.describe(null)),
        rejects(
            "config unknown long key",
            "has an unknown key \"xxx",
            () -> LanguageModel.Config.fromJson(LM.toJson().replace("{", "{\"" + LONG + "\":1,"))),
        rejects(
            "config long value",
            "\"cell\" must be one of",
            () ->
                LanguageModel.Config.fromJson(
                    LM.toJson().replace("\"LSTM\"", "\"" + LONG + "\""))));
  }

  private static Map<String, String> nullValued() {
    Map<String, String> m = new java.util.HashMap<>();
    m.put("k", null);
    return m;
  }

  @Test
  void generationWithTheLargestLimitsStopsAtEos() {
    // with <eos> all but certain, every generator stops at once: nothing is sized by the limit
    try (LanguageModel m = LM.toBuilder().device(CPU).build();
        Seq2Seq s = SEQ2SEQ.toBuilder().device(CPU).build();
        ConditionedLanguageModel c = CONDITIONED.toBuilder().device(CPU).build()) {
      eosBias(m, 100f);
      eosBias(s, 100f);
      eosBias(c, 100f);
      for (DecodeOptions sampling :
          new DecodeOptions[] {
            DecodeOptions.greedy(),
            DecodeOptions.builder().temperature(1).topK(0).seed(7).build(),
            DecodeOptions.builder().temperature(0.5).topK(3).seed(1).build()
          }) {
        assertArrayEquals(
            new int[] {Vocabulary.EOS_ID},
            m.generate(
                new int[] {4, 5}, sampling.toBuilder().maxLength(Integer.MAX_VALUE).build()));
        assertArrayEquals(
            new int[3][0],
            s.generate(TOKENS, sampling.toBuilder().maxLength(Integer.MAX_VALUE).build()));
        assertArrayEquals(
            new int[3][0],
            c.generate(new float[6], 3, sampling.toBuilder().maxLength(Integer.MAX_VALUE).build()));
      }
    }
  }

  @Test
  void growingOutputsKeepEveryToken() {
    // without <eos>, outputs run to the limit across several growth steps; a shorter limit is a
    // prefix
    try (LanguageModel m = LM.toBuilder().device(CPU).build();
        Seq2Seq s = SEQ2SEQ.toBuilder().device(CPU).build();
        ConditionedLanguageModel c = CONDITIONED.toBuilder().device(CPU).build()) {
      eosBias(m, -100f);
      eosBias(s, -100f);
      eosBias(c, -100f);
      DecodeOptions hot = DecodeOptions.builder().temperature(1.5).topK(0).seed(3).build();
      int[] longer = m.generate(new int[] {4}, hot.toBuilder().maxLength(300).build());
      assertEquals(300, longer.length);
      assertArrayEquals(
          Arrays.copyOf(longer, 70),
          m.generate(new int[] {4}, hot.toBuilder().maxLength(70).build()));
      int[][] a = s.generate(TOKENS, hot.toBuilder().maxLength(90).build());
      int[][] b = s.generate(TOKENS, hot.toBuilder().maxLength(17).build());
      int[][] x = c.generate(new float[6], 3, hot.toBuilder().maxLength(90).build());
      int[][] y = c.generate(new float[6], 3, hot.toBuilder().maxLength(17).build());
      for (int i = 0; i < 3; i++) {
        assertEquals(90, a[i].length);
        assertArrayEquals(Arrays.copyOf(a[i], 17), b[i]);
        assertEquals(90, x[i].length);
        assertArrayEquals(Arrays.copyOf(x[i], 17), y[i]);
      }
    }
  }
}
