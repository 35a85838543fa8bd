/*
 * NotebooksIT: executes every notebooks/*.ipynb headless through the test Java kernel and checks
 * the outputs; also renders them to HTML under target/notebooks/.
 */
package org.jrnn.notebook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.jrnn.io.Json;
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
 * text and a minimum number of PNG images per notebook. Executed notebooks and their HTML
 * renderings are left in {@code target/notebooks/}.
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
          "sentiment.ipynb",
          new Expect(3, List.of("test accuracy", "p(positive)", "test sentences wrong")),
          "char-lm.ipynb",
          new Expect(2, List.of("bits per character", "temperature 0.7", "mean")),
          "digits-captioning.ipynb",
          new Expect(4, List.of("exact match on", "beam k = 4", "greedy")),
          "00-setup.ipynb",
          new Expect(
              3,
              List.of(
                  "self-check passed",
                  "weight_ih_l0",
                  "SequenceBatch: 2 sequences",
                  "float32 on cpu",
                  "data:image/png;base64")),
          "vanishing-gradients.ipynb",
          new Expect(4, List.of("vanilla RNN", "LSTM", "validation accuracy", "dL/dx_0")));

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
    Map<String, Object> done =
        Json.parseObject(Files.readString(dir.resolve("errors.ipynb.out/errors.ipynb")));
    List<Object> cells = arr(done.get("cells"));
    assertEquals("2", text(obj(cells.get(0))).strip());
    assertTrue(errorOf(obj(cells.get(1))).contains("boom 1"), Json.write(cells.get(1)));
    assertTrue(errorOf(obj(cells.get(2))).contains("incompatible types"), Json.write(cells.get(2)));
    assertTrue(errorOf(obj(cells.get(3))).contains("%classpath"), Json.write(cells.get(3)));
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
            List.of(
                "jupyter",
                "nbconvert",
                "--to",
                "html",
                done.toString(),
                "--output-dir",
                OUT.toString()),
            ROOT,
            Map.of(),
            120);
    assertEquals(0, html.exit, "html rendering failed:\n" + html.log);

    int images = checkOutputs(name, Json.parseObject(Files.readString(done)));
    System.out.printf(
        "[notebooks] %s: %d images, html %s%n",
        name, images, OUT.resolve(name.replace(".ipynb", ".html")));
  }

  /**
   * Checks a notebook's outputs: every code cell ran, none failed, every image decodes, and the
   * notebook shows what {@link #EXPECT} lists for it.
   *
   * @return the number of PNG images
   */
  static int checkOutputs(String name, Map<String, Object> book) throws IOException {
    int images = 0;
    StringBuilder allText = new StringBuilder();
    int cellNo = 0;
    for (Object e : arr(book.get("cells"))) {
      Map<String, Object> cell = obj(e);
      cellNo++;
      if (!"code".equals(cell.get("cell_type")) || source(cell).isBlank()) {
        continue;
      }
      assertTrue(
          cell.get("execution_count") != null && cell.get("execution_count") != Json.NULL,
          name + " cell " + cellNo + " did not run");
      for (Object o : arr(cell.get("outputs"))) {
        Map<String, Object> out = obj(o);
        String type = String.valueOf(out.get("output_type"));
        if (type.equals("error")) {
          fail(name + " cell " + cellNo + " failed: " + Json.write(out));
        }
        if (type.equals("stream")) {
          allText.append(joined(out.get("text"))).append('\n');
        }
        if (out.containsKey("data")) {
          Map<String, Object> data = obj(out.get("data"));
          if (data.containsKey("text/plain")) {
            allText.append(joined(data.get("text/plain"))).append('\n');
          }
          if (data.containsKey("text/html")) {
            allText.append(joined(data.get("text/html"))).append('\n');
          }
          if (data.containsKey("image/png")) {
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
    return images;
  }

  /**
   * The notebooks are committed executed (their plots show when browsing the repository): each
   * committed notebook passes the same output checks as a fresh execution, without Jupyter.
   */
  @TestFactory
  Stream<DynamicTest> committedNotebooksCarryTheirOutputs() throws IOException {
    List<Path> books;
    try (Stream<Path> s = Files.list(NOTEBOOKS)) {
      books = s.filter(p -> p.toString().endsWith(".ipynb")).sorted().collect(Collectors.toList());
    }
    assertTrue(books.size() >= 1, "no notebooks in " + NOTEBOOKS);
    return books.stream()
        .map(nb -> DynamicTest.dynamicTest(nb.getFileName().toString(), () -> checkCommitted(nb)));
  }

  static void checkCommitted(Path nb) throws IOException {
    Assumptions.assumeFalse(
        Boolean.getBoolean("jrnn.notebooks.committing"),
        "scripts/test-notebooks.sh --commit replaces the committed notebooks");
    String name = nb.getFileName().toString();
    try {
      checkOutputs(name, Json.parseObject(Files.readString(nb)));
    } catch (AssertionError e) {
      throw new AssertionError(
          "as committed, "
              + e.getMessage()
              + " (scripts/test-notebooks.sh --commit executes and"
              + " commits them)",
          e);
    }
  }

  record Result(int exit, String log) {}

  /** nbconvert --execute with the test kernel; the notebook runs in its own folder. */
  static Result execute(Path nb, Path outDir, boolean allowErrors) throws Exception {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                "jupyter",
                "nbconvert",
                "--to",
                "notebook",
                "--execute",
                "--ExecutePreprocessor.timeout=300",
                "--ExecutePreprocessor.kernel_name=" + KERNEL,
                nb.toString(),
                "--output-dir",
                allowErrors
                    ? nb.getParent().resolve(nb.getFileName() + ".out").toString()
                    : outDir.toString()));
    if (allowErrors) {
      cmd.add("--allow-errors");
    }
    return run(cmd, nb.getParent(), Map.of("JUPYTER_PATH", kernelDir.toString()), 900);
  }

  static void writeKernelSpec(Path dir) throws IOException {
    String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
    String testCp =
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    // only the kernel and JJava's library: jrnn itself comes from the notebook's %classpath line
    List<String> keep = new ArrayList<>();
    for (String entry : testCp.split(File.pathSeparator)) {
      String e = entry.replace('\\', '/');
      if (e.endsWith("/test-classes")
          || e.matches(
              ".*/(org/dflib/jjava|org/zeromq|eu/neilalexander|org/slf4j|com/google/code/gson)/.*\\.jar")) {
        keep.add(entry);
      }
    }
    assertTrue(
        keep.stream().anyMatch(s -> s.contains("jjava-jupyter")),
        "jjava-jupyter not on the test classpath: " + testCp);
    Map<String, Object> spec = new LinkedHashMap<>();
    List<String> args =
        new ArrayList<>(
            List.of(
                java, "-Djava.awt.headless=true", "-Xss4m", "-Dslf4j.internal.verbosity=ERROR"));
    if (Runtime.version().feature() >= 22) {
      args.add("--enable-native-access=ALL-UNNAMED"); // jrnn's JNI libraries load inside the kernel
    }
    args.addAll(
        List.of(
            "-cp",
            String.join(File.pathSeparator, keep),
            "org.jrnn.notebook.kernel.TestKernel",
            "{connection_file}"));
    spec.put("argv", args);
    spec.put("display_name", "Java (jrnn tests)");
    spec.put("language", "java");
    Path k = dir.resolve("kernels").resolve(KERNEL);
    Files.createDirectories(k);
    Files.writeString(k.resolve("kernel.json"), Json.write(spec));
  }

  static String jupyterVersion() {
    try {
      Result r = run(List.of("jupyter", "nbconvert", "--version"), ROOT, Map.of(), 60);
      return r.exit == 0 ? r.log.strip() : null;
    } catch (Exception e) {
      return null;
    }
  }

  static Result run(List<String> cmd, Path dir, Map<String, String> env, long timeoutS)
      throws Exception {
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true);
    pb.environment().putAll(env);
    Path log = Files.createTempFile("jrnn-nb-", ".log");
    pb.redirectOutput(log.toFile());
    Process p = pb.start();
    if (!p.waitFor(timeoutS, TimeUnit.SECONDS)) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
      return new Result(
          124,
          String.join(" ", cmd) + ": timed out after " + timeoutS + " s\n" + Files.readString(log));
    }
    String text = Files.readString(log);
    Files.deleteIfExists(log);
    return new Result(p.exitValue(), text);
  }

  // ------------------------------------------------------------------------------------------ json

  static String notebookJson(String... codeCells) {
    List<Object> cells = new ArrayList<>();
    int i = 0;
    for (String c : codeCells) {
      Map<String, Object> cell = new LinkedHashMap<>();
      cell.put("cell_type", "code");
      cell.put("id", "c" + i++);
      cell.put("metadata", new LinkedHashMap<>());
      cell.put("outputs", new ArrayList<>());
      cell.put("execution_count", null);
      cell.put("source", c);
      cells.add(cell);
    }
    Map<String, Object> ks = new LinkedHashMap<>();
    ks.put("name", "java");
    ks.put("display_name", "Java");
    ks.put("language", "java");
    Map<String, Object> nb = new LinkedHashMap<>();
    nb.put("cells", cells);
    nb.put("metadata", Map.of("kernelspec", ks));
    nb.put("nbformat", 4);
    nb.put("nbformat_minor", 5);
    return Json.write(nb);
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> obj(Object o) {
    return (Map<String, Object>) o;
  }

  @SuppressWarnings("unchecked")
  static List<Object> arr(Object o) {
    return (List<Object>) o;
  }

  /** A notebook text field: a string, or an array of strings (lines) joined. */
  static String joined(Object e) {
    if (e instanceof List<?> l) {
      StringBuilder sb = new StringBuilder();
      l.forEach(sb::append);
      return sb.toString();
    }
    return String.valueOf(e);
  }

  static String source(Map<String, Object> cell) {
    return joined(cell.get("source"));
  }

  static String text(Map<String, Object> cell) {
    StringBuilder sb = new StringBuilder();
    for (Object o : arr(cell.get("outputs"))) {
      Map<String, Object> out = obj(o);
      if (out.get("data") instanceof Map<?, ?> data && data.containsKey("text/plain")) {
        sb.append(joined(data.get("text/plain")));
      }
    }
    return sb.toString();
  }

  static String errorOf(Map<String, Object> cell) {
    for (Object o : arr(cell.get("outputs"))) {
      Map<String, Object> out = obj(o);
      if ("error".equals(out.get("output_type"))) {
        return out.get("ename") + ": " + out.get("evalue") + "\n" + joined(out.get("traceback"));
      }
    }
    return "";
  }

  static String utf8(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }
}
