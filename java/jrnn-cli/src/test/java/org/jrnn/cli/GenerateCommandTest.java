package org.jrnn.cli;

import static org.jrnn.cli.CliTestSupport.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GenerateCommandTest {
  @TempDir Path dir;

  @Test
  void generatesReproduciblyFromASeed() throws Exception {
    Path text = CliTestSupport.text(dir);
    Path lm = dir.resolve("lm.safetensors");
    assertEquals(
        0,
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
                "24",
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
                "0.02")
            .status());
    CliTestSupport.Run a =
        run(
            "generate",
            "--model",
            lm.toString(),
            "--prompt",
            "the ",
            "--length",
            "40",
            "--seed",
            "7");
    CliTestSupport.Run b =
        run(
            "generate",
            "--model",
            lm.toString(),
            "--prompt",
            "the ",
            "--length",
            "40",
            "--seed",
            "7");
    CliTestSupport.Run c =
        run(
            "generate",
            "--model",
            lm.toString(),
            "--prompt",
            "the ",
            "--length",
            "40",
            "--seed",
            "8",
            "--temperature",
            "1.5");
    assertEquals(0, a.status(), a.err());
    assertEquals(a.out(), b.out());
    assertNotEquals(a.out(), c.out());
    assertTrue(a.out().startsWith("the "), a.out());
    assertEquals(4 + 40 + 1, a.out().length()); // prompt, 40 characters, newline
    // greedy decoding of a text this regular continues it
    CliTestSupport.Run g =
        run(
            "generate",
            "--model",
            lm.toString(),
            "--prompt",
            "the cat sat on the ",
            "--length",
            "3",
            "--temperature",
            "0");
    assertEquals(0, g.status(), g.err());
    assertEquals("the cat sat on the mat\n", g.out());
    // beam search: the best continuation first, then the n-best, one per line
    CliTestSupport.Run beam =
        run(
            "generate",
            "--model",
            lm.toString(),
            "--prompt",
            "the cat sat on the ",
            "--length",
            "3",
            "--beam",
            "4",
            "--nbest",
            "3");
    assertEquals(0, beam.status(), beam.err());
    String[] lines = beam.out().split("\n");
    assertEquals(3, lines.length, beam.out());
    for (String line : lines) {
      assertTrue(line.startsWith("the cat sat on the "), line);
    }
    assertEquals(3, java.util.Set.of(lines).size(), "three different hypotheses: " + beam.out());
    for (String[] badArgs :
        new String[][] {
          {"--beam", "0"},
          {"--beam", "2", "--temperature", "1"},
          {"--beam", "2", "--top-k", "3"},
          {"--nbest", "2"},
          {"--beam", "2", "--length-penalty", "gnmt:x"}
        }) {
      java.util.List<String> args =
          new java.util.ArrayList<>(java.util.List.of("generate", "--model", lm.toString()));
      args.addAll(java.util.List.of(badArgs));
      CliTestSupport.Run r = run(args.toArray(String[]::new));
      assertEquals(Main.EXIT_USAGE, r.status(), String.join(" ", badArgs) + ": " + r.err());
      assertEquals(1, r.err().strip().split("\n").length, r.err());
    }

    CliTestSupport.Run bad = run("generate", "--model", lm.toString(), "--prompt", "ZZZ");
    assertEquals(Main.EXIT_FAILURE, bad.status());
    assertEquals(
        "jrnn generate: the prompt's character 'Z' (U+005A, positions 1, 2, 3) is not in the"
            + " model's vocabulary\n",
        bad.err());
    bad = run("generate", "--model", lm.toString(), "--temperature", "-1");
    assertEquals(Main.EXIT_USAGE, bad.status());
    assertEquals(
        "jrnn generate: --temperature must be in [0.0, 1000000.0], not -1 (see jrnn generate --help)\n",
        bad.err());
  }

  @Test
  void lengthZeroIsAUsageError() {
    // LanguageModel.generate needs at least one token; the command line says so before loading
    CliTestSupport.Run r =
        run("generate", "--model", dir.resolve("lm.safetensors").toString(), "--length", "0");
    assertEquals(Main.EXIT_USAGE, r.status(), r.err());
    assertEquals(
        "jrnn generate: --length must be in 1..16777216, not 0 (see jrnn generate --help)\n",
        r.err());
    assertEquals("", r.out());
  }
}
