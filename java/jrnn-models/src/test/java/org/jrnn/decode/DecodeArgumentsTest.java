/*
 * DecodeArgumentsTest: misuse of the decoders and their options (null inputs, tokens outside the
 * model's vocabulary, beam sizes, sampling settings, length penalties) gives a JrnnException naming
 * the option and its valid range; the largest maxLength costs nothing up front and keeps beam
 * search's exact stopping exact.
 *   mvn -B -o test -Dtest=DecodeArgumentsTest
 */
package org.jrnn.decode;

import static org.jrnn.Refusals.rejects;
import static org.jrnn.decode.TableModel.A;
import static org.jrnn.decode.TableModel.B;
import static org.jrnn.decode.TableModel.C;
import static org.jrnn.decode.TableModel.EOS;
import static org.jrnn.decode.TableModel.dist;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

class DecodeArgumentsTest {
  private static final String LONG = "x".repeat(5000);

  /** Greedy: A then C then <eos>; vocabulary 0..7. */
  private static TableModel model() {
    Map<List<Integer>, Map<Integer, Double>> r = new HashMap<>();
    r.put(List.of(), dist(A, 0.6, B, 0.4));
    r.put(List.of(A), dist(C, 0.4, EOS, 0.35, A, 0.25));
    r.put(List.of(B), dist(EOS, 0.9, A, 0.1));
    return TableModel.of(8, r);
  }

  private static List<Decoded> decode(DecodeOptions o) {
    return Decoders.decode(model(), List.of(0), o);
  }

  @TestFactory
  Stream<DynamicTest> decoders() {
    DecodeOptions greedy = DecodeOptions.greedy();
    List<Integer> withNull = Arrays.asList(0, null);
    return Stream.of(
        rejects(
            "null input", "inputs[1] is null", () -> Decoders.decode(model(), withNull, greedy)),
        rejects("null inputs", "inputs is null", () -> Decoders.decode(model(), null, greedy)),
        rejects(
            "null input, streaming",
            "inputs[1] is null",
            () -> Decoders.decode(model(), withNull, null, greedy, d -> {})),
        rejects("null model", "model is null", () -> Decoders.decode(null, List.of(0), greedy)),
        rejects(
            "null options", "options is null", () -> Decoders.decode(model(), List.of(0), null)),
        rejects(
            "null onDone",
            "onDone is null",
            () -> Decoders.decode(model(), List.of(0), null, greedy, null)),
        rejects(
            "end token = V",
            "endToken = 8 is outside the model's vocabulary 0..7",
            () -> decode(DecodeOptions.builder().endToken(8).build())),
        rejects(
            "end token of beam = V",
            "endToken = 9 is outside the model's vocabulary 0..7",
            () -> decode(DecodeOptions.builder().endToken(9).beamSize(2).build())),
        rejects(
            "start token = V",
            "startToken = 8 is outside the model's vocabulary 0..7",
            () -> decode(DecodeOptions.builder().startToken(8).build())),
        rejects(
            "suppressed token = V",
            "suppress[1] = 8 is outside the model's vocabulary 0..7",
            () -> decode(DecodeOptions.builder().suppress(0, 8).build())),
        rejects(
            "per-input end token",
            "endTokens[1] = 12 is outside the model's vocabulary 0..7",
            () -> Decoders.decode(model(), List.of(0, 1), new int[] {3, 12}, greedy)),
        rejects(
            "negative per-input end token",
            "endTokens[0] = -1 is outside",
            () -> Decoders.decode(model(), List.of(0), new int[] {-1}, greedy)));
  }

