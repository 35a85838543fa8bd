package org.jrnn.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Each example's standalone main on a tiny budget, and the examples' indented training log. */
class ExamplesTest {
  /** Runs {@code main} with {@code args}, returning what it printed to System.out. */
  private static String runMain(String example, String... args) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream saved = System.out;
    System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
    try {
      switch (example) {
        case "sentiment" -> SentimentExample.main(args);
        case "lm" -> CharLanguageModelExample.main(args);
        case "digits" -> DigitsExample.main(args);
        default -> throw new IllegalArgumentException(example);
      }
    } finally {
      System.setOut(saved);
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }

  @Test
  void sentimentMainTrainsOneEpoch() throws Exception {
    String out = runMain("sentiment", "1", "42");
    assertTrue(out.startsWith(SentimentExample.TITLE + "\n"), out);
    assertTrue(out.contains("2,400 train / 600 test, seeded 80/20 split (seed 42)"), out);
    assertTrue(out.contains("\n  epoch 1/1: train loss "), out); // the trainer's log, indented
    assertTrue(
        out.matches(
            "(?s).*\n  result test accuracy 0\\.\\d{4} \\(\\d+ of 600 sentences\\)"
                + " after 75 updates.*"),
        out);
    assertTrue(out.contains("  examples (label 1 = positive):\n"), out);
  }

  @Test
  void languageModelMainTrainsTwoUpdates() throws Exception {
    String out = runMain("lm", "2", "7");
    assertTrue(out.startsWith(CharLanguageModelExample.TITLE + "\n"), out);
    assertTrue(out.contains("Moby-Dick, 1,190,317 characters"), out);
    assertTrue(out.contains(", 2 updates (335 windows make one pass)\n"), out);
    assertTrue(out.contains("\n  epoch 1: train loss "), out);
    assertTrue(
        out.matches(
            "(?s).*\n  result validation \\d\\.\\d{3} bits per character after 2"
                + " updates \\(6,400 training characters.*"),
        out);
    assertTrue(out.contains("\n  sample (temperature 0.8): The "), out);
  }

  @Test
  void digitsMainTrainsOneEpoch() throws Exception {
    String out = runMain("digits", "1");
    assertTrue(out.startsWith(DigitsExample.TITLE + "\n"), out);
    assertTrue(out.contains("1,438 train / 359 test"), out);
    assertTrue(out.contains("\n  epoch 1/1: valid loss "), out);
    assertTrue(
        out.matches(
            "(?s).*\n  result test exact match 0\\.\\d{4} \\(\\d+ of 359 names"
                + " exactly right\\) after 45 updates.*"),
        out);
    assertTrue(out.contains("  examples (the first test images; greedy decoding):\n"), out);
  }

  @Test
  void indentedIndentsEveryLineHoweverItIsPrinted() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream target = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    PrintStream log = Examples.indented(target);
    log.println(new StringBuilder("object")); // how the trainer's text log prints
    log.println("string");
    log.printf("two%nlines%n");
    log.print("part");
    log.println(" one");
    log.flush();
    assertEquals(
        "  object\n  string\n  two\n  lines\n  part one\n",
        bytes.toString(StandardCharsets.UTF_8).replace(System.lineSeparator(), "\n"));
  }
}
