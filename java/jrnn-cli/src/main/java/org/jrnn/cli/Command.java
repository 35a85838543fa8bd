// Command: one subcommand of the `jrnn` command-line tool (scripts/jrnn <name> ...).
package org.jrnn.cli;

import java.io.PrintStream;
import java.util.List;

/**
 * A subcommand of {@code jrnn}. Register new ones in {@link Main#COMMANDS} (or through {@link
 * java.util.ServiceLoader} with a {@code META-INF/services/org.jrnn.cli.Command} entry).
 */
public interface Command {
  /** The name typed after {@code jrnn}, e.g. {@code "forward"}. */
  String name();

  /** One line for {@code jrnn --help}. */
  String summary();

  /** The full usage text for {@code jrnn <name> --help}. */
  String usage();

  /**
   * Runs the command. Returns the exit status (0 on success). Throw {@link UsageException} for a
   * bad command line and any other exception for bad input: {@link Main} turns either into one line
   * on {@code err} ({@code "jrnn <name>: <message>"}) and a non-zero status.
   *
   * @param args the arguments after the command name. Not modified.
   */
  int run(List<String> args, PrintStream out, PrintStream err) throws Exception;

  /** A bad command line (exit status 2). */
  final class UsageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public UsageException(String message) {
      super(message);
    }
  }
}
