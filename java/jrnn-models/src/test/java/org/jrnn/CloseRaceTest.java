/*
 * CloseRaceTest: closing layers, a model, tensors and their scope while other threads call into
 * them gives each call its race-free result or JrnnException CLOSED, never anything else (see
 * CloseRace; scripts/test-asan-race.sh runs the same race under AddressSanitizer).
 *   mvn -B test -Dtest=CloseRaceTest
 */
package org.jrnn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class CloseRaceTest {
  @Test
  void closeDuringCallsGivesResultsOrClosedNeverStaleMemory() throws Exception {
    long seed = System.nanoTime();
    CloseRace.Outcome outcome = CloseRace.run(3000, seed);
    String what = "seed " + seed + ": " + outcome;
    assertTrue(outcome.failures().isEmpty(), what);
    assertEquals(0, outcome.leaked(), "native allocations left alive: " + what);
    assertTrue(outcome.correct() > 0, "no call completed: " + what);
    assertTrue(outcome.closed() > 0, "no call saw a close: " + what);
  }
}
