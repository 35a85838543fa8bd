/*
 * CaptionTrainCommandTest: `jrnn train --task caption` on a few synthetic images and a captions
 * file, then `jrnn caption` with the saved model gives the training captions back.
 *   mvn -B -o test -Dtest=CaptionTrainCommandTest
 */
package org.jrnn.cli;

import static org.jrnn.cli.CliTestSupport.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.jrnn.io.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CaptionTrainCommandTest {
  @TempDir Path dir;

  @Test
  void trainsOnAnImageFolderAndCaptionsItBack() throws Exception {
    Path imgs = Files.createDirectories(dir.resolve("imgs"));
    String[] names = {"red.png", "green.png", "blue.png", "stripes.png"};
    String[] captions = {
      "a red square", "a green square", "a blue square", "black and white stripes"
    };
    int[] colours = {0xffff0000, 0xff00ff00, 0xff0000ff, 0};
    StringBuilder tsv = new StringBuilder();
    for (int k = 0; k < names.length; k++) {
      BufferedImage img = new BufferedImage(8, 8, BufferedImage.TYPE_INT_ARGB);
      for (int y = 0; y < 8; y++) {
        for (int x = 0; x < 8; x++) {
          img.setRGB(
              x, y, colours[k] != 0 ? colours[k] : (x / 2) % 2 == 0 ? 0xff000000 : 0xffffffff);
        }
      }
      ImageIO.write(img, "png", imgs.resolve(names[k]).toFile());
      tsv.append(names[k]).append('\t').append(captions[k]).append('\n');
    }
    Path caps = dir.resolve("captions.tsv");
    Files.writeString(caps, tsv, StandardCharsets.UTF_8);
    Path model = dir.resolve("captioner.safetensors");
    CliTestSupport.Run t =
        run(
            "train",
            "--task",
            "caption",
            "--data",
            caps.toString(),
            "--images",
            imgs.toString(),
            "--out",
            model.toString(),
            "--image-size",
            "4",
            "--projection",
            "16",
            "--embedding",
            "8",
            "--hidden",
            "32",
            "--epochs",
            "60",
            "--batch",
            "4",
            "--lr",
            "0.01",
            "--valid-fraction",
            "0",
            "--quiet");
    assertEquals(0, t.status(), t.err() + t.out());
    assertTrue(t.out().contains("captioner"), t.out());
    CliTestSupport.Run c =
        run(
            "caption",
            "--model",
            model.toString(),
            "--images",
            imgs.toString(),
            "--beam",
            "2",
            "--quiet");
    assertEquals(0, c.status(), c.err());
    List<String> lines = c.outLines();
    assertEquals(4, lines.size());
    // sorted by file name: blue, green, red, stripes
    List<String> want =
        List.of("a blue square", "a green square", "a red square", "black and white stripes");
    for (int i = 0; i < 4; i++) {
      assertEquals(want.get(i), Json.parseFields(lines.get(i), "caption line").string("caption"));
    }
    // the image folder is required for the task
    assertEquals(
        Main.EXIT_USAGE,
        run("train", "--task", "caption", "--data", caps.toString(), "--out", model.toString())
            .status());
  }
}
