/*
 * NativeResourceTest: the in-flight count behind every closeable native object (memory blocks,
 * layer descriptors): close never disposes of what a call holds, disposes exactly once, and a
 * closed resource cannot be acquired.
 *   mvn -B test -Dtest=NativeResourceTest
 */
package org.jrnn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class NativeResourceTest {
  /** Counts disposals; {@code disposed} turns true at the first. */
  private static final class Counted extends NativeResource {
    final AtomicInteger disposals = new AtomicInteger();
    volatile boolean disposed;

    @Override
    void dispose() {
      disposed = true;
      disposals.incrementAndGet();
    }
  }

  @Test
  void closeWithNoCallInFlightDisposesAtOnceAndOnlyOnce() {
    Counted r = new Counted();
    assertTrue(r.acquire());
    r.release();
    assertTrue(r.close());
    assertEquals(1, r.disposals.get());
    assertFalse(r.close(), "a second close is a no-op");
    assertFalse(r.acquire(), "a closed resource cannot be acquired");
    assertEquals(1, r.disposals.get());
    assertTrue(r.isClosed());
  }

  @Test
  void closeDuringCallsDisposesWhenTheLastOneReleases() {
    Counted r = new Counted();
    assertTrue(r.acquire());
    assertTrue(r.acquire());
    assertTrue(r.close());
    assertTrue(r.isClosed());
    assertFalse(r.acquire(), "no new call once closed");
    assertEquals(0, r.disposals.get(), "disposed while two calls hold it");
    r.release();
    assertEquals(0, r.disposals.get(), "disposed while a call holds it");
    r.release();
    assertEquals(1, r.disposals.get(), "the last release disposes");
  }

  @Test
  void aClosedTensorStaysAllocatedUntilTheCallUsingItReleases() {
    long before = Tensor.liveAllocations();
    Tensor t = Tensor.of(new float[] {1, 2, 3});
    Tensor view = t.view(1, 2);
    view.acquire();
    t.close();
    assertTrue(view.isClosed() && t.isClosed());
    assertEquals(before + 1, Tensor.liveAllocations(), "freed under a call in flight");
    JrnnException e =
        org.junit.jupiter.api.Assertions.assertThrows(JrnnException.class, t::acquire);
    assertEquals(JrnnException.Status.CLOSED, e.status());
    view.release();
    assertEquals(before, Tensor.liveAllocations(), "the last release frees the block");
  }

  @Test
  void racingAcquiresNeverSeeADisposedResource() throws Exception {
    for (int trial = 0; trial < 200; trial++) {
      Counted r = new Counted();
      AtomicBoolean sawDisposed = new AtomicBoolean();
      AtomicLong held = new AtomicLong();
      CountDownLatch go = new CountDownLatch(1);
      List<Thread> threads = new ArrayList<>();
      for (int k = 0; k < 4; k++) {
        Thread th =
            new Thread(
                () -> {
                  try {
                    go.await();
                  } catch (InterruptedException e) {
                    return;
                  }
                  while (r.acquire()) {
                    if (r.disposed) {
                      sawDisposed.set(true);
                    }
                    held.incrementAndGet();
                    r.release();
                  }
                });
        threads.add(th);
        th.start();
      }
      go.countDown();
      while (held.get() < 50) {
        Thread.onSpinWait();
      }
      r.close();
      for (Thread th : threads) {
        th.join();
      }
      assertFalse(sawDisposed.get(), "a call held a disposed resource (trial " + trial + ")");
      assertEquals(1, r.disposals.get(), "disposals in trial " + trial);
    }
  }
}
