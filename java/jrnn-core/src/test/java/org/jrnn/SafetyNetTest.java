/*
 * SafetyNetTest: the Cleaner frees (and reports) a tensor nobody closed; passes on one layer from
 * several threads give the same results as one thread (the per-device context lock).
 *   mvn -B test -Dtest=SafetyNetTest
 */
package org.jrnn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

class SafetyNetTest {
  private static WeakReference<Tensor> forgetATensor() {
    Tensor t = Tensor.zeros(3, 5); // no scope, never closed
    return new WeakReference<>(t);
  }

  @Test
  void cleanerFreesAForgottenTensorAndLogsALeak() throws Exception {
    List<String> messages = new ArrayList<>();
    Logger logger = Logger.getLogger("org.jrnn");
    Handler handler =
        new Handler() {
          @Override
          public void publish(LogRecord r) {
            synchronized (messages) {
              messages.add(r.getMessage());
            }
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    logger.addHandler(handler);
    try {
      long before = Tensor.liveAllocations();
      WeakReference<Tensor> ref = forgetATensor();
      assertEquals(before + 1, Tensor.liveAllocations());
      for (int i = 0; i < 50 && ref.get() != null; i++) {
        System.gc();
        Thread.sleep(20);
      }
      assumeTrue(ref.get() == null, "the JVM did not collect the tensor (explicit GC disabled?)");
      // Collected: the Cleaner thread must now free it. Wait for that thread, not for a duration.
      for (int i = 0; i < 500 && Tensor.liveAllocations() != before; i++) {
        Thread.sleep(10);
      }
      assertEquals(before, Tensor.liveAllocations(), "the Cleaner did not free the tensor");
      synchronized (messages) {
        assertTrue(
            messages.stream().anyMatch(m -> m.contains("tensor [3, 5] on cpu was never closed")),
            "no leak warning in " + messages);
      }
    } finally {
      logger.removeHandler(handler);
    }
  }

  @Test
  void passesFromManyThreadsMatchOneThread() throws Exception {
    Random rng = new Random(2);
    List<float[][]> seqs = new ArrayList<>();
    for (int len : new int[] {6, 3, 5, 1}) {
      float[][] s = new float[len][4];
      for (float[] row : s) {
        for (int k = 0; k < 4; k++) {
          row[k] = rng.nextFloat() - 0.5f;
        }
      }
      seqs.add(s);
    }
    long before = Tensor.liveAllocations();
    try (Recurrent rnn =
        Recurrent.builder().cell(Cell.LSTM).inputSize(4).hiddenSize(8).layers(2).seed(3).build()) {
      float[] expected;
      try (Scope scope = Scope.open()) {
        expected = rnn.forward(SequenceBatch.fromList(seqs)).output().toArray();
      }
      ExecutorService pool = Executors.newFixedThreadPool(4);
      try {
        List<Future<float[]>> results = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
          results.add(
              pool.submit(
                  () -> {
                    try (Scope scope = Scope.open()) {
                      return rnn.forward(SequenceBatch.fromList(seqs)).output().toArray();
                    }
                  }));
        }
        for (Future<float[]> f : results) {
          assertArrayEquals(expected, f.get());
        }
      } finally {
        pool.shutdown();
      }
    }
    assertEquals(before, Tensor.liveAllocations());
  }
}
