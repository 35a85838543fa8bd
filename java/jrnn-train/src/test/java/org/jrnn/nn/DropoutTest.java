/*
 * DropoutTest: a training forward that is refused (a closed input) frees the output it had
 * allocated, with no scope open to do it.
 *   mvn -B -o test -Dtest=DropoutTest
 */
package org.jrnn.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.jrnn.Device;
import org.jrnn.JrnnException;
import org.jrnn.Scope;
import org.jrnn.Tensor;
import org.junit.jupiter.api.Test;

class DropoutTest {
  @Test
  void aRefusedForwardOutsideAScopeLeavesNoAllocation() {
    assertFalse(Scope.isOpen());
    Dropout d = Dropout.builder().p(0.5f).seed(7).device(Device.cpu()).build();
    Tensor x = Tensor.of(new float[] {1, 2, 3, 4}, 2, 2);
    x.close();
    long live = Tensor.liveAllocations();
    assertThrows(JrnnException.class, () -> d.forward(x, d.nextSeed(), true));
    assertThrows(JrnnException.class, () -> d.backward(x, d.nextSeed()));
    assertEquals(live, Tensor.liveAllocations(), "the refused forward left its output allocated");
    // evaluation is the identity, closed or not
    assertSame(x, d.forward(x, d.nextSeed(), false));
  }
}
