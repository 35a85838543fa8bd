/*
 * DeviceTest: device names, equality, parsing and a clean failure when CUDA is not there.
 *   mvn -B test -Dtest=DeviceTest
 */
package org.jrnn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.Test;

class DeviceTest {
  @Test
  void cpuFacts() {
    Device cpu = Device.cpu();
    assertTrue(cpu.isCpu());
    assertFalse(cpu.isCuda());
    assertEquals(0, cpu.index());
    assertEquals("cpu", cpu.toString());
    assertSame(cpu, Device.parse("cpu"));
    assertSame(cpu, Device.parse(" CPU "));
    assertEquals(cpu, Device.unchecked(Device.Type.CPU, 0));
  }

  @Test
  void equalityAndNames() {
    Device a = Device.unchecked(Device.Type.CUDA, 1);
    Device b = Device.unchecked(Device.Type.CUDA, 1);
    assertEquals(a, b);
    assertEquals(a.hashCode(), b.hashCode());
    assertNotEquals(a, Device.unchecked(Device.Type.CUDA, 0));
    assertNotEquals(a, Device.cpu());
    assertEquals("cuda:1", a.toString());
    assertTrue(a.isCuda());
  }

  @Test
  void parseRejectsOtherSpellings() {
    assertEquals(
        "unknown device \"tpu\": expected \"cpu\", \"cuda\" or \"cuda:N\"",
        assertThrows(JrnnException.class, () -> Device.parse("tpu")).getMessage());
    assertEquals(
        "unknown device \"cuda:x\": expected \"cpu\", \"cuda\" or \"cuda:N\"",
        assertThrows(JrnnException.class, () -> Device.parse("cuda:x")).getMessage());
    assertEquals(
        "device name is null",
        assertThrows(JrnnException.class, () -> Device.parse(null)).getMessage());
  }

  @Test
  void cudaFailsCleanlyWithoutAGpu() {
    assumeTrue(Device.cudaDeviceCount() == 0, "this machine has a GPU");
    JrnnException e = assertThrows(JrnnException.class, () -> Device.cuda(0));
    assertEquals(JrnnException.Status.NOT_SUPPORTED, e.status());
    assertTrue(e.getMessage().startsWith("CUDA device 0 is not available: "), e.getMessage());
    assertThrows(JrnnException.class, () -> Device.parse("cuda:0"));
    assertThrows(JrnnException.class, () -> Device.parse("cuda"));
  }

  @Test
  void cudaIndexOutOfRange() {
    int count = Device.cudaDeviceCount();
    assumeTrue(count > 0, "no GPU here");
    JrnnException e = assertThrows(JrnnException.class, () -> Device.cuda(count));
    assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
    assertEquals("cuda:0", Device.cuda(0).toString());
  }
}
