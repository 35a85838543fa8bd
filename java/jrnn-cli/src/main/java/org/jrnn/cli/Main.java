// Main: the entry point of the `jrnn` command-line tool; dispatches to subcommands.
//   scripts/jrnn --help
//   scripts/jrnn forward --config C.json --weights W.safetensors --input IN.safetensors --output
// OUT.safetensors
// In-process (tests): int status = Main.run(new String[] {"forward", ...}, out, err);
package org.jrnn.cli;

import java.io.EOFException;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.FileSystemException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.jrnn.JrnnException;
import org.jrnn.internal.Quote;

/**
 * {@code jrnn <command> [options]}. Exit status: 0 success, 1 bad input or failure (one line on
 * stderr naming the problem, at most a few hundred characters, no Java class names), 2 bad command
 * line.
 */
public final class Main {
  /** Exit status of a failed command (bad input, missing file, ...). */
  public static final int EXIT_FAILURE = 1;

  /** Exit status of a bad command line. */
  public static final int EXIT_USAGE = 2;

  /** The built-in commands, by name (add new ones here). */
  static final List<Command> COMMANDS =
      List.of(
          new ForwardCommand(),
          new TrainCommand(),
          new EvalCommand(),
          new PredictCommand(),
          new GenerateCommand(),
          new CaptionCommand());

  private Main() {}

  public static void main(String[] args) {
    int status = run(args, System.out, System.err);
    System.out.flush();
    System.err.flush();
    System.exit(status);
  }

  /** The commands: built-in ones, then any found by {@link ServiceLoader}. */
  static Map<String, Command> commands() {
    Map<String, Command> all = new LinkedHashMap<>();
    for (Command c : COMMANDS) {
      all.put(c.name(), c);
    }
    try {
      for (Command c : ServiceLoader.load(Command.class)) {
        all.putIfAbsent(c.name(), c);
      }
    } catch (java.util.ServiceConfigurationError e) {
      // a broken plug-in must not break the built-in commands
    }
    return all;
  }

  static String usage(Map<String, Command> commands) {
    StringBuilder b = new StringBuilder();
    b.append("usage: jrnn <command> [options]\n\n");
    b.append("Recurrent neural networks (RNN, LSTM, GRU) on jrnn's native CPU/CUDA kernels.\n\n");
    b.append("commands:\n");
    for (Command c : commands.values()) {
      b.append(String.format("  %-10s %s%n", c.name(), c.summary()));
    }
    b.append("\n'jrnn <command> --help' describes a command.\n");
    return b.toString();
  }

  /**
   * Runs a command line in this JVM and returns the exit status; never calls {@link System#exit}.
   * Errors go to {@code err} as one line.
   */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    Map<String, Command> commands = commands();
    if (args.length == 0) {
      err.print(usage(commands));
      return EXIT_USAGE;
    }
    String name = args[0];
    if (name.equals("--help") || name.equals("-h") || name.equals("help")) {
      if (args.length > 1 && commands.containsKey(args[1])) {
        out.print(commands.get(args[1]).usage());
      } else {
        out.print(usage(commands));
      }
      return 0;
    }
    if (name.equals("--version")) {
      Package p = Main.class.getPackage();
      String v = p == null ? null : p.getImplementationVersion();
      out.println("jrnn " + (v == null ? "(development build)" : v));
      return 0;
    }
    Command cmd = commands.get(name);
    if (cmd == null) {
      err.println(
          "jrnn: unknown command "
              + Quote.quote(name)
              + " (commands: "
              + String.join(", ", commands.keySet())
              + "; see jrnn --help)");
      return EXIT_USAGE;
    }
    List<String> rest = new ArrayList<>(Arrays.asList(args).subList(1, args.length));
    if (rest.contains("--help") || rest.contains("-h")) {
      out.print(cmd.usage());
      return 0;
    }
    try {
      return cmd.run(rest, out, err);
    } catch (Command.UsageException e) {
      err.println(errorLine(name, bounded(e.getMessage()) + " (see jrnn " + name + " --help)"));
      return EXIT_USAGE;
    } catch (Exception | OutOfMemoryError | StackOverflowError | LinkageError e) {
      err.println(errorLine(name, describe(e)));
      return EXIT_FAILURE;
    }
  }

  /** The most characters of a message printed after {@code "jrnn <command>: "}. */
  static final int MAX_MESSAGE = 360;

  /** {@code jrnn <command>: <message>} as one line of bounded length. */
  static String errorLine(String command, String message) {
    return "jrnn " + command + ": " + bounded(message);
  }

  /** The message as one line without exception class names, cut to {@link #MAX_MESSAGE}. */
  static String bounded(String message) {
    String s = message == null ? "" : message;
    if (s.length() > 4 * MAX_MESSAGE) {
      s = s.substring(0, 4 * MAX_MESSAGE); // the net below must not scan megabytes
    }
    s = Quote.withoutClassNames(oneLine(s));
    if (s.isEmpty()) {
      s = "failed";
    }
    if (s.length() > MAX_MESSAGE) {
      int end = MAX_MESSAGE - 3;
      if (Character.isHighSurrogate(s.charAt(end - 1))) {
        end--;
      }
      s = s.substring(0, end) + "...";
    }
    return s;
  }

  /** What went wrong, in words: the message, never the exception's class. */
  static String describe(Throwable e) {
    if (e instanceof UncheckedIOException u && u.getCause() != null) {
      String m = u.getMessage();
      return m == null || m.equals(u.getCause().toString()) ? describe(u.getCause()) : m;
    }
    if (e instanceof FileSystemException f) {
      String file = f.getFile();
      return (file == null ? "" : Quote.cut(file) + ": ") + Quote.reason(f);
    }
    if (e instanceof CharacterCodingException || e instanceof EOFException) {
      return Quote.reason((IOException) e);
    }
    if (e instanceof OutOfMemoryError) {
      return "out of memory"
          + (e.getMessage() == null ? "" : " (" + e.getMessage() + ")")
          + "; give the JVM more (JAVA_OPTS=-Xmx...) or use smaller inputs";
    }
    if (e instanceof StackOverflowError) {
      return "input nested too deeply (stack overflow)";
    }
    if (e instanceof LinkageError) {
      return "cannot load jrnn's native library: " + e.getMessage();
    }
    String m = e.getMessage();
    if (e instanceof IOException io) {
      return m == null || m.isBlank() ? Quote.reason(io) : m;
    }
    if (e instanceof JrnnException
        || e instanceof IllegalArgumentException
        || e instanceof IllegalStateException) {
      if (m != null && !m.isBlank()) {
        return m;
      }
    }
    return "internal error"
        + (m == null || m.isBlank() ? "" : ": " + m)
        + " (please report it with the command line)";
  }

  /** Collapses a message to one line. */
  static String oneLine(String s) {
    return s == null ? "" : s.replaceAll("\\s*[\\r\\n]+\\s*", " ").trim();
  }
}
