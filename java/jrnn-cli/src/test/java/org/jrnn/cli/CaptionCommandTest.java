/*
 * CaptionCommandTest: `jrnn caption` on small synthetic images in a temp folder (a corrupt file gets
 * an error line, the run goes on, the exit status is 1), input order, --list, --resume after a cut
 * run, features from safetensors/NPY/CSV, the same lines at any --batch, and bad command lines.
 *   mvn -B -o test -Dtest=CaptionCommandTest
 */
package org.jrnn.cli;

import static org.jrnn.cli.CliTestSupport.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;
import org.jrnn.Cell;
import org.jrnn.Device;
import org.jrnn.caption.CaptionModels;
import org.jrnn.caption.Captioner;
import org.jrnn.caption.ImagePixels;
import org.jrnn.data.WordTokenizer;
import org.jrnn.decode.DecodeOptions;
import org.jrnn.decode.Decoded;
import org.jrnn.decode.Decoders;
import org.jrnn.io.Json;
import org.jrnn.io.SafetensorsWriter;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CaptionCommandTest {
  @TempDir Path dir;
  Path model;
  Path images;
  WordTokenizer tokenizer;

  /** An untrained captioner on 3 x 3 images (its captions are arbitrary but deterministic). */
  @BeforeEach
  void setUp() throws IOException {
    tokenizer =
        WordTokenizer.builder()
            .build(List.of("red apple", "green apple", "dog face", "grinning face"));
    Captioner.Config c =
        Captioner.builder()
            .featureSize(27)
            .imageSize(3)
            .projectionSize(8)
            .vocabSize(tokenizer.vocabSize())
            .embeddingSize(4)
            .cell(Cell.GRU)
            .hiddenSize(12)
            .layers(1)
            .concatFeatures(false)
            .seed(7)
            .config();
    model = dir.resolve("model.safetensors");
    try (Captioner m = c.toBuilder().device(Device.cpu()).build()) {
      CaptionModels.save(model, m, tokenizer);
    }
    images = Files.createDirectories(dir.resolve("imgs"));
    SplittableRandom r = new SplittableRandom(1);
    for (String name : List.of("a.png", "b.png", "d.png", "sub/e.png", "f.png")) {
      BufferedImage img = new BufferedImage(8, 8, BufferedImage.TYPE_INT_ARGB);
      for (int y = 0; y < 8; y++) {
        for (int x = 0; x < 8; x++) {
          img.setRGB(x, y, 0xff000000 | r.nextInt(1 << 24));
        }
      }
      Path p = images.resolve(name);
      Files.createDirectories(p.getParent());
      ImageIO.write(img, "png", p.toFile());
    }
    Files.write(
        images.resolve("c.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 1, 2, 3}); // corrupt
    Files.writeString(images.resolve("notes.txt"), "not an image");
  }

  private static List<Json.Fields> lines(Path file) throws IOException {
    List<Json.Fields> out = new ArrayList<>();
    for (String l : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      out.add(Json.parseFields(l, "caption line"));
    }
    return out;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> nbest(Json.Fields o, int k) {
    return (Map<String, Object>) o.array("nbest").get(k);
  }

  /** The same images, captions and errors in the same order; scores to float precision. */
  private static void assertSameLines(Path a, Path b) throws IOException {
    List<Json.Fields> x = lines(a);
    List<Json.Fields> y = lines(b);
    assertEquals(x.size(), y.size());
    for (int i = 0; i < x.size(); i++) {
      Json.Fields p = x.get(i);
      Json.Fields q = y.get(i);
      if (p.has("score")) {
        assertEquals(p.doubleValue("score"), q.doubleValue("score"), 1e-4);
        p.map().remove("score");
        q.map().remove("score");
        for (int k = 0; k < p.array("nbest").size(); k++) {
          nbest(p, k).remove("score");
          nbest(q, k).remove("score");
        }
      }
      assertEquals(p.map(), q.map(), "line " + i);
    }
  }

  /** What the captioner and Decoders give for these images directly. */
  private List<Decoded> expected(List<Path> files, DecodeOptions o) throws IOException {
    List<float[]> feats = new ArrayList<>();
    for (Path p : files) {
      feats.add(ImagePixels.features(p, 3));
    }
    try (CaptionModels.Loaded l = CaptionModels.load(model, Device.cpu())) {
      return Decoders.decode(l.model(), feats, o.toBuilder().suppress(Captioner.NEVER).build());
    }
  }

  @Test
  void captionsAFolderInOrderAndReportsTheCorruptImage() throws Exception {
    Path out = dir.resolve("captions.jsonl");
    CliTestSupport.Run r =
        run(
            "caption",
            "--model",
            model.toString(),
            "--images",
            images.toString(),
            "--beam",
            "3",
            "--batch",
            "2",
            "--out",
            out.toString());
    assertEquals(Main.EXIT_FAILURE, r.status(), r.err());
    assertTrue(r.err().contains("5 captioned, 1 failed"), r.err());
    List<Json.Fields> got = lines(out);
    List<String> names = got.stream().map(o -> o.string("image")).toList();
    assertEquals(
        List.of("a.png", "b.png", "c.png", "d.png", "f.png", "sub/e.png").stream()
            .map(n -> images.resolve(n).toString())
            .toList(),
        names);
    Json.Fields bad = got.get(2);
    assertTrue(bad.has("error") && !bad.has("caption"), bad.toString());
    assertTrue(bad.string("error").contains("c.png"), bad.toString());
    List<Path> good =
        List.of(
            images.resolve("a.png"),
            images.resolve("b.png"),
            images.resolve("d.png"),
            images.resolve("f.png"),
            images.resolve("sub/e.png"));
    List<Decoded> want = expected(good, DecodeOptions.builder().beamSize(3).nBest(3).build());
    int k = 0;
    for (Json.Fields o : got) {
      if (o.has("error")) {
        continue;
      }
      Decoded d = want.get(k++);
      assertEquals(tokenizer.decode(d.best().tokens()), o.string("caption"));
      // the native GEMMs round differently for other row counts: scores agree to float precision
      assertEquals(d.best().score(), o.doubleValue("score"), 1e-4);
      assertEquals(3, o.array("nbest").size());
      assertEquals(o.string("caption"), nbest(o, 0).get("caption"));
    }
    // every batch size writes the same lines
    for (String batch : List.of("1", "64")) {
      Path other = dir.resolve("captions-" + batch + ".jsonl");
      run(
          "caption",
          "--model",
          model.toString(),
          "--images",
          images.toString(),
          "--beam",
          "3",
          "--batch",
          batch,
          "--out",
          other.toString(),
          "--quiet");
      assertSameLines(out, other);
    }
  }

  @Test
  void resumeSkipsTheImagesAlreadyWritten() throws Exception {
    Path full = dir.resolve("full.jsonl");
    run(
        "caption",
        "--model",
        model.toString(),
        "--images",
        images.toString(),
        "--out",
        full.toString(),
        "--quiet");
    List<String> all = Files.readAllLines(full);
    assertEquals(6, all.size());
    // a run stopped after two lines and half of the third
    Path cut = dir.resolve("cut.jsonl");
    Files.writeString(cut, all.get(0) + "\n" + all.get(1) + "\n" + all.get(2).substring(0, 10));
    CliTestSupport.Run r =
        run(
            "caption",
            "--model",
            model.toString(),
            "--images",
            images.toString(),
            "--out",
            cut.toString(),
            "--resume");
    assertEquals(Main.EXIT_FAILURE, r.status()); // c.png is the third: tried again, still corrupt
    assertTrue(r.err().contains("3 captioned, 1 failed, 2 already done"), r.err());
    assertSameLines(full, cut);
    // nothing left to do: no new lines, success
    r =
        run(
            "caption",
            "--model",
            model.toString(),
            "--images",
            images.toString(),
            "--out",
            cut.toString(),
            "--resume",
            "--quiet");
    assertEquals(0, r.status(), r.err());
    assertSameLines(full, cut);
  }

  @Test
  void listKeepsItsOrderAndGreedyIsTheDefault() throws Exception {
    Path list = dir.resolve("list.txt");
    Files.writeString(
        list, "imgs/f.png\n# a comment\n\nimgs/a.png\nimgs/missing.png\nimgs/sub/e.png\n");
    CliTestSupport.Run r =
        run("caption", "--model", model.toString(), "--list", list.toString(), "--quiet");
    assertEquals(Main.EXIT_FAILURE, r.status(), r.err());
    List<Json.Fields> got = new ArrayList<>();
    for (String l : r.outLines()) {
      got.add(Json.parseFields(l, "caption line"));
    }
    assertEquals(
        List.of("imgs/f.png", "imgs/a.png", "imgs/missing.png", "imgs/sub/e.png"),
        got.stream().map(o -> o.string("image")).toList());
    assertTrue(got.get(2).has("error"));
    List<Decoded> want =
        expected(
            List.of(images.resolve("f.png"), images.resolve("a.png"), images.resolve("sub/e.png")),
            DecodeOptions.greedy());
    assertEquals(tokenizer.decode(want.get(0).tokens()), got.get(0).string("caption"));
    assertEquals(tokenizer.decode(want.get(1).tokens()), got.get(1).string("caption"));
    assertEquals(tokenizer.decode(want.get(2).tokens()), got.get(3).string("caption"));
    assertEquals(1, got.get(0).array("nbest").size());
  }

  @Test
  void featuresFromSafetensorsNpyAndCsv() throws Exception {
    List<Path> files =
        List.of(images.resolve("a.png"), images.resolve("b.png"), images.resolve("d.png"));
    float[] flat = new float[3 * 27];
    for (int i = 0; i < 3; i++) {
      System.arraycopy(ImagePixels.features(files.get(i), 3), 0, flat, i * 27, 27);
    }
    List<Decoded> want = expected(files, DecodeOptions.beam(2));
    Path st = dir.resolve("f.safetensors");
    new SafetensorsWriter()
        .metadata("names", "[\"x\",\"y\",\"z\"]")
        .putFloats("features", flat, 3, 27)
        .write(st);
    Path npy = dir.resolve("f.npy");
    Files.write(npy, npy(flat, 3, 27));
    Path csv = dir.resolve("f.csv");
    StringBuilder b = new StringBuilder("name");
    for (int k = 0; k < 27; k++) {
      b.append(",f").append(k);
    }
    b.append('\n');
    for (int i = 0; i < 3; i++) {
      b.append("row").append(i);
      for (int k = 0; k < 27; k++) {
        b.append(',').append(flat[i * 27 + k]);
      }
      b.append('\n');
    }
    Files.writeString(csv, b);
    for (Path f : List.of(st, npy, csv)) {
      CliTestSupport.Run r =
          run(
              "caption",
              "--model",
              model.toString(),
              "--features",
              f.toString(),
              "--beam",
              "2",
              "--quiet");
      assertEquals(0, r.status(), f + ": " + r.err());
      List<String> out = r.outLines();
      assertEquals(3, out.size());
      for (int i = 0; i < 3; i++) {
        Json.Fields o = Json.parseFields(out.get(i), "caption line");
        assertEquals(tokenizer.decode(want.get(i).tokens()), o.string("caption"), f.toString());
        String name = f == st ? List.of("x", "y", "z").get(i) : f == npy ? "#" + i : "row" + i;
        assertEquals(name, o.string("image"));
      }
    }
    // a feature width the model does not take
    Path wrong = dir.resolve("wrong.csv");
    Files.writeString(wrong, "1,2,3\n");
    CliTestSupport.Run r =
        run("caption", "--model", model.toString(), "--features", wrong.toString());
    assertEquals(Main.EXIT_FAILURE, r.status());
    assertTrue(r.err().contains("rows have 3 values but the model takes 27"), r.err());
  }

  /** A C-order little-endian float32 NPY file. */
  static byte[] npy(float[] v, int n, int f) {
    String header = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + n + ", " + f + "), }";
    int total = 10 + header.length() + 1;
    int pad = (64 - total % 64) % 64;
    header = header + " ".repeat(pad) + "\n";
    ByteBuffer b =
        ByteBuffer.allocate(10 + header.length() + 4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
    b.put((byte) 0x93)
        .put("NUMPY".getBytes(StandardCharsets.ISO_8859_1))
        .put((byte) 1)
        .put((byte) 0);
    b.putShort((short) header.length()).put(header.getBytes(StandardCharsets.ISO_8859_1));
    for (float x : v) {
      b.putFloat(x);
    }
    return b.array();
  }

  @Test
  void badCommandLines() {
    String m = model.toString();
    assertEquals(Main.EXIT_USAGE, run("caption", "--model", m).status());
    assertEquals(
        Main.EXIT_USAGE, run("caption", "--model", m, "--images", "x", "--list", "y").status());
    assertEquals(
        Main.EXIT_USAGE, run("caption", "--model", m, "--images", "x", "--resume").status());
    assertEquals(
        Main.EXIT_USAGE,
        run("caption", "--model", m, "--images", "x", "--beam", "2", "--temperature", "1")
            .status());
    assertEquals(
        Main.EXIT_USAGE,
        run("caption", "--model", m, "--images", "x", "--length-penalty", "long").status());
    CliTestSupport.Run r =
        run(
            "caption",
            "--model",
            dir.resolve("none.safetensors").toString(),
            "--images",
            images.toString());
    assertEquals(Main.EXIT_FAILURE, r.status());
    assertFalse(r.err().isBlank());
    assertTrue(run("caption", "--help").out().contains("--resume"));
  }
}
