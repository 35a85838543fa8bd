/*
 * NotebooksIT: executes every notebooks/*.ipynb headless through the test Java kernel and checks
 * the outputs; also renders them to HTML under target/notebooks/.
 */
package org.jrnn.notebook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Runs {@code jupyter nbconvert --to notebook --execute} on each notebook with the kernel {@link
 * org.jrnn.notebook.kernel.TestKernel} (registered through a temporary {@code JUPYTER_PATH}, its
 * {@code argv} naming this JVM's {@code java} and the kernel's classpath), exactly as a person's
 * notebook server would, with jrnn added by the notebook's own first line {@code %classpath
 * ../target/notebook-jars/*.jar}. Then checks: no error output, every code cell ran, the expected
 * text and a minimum number of PNG images per notebook. Executed notebooks and their HTML renderings
 * are left in {@code target/notebooks/}.
 *
 * <p>Runs in {@code mvn verify} (integration-test phase) and alone through {@code
 * scripts/test-notebooks.sh}; skipped, with the reason, when {@code jupyter nbconvert} is missing.
 */
class NotebooksIT {
  static final String KERNEL = "jrnn-test-java";
  static final Path ROOT = Paths.get("").toAbsolutePath();
  static final Path NOTEBOOKS = ROOT.resolve("notebooks");
  static final Path OUT = ROOT.resolve("target/notebooks");

  /** What each notebook must show; a notebook not listed must only run without errors. */
  record Expect(int minImages, List<String> texts) {}

  static final Map<String, Expect> EXPECT =
      Map.of(
          "sentiment.ipynb", new Expect(3, List.of("test accuracy", "p(positive)", "test sentences wrong")),
          "char-lm.ipynb", new Expect(2, List.of("bits per character", "temperature 0.7", "mean")),
          "digits-captioning.ipynb", new Expect(4, List.of("exact match on", "beam k = 4", "greedy")),
          "00-setup.ipynb",
          new Expect(3, List.of("self-check passed", "weight_ih_l0", "SequenceBatch: 2 sequences", "float32 on cpu",
              "data:image/png;base64")),
          "vanishing-gradients.ipynb", new Expect(4, List.of("vanilla RNN", "LSTM", "validation accuracy", "dL/dx_0")));

  static final String NO_JUPYTER =
      "notebooks not executed: `jupyter nbconvert` is not installed; scripts/test-notebooks.sh installs it"
          + " (Debian: apt-get install jupyter-nbconvert jupyter-client)";

  static Path kernelDir;
  static boolean jupyter;

  /** Every test is reported skipped, with the reason, when Jupyter is missing. */
  static void requireJupyter() {
    Assumptions.assumeTrue(jupyter, NO_JUPYTER);
  }

  @BeforeAll
  static void setUp() throws Exception {
    String version = jupyterVersion();
    jupyter = version != null;
    if (!jupyter) {
      System.out.println("[notebooks] SKIPPED: " + NO_JUPYTER);
      System.err.println("[notebooks] SKIPPED: " + NO_JUPYTER);
      return;
    }
    System.out.println("[notebooks] jupyter nbconvert " + version);
    run(List.of("bash", "scripts/notebook-jars.sh", "--no-build"), ROOT, Map.of(), 120);
    kernelDir = Files.createTempDirectory("jrnn-jupyter-");
    writeKernelSpec(kernelDir);
    Files.createDirectories(OUT);
  }

  @TestFactory
  Stream<DynamicTest> everyNotebookRunsTopToBottom() throws IOException {
    requireJupyter();
    List<Path> books;
    try (Stream<Path> s = Files.list(NOTEBOOKS)) {
      books =
          s.filter(p -> p.toString().endsWith(".ipynb"))
              .sorted(Comparator.comparing(Path::toString))
              .collect(Collectors.toList());
    }
    assertTrue(books.size() >= 1, "no notebooks in " + NOTEBOOKS);
    return books.stream()
        .map(nb -> DynamicTest.dynamicTest(nb.getFileName().toString(), () -> executeAndCheck(nb)));
  }

