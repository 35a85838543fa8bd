// Main: the entry point of the `jrnn` command-line tool; dispatches to subcommands.
//   scripts/jrnn --help
//   scripts/jrnn forward --config C.json --weights W.safetensors --input IN.safetensors --output
// OUT.safetensors
// In-process (tests): int status = Main.run(new String[] {"forward", ...}, out, err);
package org.jrnn.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.jrnn.JrnnException;
import org.jrnn.io.SafetensorsException;

/**
 * {@code jrnn <command> [options]}. Exit status: 0 success, 1 bad input or failure (one line on
 * stderr naming the problem), 2 bad command line.
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
          new CaptionCommand(),
          new DemoCommand());

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
          "jrnn: unknown command '"
              + name
              + "' (commands: "
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
      err.println(
          "jrnn " + name + ": " + oneLine(e.getMessage()) + " (see jrnn " + name + " --help)");
      return EXIT_USAGE;
    } catch (SafetensorsException | JrnnException e) {
      err.println("jrnn " + name + ": " + oneLine(e.getMessage()));
      return EXIT_FAILURE;
    } catch (java.nio.file.NoSuchFileException e) {
      err.println("jrnn " + name + ": " + e.getFile() + ": no such file");
      return EXIT_FAILURE;
    } catch (java.nio.file.AccessDeniedException e) {
      err.println("jrnn " + name + ": " + e.getFile() + ": permission denied");
      return EXIT_FAILURE;
    } catch (Exception | OutOfMemoryError | LinkageError e) {
      err.println(
          "jrnn "
              + name
              + ": "
              + e.getClass().getSimpleName()
              + ": "
              + oneLine(String.valueOf(e.getMessage())));
      return EXIT_FAILURE;
    }
  }

  /** Collapses a message to one line. */
  static String oneLine(String s) {
    return s == null ? "" : s.replaceAll("\\s*[\\r\\n]+\\s*", " ").trim();
  }
}
