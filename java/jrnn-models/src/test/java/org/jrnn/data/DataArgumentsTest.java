/*
 * DataArgumentsTest: misuse of every public entry point of org.jrnn.data (null, empty, negative,
 * NaN, huge or inconsistent arguments) gives a JrnnException whose message names the problem and
 * quotes at most a short piece of the input; one dynamic test per case.
 *   mvn -B -o test -Dtest=DataArgumentsTest
 */
package org.jrnn.data;

import static org.jrnn.Refusals.rejects;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.jrnn.Refusals;
import org.jrnn.internal.SplitMix64;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

class DataArgumentsTest {
  static final int MAX_MESSAGE = Refusals.MAX_MESSAGE;
  static final String LONG = "x".repeat(5000);

  private static List<int[]> seqs(int[]... s) {
    return new ArrayList<>(Arrays.asList(s));
  }

  @TestFactory
  Stream<DynamicTest> paddedBatch() {
    List<int[]> two = seqs(new int[] {4, 5}, new int[] {6});
    return Stream.of(
        rejects("null ids", "ids is null", () -> new PaddedBatch(null, new int[1], 1, 1)),
        rejects("null lengths", "lengths is null", () -> new PaddedBatch(new int[1], null, 1, 1)),
        rejects(
            "negative size",
            "size and maxLength must be >= 0 but are -1, 2",
            () -> new PaddedBatch(new int[0], new int[0], -1, 2)),
        rejects(
            "lengths count",
            "lengths has 1 entries but size is 2",
            () -> new PaddedBatch(new int[4], new int[] {2}, 2, 2)),
        rejects(
            "ids count",
            "ids has 3 entries but size * maxLength = 2 * 2 = 4",
            () -> new PaddedBatch(new int[3], new int[] {2, 1}, 2, 2)),
        rejects(
            "length past maxLength",
            "lengths[1] = 3 is outside 0..2 (maxLength)",
            () -> new PaddedBatch(new int[4], new int[] {2, 3}, 2, 2)),
        rejects(
            "negative length",
            "lengths[0] = -1 is outside 0..2",
            () -> new PaddedBatch(new int[4], new int[] {-1, 2}, 2, 2)),
        rejects(
            "of null sequences", "sequences is null", () -> PaddedBatch.of(null, new int[] {0})),
        rejects("of null indices", "indices is null", () -> PaddedBatch.of(two, null)),
        rejects(
            "of index out of range",
            "indices[1] = 2 is outside 0..1 (the sequences)",
            () -> PaddedBatch.of(two, new int[] {0, 2})),
        rejects(
            "of negative index",
            "indices[0] = -1 is outside 0..1",
            () -> PaddedBatch.of(two, new int[] {-1})),
        rejects(
            "of null sequence",
            "sequence 1 is null",
            () -> PaddedBatch.of(seqs(new int[] {4}, null), new int[] {0, 1})),
        rejects(
            "id step out of range",
            "(step 2, sequence 0) is outside the batch of 2 sequences x 2 steps",
            () -> PaddedBatch.of(two, new int[] {0, 1}).id(2, 0)),
        rejects(
            "id sequence out of range",
            "(step 0, sequence -1) is outside",
            () -> PaddedBatch.of(two, new int[] {0, 1}).id(0, -1)));
  }

  @Test
  void aConsistentHandMadeBatchIsAccepted() {
    PaddedBatch b = new PaddedBatch(new int[] {4, 6, 5, 0}, new int[] {2, 1}, 2, 2);
    assertEquals(5, b.id(1, 0));
    assertEquals(0, new PaddedBatch(new int[0], new int[0], 0, 0).size());
  }