  /** The kernel must report failures: a notebook that throws and one that does not compile. */
  @Test
  void kernelReportsErrors() throws Exception {
    requireJupyter();
    Path dir = Files.createTempDirectory("jrnn-nb-err-");
    Path nb = dir.resolve("errors.ipynb");
    Files.writeString(
        nb,
        notebookJson(
            "int ok = 1;\nok + 1",
            "throw new IllegalStateException(\"boom \" + ok);",
            "int broken = \"not an int\";",
            "%maven org.jrnn:jrnn:0.1.0-SNAPSHOT"));
    Result r = execute(nb, dir, true);
    assertEquals(0, r.exit, r.log);
    JsonObject done = JsonParser.parseString(Files.readString(dir.resolve("errors.ipynb.out/errors.ipynb"))).getAsJsonObject();
    JsonArray cells = done.getAsJsonArray("cells");
    assertEquals("2", text(cells.get(0).getAsJsonObject()).strip());
    assertTrue(errorOf(cells.get(1).getAsJsonObject()).contains("boom 1"), cells.get(1).toString());
    assertTrue(errorOf(cells.get(2).getAsJsonObject()).contains("incompatible types"), cells.get(2).toString());
    assertTrue(errorOf(cells.get(3).getAsJsonObject()).contains("%classpath"), cells.get(3).toString());
  }

  // ------------------------------------------------------------------------------------------

  static void executeAndCheck(Path nb) throws Exception {
    String name = nb.getFileName().toString();
    long t0 = System.nanoTime();
    Result r = execute(nb, OUT, false);
    double secs = (System.nanoTime() - t0) / 1e9;
    System.out.printf("[notebooks] %s executed in %.1f s%n", name, secs);
    Path done = OUT.resolve(name);
    if (r.exit != 0) {
      fail(name + ": nbconvert --execute failed (exit " + r.exit + ")\n" + r.log);
    }
    Result html =
        run(
            List.of("jupyter", "nbconvert", "--to", "html", done.toString(), "--output-dir", OUT.toString()),
            ROOT,
            Map.of(),
            120);
    assertEquals(0, html.exit, "html rendering failed:\n" + html.log);

    JsonObject book = JsonParser.parseString(Files.readString(done)).getAsJsonObject();
    int images = 0;
    StringBuilder allText = new StringBuilder();
    int cellNo = 0;
    for (JsonElement e : book.getAsJsonArray("cells")) {
      JsonObject cell = e.getAsJsonObject();
      cellNo++;
      if (!"code".equals(cell.get("cell_type").getAsString()) || source(cell).isBlank()) {
        continue;
      }
      assertTrue(
          cell.has("execution_count") && !cell.get("execution_count").isJsonNull(),
          name + " cell " + cellNo + " did not run");
      for (JsonElement o : cell.getAsJsonArray("outputs")) {
        JsonObject out = o.getAsJsonObject();
        String type = out.get("output_type").getAsString();
        if (type.equals("error")) {
          fail(name + " cell " + cellNo + " failed: " + out);
        }
        if (type.equals("stream")) {
          allText.append(joined(out.get("text"))).append('\n');
        }
        if (out.has("data")) {
          JsonObject data = out.getAsJsonObject("data");
          if (data.has("text/plain")) {
            allText.append(joined(data.get("text/plain"))).append('\n');
          }
          if (data.has("text/html")) {
            allText.append(joined(data.get("text/html"))).append('\n');
          }
          if (data.has("image/png")) {
            byte[] png = Base64.getMimeDecoder().decode(joined(data.get("image/png")));
            BufferedImage img = ImageIO.read(new ByteArrayInputStream(png));
            assertNotNull(img, name + " cell " + cellNo + ": image/png does not decode");
            assertTrue(img.getWidth() >= 16 && img.getHeight() >= 16, name + ": tiny image");
            images++;
          }
        }
      }
    }
    Expect expect = EXPECT.get(name);
    if (expect != null) {
      assertTrue(
          images >= expect.minImages(),
          name + ": " + images + " PNG images, expected at least " + expect.minImages());
      for (String t : expect.texts()) {
        assertTrue(allText.toString().contains(t), name + ": no output contains \"" + t + "\"");
      }
    }
    System.out.printf("[notebooks] %s: %d images, html %s%n", name, images, OUT.resolve(name.replace(".ipynb", ".html")));
  }

  record Result(int exit, String log) {}

