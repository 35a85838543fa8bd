/*
 * CaptionIoTest: feature files (safetensors, NPY, CSV), captions files (TSV, JSON lines), image
 * listing, the image front end (compositing over white, area resizing) and augmentation.
 *   mvn -B -o test -Dtest=CaptionIoTest
 */
package org.jrnn.caption;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.jrnn.JrnnException;
import org.jrnn.data.DataFormatException;
import org.jrnn.io.SafetensorsWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CaptionIoTest {
  @TempDir Path dir;

  static byte[] npy(String descr, String shape, boolean fortran, ByteBuffer data) {
    String header =
        "{'descr': '"
            + descr
            + "', 'fortran_order': "
            + (fortran ? "True" : "False")
            + ", 'shape': ("
            + shape
            + "), }";
    int pad = (64 - (10 + header.length() + 1) % 64) % 64;
    header = header + " ".repeat(pad) + "\n";
    ByteBuffer b =
        ByteBuffer.allocate(10 + header.length() + data.remaining()).order(ByteOrder.LITTLE_ENDIAN);
    b.put((byte) 0x93)
        .put("NUMPY".getBytes(StandardCharsets.ISO_8859_1))
        .put((byte) 1)
        .put((byte) 0);
    b.putShort((short) header.length()).put(header.getBytes(StandardCharsets.ISO_8859_1)).put(data);
    return b.array();
  }

  @Test
  void featureFiles() throws IOException {
    float[] v = {1, 2, 3, 4, 5, 6};
    Path st = dir.resolve("a.safetensors");
    new SafetensorsWriter()
        .putFloats("features", v, 2, 3)
        .putFloats("other", new float[] {1, 2}, 1, 2)
        .write(st);
    FeatureFiles.Features f = FeatureFiles.read(st);
    assertEquals(List.of("#0", "#1"), f.names());
    assertArrayEquals(new float[] {4, 5, 6}, f.rows().get(1));
    // no "features": the only 2-D tensor, names from the metadata
    Path one = dir.resolve("b.safetensors");
    new SafetensorsWriter()
        .metadata("names", "[\"x.png\",\"y.png\"]")
        .putFloats("emb", v, 2, 3)
        .putFloats("bias", new float[] {1}, 1)
        .write(one);
    assertEquals(List.of("x.png", "y.png"), FeatureFiles.read(one).names());
    Path two = dir.resolve("c.safetensors");
    new SafetensorsWriter().putFloats("p", v, 2, 3).putFloats("q", v, 3, 2).write(two);
    assertThrows(IOException.class, () -> FeatureFiles.read(two));

    ByteBuffer le = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
    for (float x : v) {
      le.putFloat(x);
    }
    le.flip();
    Path n1 = dir.resolve("a.npy");
    Files.write(n1, npy("<f4", "2, 3", false, le.duplicate()));
    assertArrayEquals(new float[] {4, 5, 6}, FeatureFiles.read(n1).rows().get(1));
    ByteBuffer be = ByteBuffer.allocate(48).order(ByteOrder.BIG_ENDIAN);
    for (float x : v) {
      be.putDouble(x);
    }
    be.flip();
    Path n2 = dir.resolve("b.npy");
    Files.write(n2, npy(">f8", "6,", false, be));
    FeatureFiles.Features row = FeatureFiles.read(n2);
    assertEquals(1, row.rows().size());
    assertArrayEquals(v, row.rows().get(0));
    Path n3 = dir.resolve("c.npy");
    Files.write(n3, npy("<f4", "2, 3", true, le.duplicate()));
    assertTrue(
        assertThrows(IOException.class, () -> FeatureFiles.read(n3))
            .getMessage()
            .contains("Fortran"));
    Path n4 = dir.resolve("d.npy");
    Files.write(n4, npy("<i8", "2, 3", false, le.duplicate()));
    assertThrows(IOException.class, () -> FeatureFiles.read(n4));

    Path csv = dir.resolve("f.csv");
    Files.writeString(csv, "# features\nimage,a,b,c\nx.png, 1, 2, 3\n\ny.png,4,5,6e0\n");
    FeatureFiles.Features c = FeatureFiles.read(csv);
    assertEquals(List.of("x.png", "y.png"), c.names());
    assertArrayEquals(new float[] {4, 5, 6}, c.rows().get(1));
    Path plain = dir.resolve("g.csv");
    Files.writeString(plain, "1,2\n3,4\n");
    assertEquals(List.of("#0", "#1"), FeatureFiles.read(plain).names());
    Path ragged = dir.resolve("h.csv");
    Files.writeString(ragged, "1,2\n3,4,5\n");
    assertTrue(
        assertThrows(IOException.class, () -> FeatureFiles.read(ragged))
            .getMessage()
            .contains(":2:"));
  }

  @Test
  void captionsFilesAndImageLists() throws IOException {
    Path tsv = dir.resolve("c.tsv");
    Files.writeString(
        tsv, "# image<TAB>caption\na.png\tred apple\n\nb.png\tDog Face\na.png\tan apple\n");
    List<CaptionData.Example> t = CaptionData.readCaptions(tsv);
    assertEquals(
        List.of(
            new CaptionData.Example("a.png", "red apple"),
            new CaptionData.Example("b.png", "Dog Face"),
            new CaptionData.Example("a.png", "an apple")),
        t);
    Path jsonl = dir.resolve("c.jsonl");
    Files.writeString(
        jsonl, "{\"image\": \"a.png\", \"caption\": \"red apple\"}\n{\"image\": \"b.png\"}\n");
    // bad content: a DataFormatException (a JrnnException) naming the file and line
    DataFormatException e =
        assertThrows(DataFormatException.class, () -> CaptionData.readCaptions(jsonl));
    assertEquals(jsonl + ":2: needs string fields \"image\" and \"caption\"", e.getMessage());
    assertEquals(2, e.line());
    Path bad = dir.resolve("d.tsv");
    Files.writeString(bad, "no tab here\n");
    assertThrows(DataFormatException.class, () -> CaptionData.readCaptions(bad));
    Path notObject = dir.resolve("e.jsonl");
    Files.writeString(notObject, "[1]\n");
    assertEquals(
        notObject + ":1: not a JSON object (found array)",
        assertThrows(DataFormatException.class, () -> CaptionData.readCaptions(notObject))
            .getMessage());
    // a file that is not there: an I/O failure
    assertThrows(IOException.class, () -> CaptionData.readCaptions(dir.resolve("missing.tsv")));

    Files.createDirectories(dir.resolve("imgs/sub"));
    for (String n : List.of("imgs/b.PNG", "imgs/a.jpg", "imgs/sub/c.gif", "imgs/readme.txt")) {
      Files.writeString(dir.resolve(n), "x");
    }
    assertEquals(
        List.of(
            dir.resolve("imgs/a.jpg"), dir.resolve("imgs/b.PNG"), dir.resolve("imgs/sub/c.gif")),
        CaptionData.listImages(dir.resolve("imgs")));
    Path list = dir.resolve("list.txt");
    Files.writeString(list, "imgs/b.PNG\n#x\n" + dir.resolve("imgs/a.jpg") + "\n");
    assertEquals(
        List.of(dir.resolve("imgs/b.PNG"), dir.resolve("imgs/a.jpg")), CaptionData.readList(list));
  }

  @Test
  void pixelsAreCompositedOverWhiteAndAreaResized() throws IOException {
    // 4 x 4: top-left 2 x 2 red, top-right transparent, bottom half black
    BufferedImage img = new BufferedImage(4, 4, BufferedImage.TYPE_INT_ARGB);
    for (int y = 0; y < 4; y++) {
      for (int x = 0; x < 4; x++) {
        int argb = y >= 2 ? 0xff000000 : x < 2 ? 0xffff0000 : 0x00000000;
        img.setRGB(x, y, argb);
      }
    }
    Path file = dir.resolve("t.png");
    ImageIO.write(img, "png", file.toFile());
    float[] f = ImagePixels.features(file, 2);
    // planes R, G, B of 2 x 2: red -> (1, -1, -1); transparent -> white (1, 1, 1); black -> -1
    assertArrayEquals(new float[] {1, 1, -1, -1, -1, 1, -1, -1, -1, 1, -1, -1}, f, 1e-6f);
    // 4 -> 3: output pixel 0 covers source [0, 4/3): a weighted mean; a constant image stays
    // constant
    float[] one = ImagePixels.features(ImagePixels.rgb(img), 1);
    // mean of R: (4 red + 4 white + 8 black) / 16 = 0.5 -> 0; G, B: 4 white / 16 = 0.25 -> -0.5
    assertArrayEquals(new float[] {0, -0.5f, -0.5f}, one, 1e-6f);
    BufferedImage grey = new BufferedImage(5, 7, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 7; y++) {
      for (int x = 0; x < 5; x++) {
        grey.setRGB(x, y, 0x808080);
      }
    }
    for (float v : ImagePixels.features(ImagePixels.rgb(grey), 3)) {
      assertEquals(2 * 128 / 255f - 1, v, 1e-6f);
    }
    Path corrupt = dir.resolve("c.png");
    Files.write(corrupt, new byte[] {(byte) 0x89, 'P', 'N', 'G', 0, 0});
    IOException e = assertThrows(IOException.class, () -> ImagePixels.features(corrupt, 2));
    assertTrue(e.getMessage().contains("c.png"), e.getMessage());
  }

  @Test
  void captionsAreDetokenised() {
    org.jrnn.data.WordTokenizer t =
        org.jrnn.data.WordTokenizer.builder()
            .build(List.of("family: man, woman, boy", "breast-feeding", "ok hand sign (left)"));
    for (String text :
        List.of("family: man, woman, boy", "breast-feeding", "ok hand sign (left)")) {
      assertEquals(text, BatchCaptioner.detokenize(t, t.encode(text)));
    }
  }

  @Test
  void standardisedPixelsIgnoreTheForegroundColour() {
    // the same shape in yellow and in dark brown on white: the standardised half is the same
    float[][] colours = {{1f, 0.8f, 0.3f}, {0.49f, 0.33f, 0.24f}};
    float[][] feats = new float[2][];
    for (int k = 0; k < 2; k++) {
      float[] px = new float[3 * 64];
      for (int i = 0; i < 64; i++) {
        boolean in = (i / 8 - 3.5) * (i / 8 - 3.5) + (i % 8 - 3.5) * (i % 8 - 3.5) < 9;
        for (int c = 0; c < 3; c++) {
          px[c * 64 + i] = in ? colours[k][c] : 1f;
        }
      }
      feats[k] =
          new ImagePixels.Encoder(4, ImagePixels.Mode.RGB_AND_STANDARDIZED)
              .features(new ImagePixels.Rgb(8, 8, px));
      assertEquals(4 * 16, feats[k].length);
    }
    assertFalse(
        java.util.Arrays.equals(
            java.util.Arrays.copyOf(feats[0], 48), java.util.Arrays.copyOf(feats[1], 48)));
    assertArrayEquals(
        java.util.Arrays.copyOfRange(feats[0], 48, 64),
        java.util.Arrays.copyOfRange(feats[1], 48, 64),
        1e-4f);
    assertEquals(ImagePixels.Mode.RGB_AND_STANDARDIZED, ImagePixels.Mode.parse("rgb+std"));
  }

  @Test
  void augmentationIsSeededAndLocal() {
    float[] px = new float[3 * 16];
    for (int i = 0; i < 16; i++) {
      boolean yellow = i % 4 < 2;
      px[i] = yellow ? 1f : 1f; // R
      px[16 + i] = yellow ? 0.8f : 1f; // G
      px[32 + i] = yellow ? 0.3f : 1f; // B (the rest is white)
    }
    ImagePixels.Rgb img = new ImagePixels.Rgb(4, 4, px);
    assertEquals(img, Augment.NONE.apply(img, 1));
    Augment a = Augment.parse("recolor=1");
    ImagePixels.Rgb x = a.apply(img, 7);
    assertArrayEquals(x.rgb(), a.apply(img, 7).rgb());
    assertFalse(java.util.Arrays.equals(px, x.rgb()));
    for (int i = 0; i < 16; i++) {
      if (i % 4 >= 2) { // white stays white
        assertEquals(1f, x.rgb()[i]);
        assertEquals(1f, x.rgb()[32 + i]);
      }
    }
    assertFalse(java.util.Arrays.equals(a.apply(img, 8).rgb(), x.rgb()));
    Augment all =
        Augment.parse("shift=1,brightness=0.2,contrast=0.2,saturation=0.5,hue=20,grey=0.5");
    assertArrayEquals(all.apply(img, 3).rgb(), all.apply(img, 3).rgb());
    assertThrows(JrnnException.class, () -> Augment.parse("blur=1"));
  }
}
