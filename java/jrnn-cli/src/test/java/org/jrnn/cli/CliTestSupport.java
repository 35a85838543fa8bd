package org.jrnn.cli;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jrnn.internal.SplitMix64;

/** Runs jrnn commands in-process and writes tiny data files. */
final class CliTestSupport {
  private CliTestSupport() {}

  record Run(int status, String out, String err) {
    List<String> outLines() {
      return out.isEmpty() ? List.of() : List.of(out.split("\n"));
    }
  }

  static Run run(String... args) {
    return runWithInput(null, args);
  }

  static synchronized Run runWithInput(String stdin, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    InputStream saved = System.in;
    if (stdin != null) {
      System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
    }
    try {
      int status =
          Main.run(
              args,
              new PrintStream(out, true, StandardCharsets.UTF_8),
              new PrintStream(err, true, StandardCharsets.UTF_8));
      return new Run(
          status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setIn(saved);
    }
  }

  static final String[] POSITIVE = {"good", "great", "lovely", "excellent", "nice", "superb"};
  static final String[] NEGATIVE = {"bad", "awful", "poor", "terrible", "boring", "ugly"};
  static final String[] FILLER = {"long", "short", "new", "old", "french", "quiet"};

  /** n lines "the film was WORD and FILLER<TAB>pos|neg", the label given away by WORD. */
  static Path sentimentTsv(Path dir, String name, int n, long seed) throws IOException {
    SplitMix64 r = new SplitMix64(seed);
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      boolean pos = r.nextInt(2) == 1;
      String w = (pos ? POSITIVE : NEGATIVE)[r.nextInt(6)];
      lines.add(
          "the film was " + w + " and " + FILLER[r.nextInt(6)] + "\t" + (pos ? "pos" : "neg"));
    }
    Path p = dir.resolve(name);
    Files.write(p, lines, StandardCharsets.UTF_8);
    return p;
  }

  /** A short repetitive text for language models. */
  static Path text(Path dir) throws IOException {
    Path p = dir.resolve("text.txt");
    Files.writeString(
        p, "the cat sat on the mat. the dog sat on the log. ".repeat(40), StandardCharsets.UTF_8);
    return p;
  }
}