  @TestFactory
  Stream<DynamicTest> options() {
    return Stream.of(
        rejects(
            "beam 0",
            "beamSize must be in 1..1000 but is 0",
            () -> DecodeOptions.builder().beamSize(0)),
        rejects("beam -3", "beamSize must be in 1..1000 but is -3", () -> DecodeOptions.beam(-3)),
        rejects(
            "beam 1001", "beamSize must be in 1..1000 but is 1001", () -> DecodeOptions.beam(1001)),
        rejects(
            "beam MAX",
            "beamSize must be in 1..1000 but is 2147483647",
            () -> DecodeOptions.beam(Integer.MAX_VALUE)),
        rejects(
            "nBest > beam",
            "nBest 3 exceeds beamSize 2 (nBest must be in 1..beamSize)",
            () -> DecodeOptions.builder().beamSize(2).nBest(3).build()),
        rejects("nBest 0", "nBest must be >= 1 but is 0", () -> DecodeOptions.builder().nBest(0)),
        rejects(
            "maxLength 0",
            "maxLength must be >= 1 but is 0",
            () -> DecodeOptions.builder().maxLength(0)),
        rejects(
            "maxLength -5",
            "maxLength must be >= 1 but is -5",
            () -> DecodeOptions.builder().maxLength(-5)),
        rejects(
            "minLength > maxLength",
            "minLength 9 exceeds maxLength 5",
            () -> DecodeOptions.builder().maxLength(5).minLength(9).build()),
        rejects(
            "negative start token",
            "startToken must be >= 0 but is -1",
            () -> DecodeOptions.builder().startToken(-1)),
        rejects(
            "negative end token",
            "endToken must be >= 0 but is -2",
            () -> DecodeOptions.builder().endToken(-2)),
        rejects(
            "negative suppressed token",
            "suppress[0] = -4 must be a token id >= 0",
            () -> DecodeOptions.builder().suppress(-4)),
        rejects(
            "null suppress",
            "suppress is null",
            () -> DecodeOptions.builder().suppress((int[]) null)),
        rejects(
            "temperature -1",
            "temperature must be finite and >= 0 (0: no sampling) but is -1.0",
            () -> DecodeOptions.builder().temperature(-1)),
        rejects(
            "temperature NaN",
            "temperature must be finite and >= 0 (0: no sampling) but is NaN",
            () -> DecodeOptions.builder().temperature(Double.NaN)),
        rejects(
            "temperature inf",
            "but is Infinity",
            () -> DecodeOptions.builder().temperature(Double.POSITIVE_INFINITY)),
        rejects(
            "topK -1",
            "topK must be >= 0 (0: all tokens) but is -1",
            () -> DecodeOptions.builder().topK(-1)),
        rejects(
            "topP 0", "topP must be in (0, 1] but is 0.0", () -> DecodeOptions.builder().topP(0)),
        rejects(
            "topP 1.5",
            "topP must be in (0, 1] but is 1.5",
            () -> DecodeOptions.builder().topP(1.5)),
        rejects(
            "topP NaN",
            "topP must be in (0, 1] but is NaN",
            () -> DecodeOptions.builder().topP(Double.NaN)),
        rejects(
            "beam with sampling",
            "beam search does not sample",
            () -> DecodeOptions.builder().beamSize(2).temperature(1).build()),
        rejects(
            "null penalty",
            "lengthPenalty is null",
            () -> DecodeOptions.builder().lengthPenalty(null)),
        rejects(
            "GNMT NaN",
            "length penalty alpha must be finite and >= 0 but is NaN",
            () -> LengthPenalty.gnmt(Double.NaN)),
        rejects(
            "GNMT -1",
            "length penalty alpha must be finite and >= 0 but is -1.0",
            () -> LengthPenalty.gnmt(-1)),
        rejects("parse null", "length penalty is null", () -> LengthPenalty.parse(null)),
        rejects(
            "parse GNMT NaN",
            "bad GNMT alpha in 'gnmt:NaN' (gnmt:ALPHA, ALPHA >= 0)",
            () -> LengthPenalty.parse("gnmt:NaN")),
        rejects(
            "parse GNMT -1",
            "length penalty alpha must be finite and >= 0 but is -1.0",
            () -> LengthPenalty.parse("gnmt:-1")),
        rejects(
            "parse long",
            "length penalty must be none, average or gnmt:ALPHA, not 'xxx",
            () -> LengthPenalty.parse(LONG)),
        rejects(
            "parse long alpha",
            "bad GNMT alpha in 'gnmt:xxx",
            () -> LengthPenalty.parse("gnmt:" + LONG)),
        rejects(
            "negative length",
            "length must be >= 0 but is -1",
            () -> LengthPenalty.AVERAGE.divisor(-1)),
        rejects("null kind", "kind is null", () -> new LengthPenalty(null, 0)));
  }