  @TestFactory
  Stream<DynamicTest> batches() {
    return Stream.of(
        rejects(
            "negative epoch",
            "epoch must be >= 0 (0-based) but is -1",
            () -> Batches.builder(4, 2).build().epoch(-1)),
        rejects(
            "null lengths", "lengths is null", () -> Batches.builder(4, 2).bucketByLength(null, 1)),
        rejects(
            "size beyond an array",
            "size must be in 0..",
            () -> Batches.builder(Integer.MAX_VALUE, 2)),
        rejects(
            "paddingFraction null batches",
            "batches is null",
            () -> Batches.paddingFraction(null, new int[1])),
        rejects(
            "paddingFraction null batch",
            "batches[0] is null",
            () -> Batches.paddingFraction(seqs((int[]) null), new int[1])),
        rejects(
            "paddingFraction null lengths",
            "lengths is null",
            () -> Batches.paddingFraction(seqs(new int[] {0}), null)),
        rejects(
            "paddingFraction index out of range",
            "batch index 3 is outside 0..1 (the lengths)",
            () -> Batches.paddingFraction(seqs(new int[] {0, 3}), new int[2])));
  }

  @Test
  void hugeBatchSizesDoNotOverflow() {
    // batchSize * chunkBatches overflowed to 1: every "chunk" was one example, so no bucketing
    Batches b =
        Batches.builder(4, Integer.MAX_VALUE)
            .shuffle(false)
            .bucketByLength(new int[] {3, 1, 2, 0}, Integer.MAX_VALUE)
            .build();
    assertEquals(1, b.batchesPerEpoch());
    assertEquals(1, b.epoch(0).size());
    assertArrayEquals(new int[] {3, 1, 2, 0}, b.epoch(0).get(0));
  }

  @TestFactory
  Stream<DynamicTest> lmBatches() {
    return Stream.of(
        rejects("null tokens", "tokens is null", () -> new LmBatches(null, 2, 3)),
        rejects(
            "window out of range",
            "window -1 is outside 0..1",
            () -> new LmBatches(new int[20], 2, 5).window(-1)),
        rejects(
            "window null inputs",
            "inputs is null",
            () -> new LmBatches.Window(0, 1, 2, null, new int[2])),
        rejects(
            "window null targets",
            "targets is null",
            () -> new LmBatches.Window(0, 1, 2, new int[2], null)),
        rejects(
            "window short targets",
            "inputs and targets must hold streams * length = 4 ids but hold 4 and 3",
            () -> new LmBatches.Window(0, 2, 2, new int[4], new int[3])),
        rejects(
            "window no streams",
            "streams, length and advance must be >= 1 but are 0, 2, 2",
            () -> new LmBatches.Window(0, 0, 2, new int[0], new int[0])),
        rejects(
            "window no advance",
            "streams, length and advance must be >= 1 but are 1, 2, 0",
            () -> new LmBatches.Window(0, 1, 2, new int[2], new int[2], 0)),
        rejects(
            "window negative index",
            "window index must be >= 0 but is -3",
            () -> new LmBatches.Window(-3, 1, 2, new int[2], new int[2])));
  }

