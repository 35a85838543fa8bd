/*
 * CudaTest: the same passes on cuda:0 and on the CPU agree; tensors move between devices.
 * Skips (never fakes) where Device.cudaDeviceCount() == 0.
 *   mvn -B test -Dtest=CudaTest
 */
package org.jrnn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class CudaTest {
  private Device gpu;

  @BeforeEach
  void needAGpu() {
    assumeTrue(Device.cudaDeviceCount() > 0, "no CUDA GPU here");
    gpu = Device.cuda(0);
  }

  @Test
  void tensorsMoveBetweenDevices() {
    long before = Tensor.liveAllocations();
    try (Scope scope = Scope.open()) {
      Tensor a = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
      Tensor g = a.to(gpu);
      assertEquals(gpu, g.device());
      assertArrayEquals(a.toArray(), g.toArray());
      Tensor g2 = Tensor.zeros(gpu, 2, 3);
      g2.copyFrom(g);
      g2.set(-1f, 0, 1);
      assertEquals(-1f, g2.get(0, 1));
      Tensor back = Tensor.zeros(2, 3);
      back.copyFrom(g2);
      assertArrayEquals(new float[] {1, -1, 3, 4, 5, 6}, back.toArray());
      Tensor v = g2.view(3, 3);
      assertArrayEquals(new float[] {4, 5, 6}, v.toArray());
      g2.zero();
      assertArrayEquals(new float[6], g2.toArray());
    }
    assertEquals(before, Tensor.liveAllocations());
  }

  @Test
  void layerAndInputMustShareTheDevice() {
    try (Recurrent rnn =
            Recurrent.builder().cell(Cell.GRU).inputSize(2).hiddenSize(3).device(gpu).build();
        Scope scope = Scope.open()) {
      SequenceBatch cpuBatch = SequenceBatch.fromList(RecurrentTest.seqs(new float[2][2]));
      assertEquals(
          "input is on cpu but the layer is on cuda:0",
          assertThrows(JrnnException.class, () -> rnn.forward(cpuBatch)).getMessage());
    }
  }

  @ParameterizedTest
  @EnumSource(Cell.class)
  void passesOnTheGpuMatchTheCpu(Cell cell) {
    Random rng = new Random(17);
    int c = 5;
    int h = 7;
    int[] lengths = {6, 2, 5};
    List<float[][]> seqs = RecurrentTest.randomSequences(rng, c, lengths);
    try (Recurrent onCpu = RecurrentTest.build(cell, c, h, 2, true, true, 99);
        Recurrent onGpu =
            Recurrent.builder()
                .cell(cell)
                .inputSize(c)
                .hiddenSize(h)
                .layers(2)
                .bidirectional(true)
                .seed(99)
                .device(gpu)
                .build();
        Scope scope = Scope.open()) {
      assertArrayEquals(
          onCpu.weights().toArray(), onGpu.weights().toArray(), "same seed, same weights");
      RecurrentOutput a = onCpu.forwardTrain(SequenceBatch.fromList(seqs), null);
      RecurrentOutput b = onGpu.forwardTrain(SequenceBatch.fromList(gpu, seqs), null);
      assertArrayEquals(a.output().toArray(), b.output().toArray(), 1e-4f, "output");
      assertArrayEquals(a.hn().toArray(), b.hn().toArray(), 1e-4f, "hn");
      float[] dy = RecurrentTest.randomArray(rng, (int) a.output().numel(), 1f);
      RecurrentGradients ga = onCpu.backward(a, Tensor.of(dy, a.output().shape()), null, null);
      RecurrentGradients gb = onGpu.backward(b, Tensor.of(gpu, dy, b.output().shape()), null, null);
      assertArrayEquals(ga.dx().toArray(), gb.dx().toArray(), 1e-3f, "dx");
      assertArrayEquals(ga.dh0().toArray(), gb.dh0().toArray(), 1e-3f, "dh0");
      assertArrayEquals(
          onCpu.gradientBuffer().toArray(), onGpu.gradientBuffer().toArray(), 1e-3f, "dw");
    }
  }

  @ParameterizedTest
  @EnumSource(Cell.class)
  void stepOnTheGpuMatchesTheCpu(Cell cell) {
    Random rng = new Random(4);
    try (Recurrent onCpu = RecurrentTest.build(cell, 3, 4, 2, false, true, 5);
        Recurrent onGpu =
            Recurrent.builder()
                .cell(cell)
                .inputSize(3)
                .hiddenSize(4)
                .layers(2)
                .seed(5)
                .device(gpu)
                .build();
        Scope scope = Scope.open()) {
      RecurrentState sc = RecurrentState.zeros(onCpu, 2);
      RecurrentState sg = RecurrentState.zeros(onGpu, 2);
      for (int k = 0; k < 4; k++) {
        float[] x = RecurrentTest.randomArray(rng, 6, 1f);
        float[] yc = onCpu.step(Tensor.of(x, 2, 3), sc).toArray();
        float[] yg = onGpu.step(Tensor.of(gpu, x, 2, 3), sg).toArray();
        assertArrayEquals(yc, yg, 1e-4f, "step " + k);
      }
      assertArrayEquals(sc.h().toArray(), sg.h().toArray(), 1e-4f);
    }
  }
}
