/*
 * ConcurrencyTest: 16 threads share one LSTM, GRU, classifier and language model; every inference
 * result is bit-identical to the same call alone, and models trained in parallel threads are
 * bit-identical to their runs alone (ConcurrencyProbe at test size, ~10 s).
 *   mvn -B -ntp -q test -Djrnn.skipNative=true -Djrnn.native.dir=... -Dtest=ConcurrencyTest
 */
package org.jrnn.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class ConcurrencyTest {

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS) // a deadlock fails instead of hanging the build
  void sharedModelsGiveSingleThreadResultsBitForBit() {
    ConcurrencyProbe.Options o = new ConcurrencyProbe.Options(16, 40, 7, 4, 12);
    ConcurrencyProbe.Report r = ConcurrencyProbe.run(o);
    String detail = r.line(o) + "\n" + String.join("\n", r.problems());
    assertEquals(0, r.failures(), detail);
    assertEquals(0, r.mismatches(), detail);
    assertEquals(4, r.trainRuns(), detail);
    assertEquals(0, r.trainMismatches(), detail);
    assertEquals(0, r.leakedTensors(), detail);
    // every thread made every round's call (16 x 40), plus the calls during training and the
    // rechecks
    assertTrue(r.calls() >= 16 * 40, detail);
    assertTrue(r.passed(), detail);
  }
}
