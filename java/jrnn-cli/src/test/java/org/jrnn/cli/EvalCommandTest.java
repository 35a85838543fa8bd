package org.jrnn.cli;

import static org.jrnn.cli.CliTestSupport.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.jrnn.io.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvalCommandTest {
  @TempDir Path dir;

  @Test
  void evaluatesALanguageModelAndRefusesBadInput() throws Exception {
    Path text = CliTestSupport.text(dir);
    Path lm = dir.resolve("lm.safetensors");
    CliTestSupport.Run t =
        run(
            "train",
            "--task",
            "lm",
            "--data",
            text.toString(),
            "--out",
            lm.toString(),
            "--epochs",
            "3",
            "--hidden",
            "16",
            "--layers",
            "1",
            "--embedding",
            "8",
            "--batch",
            "4",
            "--seq-len",
            "16",
            "--quiet",
            "--lr",
            "0.02");
    assertEquals(0, t.status(), t.err());
    CliTestSupport.Run e =
        run(
            "eval",
            "--model",
            lm.toString(),
            "--data",
            text.toString(),
            "--batch",
            "4",
            "--seq-len",
            "16");
    assertEquals(0, e.status(), e.err());
    Map<String, Object> m = Json.parseObject(e.out());
    assertEquals("language-model", m.get("kind"));
    assertEquals((long) Files.readString(text).length() - 1, m.get("tokens"));
    double bits = (Double) m.get("bits_per_token");
    assertEquals((Double) m.get("loss") / Math.log(2), bits, 1e-9);
    assertTrue(bits < 3.0, "bits " + bits); // a uniform guess over the ids is log2(V) > 3.5

    // a labelled file with a label the model does not know
    Path cls = CliTestSupport.sentimentTsv(dir, "train.tsv", 40, 1);
    Path model = dir.resolve("cls.safetensors");
    assertEquals(
        0,
        run(
                "train",
                "--task",
                "classify",
                "--data",
                cls.toString(),
                "--out",
                model.toString(),
                "--epochs",
                "1",
                "--hidden",
                "4",
                "--embedding",
                "4",
                "--quiet")
            .status());
    Path other = dir.resolve("other.tsv");
    Files.writeString(other, "the film was fine\tmeh\n");
    CliTestSupport.Run bad = run("eval", "--model", model.toString(), "--data", other.toString());
    assertEquals(Main.EXIT_FAILURE, bad.status());
    assertEquals(
        "jrnn eval: "
            + other
            + " does not fit the model: 1 of 1 examples have labels the model does not know:"
            + " 'meh'; the model's labels: neg, pos\n",
        bad.err());
    // the wrong kind of data for the model
    bad = run("eval", "--model", model.toString(), "--data", text.toString(), "--format", "text");
    assertEquals(Main.EXIT_USAGE, bad.status());
    assertEquals(
        "jrnn eval: --format text does not fit --task classify (use tsv or jsonl or uci-json) (see jrnn eval --help)\n",
        bad.err());
    bad = run("eval", "--model", text.toString(), "--data", text.toString());
    assertEquals(Main.EXIT_FAILURE, bad.status());
    assertTrue(bad.err().startsWith("jrnn eval: ") && bad.err().split("\n").length == 1, bad.err());
    bad = run("eval", "--data", text.toString());
    assertEquals("jrnn eval: missing --model (see jrnn eval --help)\n", bad.err());
  }
}