  @TestFactory
  Stream<DynamicTest> tokenizers() {
    CharTokenizer chars = CharTokenizer.build("abc");
    WordTokenizer words = WordTokenizer.builder().build(List.of("a b c"));
    return Stream.of(
        rejects("char build null", "text is null", () -> CharTokenizer.build(null)),
        rejects("char encode null", "text is null", () -> chars.encode(null)),
        rejects("char encode bos null", "text is null", () -> chars.encode(null, true, true)),
        rejects("char decode null", "ids is null", () -> chars.decode(null)),
        rejects(
            "char decode out of range",
            "id 99 is outside the vocabulary (size 7)",
            () -> chars.decode(new int[] {4, 99})),
        rejects("char fromJson null", "tokenizer JSON is null", () -> CharTokenizer.fromJson(null)),
        rejects("fromJson null", "tokenizer JSON is null", () -> Tokenizer.fromJson(null)),
        rejects(
            "fromJson long type",
            "unknown tokenizer type 'xxxxxxxx",
            () -> Tokenizer.fromJson("{\"type\":\"" + LONG + "\"}")),
        rejects(
            "char fromJson long type",
            "expected a 'char' tokenizer, found type xxxx",
            () -> CharTokenizer.fromJson("{\"type\":\"" + LONG + "\",\"version\":1}")),
        rejects(
            "char fromJson long vocab entry",
            "vocab entry 4 is not a string: [\"xxx",
            () ->
                CharTokenizer.fromJson(
                    "{\"type\":\"char\",\"version\":1,\"vocab\":"
                        + "[\"<pad>\",\"<unk>\",\"<bos>\",\"<eos>\",[\""
                        + LONG
                        + "\"]]}")),
        rejects("word tokenize null", "text is null", () -> words.tokenize(null)),
        rejects("word encode null", "text is null", () -> words.encode(null)),
        rejects("word decode null", "ids is null", () -> words.decode(null)),
        rejects("word fromJson null", "tokenizer JSON is null", () -> WordTokenizer.fromJson(null)),
        rejects(
            "word fromJson bad pattern",
            "bad split pattern '('",
            () ->
                WordTokenizer.fromJson(
                    "{\"type\":\"word\",\"version\":1,\"pattern\":\"(\","
                        + "\"vocab\":[\"<pad>\",\"<unk>\",\"<bos>\",\"<eos>\"]}")),
        rejects(
            "word bad pattern",
            "bad split pattern '[a-'",
            () -> WordTokenizer.builder().pattern("[a-")),
        rejects(
            "word long bad pattern",
            "bad split pattern '(xxxx",
            () -> WordTokenizer.builder().pattern("(" + LONG)),
        rejects(
            "word null pattern", "pattern is null", () -> WordTokenizer.builder().pattern(null)),
        rejects(
            "word negative maxSize",
            "maxSize must be 0 (no limit) or >= 4 (the specials), got -1",
            () -> WordTokenizer.builder().maxSize(-1)),
        rejects("word build null", "texts is null", () -> WordTokenizer.builder().build(null)),
        rejects(
            "word build null text",
            "texts[1] is null",
            () -> WordTokenizer.builder().build(Arrays.asList("a", null))));
  }

  @TestFactory
  Stream<DynamicTest> vocabularyAndLabels() {
    Map<String, Long> nullCount = new HashMap<>();
    nullCount.put("a", null);
    List<String> dup = new ArrayList<>(Vocabulary.SPECIALS);
    dup.add(LONG);
    dup.add(LONG);
    LabelIndex labels = LabelIndex.of(List.of("neg", "pos"));
    return Stream.of(
        rejects("of null", "tokens is null", () -> Vocabulary.of(null)),
        rejects(
            "of null token",
            "tokens[4] is null",
            () -> Vocabulary.of(Arrays.asList("<pad>", "<unk>", "<bos>", "<eos>", null))),
        rejects("duplicate long token", "duplicate token 'xxx", () -> Vocabulary.of(dup)),
        rejects("fromCounts null", "counts is null", () -> Vocabulary.fromCounts(null, 1, 0)),
        rejects(
            "fromCounts minFrequency 0",
            "minFrequency must be >= 1 but is 0",
            () -> Vocabulary.fromCounts(Map.of("a", 1L), 0, 0)),
        rejects(
            "fromCounts null count",
            "counts has a null count for 'a'",
            () -> Vocabulary.fromCounts(nullCount, 1, 0)),
        rejects("compare null", "a is null", () -> Vocabulary.compareCodePoints(null, "b")),
        rejects("labels null", "labels is null", () -> LabelIndex.of(null)),
        rejects(
            "labels null element",
            "labels[1] is null",
            () -> LabelIndex.of(Arrays.asList("a", null))),
        rejects("ofExamples null", "examples is null", () -> LabelIndex.ofExamples(null)),
        rejects("label out of range", "class id 2 is outside 0..1", () -> labels.label(2)),
        rejects("label negative", "class id -1 is outside 0..1", () -> labels.label(-1)),
        rejects("unknown long label", "unknown label 'xxx", () -> labels.id(LONG)),
        rejects("ids null", "examples is null", () -> labels.ids(null)),
        rejects("fromJson null", "label index JSON is null", () -> LabelIndex.fromJson(null)));
  }

