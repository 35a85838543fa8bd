package org.jrnn.cli;

import static org.jrnn.cli.CliTestSupport.run;
import static org.jrnn.cli.CliTestSupport.runWithInput;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.jrnn.io.Json;
import org.jrnn.models.ModelFiles;
import org.jrnn.train.Checkpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainCommandTest {
  @TempDir Path dir;

  static String[] trainArgs(Path data, Path out, int epochs, String... more) {
    String[] base = {
      "train",
      "--task",
      "classify",
      "--data",
      data.toString(),
      "--out",
      out.toString(),
      "--epochs",
      Integer.toString(epochs),
      "--hidden",
      "16",
      "--embedding",
      "8",
      "--batch",
      "16",
      "--lr",
      "0.01",
      "--quiet"
    };
    String[] all = new String[base.length + more.length];
    System.arraycopy(base, 0, all, 0, base.length);
    System.arraycopy(more, 0, all, base.length, more.length);
    return all;
  }

  @Test
  void trainEvalPredictRoundTrip() throws Exception {
    Path train = CliTestSupport.sentimentTsv(dir, "train.tsv", 240, 1);
    Path test = CliTestSupport.sentimentTsv(dir, "test.tsv", 60, 2);
    Path model = dir.resolve("m.safetensors");
    CliTestSupport.Run t = run(trainArgs(train, model, 12, "--valid", test.toString()));
    assertEquals(0, t.status(), t.err());
    assertEquals("", t.err());
    String saved = t.outLines().get(t.outLines().size() - 1);
    assertTrue(saved.startsWith("saved " + model + " (sequence-classifier, "), saved);
    assertTrue(saved.contains("after 180 updates"), saved);
    try (ModelFiles.Contents c = ModelFiles.load(model, org.jrnn.Device.cpu())) {
      assertEquals(List.of("neg", "pos"), c.labels().labels());
    }

    CliTestSupport.Run e = run("eval", "--model", model.toString(), "--data", test.toString());
    assertEquals(0, e.status(), e.err());
    Map<String, Object> metrics = Json.parseObject(e.out().strip());
    assertEquals("sequence-classifier", metrics.get("kind"));
    assertEquals(60L, metrics.get("examples"));
    double accuracy = (Double) metrics.get("accuracy");
    assertTrue(accuracy > 0.9, "accuracy " + accuracy);
    // the trainer's last validation is the same evaluation
    assertTrue(
        saved.endsWith(String.format(java.util.Locale.ROOT, "accuracy %.4f", accuracy)), saved);

    // predict the test texts from stdin: the same labels as eval counted
    List<String> lines = Files.readAllLines(test, StandardCharsets.UTF_8);
    StringBuilder texts = new StringBuilder();
    for (String l : lines) {
      texts.append(l, 0, l.indexOf('\t')).append('\n');
    }
    CliTestSupport.Run p = runWithInput(texts.toString(), "predict", "--model", model.toString());
    assertEquals(0, p.status(), p.err());
    assertEquals(60, p.outLines().size());
    int correct = 0;
    for (int i = 0; i < 60; i++) {
      Map<String, Object> o = Json.parseObject(p.outLines().get(i));
      assertEquals(lines.get(i).substring(0, lines.get(i).indexOf('\t')), o.get("text"));
      @SuppressWarnings("unchecked")
      Map<String, Object> probs = (Map<String, Object>) o.get("probabilities");
      double sum = (Double) probs.get("neg") + (Double) probs.get("pos");
      assertEquals(1.0, sum, 1e-5);
      assertEquals(probs.get(o.get("label")), o.get("probability"));
      assertTrue((Double) o.get("probability") >= 0.5);
      if (lines.get(i).endsWith("\t" + o.get("label"))) {
        correct++;
      }
    }
    assertEquals(accuracy, correct / 60.0, 1e-12);

    // the same from a file argument, and an empty line gives an error object in its place
    Path file = dir.resolve("in.txt");
    Files.writeString(file, "the film was superb and quiet\n\n");
    CliTestSupport.Run f = run("predict", "--model", model.toString(), file.toString());
    assertEquals(0, f.status(), f.err());
    assertTrue(
        f.outLines()
            .get(0)
            .startsWith("{\"text\":\"the film was superb and quiet\",\"label\":\"pos\""),
        f.out());
    assertEquals("{\"text\":\"\",\"error\":\"no tokens\"}", f.outLines().get(1));
  }

  @Test
  void aSeededRunIsReproducibleAndResumable() throws Exception {
    Path train = CliTestSupport.sentimentTsv(dir, "train.tsv", 120, 3);
    Path a = dir.resolve("a.safetensors");
    Path b = dir.resolve("b.safetensors");
    Path ck = dir.resolve("b.ckpt");
    Path metrics = dir.resolve("b.csv");
    assertEquals(0, run(trainArgs(train, a, 4)).status());
    // b: interrupted after 2 epochs by a step limit, then resumed to 4 epochs
    assertEquals(0, run(trainArgs(train, b, 2, "--checkpoint", ck.toString())).status());
    // a checkpoint write killed by kill -9 leaves its temp file: resuming removes it
    Path stale = dir.resolve(".b.ckpt.5e1f00d.tmp");
    Files.copy(ck, stale);
    CliTestSupport.Run r =
        run(
            trainArgs(
                train,
                b,
                4,
                "--checkpoint",
                ck.toString(),
                "--resume",
                "--metrics",
                metrics.toString()));
    assertEquals(0, r.status(), r.err());
    assertEquals(Files.readAllBytes(a).length, Files.readAllBytes(b).length);
    try (var fa = org.jrnn.io.SafetensorsFile.open(a);
        var fb = org.jrnn.io.SafetensorsFile.open(b)) {
      for (String name : fa.names()) {
        org.junit.jupiter.api.Assertions.assertArrayEquals(fa.floats(name), fb.floats(name), name);
      }
    }
    assertEquals(4, Checkpoint.read(ck).trainer().epoch());
    assertFalse(Files.exists(stale));
    assertTrue(
        Files.readAllLines(metrics)
            .get(0)
            .startsWith("split,epoch,step,seconds,lr,loss,grad_norm,"));
  }

  @Test
  void aStepLimitOrTimeBudgetWithoutEpochsIsHonoured() throws Exception {
    // 20 examples in batches of 16: 2 updates per epoch, so 37 updates are 18.5 epochs (> the
    // default 10)
    Path train = CliTestSupport.sentimentTsv(dir, "tiny.tsv", 20, 4);
    Path out = dir.resolve("s.safetensors");
    String[] base = {
      "train",
      "--task",
      "classify",
      "--data",
      train.toString(),
      "--out",
      out.toString(),
      "--hidden",
      "4",
      "--embedding",
      "4",
      "--batch",
      "16",
      "--valid-fraction",
      "0",
      "--quiet"
    };
    CliTestSupport.Run r = run(with(base, "--max-steps", "37"));
    assertEquals(0, r.status(), r.err());
    assertTrue(
        r.out().contains(" after 37 updates in ") && r.out().contains("(max steps)"), r.out());
    // an explicit --epochs still caps it
    r = run(with(base, "--max-steps", "37", "--epochs", "3"));
    assertEquals(0, r.status(), r.err());
    assertTrue(r.out().contains(" after 6 updates in ") && r.out().contains("(epochs)"), r.out());
    // a time budget alone runs until the budget is spent
    r = run(with(base, "--time-budget", "0.5s"));
    assertEquals(0, r.status(), r.err());
    assertTrue(r.out().contains("(time budget)"), r.out());
  }

  @Test
  void savingTheModelDeletesTempFilesOfAKilledSave() throws Exception {
    Path train = CliTestSupport.sentimentTsv(dir, "stale.tsv", 20, 4);
    Path out = dir.resolve("stale.safetensors");
    Path stale = Files.writeString(dir.resolve(".stale.safetensors.00ff.tmp"), "half a model");
    Path other = Files.writeString(dir.resolve(".other.safetensors.00ff.tmp"), "not ours");
    CliTestSupport.Run r = run(trainArgs(train, out, 1, "--valid-fraction", "0"));
    assertEquals(0, r.status(), r.err());
    assertFalse(Files.exists(stale), "the temp file of a killed save must be gone");
    assertTrue(Files.exists(other), "temp files of other targets stay");
    assertTrue(Files.exists(out));
  }

  static String[] with(String[] base, String... more) {
    String[] all = java.util.Arrays.copyOf(base, base.length + more.length);
    System.arraycopy(more, 0, all, base.length, more.length);
    return all;
  }

  @Test
  void otherTasksTrainAndSave() throws Exception {
    Path text = CliTestSupport.text(dir);
    Path lm = dir.resolve("lm.safetensors");
    CliTestSupport.Run r =
        run(
            "train",
            "--task",
            "lm",
            "--data",
            text.toString(),
            "--out",
            lm.toString(),
            "--epochs",
            "2",
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
            "--tbptt-k1",
            "8",
            "--schedule",
            "cosine",
            "--warmup",
            "3",
            "--optimizer",
            "adamw");
    assertEquals(0, r.status(), r.err());
    assertTrue(
        r.out().contains("model  char ids -> embedding 8 -> LSTM 16 x1 -> linear "), r.out());
    assertTrue(
        r.out()
            .contains(
                "train  adamw 0.002, weight decay 0.01, batch 4, 2 epochs, clipping global norm 1.0,"
                    + " schedule warmup(3) then cosine, seed 42"),
        r.out());
    assertTrue(r.outLines().get(r.outLines().size() - 1).contains("(language-model, "), r.out());

    Path conll = dir.resolve("tags.conll");
    StringBuilder c = new StringBuilder();
    String[][] words = {
      {"the", "DET"}, {"cat", "N"}, {"runs", "V"}, {"a", "DET"}, {"dog", "N"}, {"sees", "V"}
    };
    for (int s = 0; s < 30; s++) {
      for (int k = 0; k < 4; k++) {
        String[] w = words[(s + k * 5) % 6];
        c.append(w[0]).append(' ').append("x").append(' ').append(w[1]).append('\n');
      }
      c.append('\n');
    }
    Files.writeString(conll, c.toString());
    Path tagger = dir.resolve("tag.safetensors");
    r =
        run(
            "train",
            "--task",
            "tag",
            "--data",
            conll.toString(),
            "--out",
            tagger.toString(),
            "--epochs",
            "1",
            "--hidden",
            "8",
            "--quiet",
            "--optimizer",
            "sgd",
            "--momentum",
            "0.9",
            "--nesterov");
    assertEquals(0, r.status(), r.err());
    assertTrue(r.out().contains("(sequence-tagger, "), r.out());
    CliTestSupport.Run p = runWithInput("the dog runs\n", "predict", "--model", tagger.toString());
    assertEquals(0, p.status(), p.err());
    Map<String, Object> o = Json.parseObject(p.out().strip());
    assertEquals(List.of("the", "dog", "runs"), o.get("tokens"));
    assertEquals(3, ((List<?>) o.get("tags")).size());

    Path pairs = dir.resolve("pairs.tsv");
    Files.writeString(pairs, "ab\tba\nabc\tcba\nba\tab\ncab\tbac\n".repeat(5));
    Path s2s = dir.resolve("s2s.safetensors");
    r =
        run(
            "train",
            "--task",
            "seq2seq",
            "--data",
            pairs.toString(),
            "--out",
            s2s.toString(),
            "--epochs",
            "1",
            "--hidden",
            "8",
            "--quiet",
            "--optimizer",
            "rmsprop",
            "--valid-fraction",
            "0.2");
    assertEquals(0, r.status(), r.err());
    CliTestSupport.Run e = run("eval", "--model", s2s.toString(), "--data", pairs.toString());
    assertEquals(0, e.status(), e.err());
    assertTrue(Json.parseObject(e.out()).containsKey("exact_match"), e.out());
    // beam search in eval: beam 1 is greedy; a wider beam and a length penalty run end to end
    CliTestSupport.Run e1 =
        run("eval", "--model", s2s.toString(), "--data", pairs.toString(), "--beam", "1");
    assertEquals(e.out(), e1.out());
    CliTestSupport.Run e3 =
        run(
            "eval",
            "--model",
            s2s.toString(),
            "--data",
            pairs.toString(),
            "--beam",
            "3",
            "--length-penalty",
            "gnmt:0.6",
            "--max-length",
            "6");
    assertEquals(0, e3.status(), e3.err());
    double em = ((Number) Json.parseObject(e3.out()).get("exact_match")).doubleValue();
    assertTrue(em >= 0 && em <= 1, e3.out());
    assertEquals(
        Json.parseObject(e.out()).get("loss"),
        Json.parseObject(e3.out()).get("loss"),
        "decoding leaves the loss alone");
    for (String[] bad :
        new String[][] {
          {"--beam", "0"},
          {"--beam", "x"},
          {"--length-penalty", "long"},
          {"--beam", "2", "--min-len", "9", "--max-length", "3"}
        }) {
      List<String> args =
          new java.util.ArrayList<>(
              List.of("eval", "--model", s2s.toString(), "--data", pairs.toString()));
      args.addAll(List.of(bad));
      CliTestSupport.Run b = run(args.toArray(String[]::new));
      assertEquals(Main.EXIT_USAGE, b.status(), String.join(" ", bad));
      assertEquals(1, b.err().strip().split("\n").length, b.err());
    }
  }

  @Test
  void badCommandLinesFailWithOneLine() throws Exception {
    Path train = CliTestSupport.sentimentTsv(dir, "train.tsv", 20, 1);
    Path out = dir.resolve("m.safetensors");
    String[][] usage = {
      {"train", "--data", train.toString(), "--out", out.toString()},
      {"train", "--task", "classify", "--out", out.toString()},
      {"train", "--task", "speech", "--data", train.toString(), "--out", out.toString()},
      {
        "train",
        "--task",
        "classify",
        "--data",
        train.toString(),
        "--out",
        out.toString(),
        "--lr",
        "fast"
      },
      {
        "train",
        "--task",
        "classify",
        "--data",
        train.toString(),
        "--out",
        out.toString(),
        "--epochs",
        "-1"
      },
      {
        "train",
        "--task",
        "classify",
        "--data",
        train.toString(),
        "--out",
        out.toString(),
        "--optimizer",
        "lbfgs"
      },
      {
        "train",
        "--task",
        "classify",
        "--data",
        train.toString(),
        "--out",
        out.toString(),
        "--format",
        "conll"
      },
      {
        "train",
        "--task",
        "classify",
        "--data",
        train.toString(),
        "--out",
        out.toString(),
        "--schedule",
        "linear"
      },
      {
        "train",
        "--task",
        "classify",
        "--data",
        train.toString(),
        "--out",
        out.toString(),
        "--resume"
      },
      {
        "train",
        "--task",
        "classify",
        "--data",
        train.toString(),
        "--out",
        out.toString(),
        "--bogus",
        "1"
      },
      {
        "train",
        "--task",
        "classify",
        "--data",
        train.toString(),
        "--out",
        out.toString(),
        "--time-budget",
        "soon"
      },
      {
        "train",
        "--task",
        "lm",
        "--data",
        train.toString(),
        "--out",
        out.toString(),
        "--bidirectional"
      },
      {
        "train",
        "--task",
        "classify",
        "--data",
        train.toString(),
        "--out",
        out.toString(),
        "--tbptt-k1",
        "4"
      },
      {
        "train",
        "--task",
        "classify",
        "--data",
        train.toString(),
        "--out",
        out.toString(),
        "--clip",
        "1e-40"
      },
      {
        "train",
        "--task",
        "classify",
        "--data",
        train.toString(),
        "--out",
        out.toString(),
        "--clip-value",
        "1e-40"
      },
    };
    String[] expected = {
      "jrnn train: missing --task (classify, lm, tag, seq2seq or digits) (see jrnn train --help)",
      "jrnn train: missing --data (see jrnn train --help)",
      "jrnn train: --task must be one of classify, lm, tag, seq2seq, digits, caption, not 'speech' (see jrnn train --help)",
      "jrnn train: --lr must be a number, not 'fast' (see jrnn train --help)",
      "jrnn train: --epochs must be in 0..1000000, not -1 (see jrnn train --help)",
      "jrnn train: --optimizer must be one of adam, adamw, sgd, rmsprop, not 'lbfgs' (see jrnn train --help)",
      "jrnn train: --format conll does not fit --task classify (use tsv or jsonl or uci-json) (see jrnn train --help)",
      "jrnn train: --schedule: unknown schedule 'linear' (constant, cosine, cosine:MIN, step:EVERY:GAMMA) (see jrnn train --help)",
      "jrnn train: --resume needs --checkpoint FILE (see jrnn train --help)",
      "jrnn train: unknown option --bogus (see jrnn train --help)",
      "jrnn train: --time-budget must be a duration such as 90s, 5m or 1h, not 'soon' (see jrnn train --help)",
      "jrnn train: --bidirectional does not apply to --task lm (see jrnn train --help)",
      "jrnn train: --tbptt-k1 does not apply to --task classify (see jrnn train --help)",
      // below the smallest normal float GradientClipping refuses the limit: a usage error, not a
      // failure
      "jrnn train: --clip must be 0 (off) or in [1.17549435E-38, 1.0E30], not '1e-40' (see jrnn train --help)",
      "jrnn train: --clip-value must be in [1.1754943508222875E-38, 1.0E30], not 1e-40 (see jrnn train --help)",
    };
    for (int i = 0; i < usage.length; i++) {
      CliTestSupport.Run r = run(usage[i]);
      assertEquals(Main.EXIT_USAGE, r.status(), String.join(" ", usage[i]));
      assertEquals(expected[i] + "\n", r.err(), String.join(" ", usage[i]));
      assertEquals("", r.out());
    }
    assertFalse(Files.exists(out));
    // bad data: exit 1, one line naming the file and line
    Path bad = dir.resolve("bad.tsv");
    Files.writeString(bad, "fine text\tpos\nno label here\n");
    CliTestSupport.Run r =
        run("train", "--task", "classify", "--data", bad.toString(), "--out", out.toString());
    assertEquals(Main.EXIT_FAILURE, r.status());
    assertEquals("jrnn train: " + bad + ":2: expected text<TAB>label, found no tab\n", r.err());
    r =
        run(
            "train",
            "--task",
            "classify",
            "--data",
            dir.resolve("missing.tsv").toString(),
            "--out",
            out.toString());
    assertEquals(Main.EXIT_FAILURE, r.status());
    assertEquals("jrnn train: " + dir.resolve("missing.tsv") + ": no such file\n", r.err());
    // --help
    CliTestSupport.Run h = run("train", "--help");
    assertEquals(0, h.status());
    assertTrue(
        h.out().startsWith("usage: jrnn train --task classify|lm|tag|seq2seq|digits"), h.out());
  }
}
