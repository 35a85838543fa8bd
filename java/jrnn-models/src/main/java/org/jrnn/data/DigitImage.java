// One UCI 8x8 handwritten digit: 64 pixels scaled to 0..1 and the digit it shows.
package org.jrnn.data;

import org.jrnn.JrnnException;
import org.jrnn.internal.Arguments;

/**
 * An 8x8 digit image.
 *
 * @param pixels 64 values in 0..1 (the file's 0..16 divided by 16), row by row
 * @param digit the digit shown, 0..9
 */
public record DigitImage(float[] pixels, int digit) {
  /** The digits' English names, by digit. */
  public static final java.util.List<String> NAMES =
      java.util.List.of(
          "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine");

  /** Checks there are 64 pixels and the digit is in 0..9. */
  public DigitImage {
    if (Arguments.notNull("pixels", pixels).length != 64) {
      throw new JrnnException("a digit image has 64 pixels (8 x 8), not " + pixels.length);
    }
    if (digit < 0 || digit > 9) {
      throw new JrnnException("digit must be in 0..9 but is " + digit);
    }
  }

  /** The spelled name of the digit, e.g. "seven". */
  public String name() {
    return NAMES.get(digit);
  }
}
