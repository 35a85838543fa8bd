// InteropTest: RnnConfig (JSON, defaults, validation), StateDict checks (every missing, unexpected
// and
// mis-shaped key in one message), import(export(x)) == x, jrnn model files, and the round trip
// export -> PyTorch load_state_dict -> same outputs (runs /usr/bin/python3 with torch; skipped with
// a
// reason when torch is missing).
package org.jrnn.interop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.jrnn.Cell;
import org.jrnn.Device;
import org.jrnn.Recurrent;
import org.jrnn.RecurrentOutput;
import org.jrnn.RecurrentState;
import org.jrnn.Scope;
import org.jrnn.SequenceBatch;
import org.jrnn.Tensor;
import org.jrnn.io.DType;
import org.jrnn.io.SafetensorsException;
import org.jrnn.io.SafetensorsFile;
import org.jrnn.io.SafetensorsWriter;
import org.jrnn.io.TensorInfo;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InteropTest {
  @TempDir Path dir;

  // ---------------------------------------------------------------- RnnConfig

  @Test
  void configFromTheIssuesJson() {
    RnnConfig c =
        RnnConfig.fromJson(
            "{\"mode\":\"LSTM\",\"input_size\":8,\"hidden_size\":16,\"num_layers\":2,"
                + "\"bidirectional\":true,\"bias\":true}");
    assertEquals(new RnnConfig(Cell.LSTM, 8, 16, 2, true, true), c);
    assertEquals(2, c.directions());
    assertEquals(c, RnnConfig.fromJson(c.toJson()));
    assertEquals(c, RnnConfig.fromMetadata(c.toMetadata()));
    assertEquals("LSTM(8, 16, num_layers=2, bias=True, bidirectional=True)", c.toString());
    assertEquals("true", c.toMetadata().get("bidirectional"));
    assertEquals("8", c.toMetadata().get("input_size"));
  }

  @Test
  void configDefaultsAndTorchSpellings() {
    assertEquals(
        new RnnConfig(Cell.GRU, 3, 5, 1, false, true),
        RnnConfig.fromJson("{\"mode\":\"GRU\",\"input_size\":3,\"hidden_size\":5}"));
    assertEquals(
        Cell.RNN_RELU,
        RnnConfig.fromJson(
                "{\"mode\":\"RNN\",\"nonlinearity\":\"relu\",\"input_size\":1,\"hidden_size\":1}")
            .mode());
    assertEquals(
        Cell.RNN_TANH,
        RnnConfig.fromJson("{\"mode\":\"RNN\",\"input_size\":1,\"hidden_size\":1}").mode());
    RnnConfig withExtras =
        RnnConfig.fromJson(
            "{\"mode\":\"RNN_TANH\",\"input_size\":2,\"hidden_size\":3,\"batch_first\":true,"
                + "\"dropout\":0.0,\"proj_size\":0,\"nonlinearity\":\"tanh\",\"bias\":false}");
    assertEquals(new RnnConfig(Cell.RNN_TANH, 2, 3, 1, false, false), withExtras);
  }

  private static String shortMessage(RuntimeException e, String want) {
    String m = e.getMessage();
    String start = m.substring(0, Math.min(m.length(), 600));
    assertTrue(m.length() < 600, "message of " + m.length() + " characters: " + start);
    assertTrue(m.contains(want), "'" + start + "' lacks '" + want + "'");
    return m;
  }

  @Test
  void hugeConfigsAndStateDictsGiveShortMessages() throws IOException {
    String huge = "k".repeat(3_000_000);
    shortMessage(
        assertThrows(
            InteropException.class,
            () ->
                RnnConfig.fromJson(
                    "{\"mode\":\"GRU\",\"input_size\":1,\"hidden_size\":1,\"" + huge + "\":1}")),
        "unknown key \"kkk");
    shortMessage(
        assertThrows(
            InteropException.class,
            () ->
                RnnConfig.fromJson(
                    "{\"mode\":\"" + huge + "\",\"input_size\":1,\"hidden_size\":1}")),
        "(3000000 characters) is not one of");
    shortMessage(
        assertThrows(
            InteropException.class,
            () ->
                RnnConfig.fromJson(
                    "{\"mode\":\"GRU\",\"input_size\":\"" + huge + "\",\"hidden_size\":1}")),
        "input_size = \"kkk");
    StringBuilder many = new StringBuilder("{\"mode\":\"GRU\",\"input_size\":1,\"hidden_size\":1");
    for (int i = 0; i < 100_000; i++) {
      many.append(",\"x").append(i).append("\":0");
    }
    shortMessage(
        assertThrows(InteropException.class, () -> RnnConfig.fromJson(many.append('}').toString())),
        "(100000 problems)");
    // 65536 layers: a quarter of a million missing weights, a few of them named
    shortMessage(
        assertThrows(
            InteropException.class,
            () -> new StateDict().check(new RnnConfig(Cell.LSTM, 1, 1, 65536, false, true))),
        "(262144 in all)");
    StateDict odd = new StateDict().put(huge, new long[] {1}, new float[1]);
    shortMessage(
        assertThrows(
            InteropException.class,
            () -> odd.check(new RnnConfig(Cell.GRU, 1, 1, 1, false, false))),
        "unexpected kkk");
    // config files: a directory, a huge file
    Path folder = Files.createDirectory(dir.resolve("config.json"));
    shortMessage(
        assertThrows(InteropException.class, () -> RnnConfig.read(folder)), "is a directory");
    Path big = Files.writeString(dir.resolve("big.json"), "{\"mode\":\"" + huge + "\"}");
    shortMessage(assertThrows(InteropException.class, () -> RnnConfig.read(big)), "too large");
  }

  @Test
  void configErrorsNameEveryProblemAtOnce() {
    InteropException e =
        assertThrows(
            InteropException.class,
            () -> RnnConfig.fromJson("{\"hidden_size\":0,\"num_layers\":\"two\",\"layers\":2}"));
    String m = e.getMessage();
    for (String want :
        List.of(
            "unknown key \"layers\"",
            "mode is missing",
            "input_size is missing",
            "num_layers = \"two\" must be an integer",
            "hidden_size = 0 must be >= 1")) {
      assertTrue(m.contains(want), m + " lacks " + want);
    }
    assertThrows(InteropException.class, () -> RnnConfig.fromJson("{\"mode\":\"LSTM\""));
    assertTrue(
        assertThrows(
                InteropException.class,
                () ->
                    RnnConfig.fromJson(
                        "{\"mode\":\"TRANSFORMER\",\"input_size\":1,\"hidden_size\":1}"))
            .getMessage()
            .contains("\"TRANSFORMER\" is not one of"));
    assertTrue(
        assertThrows(
                InteropException.class,
                () ->
                    RnnConfig.fromJson(
                        "{\"mode\":\"LSTM\",\"input_size\":1,\"hidden_size\":1,\"proj_size\":4}"))
            .getMessage()
            .contains("proj_size"));
    assertTrue(
        assertThrows(
                InteropException.class,
                () ->
                    RnnConfig.fromJson(
                        "{\"mode\":\"RNN_TANH\",\"nonlinearity\":\"relu\",\"input_size\":1,\"hidden_size\":1}"))
            .getMessage()
            .contains("contradicts"));
    assertTrue(
        assertThrows(
                InteropException.class,
                () ->
                    RnnConfig.fromJson(
                        "{\"mode\":\"GRU\",\"input_size\":1,\"hidden_size\":1,\"dropout\":1.5,\"bias\":1}"))
            .getMessage()
            .contains("dropout"));
    assertThrows(InteropException.class, () -> new RnnConfig(Cell.GRU, 0, 1, 1, false, true));
    // A config file that does not exist, or is not UTF-8, names the file.
    Path missing = dir.resolve("nope.json");
    assertTrue(
        assertThrows(InteropException.class, () -> RnnConfig.read(missing))
            .getMessage()
            .contains(missing.toString()));
  }

  @Test
  void parameterShapesMatchTheNativeLayout() {
    for (Cell cell : Cell.values()) {
      for (boolean bi : new boolean[] {false, true}) {
        for (boolean bias : new boolean[] {false, true}) {
          for (int layers = 1; layers <= 3; layers++) {
            RnnConfig c = new RnnConfig(cell, 3, 4, layers, bi, bias);
            try (Recurrent r = TorchRnn.create(c, Device.cpu(), 1)) {
              LinkedHashMap<String, Tensor> params = r.parameters();
              assertEquals(
                  new ArrayList<>(c.parameterShapes().keySet()),
                  new ArrayList<>(params.keySet()),
                  c.toString());
              for (Map.Entry<String, long[]> e : c.parameterShapes().entrySet()) {
                assertArrayEquals(
                    e.getValue(), params.get(e.getKey()).shape(), c + " " + e.getKey());
              }
              assertEquals(c.parameterCount(), r.parameterCount());
              assertEquals(c, TorchRnn.configOf(r));
            }
          }
        }
      }
    }
  }

  // ---------------------------------------------------------------- StateDict

  private static StateDict randomState(RnnConfig c, long seed) {
    Random rnd = new Random(seed);
    StateDict sd = new StateDict();
    for (Map.Entry<String, long[]> e : c.parameterShapes().entrySet()) {
      long n = 1;
      for (long d : e.getValue()) {
        n *= d;
      }
      float[] v = new float[(int) n];
      for (int i = 0; i < v.length; i++) {
        v[i] = (float) (rnd.nextGaussian() * 0.3);
      }
      sd.put(e.getKey(), e.getValue(), v);
    }
    return sd;
  }

  @Test
  void stateDictErrorsNameEveryBadKey() {
    RnnConfig c = new RnnConfig(Cell.LSTM, 3, 4, 2, true, true);
    StateDict sd = randomState(c, 1);
    StateDict bad = new StateDict();
    for (String k : sd.names()) {
      if (k.equals("weight_hh_l0") || k.equals("bias_ih_l1_reverse")) {
        continue; // missing
      }
      StateDict.Entry e = sd.get(k);
      if (k.equals("weight_ih_l1")) {
        bad.put(k, new long[] {16, 4}, new float[64]); // wrong shape (should be [16, 8])
      } else {
        bad.put(k, e.shape(), e.values());
      }
    }
    bad.put("weight_ih_l2", new long[] {16, 8}, new float[128]); // extra
    bad.put("rnn.bias", new long[] {1}, new float[1]); // extra
    InteropException e = assertThrows(InteropException.class, () -> bad.check(c));
    String m = e.getMessage();
    for (String want :
        List.of(
            "missing weight_hh_l0, bias_ih_l1_reverse",
            "unexpected weight_ih_l2, rnn.bias",
            "weight_ih_l1 has shape [16, 4], expected [16, 8]",
            c.toString())) {
      assertTrue(m.contains(want), m + "\nlacks: " + want);
    }
    assertThrows(InteropException.class, () -> TorchRnn.load(c, bad, Device.cpu()));
    sd.check(c); // the good one passes
    // A state dict with biases for a config without them: the biases are unexpected.
    RnnConfig noBias = new RnnConfig(Cell.LSTM, 3, 4, 2, true, false);
    assertTrue(
        assertThrows(InteropException.class, () -> sd.check(noBias))
            .getMessage()
            .contains("unexpected bias_ih_l0"));
  }

  @Test
  void importOfExportIsIdentityAndModelFilesRoundTrip() throws IOException {
    for (Cell cell : Cell.values()) {
      RnnConfig c = new RnnConfig(cell, 3, 5, 2, cell != Cell.RNN_RELU, cell != Cell.GRU);
      try (Recurrent a = TorchRnn.create(c, Device.cpu(), 42);
          Scope scope = Scope.open()) {
        StateDict sd = TorchRnn.export(a);
        assertEquals(new ArrayList<>(c.parameterShapes().keySet()), new ArrayList<>(sd.names()));
        try (Recurrent b = TorchRnn.load(c, sd, Device.cpu())) {
          assertArrayEquals(a.weights().toArray(), b.weights().toArray());
        }
        Path file = dir.resolve(cell + ".safetensors");
        TorchRnn.save(a, file);
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
          assertEquals(cell.name(), f.metadata().get("mode"));
          assertEquals("pt", f.metadata().get("format"));
          for (TensorInfo t : f.tensors()) {
            assertEquals(DType.F32, t.dtype());
          }
        }
        try (Recurrent b = TorchRnn.loadModel(file, Device.cpu())) {
          assertEquals(c, TorchRnn.configOf(b));
          assertArrayEquals(a.weights().toArray(), b.weights().toArray());
          SequenceBatch batch = randomBatch(new Random(3), 6, new int[] {6, 2, 1}, 3);
          RecurrentOutput ya = a.forward(batch);
          RecurrentOutput yb = b.forward(batch);
          assertArrayEquals(ya.output().toArray(), yb.output().toArray());
          assertArrayEquals(ya.hn().toArray(), yb.hn().toArray());
        }
      }
    }
    // A bare state dict (no config in __metadata__) is not a model file.
    Path bare = Fixtures.dir("gru_uni_l1_bias").resolve("state.safetensors");
    SafetensorsException e =
        assertThrows(SafetensorsException.class, () -> TorchRnn.loadModel(bare, Device.cpu()));
    assertTrue(e.getMessage().contains("no model configuration"), e.getMessage());
  }

  @Test
  void halfAndDoublePrecisionStateDictsAreConverted() throws IOException {
    Path src = Fixtures.dir("lstm_uni_l1_nobias");
    RnnConfig c = RnnConfig.read(src.resolve("config.json"));
    StateDict f32 = StateDict.read(src.resolve("state.safetensors"));
    for (DType dt : List.of(DType.F64, DType.F16, DType.BF16)) {
      SafetensorsWriter w = new SafetensorsWriter();
      for (String k : f32.names()) {
        w.putFloats("rnn." + k, dt, f32.get(k).values(), f32.get(k).shape());
      }
      w.putLongs("step", DType.I64, new long[] {7}); // another module's entry, outside the prefix
      Path p = dir.resolve(dt + ".safetensors");
      w.write(p);
      try (SafetensorsFile f = SafetensorsFile.open(p)) {
        StateDict sd = StateDict.from(f, "rnn.");
        sd.check(c);
        try (Recurrent r = TorchRnn.load(c, sd, Device.cpu())) {
          float[] got = r.parameters().get("weight_ih_l0").toArray();
          float[] want = f32.get("weight_ih_l0").values();
          double tol = dt == DType.F64 ? 0 : dt == DType.F16 ? 1e-3 : 1e-2;
          assertTrue(
              Fixtures.relativeError(want, got) <= tol,
              dt + " " + Fixtures.relativeError(want, got));
        }
        // Without the prefix the integer entry and the prefixed names are all unexpected.
        StateDict all = StateDict.from(f, "");
        InteropException e = assertThrows(InteropException.class, () -> all.check(c));
        assertTrue(
            e.getMessage().contains("unexpected ") && e.getMessage().contains("rnn.weight_ih_l0"),
            e.getMessage());
        assertTrue(e.getMessage().contains("step"), e.getMessage());
      }
    }
  }

  // ---------------------------------------------------------------- PyTorch round trip

  private static SequenceBatch randomBatch(Random rnd, int steps, int[] lengths, int inputSize) {
    float[] x = new float[steps * lengths.length * inputSize];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) rnd.nextGaussian();
    }
    return SequenceBatch.of(Tensor.of(x, steps, lengths.length, inputSize), lengths);
  }

  /** The repository root (where scripts/make_fixtures.py is), or null. */
  static Path repoRoot() {
    for (Path p = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        p != null;
        p = p.getParent()) {
      if (Files.isRegularFile(p.resolve("scripts/make_fixtures.py"))) {
        return p;
      }
    }
    return null;
  }

  /** Why PyTorch cannot be used here, or null when /usr/bin/python3 has torch and numpy. */
  static String torchMissing() {
    if (!Files.isExecutable(Path.of("/usr/bin/python3"))) {
      return "/usr/bin/python3 is not installed";
    }
    try {
      Process p =
          new ProcessBuilder("/usr/bin/python3", "-c", "import torch, numpy")
              .redirectErrorStream(true)
              .start();
      String outText = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return "importing torch timed out";
      }
      return p.exitValue() == 0 ? null : "python3 cannot import torch/numpy: " + outText.trim();
    } catch (IOException | InterruptedException e) {
      return "cannot run python3: " + e;
    }
  }

  @Test
  void exportedModelsLoadIntoPyTorchAndComputeTheSameFunction() throws Exception {
    String why = torchMissing();
    Assumptions.assumeTrue(why == null, () -> "skipped: " + why);
    Path root = repoRoot();
    Assumptions.assumeTrue(
        root != null, "skipped: scripts/make_fixtures.py not found above user.dir");
    List<RnnConfig> configs =
        List.of(
            new RnnConfig(Cell.LSTM, 4, 5, 2, true, true),
            new RnnConfig(Cell.GRU, 3, 4, 3, false, true),
            new RnnConfig(Cell.GRU, 2, 3, 1, true, false),
            new RnnConfig(Cell.RNN_TANH, 3, 6, 2, true, true),
            new RnnConfig(Cell.RNN_RELU, 5, 4, 1, false, false),
            new RnnConfig(Cell.LSTM, 2, 3, 1, false, false));
    int[] lengths = {4, 7, 1, 5};
    int steps = 7;
    Map<String, float[][]> javaOut = new LinkedHashMap<>();
    try (Scope scope = Scope.open()) {
      for (int i = 0; i < configs.size(); i++) {
        RnnConfig c = configs.get(i);
        Path caseDir = Files.createDirectories(dir.resolve("case" + i));
        Random rnd = new Random(100 + i);
        try (Recurrent r = TorchRnn.create(c, Device.cpu(), 7 + i)) {
          TorchRnn.save(r, caseDir.resolve("model.safetensors"));
          SequenceBatch batch = randomBatch(rnd, steps, lengths, (int) c.inputSize());
          long ld = (long) c.numLayers() * c.directions();
          float[] h0 = new float[(int) (ld * lengths.length * c.hiddenSize())];
          float[] c0 = new float[h0.length];
          for (int k = 0; k < h0.length; k++) {
            h0[k] = (float) (rnd.nextGaussian() * 0.5);
            c0[k] = (float) (rnd.nextGaussian() * 0.5);
          }
          long[] stateShape = {ld, lengths.length, c.hiddenSize()};
          boolean lstm = c.mode() == Cell.LSTM;
          SafetensorsWriter in =
              new SafetensorsWriter()
                  .putFloats("x", batch.data().toArray(), batch.data().shape())
                  .putInts("lengths", DType.I64, lengths, lengths.length)
                  .putFloats("h0", h0, stateShape);
          if (lstm) {
            in.putFloats("c0", c0, stateShape);
          }
          in.write(caseDir.resolve("in.safetensors"));
          RecurrentOutput out =
              r.forward(
                  batch,
                  RecurrentState.of(
                      Tensor.of(h0, stateShape), lstm ? Tensor.of(c0, stateShape) : null));
          javaOut.put(
              "case" + i,
              new float[][] {
                out.output().toArray(), out.hn().toArray(), lstm ? out.cn().toArray() : null
              });
        }
      }
    }
    Process p =
        new ProcessBuilder(
                "/usr/bin/python3", root.resolve("scripts/make_fixtures.py").toString(),
                "--torch-forward", dir.toString())
            .redirectErrorStream(true)
            .start();
    String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(300, TimeUnit.SECONDS), "python timed out");
    assertEquals(0, p.exitValue(), "PyTorch could not load an exported model:\n" + log);
    assertTrue(log.contains("torch forward: " + configs.size() + " models"), log);
    for (int i = 0; i < configs.size(); i++) {
      RnnConfig c = configs.get(i);
      Path caseDir = dir.resolve("case" + i);
      float[][] mine = javaOut.get("case" + i);
      try (SafetensorsFile t = SafetensorsFile.open(caseDir.resolve("torch_out.safetensors"))) {
        Fixtures.assertClose(
            c + " y", t.info("y").shape(), t.floats("y"), t.info("y").shape(), mine[0]);
        Fixtures.assertClose(
            c + " hn", t.info("hn").shape(), t.floats("hn"), t.info("hn").shape(), mine[1]);
        if (c.mode() == Cell.LSTM) {
          Fixtures.assertClose(
              c + " cn", t.info("cn").shape(), t.floats("cn"), t.info("cn").shape(), mine[2]);
        } else {
          assertFalse(t.contains("cn"));
        }
      }
      // PyTorch's own state_dict of the loaded module imports back to the same weights.
      StateDict back = StateDict.read(caseDir.resolve("torch_state.safetensors"));
      back.check(c);
      try (Recurrent a = TorchRnn.loadModel(caseDir.resolve("model.safetensors"), Device.cpu());
          Recurrent b = TorchRnn.load(c, back, Device.cpu())) {
        assertArrayEquals(a.weights().toArray(), b.weights().toArray(), c.toString());
      }
    }
    assertEquals(configs.size(), javaOut.size());
    assertFalse(Arrays.asList(javaOut.values().toArray()).isEmpty());
  }
}
