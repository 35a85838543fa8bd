package org.jrnn.examples;

import java.io.OutputStream;
import java.io.PrintStream;

/** What the examples share: their CPU threads and their indented training log. */
final class Examples {
  private Examples() {}

  /**
   * One CPU thread unless {@code -Djrnn.cpu.threads} says otherwise: the native CPU kernels
   * synchronise their threads at every time step, so on a shared machine whose other cores are
   * busy, more threads can be much slower. Call it before the first model is built.
   */
  static void oneThreadUnlessSet() {
    if (System.getProperty("jrnn.cpu.threads") == null) {
      System.setProperty("jrnn.cpu.threads", "1");
    }
  }

  /** A stream that indents every line it is given by two spaces (the trainer's epoch lines). */
  static PrintStream indented(PrintStream target) {
    return new PrintStream(
        new OutputStream() {
          private boolean lineStart = true;

          @Override
          public void write(int b) {
            if (lineStart) {
              target.print("  ");
            }
            target.write(b);
            lineStart = b == '\n';
          }

          @Override
          public void flush() {
            target.flush();
          }
        },
        true);
  }
}
