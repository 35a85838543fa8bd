/*
 * Arguments: the argument checks of the public API outside the core package (models, decode,
 * data, nn, caption), with messages that name the argument. Messages that repeat a piece of the
 * input quote it through Quote.
 */
package org.jrnn.internal;

import java.util.Collection;
import org.jrnn.JrnnException;

/** Validation helpers; each throws {@link JrnnException} naming the argument. Not for users. */
public final class Arguments {
  /** The largest Java array the JVM reliably allocates. */
  public static final int MAX_ARRAY = Integer.MAX_VALUE - 8;

  private Arguments() {}

  /** {@code value}, or "NAME is null". */
  public static <T> T notNull(String name, T value) {
    if (value == null) {
      throw new JrnnException(name + " is null");
    }
    return value;
  }

  /**
   * {@code values}, or "NAME is null" / "NAME[i] is null" for the collection or its first null
   * element (in iteration order).
   */
  public static <C extends Collection<?>> C noNulls(String name, C values) {
    notNull(name, values);
    int i = 0;
    for (Object t : values) {
      if (t == null) {
        throw new JrnnException(name + "[" + i + "] is null");
      }
      i++;
    }
    return values;
  }

  /** {@code values}, or "NAME is null" / "NAME[i] is null". */
  public static <T> T[] noNulls(String name, T[] values) {
    notNull(name, values);
    for (int i = 0; i < values.length; i++) {
      if (values[i] == null) {
        throw new JrnnException(name + "[" + i + "] is null");
      }
    }
    return values;
  }

  /** {@code value} if {@code >= min}, else "NAME must be >= MIN but is VALUE". */
  public static int atLeast(String name, int value, int min) {
    if (value < min) {
      throw new JrnnException(name + " must be >= " + min + " but is " + value);
    }
    return value;
  }

  /** {@code value} if in {@code [0, 1)}, else "NAME must be in [0, 1) but is VALUE" (NaN too). */
  public static float fraction(String name, float value) {
    if (!(value >= 0f && value < 1f)) {
      throw new JrnnException(name + " must be in [0, 1) but is " + value);
    }
    return value;
  }

  /** "NAME is required (SETTER)" when {@code missing}; for builders' required settings. */
  public static void required(String name, boolean missing) {
    if (missing) {
      throw new JrnnException(name + " is required: set it with ." + name + "(...)");
    }
  }

  /**
   * Checks each id is in {@code 0..bound-1}: "NAME[i] = ID is outside the vocabulary 0..V-1".
   *
   * @return {@code ids}
   */
  public static int[] ids(String name, int[] ids, int bound) {
    notNull(name, ids);
    for (int i = 0; i < ids.length; i++) {
      if (ids[i] < 0 || ids[i] >= bound) {
        throw new JrnnException(
            name + "[" + i + "] = " + ids[i] + " is outside the vocabulary 0.." + (bound - 1));
      }
    }
    return ids;
  }

  /** One id in {@code 0..bound-1}: "NAME ID is outside the vocabulary 0..V-1". */
  public static int id(String name, int id, int bound) {
    if (id < 0 || id >= bound) {
      throw new JrnnException(name + " " + id + " is outside the vocabulary 0.." + (bound - 1));
    }
    return id;
  }

  /**
   * {@code count} as an int when a Java array of that many elements can exist, else "WHAT needs
   * COUNT elements, more than a Java array holds".
   */
  public static int arrayLength(String what, long count) {
    if (count < 0 || count > MAX_ARRAY) {
      throw new JrnnException(
          what + " needs " + count + " elements, more than a Java array holds (" + MAX_ARRAY + ")");
    }
    return (int) count;
  }

  /** Checks every value is finite: "NAME[i] = NaN is not finite". */
  public static float[] finite(String name, float[] values) {
    notNull(name, values);
    for (int i = 0; i < values.length; i++) {
      if (!Float.isFinite(values[i])) {
        throw new JrnnException(name + "[" + i + "] = " + values[i] + " is not finite");
      }
    }
    return values;
  }
}
