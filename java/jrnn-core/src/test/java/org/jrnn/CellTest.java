/*
 * CellTest: gate counts and the native enum values of jrnn.h.
 */
package org.jrnn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class CellTest {
  @Test
  void gatesAndNativeValues() {
    assertEquals(1, Cell.RNN_TANH.gatesPerCell());
    assertEquals(1, Cell.RNN_RELU.gatesPerCell());
    assertEquals(4, Cell.LSTM.gatesPerCell());
    assertEquals(3, Cell.GRU.gatesPerCell());
    assertEquals(0, Cell.RNN_TANH.nativeValue());
    assertEquals(1, Cell.RNN_RELU.nativeValue());
    assertEquals(2, Cell.LSTM.nativeValue());
    assertEquals(3, Cell.GRU.nativeValue());
    for (Cell c : Cell.values()) {
      assertEquals(c, Cell.fromNative(c.nativeValue()));
    }
    assertTrue(Cell.LSTM.hasCellState());
    assertFalse(Cell.GRU.hasCellState());
  }
}