  @TestFactory
  Stream<DynamicTest> splitsAndRandomness() {
    SeededSplit split = SeededSplit.of(10, 1);
    return Stream.of(
        rejects("null train", "train is null", () -> new SeededSplit(null, new int[0])),
        rejects("null test", "test is null", () -> new SeededSplit(new int[0], null)),
        rejects("negative n", "n must be >= 0, got -1", () -> SeededSplit.of(-1, 3)),
        rejects(
            "NaN fraction",
            "trainFraction must be in [0, 1], got NaN",
            () -> SeededSplit.trainCount(5, Double.NaN)),
        rejects(
            "trainCount negative n",
            "n must be >= 0, got -5",
            () -> SeededSplit.trainCount(-5, 0.5)),
        rejects("trainOf a shorter list", "split index", () -> split.trainOf(List.of(1, 2))),
        rejects("trainOf null", "items is null", () -> split.testOf(null)),
        rejects(
            "permutation beyond an array",
            "n must be in 0..",
            () -> new SplitMix64(1).permutation(Integer.MAX_VALUE)),
        rejects(
            "shuffle null array", "values is null", () -> new SplitMix64(1).shuffle((int[]) null)),
        rejects(
            "shuffle null list",
            "values is null",
            () -> new SplitMix64(1).shuffle((List<Integer>) null)));
  }

  @TestFactory
  Stream<DynamicTest> records() {
    return Stream.of(
        rejects("tagged null tokens", "tokens is null", () -> new TaggedSentence(null, List.of())),
        rejects(
            "tagged null tag",
            "tags[1] is null",
            () -> new TaggedSentence(List.of("a", "b"), Arrays.asList("X", null))),
        rejects("labelled null text", "text is null", () -> new LabelledExample(null, "1")),
        rejects("labelled null label", "label is null", () -> new LabelledExample("t", null)),
        rejects("pair null source", "source is null", () -> new TextPair(null, "t")),
        rejects("pair null target", "target is null", () -> new TextPair("s", null)),
        rejects("digit null pixels", "pixels is null", () -> new DigitImage(null, 1)),
        rejects(
            "digit 3 pixels",
            "a digit image has 64 pixels (8 x 8), not 3",
            () -> new DigitImage(new float[3], 1)),
        rejects(
            "digit 10",
            "digit must be in 0..9 but is 10",
            () -> new DigitImage(new float[64], 10)));
  }

  @TestFactory
  Stream<DynamicTest> readers() {
    return Stream.of(
        rejects("readString null", "file is null", () -> TextFiles.readString(null)),
        rejects("readLines null", "file is null", () -> TextFiles.readLines(null)),
        rejects("labelled read null", "file is null", () -> LabelledTextReader.read(null)),
        rejects("labelled tsv null", "file is null", () -> LabelledTextReader.readTsv(null)),
        rejects("labelled jsonl null", "file is null", () -> LabelledTextReader.readJsonl(null)),
        rejects(
            "labelled json array null",
            "file is null",
            () -> LabelledTextReader.readJsonArray(null)),
        rejects("conll null", "file is null", () -> ConllReader.read(null, 0, 1)),
        rejects("pairs null", "file is null", () -> TextPairReader.readTsv(null)),
        rejects("sentiment null", "dataDir is null", () -> BundledData.sentiment(null)),
        rejects("moby null", "dataDir is null", () -> BundledData.mobyDick((Path) null)),
        rejects("digits null", "dataDir is null", () -> BundledData.digits(null)),
        rejects("shape guess null", "lines is null", () -> DataShape.guess(null)),
        rejects("shape first lines null", "text is null", () -> DataShape.firstLines(null)),
        rejects(
            "shape check null file",
            "file is null",
            () -> DataShape.check(null, List.of(), DataShape.Format.CONLL)),
        rejects(
            "shape check null format",
            "format is null",
            () -> DataShape.check(Path.of("f"), List.of(), null)));
  }
}
