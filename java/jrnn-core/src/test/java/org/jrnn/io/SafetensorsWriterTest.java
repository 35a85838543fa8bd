/*
 * SafetensorsWriterTest: misuse of the writer's put methods (null values, buffers, dtypes, shapes
 * or metadata maps) is refused with a JrnnException naming the tensor, and leaves the writer as it
 * was.
 *   mvn -B -o test -Dtest=SafetensorsWriterTest
 */
package org.jrnn.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import org.jrnn.JrnnException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class SafetensorsWriterTest {
  private static void refused(String expected, Executable call) {
    JrnnException e = assertThrows(JrnnException.class, call);
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }

  @Test
  void nullArgumentsAreRefusedNamingTheTensor() throws Exception {
    SafetensorsWriter w = new SafetensorsWriter();
    refused("tensor 'a': values is null", () -> w.putFloats("a", null, 1));
    refused("tensor 'a': values is null", () -> w.putFloats("a", DType.F16, null, 1));
    refused("tensor 'a': values is null", () -> w.putDoubles("a", DType.F64, null, 1));
    refused("tensor 'a': values is null", () -> w.putLongs("a", DType.I64, null, 1));
    refused("tensor 'a': values is null", () -> w.putInts("a", DType.I32, null, 1));
    refused("tensor 'a': bytes is null", () -> w.putRaw("a", DType.F32, null, 1));
    refused("tensor 'a': dtype is null", () -> w.putFloats("a", null, new float[1], 1));
    refused("tensor 'a': dtype is null", () -> w.putDoubles("a", null, new double[1], 1));
    refused("tensor 'a': dtype is null", () -> w.putRaw("a", null, ByteBuffer.allocate(4), 1));
    refused("tensor 'a': shape is null", () -> w.putFloats("a", new float[1], (long[]) null));
    refused(
        "tensor 'a': shape is null",
        () -> w.putRaw("a", DType.F32, ByteBuffer.allocate(4), (long[]) null));
    refused("the metadata map is null", () -> w.metadata((Map<String, String>) null));
    assertFalse(w.contains("a"), "nothing was added");
    // still usable
    w.putFloats("a", new float[] {1, 2}, 2);
    try (SafetensorsFile f = SafetensorsFile.fromBuffer(ByteBuffer.wrap(w.toByteArray()), null)) {
      assertEquals(List.of("a"), f.tensors().stream().map(TensorInfo::name).toList());
    }
  }
}
