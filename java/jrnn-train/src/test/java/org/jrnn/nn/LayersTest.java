/*
 * LayersTest: Linear, Embedding and Dropout against plain-Java references (forward, accumulated
 * backward, finite differences), seeded initialisation, padding, and reproducible dropout masks
 * that backward recomputes exactly.
 *   mvn -B -o test -Dtest=LayersTest
 */
package org.jrnn.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.jrnn.Device;
import org.jrnn.JrnnException;
import org.jrnn.Scope;
import org.jrnn.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class LayersTest {
  private static final Device CPU = Device.cpu();
  private Scope scope;
  private long live;

  @BeforeEach
  void open() {
    live = Tensor.liveAllocations();
    scope = Scope.open();
  }

  @AfterEach
  void close() {
    scope.close();
    assertEquals(live, Tensor.liveAllocations(), "a layer leaked native memory");
  }

  @Test
  void linearMatchesAPlainJavaReferenceAndAccumulates() {
    try (Linear lin = Linear.builder().inFeatures(3).outFeatures(2).seed(7).device(CPU).build()) {
      float[] w = lin.weight().toArray();
      float[] b = lin.bias().toArray();
      float[] x = {0.5f, -1, 2, 1, 0, -0.5f, 3, 1, 1, -2, 0.25f, 0};
      Tensor xt = Tensor.of(x, 2, 2, 3);
      float[] y = lin.forward(xt).toArray();
      for (int m = 0; m < 4; m++) {
        for (int o = 0; o < 2; o++) {
          double ref = b[o];
          for (int i = 0; i < 3; i++) {
            ref += (double) x[m * 3 + i] * w[o * 3 + i];
          }
          assertEquals(ref, y[m * 2 + o], 1e-5, "y[" + m + "][" + o + "]");
        }
      }
      float[] dy = {1, -1, 0.5f, 2, -3, 0, 1, 1};
      Tensor dyt = Tensor.of(dy, 2, 2, 2);
      float[] dx = lin.backward(xt, dyt).toArray();
      lin.backwardParameters(xt, dyt); // accumulates a second time
      float[] dw = lin.parameters().get(0).grad().toArray();
      float[] db = lin.parameters().get(1).grad().toArray();
      for (int o = 0; o < 2; o++) {
        double refB = 0;
        for (int m = 0; m < 4; m++) {
          refB += dy[m * 2 + o];
        }
        assertEquals(2 * refB, db[o], 1e-5);
        for (int i = 0; i < 3; i++) {
          double refW = 0;
          for (int m = 0; m < 4; m++) {
            refW += (double) dy[m * 2 + o] * x[m * 3 + i];
          }
          assertEquals(2 * refW, dw[o * 3 + i], 1e-4);
        }
      }
      for (int m = 0; m < 4; m++) {
        for (int i = 0; i < 3; i++) {
          double ref = 0;
          for (int o = 0; o < 2; o++) {
            ref += (double) dy[m * 2 + o] * w[o * 3 + i];
          }
          assertEquals(ref, dx[m * 3 + i], 1e-5);
        }
      }
      lin.zeroGradients();
      assertArrayEquals(new float[6], lin.parameters().get(0).grad().toArray(), 0f);
    }
  }

  @Test
  void linearInitIsPyTorchsUniformAndSeeded() {
    try (Linear a = Linear.builder().inFeatures(16).outFeatures(40).seed(3).device(CPU).build();
        Linear b = Linear.builder().inFeatures(16).outFeatures(40).seed(3).device(CPU).build();
        Linear c =
            Linear.builder()
                .inFeatures(16)
                .outFeatures(40)
                .bias(false)
                .seed(4)
                .device(CPU)
                .build()) {
      assertArrayEquals(a.weight().toArray(), b.weight().toArray(), 0f);
      assertArrayEquals(a.bias().toArray(), b.bias().toArray(), 0f);
      assertFalse(Arrays.equals(a.weight().toArray(), c.weight().toArray()));
      assertNull(c.bias());
      assertEquals(List.of("weight"), c.parameters().stream().map(Parameter::name).toList());
      float max = 0;
      for (float v : a.weight().toArray()) {
        max = Math.max(max, Math.abs(v));
      }
      assertTrue(max <= 0.25f && max > 0.2f, "|w| <= 1/sqrt(16) and fills the range: " + max);
      assertFalse(
          Arrays.equals(Arrays.copyOf(a.weight().toArray(), 40), a.bias().toArray()),
          "weight and bias come from different streams");
    }
  }

  @Test
  void embeddingLooksUpRowsPadsAndAccumulates() {
    try (Embedding emb =
        Embedding.builder().vocabSize(5).dim(2).paddingIndex(0).seed(11).device(CPU).build()) {
      float[] table = emb.weight().toArray();
      assertArrayEquals(
          new float[2], Arrays.copyOf(table, 2), 0f, "the padding row starts at zero");
      Tensor y = emb.forward(new int[] {3, 0, -1, 1, 3, 4}, 3, 2);
      assertArrayEquals(new long[] {3, 2, 2}, y.shape());
      float[] got = y.toArray();
      assertArrayEquals(Arrays.copyOfRange(table, 6, 8), Arrays.copyOfRange(got, 0, 2), 0f);
      assertArrayEquals(new float[4], Arrays.copyOfRange(got, 2, 6), 0f);
      float[] dy = new float[12];
      for (int i = 0; i < dy.length; i++) {
        dy[i] = i + 1;
      }
      emb.backward(new int[] {3, 0, -1, 1, 3, 4}, Tensor.of(dy, 3, 2, 2));
      float[] g = emb.parameters().get(0).grad().toArray();
      assertArrayEquals(new float[] {0, 0, 7, 8, 0, 0, 1 + 9, 2 + 10, 11, 12}, g, 0f);
      JrnnException e = assertThrows(JrnnException.class, () -> emb.forward(new int[] {5}));
      assertTrue(e.getMessage().contains("ids[0] = 5 is outside 0..4"), e.getMessage());
    }
  }

  @Test
  void embeddingInitIsStandardNormalAndSeeded() {
    try (Embedding a = Embedding.builder().vocabSize(200).dim(50).seed(1).device(CPU).build();
        Embedding b = Embedding.builder().vocabSize(200).dim(50).seed(1).device(CPU).build()) {
      float[] v = a.weight().toArray();
      assertArrayEquals(v, b.weight().toArray(), 0f);
      double mean = 0;
      double sq = 0;
      for (float x : v) {
        mean += x;
        sq += x * x;
      }
      mean /= v.length;
      double std = Math.sqrt(sq / v.length - mean * mean);
      assertEquals(0, mean, 0.03);
      assertEquals(1, std, 0.03);
    }
  }

  @Test
  void dropoutBackwardRecomputesTheForwardMask() {
    Dropout d = Dropout.builder().p(0.4f).seed(5).device(CPU).build();
    float[] x = new float[500];
    for (int i = 0; i < x.length; i++) {
      x[i] = 1 + i % 7;
    }
    Tensor xt = Tensor.of(x);
    long seed = d.nextSeed();
    float[] y = d.forward(xt, seed, true).toArray();
    float[] dx = d.backward(Tensor.of(x), seed).toArray();
    int dropped = 0;
    for (int i = 0; i < x.length; i++) {
      if (y[i] == 0f) {
        dropped++;
        assertEquals(0f, dx[i], "dropped in forward, no gradient");
      } else {
        assertEquals(x[i] / 0.6f, y[i], 1e-5);
        assertEquals(x[i] / 0.6f, dx[i], 1e-5);
      }
    }
    assertTrue(dropped > 150 && dropped < 250, "dropped " + dropped);
    assertSame(xt, d.forward(xt, seed, false), "evaluation is the identity");
    assertFalse(
        Arrays.equals(y, d.forward(xt, d.nextSeed(), true).toArray()),
        "the next call, another mask");
  }

  @Test
  void dropoutSeedsAreASeededSequenceThatCanBeResumed() {
    Dropout a = Dropout.builder().p(0.5f).seed(9).device(CPU).build();
    Dropout b = Dropout.builder().p(0.5f).seed(9).device(CPU).build();
    long[] first = {a.nextSeed(), a.nextSeed(), a.nextSeed()};
    assertEquals(3, a.seedsDrawn());
    b.setSeedsDrawn(2);
    assertEquals(first[2], b.nextSeed());
    assertTrue(first[0] != first[1] && first[1] != first[2]);
    assertEquals(
        first[0],
        Dropout.builder().p(0.1f).seed(9).device(CPU).build().nextSeed(),
        "seeds do not depend on p");
    assertThrows(JrnnException.class, () -> Dropout.builder().p(1f).seed(0).device(CPU).build());
    assertTrue(a.parameters().isEmpty());
  }
}
