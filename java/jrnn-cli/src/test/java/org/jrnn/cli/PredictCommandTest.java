package org.jrnn.cli;

import static org.jrnn.cli.CliTestSupport.run;
import static org.jrnn.cli.CliTestSupport.runWithInput;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.Map;
import org.jrnn.data.BundledData;
import org.jrnn.io.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PredictCommandTest {
  @TempDir Path dir;

  @Test
  void spellsDigitsFromPixelLinesAndRefusesLanguageModels() throws Exception {
    Path model = dir.resolve("digits.safetensors");
    CliTestSupport.Run t =
        run(
            "train",
            "--task",
            "digits",
            "--data",
            BundledData.findDataDir().resolve("digits.csv.gz").toString(),
            "--out",
            model.toString(),
            "--epochs",
            "3",
            "--quiet");
    assertEquals(0, t.status(), t.err());
    // the first image of the data set is a zero
    String zero =
        "0,0,5,13,9,1,0,0,0,0,13,15,10,15,5,0,0,3,15,2,0,11,8,0,0,4,12,0,0,8,8,0,0,5,8,0,0,9,8,0,0,4,11,0,1,12,"
            + "7,0,0,2,14,5,10,12,0,0,0,0,6,13,10,0,0,0";
    CliTestSupport.Run p = runWithInput(zero + "\n1,2,3\n", "predict", "--model", model.toString());
    assertEquals(0, p.status(), p.err());
    Map<String, Object> first = Json.parseObject(p.outLines().get(0));
    assertEquals("zero", first.get("output"));
    assertEquals(
        "{\"text\":\"1,2,3\",\"error\":\"expected 64 comma-separated pixel values 0..16, found 3\"}",
        p.outLines().get(1));

    Path lm = dir.resolve("lm.safetensors");
    assertEquals(
        0,
        run(
                "train",
                "--task",
                "lm",
                "--data",
                CliTestSupport.text(dir).toString(),
                "--out",
                lm.toString(),
                "--epochs",
                "1",
                "--hidden",
                "4",
                "--layers",
                "1",
                "--batch",
                "2",
                "--seq-len",
                "8",
                "--quiet")
            .status());
    CliTestSupport.Run bad = runWithInput("x\n", "predict", "--model", lm.toString());
    assertEquals(Main.EXIT_FAILURE, bad.status());
    assertEquals("jrnn predict: " + lm + " is a language model: use jrnn generate\n", bad.err());
    bad = run("predict", "--model", model.toString(), dir.resolve("missing.txt").toString());
    assertEquals(Main.EXIT_FAILURE, bad.status());
    assertEquals("jrnn predict: " + dir.resolve("missing.txt") + ": no such file\n", bad.err());
  }
}
