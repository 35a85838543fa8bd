// CliErrorMatrixTest: every command (forward, train, eval, predict, generate, caption) against bad
// input of every kind: a missing, empty, binary or not-UTF-8 file, a directory, one 5 MB line, the
// wrong kind of model, an unwritable output, absurd numbers and huge arguments. Each must fail with
// ONE short stderr line "jrnn <command>: ..." without Java class names, a non-zero exit status,
// nothing on stdout and no file left behind. A few cases run through a child JVM.
//   mvn -B test -Dtest=CliErrorMatrixTest
package org.jrnn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.jrnn.Cell;
import org.jrnn.Device;
import org.jrnn.caption.CaptionModels;
import org.jrnn.caption.Captioner;
import org.jrnn.data.WordTokenizer;
import org.jrnn.interop.Fixtures;
import org.jrnn.io.SafetensorsFile;
import org.jrnn.io.SafetensorsWriter;
import org.jrnn.io.TensorInfo;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CliErrorMatrixTest {
  @TempDir static Path dir;

  /** Where every output of a failing command would go: it must stay as it was. */
  static Path out;

  static Path classifier;
  static Path lm;
  static Path captioner;
  static Path tsv;
  static Path images;
  static Path missing;
  static Path empty;
  static Path folder;
  static Path binary;
  static Path badUtf8;
  static Path hugeLine;
  static Path plainFile;

  /** A folder nobody can write into, or null where this user (root) writes anyway. */
  static Path readOnly;

  /** A command-line argument of 5 MB. */
  static final String HUGE = "h".repeat(5_000_000);

  static final Pattern CLASS_NAME =
      Pattern.compile("\\b(java|javax|jdk|sun|org\\.jrnn)\\.|[A-Za-z]+(Exception|Error)\\b");

  @BeforeAll
  static void files() throws IOException {
    out = Files.createDirectories(dir.resolve("out"));
    tsv = CliTestSupport.sentimentTsv(dir, "train.tsv", 40, 1);
    classifier = dir.resolve("cls.safetensors");
    CliTestSupport.Run t =
        CliTestSupport.run(
            "train",
            "--task",
            "classify",
            "--data",
            tsv.toString(),
            "--out",
            classifier.toString(),
            "--epochs",
            "1",
            "--hidden",
            "4",
            "--embedding",
            "4",
            "--quiet");
    assertEquals(0, t.status(), t.err());
    lm = dir.resolve("lm.safetensors");
    t =
        CliTestSupport.run(
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
            "--quiet");
    assertEquals(0, t.status(), t.err());
    WordTokenizer tokenizer = WordTokenizer.builder().build(List.of("red apple", "green apple"));
    captioner = dir.resolve("cap.safetensors");
    try (Captioner m =
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
            .device(Device.cpu())
            .build()) {
      CaptionModels.save(captioner, m, tokenizer);
    }
    images = Files.createDirectories(dir.resolve("imgs"));
    ImageIO.write(
        new BufferedImage(4, 4, BufferedImage.TYPE_INT_RGB),
        "png",
        images.resolve("a.png").toFile());
    missing = dir.resolve("missing.safetensors");
    empty = Files.write(dir.resolve("empty.txt"), new byte[0]);
    folder = Files.createDirectories(dir.resolve("folder.safetensors"));
    byte[] junk = new byte[4096];
    for (int i = 0; i < junk.length; i++) {
      junk[i] = (byte) (i * 131 + 0xff); // 0xff never occurs in UTF-8
    }
    binary = Files.write(dir.resolve("binary.bin"), junk);
    badUtf8 =
        Files.write(
            dir.resolve("bad.txt"),
            new byte[] {
              'o',
              'k',
              '\t',
              'p',
              'o',
              's',
              '\n',
              'a',
              (byte) 0xc3,
              (byte) 0x28,
              '\t',
              'n',
              'e',
              'g',
              '\n'
            });
    hugeLine =
        Files.writeString(dir.resolve("huge.txt"), "x".repeat(5_000_000), StandardCharsets.UTF_8);
    plainFile = Files.writeString(dir.resolve("plain.txt"), "not a folder");
    Path ro = Files.createDirectories(dir.resolve("readonly"));
    Files.setPosixFilePermissions(ro, PosixFilePermissions.fromString("r-xr-xr-x"));
    readOnly = Files.isWritable(ro) ? null : ro;
  }

  private static List<Path> outputs() throws IOException {
    try (Stream<Path> s = Files.walk(out)) {
      return s.sorted().toList();
    }
  }

  /**
   * Runs {@code command args} in-process and checks the failure: non-zero status, nothing on
   * stdout, one bounded line on stderr, no class names, no new file under {@link #out}.
   *
   * @return the stderr line
   */
  static String fails(String command, String... args) throws IOException {
    String[] all = new String[args.length + 1];
    all[0] = command;
    System.arraycopy(args, 0, all, 1, args.length);
    List<Path> before = outputs();
    long t0 = System.nanoTime();
    CliTestSupport.Run r = CliTestSupport.runWithInput("", all);
    double seconds = (System.nanoTime() - t0) / 1e9;
    String what = shortArgs(all);
    assertNotEquals(0, r.status(), what + ": " + r.err());
    assertEquals("", r.out(), what);
    checkLine(command, r.err(), what);
    assertEquals(before, outputs(), what + ": files left behind");
    assertTrue(seconds < 10, what + " took " + seconds + " s: it must fail before doing any work");
    return r.err().strip();
  }

  static void checkLine(String command, String err, String what) {
    String start = err.substring(0, Math.min(err.length(), 800));
    assertTrue(
        err.endsWith("\n") && err.indexOf('\n') == err.length() - 1,
        () -> what + ": not one line: " + start);
    assertTrue(err.startsWith("jrnn " + command + ": "), () -> what + ": " + start);
    assertTrue(err.length() < 400, () -> what + ": " + err.length() + " characters: " + start);
    assertTrue(!CLASS_NAME.matcher(err).find(), () -> what + ": names a Java class: " + start);
  }

  static String shortArgs(String[] args) {
    return String.join(
        " ",
        Arrays.stream(args).map(a -> a.length() > 60 ? a.substring(0, 20) + "..." : a).toList());
  }

  static String[] with(String[] base, String... more) {
    List<String> l = new ArrayList<>(List.of(base));
    l.addAll(List.of(more));
    return l.toArray(String[]::new);
  }

  static String[] replace(String[] base, String key, String value) {
    String[] a = base.clone();
    int i = Arrays.asList(a).indexOf(key);
    a[i + 1] = value;
    return a;
  }

  /** {@code base} with the options {@code opt} (key, value, key, value, ...) set or replaced. */
  static String[] set(String[] base, String... opt) {
    String[] a = base;
    for (int k = 0; k < opt.length; k += 2) {
      a =
          Arrays.asList(a).contains(opt[k])
              ? replace(a, opt[k], opt[k + 1])
              : with(a, opt[k], opt[k + 1]);
    }
    return a;
  }

  static void contains(String line, String want) {
    assertTrue(line.contains(want), "'" + line + "' lacks '" + want + "'");
  }

  static String s(Path p) {
    return p.toString();
  }

  /** The bad input files every file argument is tried with. */
  static List<Path> badFiles() {
    return List.of(missing, empty, folder, binary, badUtf8, hugeLine);
  }

  @Test
  void forward() throws IOException {
    Path c = Fixtures.dir("gru_uni_l1_bias");
    String[] ok = {
      "--config",
      s(c.resolve("config.json")),
      "--weights",
      s(c.resolve("state.safetensors")),
      "--input",
      s(c.resolve("in.safetensors")),
      "--output",
      s(out.resolve("y.safetensors"))
    };
    for (String key : List.of("--weights", "--input", "--config")) {
      for (Path bad : badFiles()) {
        fails("forward", replace(ok, key, s(bad)));
      }
    }
    contains(fails("forward", replace(ok, "--weights", s(folder))), s(folder) + ": is a directory");
    contains(fails("forward", replace(ok, "--weights", s(missing))), s(missing) + ": no such file");
    contains(fails("forward", replace(ok, "--config", s(badUtf8))), "not valid UTF-8");
    // the wrong kind of model: a jrnn classifier file is no state dict of a GRU
    contains(fails("forward", replace(ok, "--weights", s(classifier))), "state dict does not fit");
    // outputs that cannot be written
    Files.createDirectories(out.resolve("taken.safetensors"));
    contains(
        fails("forward", replace(ok, "--output", s(out.resolve("taken.safetensors")))),
        "is a directory");
    contains(
        fails("forward", replace(ok, "--output", s(out.resolve("none/y.safetensors")))),
        "none/y.safetensors: its folder does not exist");
    contains(
        fails("forward", replace(ok, "--output", s(plainFile.resolve("y.safetensors")))),
        s(plainFile.resolve("y.safetensors")));
    if (readOnly != null) {
      String line = fails("forward", replace(ok, "--output", s(readOnly.resolve("y.safetensors"))));
      contains(line, s(readOnly.resolve("y.safetensors")) + ": permission denied");
    }
    // a tensor with a 5 MB name: in the weights an error, in the inputs a warning, both short
    Path weights = dir.resolve("huge-name.safetensors");
    Path inputs = dir.resolve("huge-input.safetensors");
    for (Path[] copy :
        List.of(
            new Path[] {c.resolve("state.safetensors"), weights},
            new Path[] {c.resolve("in.safetensors"), inputs})) {
      SafetensorsWriter w = new SafetensorsWriter();
      try (SafetensorsFile f = SafetensorsFile.open(copy[0])) {
        for (TensorInfo t : f.tensors()) {
          w.putFloats(t.name(), f.floats(t.name()), t.shape());
        }
      }
      w.putFloats(HUGE, new float[] {1}, 1).write(copy[1]);
    }
    contains(fails("forward", replace(ok, "--weights", s(weights))), "unexpected hhhh");
    CliTestSupport.Run warned =
        CliTestSupport.run(with(new String[] {"forward"}, replace(ok, "--input", s(inputs))));
    assertEquals(0, warned.status(), warned.err());
    checkLine("forward", warned.err(), "a huge tensor name in the inputs");
    contains(warned.err(), "warning: ignoring tensor 'hhhh");
    Files.delete(out.resolve("y.safetensors"));
    // huge arguments
    fails("forward", replace(ok, "--weights", "/" + HUGE));
    contains(fails("forward", replace(ok, "--output", s(out) + "/" + HUGE)), "(5000");
    fails("forward", with(ok, "--device", HUGE));
    fails("forward", with(ok, "--" + HUGE, "1"));
    fails("forward", with(ok, HUGE));
  }

  @Test
  void train() throws IOException {
    String[] ok = {
      "--task",
      "classify",
      "--data",
      s(tsv),
      "--out",
      s(out.resolve("m.safetensors")),
      "--hidden",
      "4",
      "--embedding",
      "4",
      "--quiet",
      "--valid-fraction",
      "0"
    };
    for (Path bad : badFiles()) {
      fails("train", replace(ok, "--data", s(bad)));
      fails("train", with(ok, "--valid", s(bad)));
    }
    contains(fails("train", replace(ok, "--data", s(folder))), s(folder) + ": is a directory");
    contains(fails("train", replace(ok, "--data", s(badUtf8))), "invalid UTF-8");
    contains(fails("train", replace(ok, "--data", s(hugeLine))), s(hugeLine));
    // the wrong kind of data for the task
    contains(fails("train", replace(ok, "--task", "digits")), "expected 65 values");
    // unwritable outputs fail before training: a million epochs would not end within the test
    String[] endless =
        replace(with(ok, "--epochs", "1000000"), "--out", s(out.resolve("m.safetensors")));
    Files.createDirectories(out.resolve("dir.safetensors"));
    contains(
        fails("train", replace(endless, "--out", s(out.resolve("dir.safetensors")))),
        "is a directory");
    contains(
        fails("train", replace(endless, "--out", s(out.resolve("none/m.safetensors")))),
        "its folder does not exist");
    fails("train", replace(endless, "--out", s(plainFile.resolve("m.safetensors"))));
    contains(
        fails("train", with(endless, "--checkpoint", s(out.resolve("none/ck.st")))), "none/ck.st");
    contains(
        fails("train", with(endless, "--metrics", s(out.resolve("none/m.csv")))), "none/m.csv");
    fails("train", with(endless, "--metrics", s(Files.createDirectories(out.resolve("log.csv")))));
    if (readOnly != null) {
      contains(
          fails("train", replace(endless, "--out", s(readOnly.resolve("m.safetensors")))),
          "permission denied");
    }
    // absurd numbers
    for (String[] opt :
        List.of(
            new String[] {"--epochs", "-1"},
            new String[] {"--batch", "0"},
            new String[] {"--threads", "100000"},
            new String[] {"--seed", "99999999999999999999999999"},
            new String[] {"--seed", HUGE},
            new String[] {"--lr", "NaN"},
            new String[] {"--hidden", "2147483647"},
            new String[] {"--max-steps", "-5"},
            new String[] {"--time-budget", "NaN"},
            new String[] {"--time-budget", "-1s"},
            new String[] {"--valid-fraction", "NaN"},
            new String[] {"--clip", "Infinity"})) {
      fails("train", set(ok, opt));
    }
    // huge arguments
    fails("train", replace(ok, "--data", "/" + HUGE));
    fails("train", replace(ok, "--task", HUGE));
    fails("train", replace(ok, "--out", s(out) + "/" + HUGE));
    fails("train", with(ok, "--schedule", HUGE));
    fails("train", with(ok, "--" + HUGE));
  }

  @Test
  void eval() throws IOException {
    String[] ok = {"--model", s(classifier), "--data", s(tsv)};
    for (Path bad : badFiles()) {
      fails("eval", replace(ok, "--model", s(bad)));
      fails("eval", replace(ok, "--data", s(bad)));
    }
    contains(fails("eval", replace(ok, "--model", s(folder))), "is a directory");
    contains(fails("eval", replace(ok, "--data", s(folder))), "is a directory");
    contains(fails("eval", replace(ok, "--model", s(captioner))), s(captioner));
    fails("eval", with(ok, "--batch", "0"));
    fails("eval", with(ok, "--max-length", "2147483647"));
    fails("eval", with(ok, "--batch", HUGE));
    fails("eval", replace(ok, "--model", "/" + HUGE));
  }

  @Test
  void predict() throws IOException {
    String[] ok = {"--model", s(classifier), s(tsv)};
    for (Path bad : badFiles()) {
      fails("predict", replace(ok, "--model", s(bad)));
    }
    contains(fails("predict", "--model", s(classifier), s(folder)), s(folder) + ": is a directory");
    contains(fails("predict", "--model", s(classifier), s(missing)), s(missing) + ": no such file");
    contains(
        fails("predict", "--model", s(classifier), s(badUtf8)), s(badUtf8) + ":2: not valid UTF-8");
    contains(fails("predict", "--model", s(lm), s(tsv)), "is a language model");
    fails("predict", "--model", s(captioner), s(tsv));
    fails("predict", with(ok, "--max-length", "2147483647"));
    fails("predict", with(ok, "--max-length", "0"));
    fails("predict", "--model", s(classifier), "/" + HUGE);
    fails("predict", with(ok, "--device", HUGE));
  }

  @Test
  void generate() throws IOException {
    String[] ok = {"--model", s(lm), "--length", "5"};
    for (Path bad : badFiles()) {
      fails("generate", replace(ok, "--model", s(bad)));
    }
    contains(
        fails("generate", replace(ok, "--model", s(classifier))),
        "generate needs a language model");
    fails("generate", replace(ok, "--model", s(captioner)));
    for (String[] opt :
        List.of(
            new String[] {"--temperature", "NaN"},
            new String[] {"--temperature", "-1"},
            new String[] {"--length", "-1"},
            new String[] {"--length", "2147483647"},
            new String[] {"--top-k", "-1"},
            new String[] {"--seed", "99999999999999999999999999"},
            new String[] {"--seed", HUGE},
            new String[] {"--prompt", "\u00e9".repeat(100_000)})) {
      fails("generate", set(ok, opt));
    }
  }

  @Test
  void caption() throws IOException {
    String[] ok = {
      "--model", s(captioner), "--images", s(images), "--out", s(out.resolve("c.jsonl")), "--quiet"
    };
    for (Path bad : badFiles()) {
      fails("caption", replace(ok, "--model", s(bad)));
    }
    String[] list = {
      "--model", s(captioner), "--list", s(tsv), "--out", s(out.resolve("c.jsonl")), "--quiet"
    };
    for (Path bad : List.of(missing, empty, folder, badUtf8)) {
      fails("caption", replace(list, "--list", s(bad)));
    }
    contains(
        fails("caption", replace(list, "--list", s(badUtf8))), s(badUtf8) + ": not valid UTF-8");
    String[] features = {
      "--model", s(captioner), "--features", s(tsv), "--out", s(out.resolve("c.jsonl")), "--quiet"
    };
    for (String name :
        List.of("empty.csv", "binary.csv", "huge.csv", "binary.npy", "binary.safetensors")) {
      Path f = dir.resolve(name);
      Files.copy(name.startsWith("empty") ? empty : name.startsWith("huge") ? hugeLine : binary, f);
      contains(fails("caption", replace(features, "--features", s(f))), s(f));
    }
    contains(fails("caption", replace(ok, "--images", s(missing))), s(missing) + ": no such file");
    contains(
        fails("caption", replace(ok, "--images", s(plainFile))),
        s(plainFile) + ": not a directory");
    contains(fails("caption", replace(ok, "--model", s(classifier))), s(classifier));
    // unwritable outputs
    Files.createDirectories(out.resolve("cap.jsonl"));
    contains(fails("caption", replace(ok, "--out", s(out.resolve("cap.jsonl")))), "is a directory");
    contains(
        fails("caption", replace(ok, "--out", s(out.resolve("none/c.jsonl")))),
        "its folder does not exist");
    if (readOnly != null) {
      contains(
          fails("caption", replace(ok, "--out", s(readOnly.resolve("c.jsonl")))),
          "permission denied");
    }
    for (String[] opt :
        List.of(
            new String[] {"--beam", "1000000"},
            new String[] {"--batch", "0"},
            new String[] {"--temperature", "NaN"},
            new String[] {"--max-len", "2147483647"},
            new String[] {"--threads", "100000"},
            new String[] {"--temperature", "1", "--seed", "99999999999999999999999999"},
            new String[] {"--length-penalty", HUGE},
            new String[] {"--beam", HUGE})) {
      fails("caption", set(ok, opt));
    }
    fails("caption", replace(ok, "--images", "/" + HUGE));
  }

  // ---------------------------------------------------------------- through a child JVM

  @Test
  void aChildProcessPrintsTheSameOneLine() throws Exception {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    String big = "/" + "q".repeat(100_000); // below the kernel's limit for one argument
    List<String[]> cases =
        List.of(
            new String[] {
              "forward",
              "--weights",
              s(folder),
              "--input",
              s(missing),
              "--output",
              s(out.resolve("y.st"))
            },
            new String[] {
              "train", "--task", "classify", "--data", big, "--out", s(out.resolve("m.st"))
            },
            new String[] {"eval", "--model", s(binary), "--data", s(tsv)},
            new String[] {"predict", "--model", s(classifier), s(folder)},
            new String[] {
              "caption", "--model", s(captioner), "--images", s(images), "--beam", "1000000"
            });
    List<Path> before = outputs();
    for (String[] args : cases) {
      List<String> cmd =
          new ArrayList<>(
              List.of(
                  java.toString(),
                  "-cp",
                  System.getProperty("java.class.path"),
                  "-Djava.awt.headless=true",
                  "org.jrnn.cli.Main"));
      cmd.addAll(List.of(args));
      Process p =
          new ProcessBuilder(cmd)
              .redirectInput(ProcessBuilder.Redirect.from(empty.toFile()))
              .start();
      String stdout = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      String stderr = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(p.waitFor(60, TimeUnit.SECONDS));
      String what = shortArgs(args);
      assertNotEquals(0, p.exitValue(), what + ": " + stderr);
      assertEquals("", stdout, what);
      checkLine(args[0], stderr, what);
    }
    assertEquals(before, outputs(), "files left behind");
  }
}
