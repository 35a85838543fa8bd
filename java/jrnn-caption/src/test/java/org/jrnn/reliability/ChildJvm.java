/*
 * ChildJvm: runs a main class of the test class path in a separate JVM, so that a JVM crash, an
 * OutOfMemoryError or a hang in the probed code fails one test instead of killing the test run.
 */
package org.jrnn.reliability;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A child JVM's exit status and output. */
record ChildJvm(int exitCode, String output, boolean timedOut) {

  /**
   * Runs {@code mainClass} with {@code args} in a JVM with the test class path and {@code -Xmx1g};
   * kills it after {@code timeoutSeconds} (then {@link #timedOut()}).
   */
  static ChildJvm run(Class<?> mainClass, long timeoutSeconds, String... args)
      throws IOException, InterruptedException {
    return run(List.of("-Xmx1g"), mainClass, timeoutSeconds, args);
  }

  /** As {@link #run(Class, long, String...)} with these heap options instead of {@code -Xmx1g}. */
  static ChildJvm run(
      List<String> heapOptions, Class<?> mainClass, long timeoutSeconds, String... args)
      throws IOException, InterruptedException {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    List<String> cmd = new ArrayList<>(List.of(java.toString()));
    cmd.addAll(heapOptions);
    cmd.addAll(
        List.of(
            "-Xss4m", "-Djava.awt.headless=true", "-cp", System.getProperty("java.class.path")));
    if (Runtime.version().feature() >= 22) {
      cmd.add("--enable-native-access=ALL-UNNAMED");
    }
    cmd.add(mainClass.getName());
    cmd.addAll(List.of(args));
    Path log = Files.createTempFile("jrnn-child", ".log");
    try {
      Process p =
          new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
      boolean done = p.waitFor(timeoutSeconds, TimeUnit.SECONDS);
      if (!done) {
        p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
      String out = Files.readString(log, StandardCharsets.UTF_8);
      return new ChildJvm(done ? p.exitValue() : -1, out, !done);
    } finally {
      Files.deleteIfExists(log);
    }
  }

  /** The value of {@code key=NUMBER} on the first line starting with {@code prefix}, or -1. */
  long number(String prefix, String key) {
    for (String line : output.split("\n")) {
      if (line.startsWith(prefix)) {
        Matcher m = Pattern.compile("\\b" + Pattern.quote(key) + "=(-?[0-9]+)").matcher(line);
        return m.find() ? Long.parseLong(m.group(1)) : -1;
      }
    }
    return -1;
  }

  /** The output cut to its last 6000 characters, for assertion messages. */
  String tail() {
    return output.length() <= 6000 ? output : "..." + output.substring(output.length() - 6000);
  }
}