  /** nbconvert --execute with the test kernel; the notebook runs in its own folder. */
  static Result execute(Path nb, Path outDir, boolean allowErrors) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(
        "jupyter", "nbconvert", "--to", "notebook", "--execute",
        "--ExecutePreprocessor.timeout=300",
        "--ExecutePreprocessor.kernel_name=" + KERNEL,
        nb.toString(),
        "--output-dir", allowErrors ? nb.getParent().resolve(nb.getFileName() + ".out").toString() : outDir.toString()));
    if (allowErrors) {
      cmd.add("--allow-errors");
    }
    return run(cmd, nb.getParent(), Map.of("JUPYTER_PATH", kernelDir.toString()), 900);
  }

  static void writeKernelSpec(Path dir) throws IOException {
    String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
    String testCp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    // only the kernel and JJava's library: jrnn itself comes from the notebook's %classpath line
    List<String> keep = new ArrayList<>();
    for (String entry : testCp.split(File.pathSeparator)) {
      String e = entry.replace('\\', '/');
      if (e.endsWith("/test-classes")
          || e.matches(".*/(org/dflib/jjava|org/zeromq|eu/neilalexander|org/slf4j|com/google/code/gson)/.*\\.jar")) {
        keep.add(entry);
      }
    }
    assertTrue(keep.stream().anyMatch(s -> s.contains("jjava-jupyter")), "jjava-jupyter not on the test classpath: " + testCp);
    JsonObject spec = new JsonObject();
    List<String> args = new ArrayList<>(List.of(java, "-Djava.awt.headless=true", "-Xss4m", "-Dslf4j.internal.verbosity=ERROR"));
    if (Runtime.version().feature() >= 22) {
      args.add("--enable-native-access=ALL-UNNAMED"); // jrnn's JNI libraries load inside the kernel
    }
    args.addAll(List.of("-cp", String.join(File.pathSeparator, keep), "org.jrnn.notebook.kernel.TestKernel", "{connection_file}"));
    JsonArray argv = new JsonArray();
    args.forEach(argv::add);
    spec.add("argv", argv);
    spec.addProperty("display_name", "Java (jrnn tests)");
    spec.addProperty("language", "java");
    Path k = dir.resolve("kernels").resolve(KERNEL);
    Files.createDirectories(k);
    Files.writeString(k.resolve("kernel.json"), spec.toString());
  }

  static String jupyterVersion() {
    try {
      Result r = run(List.of("jupyter", "nbconvert", "--version"), ROOT, Map.of(), 60);
      return r.exit == 0 ? r.log.strip() : null;
    } catch (Exception e) {
      return null;
    }
  }

  static Result run(List<String> cmd, Path dir, Map<String, String> env, long timeoutS) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true);
    pb.environment().putAll(env);
    Path log = Files.createTempFile("jrnn-nb-", ".log");
    pb.redirectOutput(log.toFile());
    Process p = pb.start();
    if (!p.waitFor(timeoutS, TimeUnit.SECONDS)) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
      return new Result(124, String.join(" ", cmd) + ": timed out after " + timeoutS + " s\n" + Files.readString(log));
    }
    String text = Files.readString(log);
    Files.deleteIfExists(log);
    return new Result(p.exitValue(), text);
  }

  // ------------------------------------------------------------------------------------------ json

  static String notebookJson(String... codeCells) {
    JsonObject nb = new JsonObject();
    JsonArray cells = new JsonArray();
    int i = 0;
    for (String c : codeCells) {
      JsonObject cell = new JsonObject();
      cell.addProperty("cell_type", "code");
      cell.addProperty("id", "c" + i++);
      cell.add("metadata", new JsonObject());
      cell.add("outputs", new JsonArray());
      cell.add("execution_count", null);
      cell.addProperty("source", c);
      cells.add(cell);
    }
    nb.add("cells", cells);
    JsonObject meta = new JsonObject();
    JsonObject ks = new JsonObject();
    ks.addProperty("name", "java");
    ks.addProperty("display_name", "Java");
    ks.addProperty("language", "java");
    meta.add("kernelspec", ks);
    nb.add("metadata", meta);
    nb.addProperty("nbformat", 4);
    nb.addProperty("nbformat_minor", 5);
    return nb.toString();
  }

  static String joined(JsonElement e) {
    if (e.isJsonArray()) {
      StringBuilder sb = new StringBuilder();
      e.getAsJsonArray().forEach(x -> sb.append(x.getAsString()));
      return sb.toString();
    }
    return e.getAsString();
  }

  static String source(JsonObject cell) {
    return joined(cell.get("source"));
  }

  static String text(JsonObject cell) {
    StringBuilder sb = new StringBuilder();
    for (JsonElement o : cell.getAsJsonArray("outputs")) {
      JsonObject out = o.getAsJsonObject();
      if (out.has("data") && out.getAsJsonObject("data").has("text/plain")) {
        sb.append(joined(out.getAsJsonObject("data").get("text/plain")));
      }
    }
    return sb.toString();
  }

  static String errorOf(JsonObject cell) {
    for (JsonElement o : cell.getAsJsonArray("outputs")) {
      JsonObject out = o.getAsJsonObject();
      if (out.get("output_type").getAsString().equals("error")) {
        return out.get("ename").getAsString() + ": " + out.get("evalue").getAsString() + "\n" + joined(out.get("traceback"));
      }
    }
    return "";
  }

  static String utf8(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }
}
