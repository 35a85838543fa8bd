/*
 * Checks: the argument checks shared by the public classes, with messages that name the argument.
 */
package org.jrnn;

import java.util.Arrays;

/** Validation helpers; each throws {@link JrnnException} with a message naming the argument. */
final class Checks {
  private Checks() {}

  /** {@code t} is non-null and open. */
  static Tensor open(String name, Tensor t) {
    if (t == null) {
      throw new JrnnException(name + " is null");
    }
    if (t.isClosed()) {
      throw new JrnnException(
          JrnnException.Status.CLOSED, name + ": " + t.describe() + " is closed");
    }
    return t;
  }

  /**
   * {@code t} has exactly the shape {@code expected}: "h0 must be [2, 4, 16] but is [2, 3, 16]".
   */
  static void shape(String name, Tensor t, long... expected) {
    if (!Arrays.equals(t.shape(), expected)) {
      throw new JrnnException(
          name + " must be " + Arrays.toString(expected) + " but is " + t.shapeString());
    }
  }

  /** "x is on cuda:0 but the layer is on cpu". */
  static void sameDevice(String name, Device actual, String otherName, Device expected) {
    if (!actual.equals(expected)) {
      throw new JrnnException(
          name + " is on " + actual + " but " + otherName + " is on " + expected);
    }
  }

  /** Each length in 1..T, naming the index. */
  static void lengths(int[] lengths, int n, long t) {
    if (lengths == null) {
      throw new JrnnException("lengths is null");
    }
    if (lengths.length != n) {
      throw new JrnnException(
          "lengths has " + lengths.length + " entries but the batch has " + n + " sequences");
    }
    for (int i = 0; i < lengths.length; i++) {
      if (lengths[i] < 1 || lengths[i] > t) {
        throw new JrnnException(
            "lengths[" + i + "] = " + lengths[i] + " is outside 1.." + t + " (T = " + t + ")");
      }
    }
  }

  static void positive(String name, long value) {
    if (value < 1) {
      throw new JrnnException(name + " must be >= 1 but is " + value);
    }
  }
}