  @TestFactory
  Stream<DynamicTest> resultsAndSteps() {
    TableModel m = model();
    return Stream.of(
        rejects("null hypothesis tokens", "tokens is null", () -> new Hypothesis(null, 0, 0, true)),
        rejects("null n-best", "nbest is null", () -> new Decoded(0, null)),
        rejects(
            "null hypothesis",
            "nbest[0] is null",
            () -> new Decoded(0, Arrays.asList((Hypothesis) null))),
        rejects("negative input", "input must be >= 0 but is -1", () -> new Decoded(-1, List.of())),
        rejects(
            "stepTop excluded token = V",
            "exclude[0] = 8 is outside the vocabulary 0..7",
            () ->
                m.stepTop(
                    new int[] {2},
                    m.initialState(List.of(0)),
                    2,
                    new int[] {8},
                    new float[2],
                    new int[2])),
        rejects(
            "stepTop short outputs",
            "values and indices need rows * top = 4 entries but hold 2 and 2",
            () ->
                m.stepTop(
                    new int[] {2},
                    m.initialState(List.of(0)),
                    4,
                    new int[0],
                    new float[2],
                    new int[2])),
        rejects(
            "stepTop top 0",
            "top must be >= 1 but is 0",
            () ->
                m.stepTop(
                    new int[] {2},
                    m.initialState(List.of(0)),
                    0,
                    new int[0],
                    new float[2],
                    new int[2])),
        rejects(
            "stepTop null tokens",
            "tokens is null",
            () ->
                m.stepTop(
                    null, m.initialState(List.of(0)), 1, new int[0], new float[2], new int[2])));
  }

  @Test
  void theLargestMaxLengthDecodesAsASmallOne() {
    for (DecodeOptions o :
        new DecodeOptions[] {
          DecodeOptions.greedy(),
          DecodeOptions.beam(3),
          DecodeOptions.builder().temperature(1).seed(4).build()
        }) {
      List<Decoded> small = decode(o.toBuilder().maxLength(50).build());
      List<Decoded> huge = decode(o.toBuilder().maxLength(Integer.MAX_VALUE).build());
      assertArrayEquals(small.get(0).tokens(), huge.get(0).tokens(), o.toString());
    }
  }

  @Test
  void exactStoppingStaysExactAtTheLargestMaxLength() {
    // [] ends with .5 (GNMT(1) score ln .5 / 1); A .5 goes on to A C <eos> (ln .5 / (8/6), better).
    // Exact stopping keeps the live beam A while its bound (ln .5 over the longest divisor) can
    // beat ln .5: with maxLength + 1 overflowing, the longest divisor was 1 and A was dropped.
    Map<List<Integer>, Map<Integer, Double>> r = new HashMap<>();
    r.put(List.of(), dist(EOS, 0.5, A, 0.5));
    r.put(List.of(A), dist(C, 1.0));
    TableModel m = TableModel.of(8, r);
    DecodeOptions o =
        DecodeOptions.builder().beamSize(2).lengthPenalty(LengthPenalty.gnmt(1.0)).build();
    for (int maxLength : new int[] {50, Integer.MAX_VALUE - 1, Integer.MAX_VALUE}) {
      Decoded d = Decoders.decode(m, List.of(0), o.toBuilder().maxLength(maxLength).build()).get(0);
      assertArrayEquals(new int[] {A, C}, d.tokens(), "maxLength " + maxLength);
    }
  }

  @Test
  void validTokensAtTheEdgeOfTheVocabularyAreAccepted() {
    // end token V-1 never drawn: decoding runs to maxLength; suppressing V-1 is allowed
    DecodeOptions o = DecodeOptions.builder().endToken(7).maxLength(2).suppress(7).build();
    List<Decoded> d = decode(o);
    assertArrayEquals(new int[] {A, C}, d.get(0).tokens());
  }
}
