/*
 * TensorTest: creation, copies, views, use after close, and the live-allocation count.
 *   mvn -B test -Dtest=TensorTest
 */
package org.jrnn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TensorTest {
  private long baseline;

  @BeforeEach
  void rememberAllocations() {
    baseline = Tensor.liveAllocations();
  }

  @AfterEach
  void noLeaks() {
    assertEquals(baseline, Tensor.liveAllocations(), "native allocations leaked by the test");
  }

  static JrnnException fails(Runnable r) {
    return assertThrows(JrnnException.class, r::run);
  }

  @Test
  void zerosHasShapeAndZeros() {
    try (Tensor t = Tensor.zeros(2, 3)) {
      assertArrayEquals(new long[] {2, 3}, t.shape());
      assertEquals(2, t.rank());
      assertEquals(6, t.numel());
      assertEquals(3, t.dim(1));
      assertEquals(3, t.dim(-1));
      assertEquals(Device.cpu(), t.device());
      assertArrayEquals(new float[6], t.toArray());
      assertEquals(baseline + 1, Tensor.liveAllocations());
      long[] s = t.shape();
      s[0] = 99;
      assertArrayEquals(new long[] {2, 3}, t.shape(), "shape() returns a copy");
      assertEquals(
          "dimension 2 does not exist in a rank-2 tensor [2, 3]",
          fails(() -> t.dim(2)).getMessage());
    }
  }

  @Test
  void ofCopiesDataRowMajor() {
    float[] data = {1, 2, 3, 4, 5, 6};
    try (Tensor t = Tensor.of(data, 2, 3)) {
      data[0] = 100; // the tensor holds a copy
      assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, t.toArray());
      assertEquals(6f, t.get(1, 2));
      assertEquals(2f, t.get(0, 1));
      t.set(-1f, 1, 0);
      assertArrayEquals(new float[] {1, 2, 3, -1, 5, 6}, t.toArray());
      assertEquals(
          "index [2, 0] is out of bounds for tensor [2, 3] on cpu",
          fails(() -> t.get(2, 0)).getMessage());
      assertEquals(
          "index [0] needs 2 coordinates for tensor [2, 3] on cpu",
          fails(() -> t.get(0)).getMessage());
    }
    try (Tensor v = Tensor.of(new float[] {7, 8, 9})) {
      assertArrayEquals(new long[] {3}, v.shape(), "no shape means a vector");
    }
  }

  @Test
  void badShapesAreRejected() {
    assertEquals(
        "data has 5 values but shape [2, 3] needs 6",
        fails(() -> Tensor.of(new float[5], 2, 3)).getMessage());
    assertEquals(
        "shape [2, -1] has a negative size at dimension 1",
        fails(() -> Tensor.zeros(2, -1)).getMessage());
    assertEquals(
        "shape [4611686018427387904, 4] is too large",
        fails(() -> Tensor.zeros(1L << 62, 4)).getMessage());
    try (Tensor t = Tensor.zeros(2, 3)) {
      assertEquals(
          "cannot copy 5 values into tensor [2, 3] on cpu (6 elements)",
          fails(() -> t.copyFrom(new float[5])).getMessage());
      try (Tensor u = Tensor.zeros(3, 2)) {
        assertEquals(
            "cannot copy tensor [3, 2] on cpu into tensor [2, 3] on cpu: shapes differ",
            fails(() -> t.copyFrom(u)).getMessage());
      }
    }
  }

  @Test
  void emptyAndScalarTensors() {
    try (Tensor e = Tensor.zeros(0, 5);
        Tensor s = Tensor.zeros()) {
      assertEquals(0, e.numel());
      assertArrayEquals(new float[0], e.toArray());
      assertEquals(1, s.numel());
      assertEquals(0, s.rank());
      s.set(3f);
      assertEquals(3f, s.get());
    }
  }

  @Test
  void copiesAreIndependent() {
    try (Tensor a = Tensor.of(new float[] {1, 2, 3, 4}, 2, 2);
        Tensor b = a.copy();
        Tensor c = a.to(Device.cpu());
        Tensor d = Tensor.zeros(2, 2)) {
      assertNotSame(a, c);
      a.set(9f, 0, 0);
      assertArrayEquals(new float[] {1, 2, 3, 4}, b.toArray());
      assertArrayEquals(new float[] {1, 2, 3, 4}, c.toArray());
      d.copyFrom(a);
      assertArrayEquals(new float[] {9, 2, 3, 4}, d.toArray());
      d.zero();
      assertArrayEquals(new float[4], d.toArray());
    }
  }

  @Test
  void useAfterCloseThrowsNamingTheTensor() {
    Tensor t = Tensor.zeros(2, 3);
    t.close();
    t.close(); // idempotent
    assertTrue(t.isClosed());
    assertEquals(baseline, Tensor.liveAllocations());
    JrnnException e = fails(t::toArray);
    assertEquals("tensor [2, 3] on cpu is closed", e.getMessage());
    assertEquals(JrnnException.Status.CLOSED, e.status());
    assertEquals(
        "tensor [2, 3] on cpu is closed", fails(() -> t.copyFrom(new float[6])).getMessage());
    assertEquals("tensor [2, 3] on cpu is closed", fails(() -> t.get(0, 0)).getMessage());
    assertEquals("tensor [2, 3] on cpu is closed", fails(t::copy).getMessage());
    assertEquals("tensor [2, 3] on cpu is closed", fails(t::keep).getMessage());
    try (Tensor other = Tensor.zeros(2, 3)) {
      assertEquals("tensor [2, 3] on cpu is closed", fails(() -> other.copyFrom(t)).getMessage());
    }
    assertEquals("Tensor[2, 3] on cpu (closed)", t.toString());
    // shape facts stay readable
    assertArrayEquals(new long[] {2, 3}, t.shape());
  }

  @Test
  void viewsShareMemoryAndNeverFreeTheParent() {
    Tensor parent = Tensor.of(new float[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9});
    Tensor v = parent.view(2, 2, 3);
    assertTrue(v.isView());
    assertEquals(baseline + 1, Tensor.liveAllocations(), "a view allocates nothing");
    assertArrayEquals(new float[] {2, 3, 4, 5, 6, 7}, v.toArray());
    v.set(-5f, 1, 0);
    assertEquals(-5f, parent.get(5));
    Tensor vv = v.view(3, 3); // a view of a view
    assertArrayEquals(new float[] {-5, 6, 7}, vv.toArray());
    v.close();
    assertEquals(baseline + 1, Tensor.liveAllocations(), "closing a view frees nothing");
    assertEquals(-5f, parent.get(5));
    assertArrayEquals(new float[] {-5, 6, 7}, vv.toArray(), "other views still work");
    assertEquals(
        "a view [3, 3] at offset 2 does not fit in tensor [10] on cpu (10 elements)",
        fails(() -> parent.view(2, 3, 3)).getMessage());
    parent.close();
    assertEquals(baseline, Tensor.liveAllocations());
    assertTrue(vv.isClosed());
    assertEquals(
        "tensor [3] on cpu is closed (it is a view of a tensor that was closed)",
        fails(vv::toArray).getMessage());
  }

  @Test
  void toStringShowsShapeDeviceAndPreview() {
    try (Tensor t = Tensor.of(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 2, 5)) {
      assertEquals(
          "Tensor[2, 5] on cpu [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, ...]", t.toString());
    }
    try (Tensor t = Tensor.of(new float[] {1.5f, 2}, 2)) {
      assertEquals("Tensor[2] on cpu [1.5, 2.0]", t.toString());
    }
  }

  @Test
  void addressesAreGivenOnlyForOpenTensors() {
    Tensor t = Tensor.of(new float[] {1, 2, 3, 4});
    Tensor v = t.view(2, 2);
    assertEquals(t.address() + 8, v.address());
    t.close();
    assertEquals(
        "tensor [2] on cpu is closed (it is a view of a tensor that was closed)",
        fails(v::address).getMessage());
  }

  @Test
  void liveAllocationsCountsOwners() {
    Tensor a = Tensor.zeros(3);
    Tensor b = Tensor.zeros(4);
    assertEquals(baseline + 2, Tensor.liveAllocations());
    a.close();
    assertEquals(baseline + 1, Tensor.liveAllocations());
    b.close();
    assertFalse(Scope.isOpen());
  }
}
