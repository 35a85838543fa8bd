// ForwardCommandTest: `jrnn forward` (org.jrnn.cli.Main in-process, and once through the real
// scripts/jrnn launcher): every PyTorch fixture end to end, and bad input of every kind (non-zero
// exit,
// one line on stderr naming the problem, no output file).
package org.jrnn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.jrnn.Device;
import org.jrnn.Recurrent;
import org.jrnn.interop.Fixtures;
import org.jrnn.interop.RnnConfig;
import org.jrnn.interop.StateDict;
import org.jrnn.interop.TorchRnn;
import org.jrnn.io.DType;
import org.jrnn.io.SafetensorsFile;
import org.jrnn.io.SafetensorsWriter;
import org.jrnn.io.TensorInfo;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ForwardCommandTest {
  @TempDir Path dir;

  /** The result of one in-process run. */
  record Run(int status, String out, String err) {}

  static Run main(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status;
    try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
      status = Main.run(args, o, e);
    }
    return new Run(
        status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  static String[] forwardArgs(Path caseDir, Path output, String... extra) {
    List<String> a =
        new ArrayList<>(
            List.of(
                "forward",
                "--config",
                caseDir.resolve("config.json").toString(),
                "--weights",
                caseDir.resolve("state.safetensors").toString(),
                "--input",
                caseDir.resolve("in.safetensors").toString(),
                "--output",
                output.toString()));
    a.addAll(List.of(extra));
    return a.toArray(new String[0]);
  }

  static Stream<String> cases() {
    return Fixtures.cases().stream();
  }

  /** Compares every tensor of OUT with EXPECTED: same names, shapes, F32, relative error < 1e-5. */
  static void assertMatches(Path expected, Path actual) throws IOException {
    try (SafetensorsFile e = SafetensorsFile.open(expected);
        SafetensorsFile a = SafetensorsFile.open(actual)) {
      assertEquals(new TreeSet<>(e.names()), new TreeSet<>(a.names()), "output tensor names");
      for (String k : e.names()) {
        TensorInfo ti = a.info(k);
        assertEquals(DType.F32, ti.dtype(), k);
        Fixtures.assertClose(k, e.info(k).shape(), e.floats(k), ti.shape(), a.floats(k));
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void everyFixtureMatchesPyTorch(String name) throws IOException {
    Path c = Fixtures.dir(name);
    Path out = dir.resolve("out.safetensors");
    Run r = main(forwardArgs(c, out));
    assertEquals(0, r.status(), r.err());
    assertEquals("", r.err());
    assertMatches(c.resolve("expected.safetensors"), out);
  }

  // ---------------------------------------------------------------- bad input

  /**
   * Runs a command expected to fail: non-zero status, one stderr line containing want, no output.
   */
  void fails(String want, String... args) throws IOException {
    Run r = main(args);
    assertNotEquals(0, r.status(), "should fail: " + String.join(" ", args));
    String err = r.err();
    assertTrue(err.endsWith("\n"), "stderr ends with a newline: [" + err + "]");
    assertEquals(1, err.split("\n", -1).length - 1, "exactly one line on stderr: [" + err + "]");
    assertTrue(err.startsWith("jrnn"), err);
    assertTrue(err.contains(want), "stderr [" + err.trim() + "] lacks [" + want + "]");
    try (Stream<Path> files = Files.list(dir)) {
      List<Path> left =
          files
              .filter(p -> p.getFileName().toString().contains("out"))
              .collect(Collectors.toList());
      assertEquals(List.of(), left, "no output (or temp) file is left behind");
    }
  }

  /**
   * A copy of fixture {@code name}'s IN with tensors changed by {@code edit} (a writer of the
   * rest).
   */
  Path editedInput(String name, Set<String> drop, Consumer<SafetensorsWriter> add)
      throws IOException {
    SafetensorsWriter w = new SafetensorsWriter();
    try (SafetensorsFile f = SafetensorsFile.open(Fixtures.dir(name).resolve("in.safetensors"))) {
      for (TensorInfo t : f.tensors()) {
        if (!drop.contains(t.name())) {
          w.putRaw(t.name(), t.dtype(), f.buffer(t.name()), t.shape());
        }
      }
    }
    add.accept(w);
    Path p = dir.resolve("in-" + Integer.toHexString(System.identityHashCode(w)) + ".safetensors");
    w.write(p);
    return p;
  }

  String[] withInput(String name, Path input) {
    Path c = Fixtures.dir(name);
    return new String[] {
      "forward",
      "--config",
      c.resolve("config.json").toString(),
      "--weights",
      c.resolve("state.safetensors").toString(),
      "--input",
      input.toString(),
      "--output",
      dir.resolve("out.safetensors").toString()
    };
  }

  @Test
  void lengthsOutsideOneToT() throws IOException {
    // rnn_tanh_uni_l1_bias: T = 5, N = 4
    String name = "rnn_tanh_uni_l1_bias";
    Path in =
        editedInput(
            name,
            Set.of("lengths"),
            w -> w.putLongs("lengths", DType.I64, new long[] {3, 5, 9, 4}, 4));
    fails("jrnn forward: lengths[2] = 9 is outside 1..T (T = 5)", withInput(name, in));
    Path zero =
        editedInput(
            name,
            Set.of("lengths"),
            w -> w.putInts("lengths", DType.I32, new int[] {0, 5, 1, 4}, 4));
    fails("jrnn forward: lengths[0] = 0 is outside 1..T (T = 5)", withInput(name, zero));
    Path negative =
        editedInput(
            name,
            Set.of("lengths"),
            w -> w.putLongs("lengths", DType.I64, new long[] {1, 2, 3, -4}, 4));
    fails("lengths[3] = -4 is outside 1..T", withInput(name, negative));
    Path shape =
        editedInput(
            name,
            Set.of("lengths"),
            w -> w.putLongs("lengths", DType.I64, new long[] {1, 2, 3}, 3));
    fails("lengths must be [N] = [4]", withInput(name, shape));
  }

  @Test
  void wrongShapesAndMissingTensors() throws IOException {
    String name = "lstm_bi_l2_bias"; // T = 5, N = 4, I = 3, H = 4, L*D = 4
    fails("no tensor 'x'", withInput(name, editedInput(name, Set.of("x"), w -> {})));
    // Warnings about unknown tensors are not printed when the command fails (one line only).
    fails(
        "no tensor 'x'",
        withInput(
            name, editedInput(name, Set.of("x"), w -> w.putFloats("X", new float[60], 5, 4, 3))));
    fails(
        "x must be [T, N, I]",
        withInput(
            name, editedInput(name, Set.of("x"), w -> w.putFloats("x", new float[20], 5, 4))));
    fails(
        "input_size is 3",
        withInput(
            name, editedInput(name, Set.of("x"), w -> w.putFloats("x", new float[40], 5, 4, 2))));
    fails(
        "h0 must be [L*D, N, H] = [4, 4, 4] but has shape [2, 4, 4]",
        withInput(
            name, editedInput(name, Set.of("h0"), w -> w.putFloats("h0", new float[32], 2, 4, 4))));
    fails(
        "dy must be [T, N, D*H] = [5, 4, 8]",
        withInput(
            name, editedInput(name, Set.of("dy"), w -> w.putFloats("dy", new float[80], 5, 4, 4))));
    fails(
        "x must be F32",
        withInput(
            name,
            editedInput(name, Set.of("x"), w -> w.putInts("x", DType.I32, new int[60], 5, 4, 3))));
    String gru = "gru_uni_l1_bias";
    fails(
        "c0 is given but GRU has no cell state",
        withInput(gru, editedInput(gru, Set.of(), w -> w.putFloats("c0", new float[16], 1, 4, 4))));
  }

  @Test
  void stateDictAndConfigProblems() throws IOException {
    Path c = Fixtures.dir("lstm_bi_l2_bias");
    // Drop two weights and add a stray one: all three are named in one line.
    StateDict sd = StateDict.read(c.resolve("state.safetensors"));
    StateDict bad = new StateDict();
    for (String k : sd.names()) {
      if (!k.equals("weight_hh_l0") && !k.equals("bias_hh_l1_reverse")) {
        bad.put(k, sd.get(k).shape(), sd.get(k).values());
      }
    }
    bad.put("weight_ih_l2", new long[] {1}, new float[1]);
    Path weights = dir.resolve("bad-state.safetensors");
    bad.write(weights);
    String[] args = forwardArgs(c, dir.resolve("out.safetensors"));
    args[4] = weights.toString();
    fails("missing weight_hh_l0, bias_hh_l1_reverse; unexpected weight_ih_l2", args);
    // A config whose hidden size does not fit the weights.
    Path cfg = dir.resolve("cfg.json");
    Files.writeString(
        cfg,
        "{\"mode\":\"LSTM\",\"input_size\":3,\"hidden_size\":5,\"num_layers\":2,\"bidirectional\":true}");
    args = forwardArgs(c, dir.resolve("out.safetensors"));
    args[2] = cfg.toString();
    fails("weight_ih_l0 has shape [16, 3], expected [20, 3]", args);
    Files.writeString(cfg, "{\"mode\":\"LSTM\",\"input_size\":3,");
    fails("not valid JSON", args);
    Files.writeString(cfg, "{\"mode\":\"LSTMX\",\"input_size\":3,\"hidden_size\":4}");
    fails("mode \"LSTMX\" is not one of", args);
  }

  @Test
  void missingAndCorruptFiles() throws IOException {
    Path c = Fixtures.dir("gru_uni_l1_bias");
    Path out = dir.resolve("out.safetensors");
    String[] args = forwardArgs(c, out);
    args[6] = dir.resolve("missing.safetensors").toString();
    fails("missing.safetensors: no such file", args);
    Path junk = dir.resolve("junk.safetensors");
    Files.write(junk, "this is not a safetensors file at all".getBytes(StandardCharsets.UTF_8));
    args[6] = junk.toString();
    fails("junk.safetensors: header length", args);
    byte[] good = Files.readAllBytes(c.resolve("in.safetensors"));
    Path cut = dir.resolve("cut.safetensors");
    Files.write(cut, java.util.Arrays.copyOf(good, good.length - 10));
    args[6] = cut.toString();
    fails("truncated", args);
    args = forwardArgs(c, out);
    args[2] = dir.resolve("nope.json").toString();
    fails("nope.json: no such file", args);
    fails(
        "out.safetensors: its folder does not exist",
        forwardArgs(c, dir.resolve("no/such/dir/out.safetensors")));
  }

  @Test
  void badCommandLines() throws IOException {
    Path c = Fixtures.dir("gru_uni_l1_bias");
    Path out = dir.resolve("out.safetensors");
    fails("unknown option --frobnicate", forwardArgs(c, out, "--frobnicate", "1"));
    fails(
        "missing --input",
        "forward",
        "--weights",
        c.resolve("state.safetensors").toString(),
        "--output",
        out.toString());
    fails("--output needs a value", "forward", "--output");
    fails("unexpected argument 'extra'", forwardArgs(c, out, "extra"));
    fails("tpu", forwardArgs(c, out, "--device", "tpu"));
    if (Device.cudaDeviceCount() == 0) {
      fails("CUDA", forwardArgs(c, out, "--device", "cuda:0"));
    }
    Run r = main("frobnicate");
    assertEquals(Main.EXIT_USAGE, r.status());
    assertTrue(
        r.err().startsWith("jrnn: unknown command 'frobnicate' (commands: forward"), r.err());
    assertTrue(r.err().contains("see jrnn --help"), r.err());
    assertEquals(1, r.err().split("\n").length);
  }

  @Test
  void helpAndUsage() {
    Run r = main("--help");
    assertEquals(0, r.status());
    assertTrue(r.out().contains("usage: jrnn <command>") && r.out().contains("forward"), r.out());
    r = main("forward", "--help");
    assertEquals(0, r.status());
    assertTrue(
        r.out().contains("--config")
            && r.out().contains("--weights")
            && r.out().contains("lengths"));
    r = main("help", "forward");
    assertEquals(0, r.status());
    assertTrue(r.out().startsWith("usage: jrnn forward"));
    r = main();
    assertEquals(Main.EXIT_USAGE, r.status());
    assertTrue(r.err().contains("usage: jrnn"));
  }

  // ---------------------------------------------------------------- lenient inputs and extras

  @Test
  void otherFloatTypesAndI32LengthsAreConverted() throws IOException {
    String name = "lstm_bi_l2_bias";
    Path f64 = dir.resolve("in64.safetensors");
    SafetensorsWriter w = new SafetensorsWriter();
    try (SafetensorsFile f = SafetensorsFile.open(Fixtures.dir(name).resolve("in.safetensors"))) {
      for (TensorInfo t : f.tensors()) {
        if (t.name().equals("lengths")) {
          w.putInts("lengths", DType.I32, f.ints("lengths"), t.shape());
        } else {
          w.putDoubles(t.name(), DType.F64, f.doubles(t.name()), t.shape());
        }
      }
    }
    w.write(f64);
    Path out = dir.resolve("out.safetensors");
    Run r = main(withInput(name, f64));
    assertEquals(0, r.status(), r.err());
    assertMatches(Fixtures.dir(name).resolve("expected.safetensors"), out);
    // Unknown input tensors are ignored with a warning (exit 0).
    Path extra = editedInput(name, Set.of(), x -> x.putFloats("note", new float[] {1}, 1));
    r = main(withInput(name, extra));
    assertEquals(0, r.status(), r.err());
    assertTrue(r.err().contains("warning: ignoring tensor 'note'"), r.err());
    assertMatches(Fixtures.dir(name).resolve("expected.safetensors"), out);
  }

  @Test
  void gradientsWithoutDyAndOutputReplacement() throws IOException {
    String name = "gru_bi_l3_bias";
    Path onlyDhn = editedInput(name, Set.of("dy"), w -> {});
    Path out = dir.resolve("out.safetensors");
    Files.writeString(out, "an old file that gets replaced");
    Path stale = Files.writeString(dir.resolve(".out.safetensors.1234abcd.tmp"), "left by a kill");
    Run r = main(withInput(name, onlyDhn));
    assertEquals(0, r.status(), r.err());
    try (SafetensorsFile f = SafetensorsFile.open(out)) {
      assertTrue(
          f.names().containsAll(List.of("y", "hn", "dx", "dh0", "grad.weight_ih_l0")),
          f.names().toString());
      assertFalse(f.contains("cn"));
    }
    assertFalse(Files.exists(stale), "the temp file of a killed run must be gone");
  }

  @Test
  void modelFilesNeedNoConfig() throws IOException {
    Path c = Fixtures.dir("rnn_relu_bi_l2_nobias");
    RnnConfig cfg = RnnConfig.read(c.resolve("config.json"));
    Path model = dir.resolve("model.safetensors");
    try (Recurrent r =
        TorchRnn.load(cfg, StateDict.read(c.resolve("state.safetensors")), Device.cpu())) {
      TorchRnn.save(r, model);
    }
    Path out = dir.resolve("out.safetensors");
    Run run =
        main(
            "forward",
            "--weights",
            model.toString(),
            "--input",
            c.resolve("in.safetensors").toString(),
            "--output=" + out);
    assertEquals(0, run.status(), run.err());
    assertMatches(c.resolve("expected.safetensors"), out);
    // A bare state dict without --config: a usage error naming what is missing.
    run =
        main(
            "forward",
            "--weights",
            c.resolve("state.safetensors").toString(),
            "--input",
            c.resolve("in.safetensors").toString(),
            "--output",
            dir.resolve("out2.safetensors").toString());
    assertEquals(Main.EXIT_USAGE, run.status());
    assertTrue(run.err().contains("missing --config"), run.err());
  }

  // ---------------------------------------------------------------- the real launcher

  @Test
  void launcherScriptRunsForward() throws Exception {
    Path root = null;
    for (Path p = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        p != null;
        p = p.getParent()) {
      if (Files.isRegularFile(p.resolve("scripts/jrnn"))) {
        root = p;
        break;
      }
    }
    Assumptions.assumeTrue(root != null, "skipped: scripts/jrnn not found above user.dir");
    Assumptions.assumeTrue(Files.isExecutable(Path.of("/bin/bash")), "skipped: no /bin/bash");
    String cp = System.getProperty("java.class.path");
    Path c = Fixtures.dir("lstm_uni_l3_bias");
    Path out = dir.resolve("out.safetensors");
    // JRNN_CLASSPATH: run this build's classes (no Maven inside a Maven test run).
    ProcessBuilder pb =
        new ProcessBuilder(
            "/bin/bash",
            root.resolve("scripts/jrnn").toString(),
            "forward",
            "--config",
            c.resolve("config.json").toString(),
            "--weights",
            c.resolve("state.safetensors").toString(),
            "--input",
            c.resolve("in.safetensors").toString(),
            "--output",
            out.toString());
    pb.environment().put("JRNN_CLASSPATH", cp);
    pb.environment()
        .put("JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString());
    pb.redirectErrorStream(true);
    Process p = pb.start();
    String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(120, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), log);
    assertMatches(c.resolve("expected.safetensors"), out);
    Files.delete(out);
    // A failure: the launcher passes Main's exit status and its one line through.
    pb.command()
        .set(pb.command().indexOf("--input") + 1, dir.resolve("none.safetensors").toString());
    pb.redirectErrorStream(false);
    p = pb.start();
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(120, TimeUnit.SECONDS));
    assertEquals(Main.EXIT_FAILURE, p.exitValue(), err);
    assertTrue(
        err.startsWith("jrnn forward: ") && err.contains("none.safetensors: no such file"), err);
    assertFalse(Files.exists(out));
  }
}
