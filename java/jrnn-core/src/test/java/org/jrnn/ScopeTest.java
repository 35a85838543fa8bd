/*
 * ScopeTest: scopes free what they own (nested, reverse order, keep() escapes), thread confinement.
 *   mvn -B test -Dtest=ScopeTest
 */
package org.jrnn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ScopeTest {
  private long baseline;

  @BeforeEach
  void rememberAllocations() {
    baseline = Tensor.liveAllocations();
  }

  @AfterEach
  void noLeaks() {
    assertFalse(Scope.isOpen(), "a test left a scope open");
    assertEquals(baseline, Tensor.liveAllocations(), "native allocations leaked by the test");
  }

  @Test
  void scopeFreesEveryTensorItOwns() {
    Tensor a;
    Tensor b;
    Tensor v;
    try (Scope scope = Scope.open()) {
      assertTrue(Scope.isOpen());
      a = Tensor.zeros(2, 2);
      b = Tensor.of(new float[] {1, 2});
      v = a.view(1, 2);
      assertEquals(3, scope.size());
      assertEquals(baseline + 2, Tensor.liveAllocations());
    }
    assertTrue(a.isClosed() && b.isClosed() && v.isClosed());
    assertEquals(baseline, Tensor.liveAllocations());
  }

  @Test
  void nestedScopesOwnOnlyTheirOwnTensors() {
    try (Scope outer = Scope.open()) {
      Tensor a = Tensor.zeros(1);
      Tensor inner1;
      try (Scope inner = Scope.open()) {
        inner1 = Tensor.zeros(2);
        assertEquals(1, inner.size());
        assertEquals(1, outer.size());
      }
      assertTrue(inner1.isClosed());
      assertFalse(a.isClosed());
      assertEquals(baseline + 1, Tensor.liveAllocations());
    }
  }

  @Test
  void keepEscapesTheScopeAndTheCallerOwnsIt() {
    Tensor kept;
    Tensor kept2;
    try (Scope scope = Scope.open()) {
      kept = Tensor.of(new float[] {4, 5}).keep();
      kept2 = scope.keep(Tensor.zeros(3));
      Tensor.zeros(7);
      assertEquals(1, scope.size());
    }
    assertFalse(kept.isClosed());
    assertEquals(5f, kept.get(1));
    assertEquals(baseline + 2, Tensor.liveAllocations());
    kept.close();
    kept2.close();
  }

  @Test
  void containersKeepAllTheirTensors() {
    SequenceBatch batch;
    try (Scope scope = Scope.open()) {
      batch = SequenceBatch.fromList(List.<float[][]>of(new float[][] {{1}, {2}})).keep();
    }
    assertEquals(2f, batch.data().get(1, 0, 0));
    batch.close();
    assertTrue(batch.data().isClosed());
  }

  @Test
  void closingATensorEarlyRemovesItFromTheScope() {
    try (Scope scope = Scope.open()) {
      Tensor a = Tensor.zeros(2);
      a.close();
      assertEquals(0, scope.size());
      assertEquals(baseline, Tensor.liveAllocations());
    }
  }

  @Test
  void closingAnOuterScopeClosesInnerOnes() {
    Scope outer = Scope.open();
    Scope inner = Scope.open();
    Tensor t = Tensor.zeros(1);
    outer.close();
    assertTrue(inner.isClosed());
    assertTrue(t.isClosed());
    assertFalse(Scope.isOpen());
    inner.close(); // idempotent
  }

  @Test
  void tensorsOutsideAnyScopeBelongToTheCaller() {
    Tensor t = Tensor.zeros(3);
    try (Scope scope = Scope.open()) {
      assertEquals(0, scope.size());
    }
    assertFalse(t.isClosed());
    t.close();
  }

  @Test
  void scopesAreConfinedToTheirThread() throws Exception {
    try (Scope scope = Scope.open()) {
      AtomicReference<Throwable> error = new AtomicReference<>();
      AtomicReference<Tensor> created = new AtomicReference<>();
      Thread other =
          new Thread(
              () -> {
                try {
                  created.set(Tensor.zeros(2)); // no scope on this thread: caller-owned
                  scope.close();
                } catch (Throwable e) {
                  error.set(e);
                }
              },
              "other");
      other.start();
      other.join();
      assertEquals(0, scope.size());
      assertTrue(error.get() instanceof JrnnException);
      assertEquals(
          "a Scope must be closed on the thread that opened it (main)",
          error.get().getMessage().replace(Thread.currentThread().getName(), "main"));
      assertFalse(scope.isClosed());
      created.get().close();
    }
  }

  @Test
  void reverseOrderCloseLetsViewsGoFirst() {
    Tensor parent;
    Tensor view;
    try (Scope scope = Scope.open()) {
      parent = Tensor.zeros(4);
      view = parent.view(0, 2);
    }
    assertTrue(parent.isClosed());
    assertTrue(view.isClosed());
  }

  @Test
  void innermostScopeIsTheOwner() {
    try (Scope a = Scope.open()) {
      try (Scope b = Scope.open()) {
        Tensor t = Tensor.zeros(1);
        assertSame(b, t.scope);
      }
    }
  }
}
