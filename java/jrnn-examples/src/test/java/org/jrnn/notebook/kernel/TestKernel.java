/*
 * TestKernel: a minimal Jupyter kernel for Java, used only to execute notebooks/ in the tests.
 */
package org.jrnn.notebook.kernel;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import jdk.jshell.Diag;
import jdk.jshell.EvalException;
import jdk.jshell.JShell;
import jdk.jshell.JShellException;
import jdk.jshell.Snippet;
import jdk.jshell.SnippetEvent;
import jdk.jshell.SourceCodeAnalysis;
import jdk.jshell.UnresolvedReferenceException;
import jdk.jshell.execution.DirectExecutionControl;
import jdk.jshell.spi.ExecutionControl;
import jdk.jshell.spi.ExecutionControlProvider;
import jdk.jshell.spi.ExecutionEnv;
import org.dflib.jjava.jupyter.channels.JupyterConnection;
import org.dflib.jjava.jupyter.kernel.BaseKernel;
import org.dflib.jjava.jupyter.kernel.BaseKernelBuilder;
import org.dflib.jjava.jupyter.kernel.KernelConnectionProperties;
import org.dflib.jjava.jupyter.kernel.LanguageInfo;
import org.dflib.jjava.jupyter.kernel.ReplacementOptions;
import org.dflib.jjava.jupyter.kernel.display.DisplayData;

/**
 * A small Java kernel on JJava's kernel library ({@code org.dflib.jjava:jjava-jupyter}: the ZeroMQ
 * protocol, display data, rendering of {@code BufferedImage} as PNG) and {@code jdk.jshell} running
 * cells in this JVM. It exists so that the tests can execute {@code notebooks/*.ipynb} headless
 * with {@code jupyter nbconvert --execute}; people use JJava or IJava.
 *
 * <p>What a notebook may use here is what those kernels also offer, with their names:
 *
 * <ul>
 *   <li>{@code %classpath PATH...} (alias {@code %jars}): adds jars or folders; a {@code *} glob in
 *       the last path segment is expanded; relative paths are from the notebook's folder;
 *   <li>{@code display(Object)} returns a display id, {@code updateDisplay(id, Object)} replaces
 *       that output, {@code render(Object)} (statics of JJava's {@code BaseNotebookStatics},
 *       imported into every cell);
 *   <li>the value of a cell's last expression is shown (an image for a {@code BufferedImage}).
 * </ul>
 *
 * Any other magic ({@code %maven} included) is an error naming what is supported. Started as {@code
 * java -cp KERNEL_CLASSPATH org.jrnn.notebook.kernel.TestKernel CONNECTION_FILE}.
 */
public final class TestKernel extends BaseKernel {

  /** Imports every cell sees (JJava's defaults are similar: java.util.*, java.io.*, ...). */
  private static final List<String> STARTUP =
      List.of(
          "import java.util.*;",
          "import java.util.function.*;",
          "import java.util.stream.*;",
          "import java.io.*;",
          "import java.nio.file.*;",
          "import java.awt.image.BufferedImage;",
          "import static org.dflib.jjava.jupyter.kernel.BaseNotebookStatics.*;");

  private final JShell shell;

  private TestKernel(Builder b) {
    super(
        "jrnn-test-java",
        "1.0",
        new LanguageInfo.Builder("Java")
            .version(Runtime.version().toString())
            .mimetype("text/x-java-source")
            .fileExtension(".jshell")
            .pygments("java")
            .codemirror("java")
            .build(),
        List.of(),
        null,
        b.io(),
        b.comms(),
        b.renderer(),
        null,
        b.magics(),
        false,
        b.styler());
    shell = JShell.builder().executionEngine(new ValueKeepingProvider(), Map.of()).build();
    // the kernel's own classpath (JJava's library, for display/updateDisplay) is visible to cells
    shell.addToClasspath(System.getProperty("java.class.path"));
    for (String s : STARTUP) {
      runSnippets(s);
    }
  }

  /** Builds the kernel with the library's default I/O, comms, renderer and error styler. */
  private static final class Builder extends BaseKernelBuilder<Builder, TestKernel> {
    org.dflib.jjava.jupyter.kernel.JupyterIO io() {
      return buildJupyterIO(buildJupyterIOEncoding());
    }

    org.dflib.jjava.jupyter.kernel.comm.CommManager comms() {
      return buildCommManager();
    }

    org.dflib.jjava.jupyter.kernel.display.Renderer renderer() {
      return buildRenderer();
    }

    org.dflib.jjava.jupyter.kernel.magic.MagicsRegistry magics() {
      return buildMagicsRegistry();
    }

    org.dflib.jjava.jupyter.kernel.util.StringStyler styler() {
      return buildErrorStyler();
    }

