/*
 * Refusals: the table-driven argument tests' one case shape (a call that jrnn must refuse).
 */
package org.jrnn;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.function.Executable;

/** Test cases for calls that must throw a {@link JrnnException} with a short, telling message. */
public final class Refusals {
  /** The longest message a refusal may have: input is quoted short, never whole. */
  public static final int MAX_MESSAGE = 400;

  private Refusals() {}

  /**
   * A case: {@code call} throws a JrnnException whose (short) message contains {@code expected}.
   */
  public static DynamicTest rejects(String name, String expected, Executable call) {
    return DynamicTest.dynamicTest(
        name,
        () -> {
          JrnnException e = assertThrows(JrnnException.class, call, name);
          String m = e.getMessage();
          assertTrue(
              m.contains(expected), name + ": '" + m + "' does not contain '" + expected + "'");
          assertTrue(
              m.length() <= MAX_MESSAGE, name + ": message of " + m.length() + " characters");
        });
  }
}
