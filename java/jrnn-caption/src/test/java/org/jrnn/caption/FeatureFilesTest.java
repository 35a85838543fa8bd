/*
 * FeatureFilesTest: hostile NPY and safetensors feature files (a header length near
 * Integer.MAX_VALUE, shapes with negative, non-numeric, overlong or overflowing sizes, rows
 * without values) are refused with an IOException naming the file, before any large allocation.
 *   mvn -B -o test -Dtest=FeatureFilesTest
 */
package org.jrnn.caption;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jrnn.io.SafetensorsWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FeatureFilesTest {
  @TempDir Path dir;

  private Path npy(String shape) throws IOException {
    Path p = dir.resolve("f.npy");
    Files.write(p, CaptionIoTest.npy("<f4", shape, false, ByteBuffer.allocate(16)));
    return p;
  }

  private static void refused(Path p, String expected) {
    IOException e = assertThrows(IOException.class, () -> FeatureFiles.read(p));
    assertTrue(e.getMessage().startsWith(p + ": "), e.getMessage());
    assertTrue(e.getMessage().contains(expected), e.getMessage());
    assertTrue(e.getMessage().length() < 600, e.getMessage());
  }

  @Test
  void aValidNpyStillLoads() throws IOException {
    FeatureFiles.Features f = FeatureFiles.read(npy("2, 2"));
    assertEquals(2, f.rows().size());
    assertEquals(2, f.featureSize());
    assertEquals(0, FeatureFiles.read(npy("0, 4")).rows().size());
  }

  @Test
  void aHeaderLengthNearTheIntLimitIsRefused() throws IOException {
    byte[] b = CaptionIoTest.npy("<f4", "1, 1", false, ByteBuffer.allocate(4));
    byte[] v2 = new byte[b.length + 2]; // the same header as version 2.0: a 4-byte length
    System.arraycopy(b, 0, v2, 0, 8);
    v2[6] = 2;
    System.arraycopy(b, 10, v2, 12, b.length - 10);
    for (int len : new int[] {Integer.MAX_VALUE, Integer.MAX_VALUE - 11, -1}) {
      ByteBuffer.wrap(v2).order(ByteOrder.LITTLE_ENDIAN).putInt(8, len);
      Path p = Files.write(dir.resolve("h.npy"), v2);
      refused(p, "does not fit in the file");
    }
  }

  @Test
  void badShapesAreRefused() throws IOException {
    refused(npy("a, b"), "not a number");
    refused(npy("99999999999999999999, 1"), "not a number");
    refused(npy("-1, 4"), "negative size");
    refused(npy("-1, -4"), "negative size");
    refused(npy("1099511627776, 1099511627776"), "is too large"); // overflows to 0 rows
    refused(npy("4611686018427387904, 2"), "is too large");
    refused(npy("1000000000, 0"), "no values per row");
    refused(npy("0, 1099511627776"), "is too large");
    refused(npy("1, " + "1, ".repeat(5000) + "1"), "must be (N, F) or (F,)");
  }

  @Test
  void aSafetensorsFeatureTensorWithoutValuesPerRowIsRefused() throws IOException {
    Path p = dir.resolve("f.safetensors");
    new SafetensorsWriter().putFloats("features", new float[0], 1_000_000_000, 0).write(p);
    refused(p, "no values per row");
  }
}