    @Override
    public TestKernel build() {
      jupyterIOEncoding(StandardCharsets.UTF_8);
      return new TestKernel(this);
    }
  }

  public static void main(String[] args) throws Exception {
    if (args.length != 1) {
      System.err.println("usage: TestKernel CONNECTION_FILE");
      System.exit(2);
    }
    KernelConnectionProperties props =
        KernelConnectionProperties.parse(Files.readString(Paths.get(args[0])));
    JupyterConnection connection = new JupyterConnection(props);
    TestKernel kernel = new Builder().build();
    kernel.becomeHandlerForConnection(connection);
    connection.connect();
    kernel.onStartup();
    connection.waitUntilClose();
    kernel.shell.close();
    System.exit(0);
  }

  @Override
  public String getBanner() {
    return "jrnn test kernel (Java " + Runtime.version() + ", JShell in-process)";
  }

  // ---------------------------------------------------------------- execution

  @Override
  public Object evalRaw(String code) {
    Object last = null;
    StringBuilder java = new StringBuilder();
    for (String line : code.split("\n", -1)) {
      String t = line.strip();
      if (t.startsWith("%")) {
        last = runSnippets(java.toString());
        java.setLength(0);
        runMagic(t);
        last = null;
      } else {
        java.append(line).append('\n');
      }
    }
    Object tail = runSnippets(java.toString());
    return java.toString().isBlank() ? last : tail;
  }

  /**
   * Runs complete snippets one by one; returns the value of the last one if it is an expression.
   */
  private Object runSnippets(String code) {
    SourceCodeAnalysis analysis = shell.sourceCodeAnalysis();
    String remaining = code;
    Object value = null;
    while (!remaining.isBlank()) {
      SourceCodeAnalysis.CompletionInfo info = analysis.analyzeCompletion(remaining);
      if (!info.completeness().isComplete()) {
        throw new CellException(
            "incomplete Java at the end of the cell: " + firstLine(remaining.strip()));
      }
      value = runOne(info.source());
      remaining = info.remaining();
    }
    return value;
  }

  private Object runOne(String source) {
    ValueKeeping.failure.remove();
    List<SnippetEvent> events = shell.eval(source);
    Object value = null;
    for (SnippetEvent ev : events) {
      if (ev.causeSnippet() != null) {
        continue; // consequences for other snippets (e.g. a redefinition), not this one
      }
      Snippet s = ev.snippet();
      if (ev.status() == Snippet.Status.REJECTED) {
        String diags =
            shell.diagnostics(s).map(d -> describe(d, source)).collect(Collectors.joining("\n"));
        throw new CellException("does not compile:\n" + diags);
      }
      JShellException ex = ev.exception();
      if (ex != null) {
        Throwable original = ValueKeeping.failure.get();
        ValueKeeping.failure.remove();
        if (original != null) {
          throw new CellException(original);
        }
        if (ex instanceof UnresolvedReferenceException u) {
          throw new CellException(
              "uses something not defined: "
                  + shell.unresolvedDependencies(u.getSnippet()).collect(Collectors.toList()));
        }
        throw new CellException(describe(ex));
      }
      if (ev.status() == Snippet.Status.RECOVERABLE_DEFINED
          || ev.status() == Snippet.Status.RECOVERABLE_NOT_DEFINED) {
        throw new CellException(
            "uses something not defined: "
                + shell
                    .unresolvedDependencies((jdk.jshell.DeclarationSnippet) s)
                    .collect(Collectors.toList()));
      }
      boolean shown =
          s.kind() == Snippet.Kind.EXPRESSION
              || s.subKind() == Snippet.SubKind.TEMP_VAR_EXPRESSION_SUBKIND;
      Object v = ValueKeeping.take(ev.value());
      value = shown ? v : null;
    }
    return value;
  }

  private static String describe(Diag d, String source) {
    int line = 1;
    for (int i = 0; i < d.getStartPosition() && i < source.length(); i++) {
      if (source.charAt(i) == '\n') {
        line++;
      }
    }
    String[] lines = source.split("\n", -1);
    String at = line - 1 < lines.length ? lines[line - 1].strip() : "";
    return "  " + d.getMessage(Locale.ROOT) + "\n    at: " + at;
  }

  private static String describe(JShellException ex) {
    if (ex instanceof EvalException e) {
      return e.getExceptionClassName() + ": " + e.getMessage();
    }
    return ex.toString();
  }

