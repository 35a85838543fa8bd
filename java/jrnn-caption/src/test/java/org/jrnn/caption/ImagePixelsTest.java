/*
 * ImagePixelsTest: an image with more than ImagePixels.MAX_PIXELS pixels is refused from the size
 * in its header, before its pixels are decoded (a small compressed file can hold a huge image), and
 * rgb() refuses such an image made in memory.
 *   mvn -B -o test -Dtest=ImagePixelsTest
 */
package org.jrnn.caption;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import org.jrnn.JrnnException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImagePixelsTest {
  @TempDir Path dir;

  private static byte[] chunk(String type, byte[] data) {
    byte[] t = type.getBytes(StandardCharsets.US_ASCII);
    CRC32 crc = new CRC32();
    crc.update(t);
    crc.update(data);
    return ByteBuffer.allocate(12 + data.length)
        .putInt(data.length)
        .put(t)
        .put(data)
        .putInt((int) crc.getValue())
        .array();
  }

  /** A complete, valid, all-black 8-bit greyscale PNG of {@code w x h}: small however large. */
  private static byte[] blackPng(int w, int h) {
    byte[] ihdr =
        ByteBuffer.allocate(13).putInt(w).putInt(h).put((byte) 8).put(new byte[4]).array();
    Deflater d = new Deflater(Deflater.BEST_SPEED);
    ByteArrayOutputStream idat = new ByteArrayOutputStream();
    byte[] row = new byte[1 + w]; // filter byte 0, then w zero pixels
    byte[] buf = new byte[1 << 16];
    for (int y = 0; y < h; y++) {
      d.setInput(row);
      while (!d.needsInput()) {
        idat.write(buf, 0, d.deflate(buf));
      }
    }
    d.finish();
    while (!d.finished()) {
      idat.write(buf, 0, d.deflate(buf));
    }
    d.end();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
    out.writeBytes(chunk("IHDR", ihdr));
    out.writeBytes(chunk("IDAT", idat.toByteArray()));
    out.writeBytes(chunk("IEND", new byte[0]));
    return out.toByteArray();
  }

  @Test
  void anImageOverThePixelLimitIsRefusedFromItsHeader() throws IOException {
    Path small = Files.write(dir.resolve("small.png"), blackPng(3, 2));
    BufferedImage img = ImagePixels.read(small);
    assertEquals(3, img.getWidth());
    assertEquals(-1f, ImagePixels.features(small, 1)[0], 1e-6f);

    int side = 6000; // 36 million pixels, a file of about 40 KB
    assertTrue((long) side * side > ImagePixels.MAX_PIXELS);
    Path huge = Files.write(dir.resolve("huge.png"), blackPng(side, side));
    assertTrue(Files.size(huge) < 1 << 20);
    IOException e = assertThrows(IOException.class, () -> ImagePixels.read(huge));
    assertTrue(e.getMessage().startsWith(huge + ": "), e.getMessage());
    assertTrue(
        e.getMessage().contains("6000 x 6000 pixels, more than " + ImagePixels.MAX_PIXELS),
        e.getMessage());
    assertThrows(IOException.class, () -> ImagePixels.features(huge, 2));
  }

  @Test
  void rgbRefusesAnImageOverThePixelLimit() {
    // one bit a pixel: 36 million pixels in 4.5 MB
    BufferedImage img = new BufferedImage(6000, 6000, BufferedImage.TYPE_BYTE_BINARY);
    JrnnException e = assertThrows(JrnnException.class, () -> ImagePixels.rgb(img));
    assertTrue(e.getMessage().contains("more than " + ImagePixels.MAX_PIXELS), e.getMessage());
  }
}
