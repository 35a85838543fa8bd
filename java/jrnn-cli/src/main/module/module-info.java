/**
 * jrnn's command-line tools (scripts/jrnn); more commands plug in as {@link org.jrnn.cli.Command}s.
 */
module org.jrnn.cli {
  requires org.jrnn.caption;

  exports org.jrnn.cli;

  uses org.jrnn.cli.Command;
}