  private static String firstLine(String s) {
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl) + " ...";
  }

  // ---------------------------------------------------------------- magics

  private void runMagic(String line) {
    if (line.startsWith("%%")) {
      throw new CellException("cell magics are not supported by the test kernel: " + line);
    }
    String[] words = line.substring(1).strip().split("\\s+");
    String name = words[0];
    if (name.equals("classpath") || name.equals("jars")) {
      if (words.length < 2) {
        throw new CellException("%" + name + " needs at least one path");
      }
      for (int i = 1; i < words.length; i++) {
        for (Path p : resolve(words[i])) {
          shell.addToClasspath(p.toAbsolutePath().normalize().toString());
        }
      }
      return;
    }
    throw new CellException(
        "the test kernel supports only %classpath and %jars, not: "
            + line
            + " (JJava and IJava support more, e.g. %maven)");
  }

  /** A path, or a glob in its last segment ({@code dir/*.jar}); at least one match. */
  private static List<Path> resolve(String arg) {
    Path p = Paths.get(arg);
    String last = p.getFileName() == null ? "" : p.getFileName().toString();
    if (!last.contains("*") && !last.contains("?")) {
      if (!Files.exists(p)) {
        throw new CellException("no such file: " + p.toAbsolutePath().normalize());
      }
      return List.of(p);
    }
    Path dir = p.getParent() == null ? Paths.get("") : p.getParent();
    PathMatcher m = dir.getFileSystem().getPathMatcher("glob:" + last);
    List<Path> out = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir.toAbsolutePath())) {
      for (Path f : ds) {
        if (m.matches(f.getFileName())) {
          out.add(f);
        }
      }
    } catch (java.io.IOException e) {
      throw new CellException("cannot list " + dir.toAbsolutePath().normalize() + ": " + e);
    }
    if (out.isEmpty()) {
      throw new CellException("nothing matches " + dir.toAbsolutePath().normalize() + "/" + last);
    }
    Collections.sort(out);
    return out;
  }

  // ---------------------------------------------------------------- the rest of the protocol

  @Override
  public List<String> formatError(Throwable e) {
    List<String> out = new ArrayList<>();
    if (e instanceof CellException c && c.getCause() != null) {
      StringWriter sw = new StringWriter();
      c.getCause().printStackTrace(new PrintWriter(sw));
      out.addAll(List.of(sw.toString().split("\n")));
    } else {
      out.addAll(List.of(String.valueOf(e.getMessage()).split("\n")));
    }
    return out;
  }

  @Override
  public DisplayData inspect(String code, int at, boolean extraDetail) {
    return null;
  }

  @Override
  public ReplacementOptions complete(String code, int at) {
    int[] anchor = new int[1];
    List<String> options =
        shell.sourceCodeAnalysis().completionSuggestions(code, at, anchor).stream()
            .map(SourceCodeAnalysis.Suggestion::continuation)
            .distinct()
            .collect(Collectors.toList());
    return new ReplacementOptions(options, anchor[0], at);
  }

  @Override
  public String isComplete(String code) {
    SourceCodeAnalysis.CompletionInfo info = shell.sourceCodeAnalysis().analyzeCompletion(code);
    if (info.completeness().isComplete()) {
      return IS_COMPLETE_YES;
    }
    return info.completeness() == SourceCodeAnalysis.Completeness.DEFINITELY_INCOMPLETE
        ? IS_COMPLETE_MAYBE
        : IS_COMPLETE_BAD;
  }

  /** A cell that failed: compile errors, an exception (its cause), or a bad magic. */
  static final class CellException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    CellException(String message) {
      super(message);
    }

    CellException(Throwable cause) {
      super(cause.toString(), cause);
    }
  }

  // ---------------------------------------------------------------- in-process execution

  /**
   * JShell's direct (same-JVM) execution, keeping each snippet's value as the object itself (JShell
   * itself only passes a string back) and the original exception a snippet threw.
   */
  static final class ValueKeeping extends DirectExecutionControl {
    private static final Map<String, Object> VALUES = new ConcurrentHashMap<>();
    private static final AtomicLong NEXT = new AtomicLong();
    static final ThreadLocal<Throwable> failure = new ThreadLocal<>();
    private static final Object NULL = new Object();

    @Override
    protected String invoke(Method doitMethod) throws Exception {
      Object value;
      try {
        value = doitMethod.invoke(null);
      } catch (InvocationTargetException e) {
        failure.set(e.getCause());
        throw e;
      }
      String key = "\u0000jrnn-value-" + NEXT.incrementAndGet();
      VALUES.put(key, value == null ? NULL : value);
      return key;
    }

    static Object take(String key) {
      if (key == null) {
        return null;
      }
      Object v = VALUES.remove(key);
      return v == NULL ? null : v;
    }
  }

  static final class ValueKeepingProvider implements ExecutionControlProvider {
    @Override
    public String name() {
      return "jrnn-direct";
    }

    @Override
    public ExecutionControl generate(ExecutionEnv env, Map<String, String> parameters) {
      return new ValueKeeping();
    }
  }
}
