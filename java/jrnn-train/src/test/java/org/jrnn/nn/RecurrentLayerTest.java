/*
 * RecurrentLayerTest: PyTorch names over the flat buffers, backward accumulating into the
 * parameters' gradients, and the initialisation options (seeded uniform, orthogonal recurrent
 * blocks, LSTM forget-gate bias 1).
 *   mvn -B -o test -Dtest=RecurrentLayerTest
 */
package org.jrnn.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.jrnn.Cell;
import org.jrnn.Device;
import org.jrnn.JrnnException;
import org.jrnn.RecurrentOutput;
import org.jrnn.Scope;
import org.jrnn.SequenceBatch;
import org.jrnn.Tensor;
import org.junit.jupiter.api.Test;

class RecurrentLayerTest {
  private static final Device CPU = Device.cpu();

  @Test
  void parametersAreNamedViewsAndBackwardFillsTheirGradients() {
    try (RecurrentLayer rnn =
            RecurrentLayer.builder()
                .cell(Cell.GRU)
                .inputSize(3)
                .hiddenSize(4)
                .layers(2)
                .bidirectional(true)
                .seed(1)
                .device(CPU)
                .build();
        Scope scope = Scope.open()) {
      List<String> names = rnn.parameters().stream().map(Parameter::name).toList();
      assertEquals(16, names.size());
      assertEquals(
          List.of("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"), names.subList(0, 4));
      assertEquals("bias_hh_l1_reverse", names.get(15));
      assertArrayEquals(
          new long[] {12, 8}, rnn.parameters().get(8).value().shape(), "layer 1 reads D*H");
      assertEquals(rnn.recurrent().parameterCount(), rnn.parameterCount());
      SequenceBatch x =
          SequenceBatch.fromBatchFirst(new float[][][] {{{1, 2, 3}, {0, 1, 0}}}, null);
      RecurrentOutput out = rnn.forwardTrain(x, null);
      rnn.backward(out, Tensor.of(new float[16], 2, 1, 8), Tensor.of(fill(16, 1f), 4, 1, 4), null);
      double sum = 0;
      for (Parameter p : rnn.parameters()) {
        for (float v : p.grad().toArray()) {
          sum += Math.abs(v);
        }
      }
      assertEquals(sumAbs(rnn.recurrent().gradientBuffer().toArray()), sum, 1e-4);
      assertTrue(sum > 0);
      rnn.zeroGradients();
      assertEquals(0, sumAbs(rnn.recurrent().gradientBuffer().toArray()), 0);
    }
  }

  @Test
  void defaultInitIsSeededUniform() {
    try (RecurrentLayer a =
            RecurrentLayer.builder()
                .cell(Cell.LSTM)
                .inputSize(3)
                .hiddenSize(16)
                .seed(5)
                .device(CPU)
                .build();
        RecurrentLayer b =
            RecurrentLayer.builder()
                .cell(Cell.LSTM)
                .inputSize(3)
                .hiddenSize(16)
                .seed(5)
                .device(CPU)
                .build()) {
      float[] w = a.recurrent().weights().toArray();
      assertArrayEquals(w, b.recurrent().weights().toArray(), 0f);
      for (float v : w) {
        assertTrue(Math.abs(v) <= 0.25f);
      }
    }
  }

  @Test
  void orthogonalInitGivesOrthogonalGateBlocks() {
    int h = 6;
    try (RecurrentLayer rnn =
            RecurrentLayer.builder()
                .cell(Cell.LSTM)
                .inputSize(2)
                .hiddenSize(h)
                .bidirectional(true)
                .init(RecurrentInit.ORTHOGONAL)
                .seed(3)
                .device(CPU)
                .build();
        RecurrentLayer plain =
            RecurrentLayer.builder()
                .cell(Cell.LSTM)
                .inputSize(2)
                .hiddenSize(h)
                .bidirectional(true)
                .seed(3)
                .device(CPU)
                .build()) {
      Map<String, Parameter> p = Parameters.byName(rnn);
      Map<String, Parameter> q = Parameters.byName(plain);
      for (String name : List.of("weight_hh_l0", "weight_hh_l0_reverse")) {
        float[] w = p.get(name).value().toArray();
        for (int g = 0; g < 4; g++) {
          for (int i = 0; i < h; i++) {
            for (int j = 0; j < h; j++) {
              double dot = 0;
              for (int k = 0; k < h; k++) {
                dot += (double) w[(g * h + i) * h + k] * w[(g * h + j) * h + k];
              }
              assertEquals(i == j ? 1 : 0, dot, 1e-5, name + " gate " + g + " rows " + i + "," + j);
            }
          }
        }
      }
      assertFalse(
          Arrays.equals(
              p.get("weight_hh_l0").value().toArray(),
              p.get("weight_hh_l0_reverse").value().toArray()),
          "each block is drawn anew");
      assertArrayEquals(
          q.get("weight_ih_l0").value().toArray(),
          p.get("weight_ih_l0").value().toArray(),
          0f,
          "input weights keep PyTorch's init");
    }
  }

  @Test
  void forgetBiasOneSetsOnlyTheForgetGate() {
    int h = 3;
    try (RecurrentLayer rnn =
            RecurrentLayer.builder()
                .cell(Cell.LSTM)
                .inputSize(2)
                .hiddenSize(h)
                .layers(2)
                .init(RecurrentInit.FORGET_BIAS_ONE)
                .seed(4)
                .device(CPU)
                .build();
        RecurrentLayer plain =
            RecurrentLayer.builder()
                .cell(Cell.LSTM)
                .inputSize(2)
                .hiddenSize(h)
                .layers(2)
                .seed(4)
                .device(CPU)
                .build()) {
      Map<String, Parameter> p = Parameters.byName(rnn);
      Map<String, Parameter> q = Parameters.byName(plain);
      for (String layer : List.of("l0", "l1")) {
        float[] bih = p.get("bias_ih_" + layer).value().toArray();
        float[] bhh = p.get("bias_hh_" + layer).value().toArray();
        float[] ref = q.get("bias_ih_" + layer).value().toArray();
        for (int i = 0; i < 4 * h; i++) {
          boolean forget = i >= h && i < 2 * h;
          assertEquals(forget ? 1f : ref[i], bih[i], 0f, "bias_ih_" + layer + "[" + i + "]");
          if (forget) {
            assertEquals(0f, bhh[i], 0f);
          }
        }
      }
    }
    JrnnException e =
        assertThrows(
            JrnnException.class,
            () ->
                RecurrentLayer.builder()
                    .cell(Cell.GRU)
                    .inputSize(2)
                    .hiddenSize(3)
                    .init(RecurrentInit.FORGET_BIAS_ONE)
                    .seed(1)
                    .device(CPU)
                    .build());
    assertTrue(
        e.getMessage().contains("init forget-bias-1 needs an LSTM but the cell is GRU"),
        e.getMessage());
    assertEquals(
        RecurrentInit.ORTHOGONAL_FORGET_BIAS_ONE,
        RecurrentInit.parse(RecurrentInit.ORTHOGONAL_FORGET_BIAS_ONE.id()));
    assertThrows(JrnnException.class, () -> RecurrentInit.parse("xavier"));
  }

  private static float[] fill(int n, float v) {
    float[] a = new float[n];
    Arrays.fill(a, v);
    return a;
  }

  private static double sumAbs(float[] a) {
    double s = 0;
    for (float v : a) {
      s += Math.abs(v);
    }
    return s;
  }
}
