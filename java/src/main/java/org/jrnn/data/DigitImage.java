// One UCI 8x8 handwritten digit: 64 pixels scaled to 0..1 and the digit it shows.
package org.jrnn.data;

/**
 * An 8x8 digit image.
 *
 * @param pixels 64 values in 0..1 (the file's 0..16 divided by 16), row by row
 * @param digit  the digit shown, 0..9
 */
public record DigitImage(float[] pixels, int digit) {
    /** The digits' English names, by digit. */
    public static final java.util.List<String> NAMES =
            java.util.List.of("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine");

    /** The spelled name of the digit, e.g. "seven". */
    public String name() {
        return NAMES.get(digit);
    }
}
