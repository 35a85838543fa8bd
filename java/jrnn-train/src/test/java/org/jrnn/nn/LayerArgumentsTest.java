/*
 * LayerArgumentsTest: misuse of the layers and initialisers of org.jrnn.nn (null, negative, NaN,
 * sizes beyond a Java array) gives a JrnnException whose short message names the problem.
 *   mvn -B -o test -Dtest=LayerArgumentsTest
 */
package org.jrnn.nn;

import static org.jrnn.Refusals.rejects;

import java.util.stream.Stream;
import org.jrnn.Cell;
import org.jrnn.Device;
import org.jrnn.Tensor;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

class LayerArgumentsTest {
  private static final Device CPU = Device.cpu();

  @TestFactory
  Stream<DynamicTest> layers() {
    return Stream.of(
        rejects(
            "embedding beyond an array",
            "an Embedding of 2147483647 x 64 needs 137438953408 elements",
            () -> Embedding.builder().vocabSize(Integer.MAX_VALUE).dim(64).build()),
        rejects(
            "embedding null device",
            "device is null",
            () -> Embedding.builder().vocabSize(4).dim(2).device(null).build()),
        rejects(
            "embedding padding",
            "paddingIndex 4 is outside 0..3",
            () -> Embedding.builder().vocabSize(4).dim(2).paddingIndex(4).build()),
        rejects(
            "embedding forward null",
            "ids is null",
            () -> {
              try (Embedding e = Embedding.builder().vocabSize(4).dim(2).build()) {
                e.forward(null);
              }
            }),
        rejects(
            "embedding forward out of range",
            "ids[1] = 4 is outside 0..3",
            () -> {
              try (Embedding e = Embedding.builder().vocabSize(4).dim(2).build()) {
                e.forward(new int[] {0, 4}).close();
              }
            }),
        rejects(
            "linear beyond an array",
            "a Linear of 3 x 2147483647 needs 6442450941 elements",
            () -> Linear.builder().inFeatures(Integer.MAX_VALUE).outFeatures(3).build()),
        rejects(
            "linear zero",
            "inFeatures must be >= 1 but is 0",
            () -> Linear.builder().inFeatures(0).outFeatures(3).build()),
        rejects(
            "linear null device",
            "device is null",
            () -> Linear.builder().inFeatures(2).outFeatures(3).device(null).build()),
        rejects(
            "linear forward null",
            "x is null",
            () -> {
              try (Linear l = Linear.builder().inFeatures(2).outFeatures(3).build()) {
                l.forward(null);
              }
            }),
        rejects(
            "linear backward null",
            "x is null",
            () -> {
              try (Linear l = Linear.builder().inFeatures(2).outFeatures(3).build();
                  Tensor dy = Tensor.zeros(CPU, 1, 3)) {
                l.backward(null, dy);
              }
            }),
        rejects(
            "linear backward null dy",
            "dy is null",
            () -> {
              try (Linear l = Linear.builder().inFeatures(2).outFeatures(3).build();
                  Tensor x = Tensor.zeros(CPU, 1, 2)) {
                l.backwardParameters(x, null);
              }
            }),
        rejects(
            "embedding backward null dy",
            "dy is null",
            () -> {
              try (Embedding e = Embedding.builder().vocabSize(4).dim(2).build()) {
                e.backward(new int[] {1}, null);
              }
            }),
        rejects(
            "dropout NaN",
            "p must be in [0, 1) but is NaN",
            () -> Dropout.builder().p(Float.NaN).build()),
        rejects(
            "dropout null device",
            "device is null",
            () -> Dropout.builder().p(0.5f).device(null).build()),
        rejects(
            "dropout forward null",
            "x is null",
            () -> Dropout.builder().p(0.5f).build().forward(null, 1, false)),
        rejects(
            "dropout backward null",
            "x is null",
            () -> Dropout.builder().p(0f).build().backward(null, 1)),
        rejects(
            "dropout negative seeds",
            "seedsDrawn must be >= 0 but is -1",
            () -> Dropout.builder().p(0f).build().setSeedsDrawn(-1)),
        rejects(
            "linear without outFeatures",
            "outFeatures is required",
            () -> Linear.builder().inFeatures(2).build()),
        rejects(
            "linear negative outFeatures",
            "outFeatures must be >= 1 but is -1",
            () -> Linear.builder().outFeatures(-1)),
        rejects(
            "embedding without dim",
            "dim is required",
            () -> Embedding.builder().vocabSize(3).build()),
        rejects(
            "embedding padding below -1",
            "paddingIndex must be >= -1 but is -2",
            () -> Embedding.builder().paddingIndex(-2)),
        rejects("dropout without p", "p is required", () -> Dropout.builder().seed(3).build()),
        rejects("dropout p = 1", "p must be in [0, 1) but is 1.0", () -> Dropout.builder().p(1f)),
        rejects(
            "recurrent without cell",
            "cell is required",
            () -> RecurrentLayer.builder().inputSize(2).hiddenSize(3).build()),
        rejects(
            "recurrent without inputSize",
            "inputSize is required",
            () -> RecurrentLayer.builder().cell(Cell.GRU).hiddenSize(3).build()),
        rejects(
            "recurrent zero layers",
            "layers must be >= 1 but is 0",
            () -> RecurrentLayer.builder().layers(0)),
        rejects("recurrent null init", "init is null", () -> RecurrentLayer.builder().init(null)),
        rejects("recurrent init null", "recurrent init is null", () -> RecurrentInit.parse(null)),
        rejects(
            "recurrent init long",
            "unknown recurrent init 'xxx",
            () -> RecurrentInit.parse("x".repeat(5000))),
        rejects(
            "forget bias on a GRU",
            "init forget-bias-1 needs an LSTM but the cell is GRU",
            () ->
                RecurrentLayer.builder()
                    .cell(Cell.GRU)
                    .inputSize(2)
                    .hiddenSize(3)
                    .init(RecurrentInit.FORGET_BIAS_ONE)
                    .build()),
        rejects(
            "recurrent null cell",
            "cell is null",
            () -> RecurrentLayer.builder().cell(null).inputSize(2).hiddenSize(3).build()),
        rejects(
            "recurrent null device",
            "device is null",
            () ->
                RecurrentLayer.builder()
                    .cell(Cell.GRU)
                    .inputSize(2)
                    .hiddenSize(3)
                    .device(null)
                    .build()),
        rejects(
            "recurrent zero hidden",
            "hiddenSize must be >= 1 but is 0",
            () -> RecurrentLayer.builder().cell(Cell.GRU).inputSize(2).hiddenSize(0).build()),
        rejects(
            "recurrent huge hidden",
            "hidden_size = 2147483647 is outside 1..16777216",
            () ->
                RecurrentLayer.builder()
                    .cell(Cell.LSTM)
                    .inputSize(2)
                    .hiddenSize(Integer.MAX_VALUE)
                    .build()),
        rejects(
            "recurrent forward null",
            "input is null",
            () -> {
              try (RecurrentLayer l =
                  RecurrentLayer.builder().cell(Cell.GRU).inputSize(2).hiddenSize(3).build()) {
                l.forward(null, null);
              }
            }),
        rejects(
            "recurrent step null",
            "x is null",
            () -> {
              try (RecurrentLayer l =
                  RecurrentLayer.builder().cell(Cell.GRU).inputSize(2).hiddenSize(3).build()) {
                l.step(null, null);
              }
            }),
        rejects(
            "parameter null name",
            "name is null",
            () -> {
              try (Tensor t = Tensor.zeros(CPU, 2)) {
                new Parameter(null, t, t);
              }
            }),
        rejects(
            "parameter null grad",
            "grad is null",
            () -> {
              try (Tensor t = Tensor.zeros(CPU, 2)) {
                new Parameter("w", t, null);
              }
            }),
        rejects(
            "parameter shapes",
            "parameter w: gradient shape [3] differs from value shape [2]",
            () -> {
              try (Tensor t = Tensor.zeros(CPU, 2);
                  Tensor g = Tensor.zeros(CPU, 3)) {
                new Parameter("w", t, g);
              }
            }),
        rejects(
            "prefixed null prefix",
            "prefix is null",
            () -> {
              try (Linear l = Linear.builder().inFeatures(2).outFeatures(2).build()) {
                Parameters.prefixed(null, l);
              }
            }),
        rejects("prefixed null module", "module is null", () -> Parameters.prefixed("rnn", null)),
        rejects("byName null", "module is null", () -> Parameters.byName(null)));
  }

  @TestFactory
  Stream<DynamicTest> initialisers() {
    return Stream.of(
        rejects(
            "uniform negative count",
            "uniform values needs -1 elements",
            () -> Init.uniform(0, -1, 1)),
        rejects(
            "uniform NaN bound",
            "bound must be finite and >= 0 but is NaN",
            () -> Init.uniform(0, 3, Double.NaN)),
        rejects(
            "normal negative count",
            "normal values needs -4 elements",
            () -> Init.normal(0, -4, 1)),
        rejects(
            "normal NaN std",
            "std must be finite and >= 0 but is NaN",
            () -> Init.normal(0, 3, Double.NaN)),
        rejects(
            "normal negative std",
            "std must be finite and >= 0 but is -1.0",
            () -> Init.normal(0, 3, -1)),
        rejects(
            "orthogonal 0",
            "an orthogonal matrix needs n >= 1 but n is 0",
            () -> Init.orthogonal(0, 0)),
        rejects(
            "orthogonal beyond an array",
            "an orthogonal 50000 x 50000 matrix needs 2500000000 elements",
            () -> Init.orthogonal(0, 50000)));
  }
}
