/*
 * FloatMath: float activations computed on the host (the tanh of a captioner's or conditioned LM's
 * initial state, per input). Math.tanh is not a HotSpot intrinsic and goes through fdlibm's
 * StrictMath.tanh (expm1), which took ~8% of a batch-64 greedy caption decode; Math.exp is an
 * intrinsic.
 */
package org.jrnn.internal;

/** Float-precision math helpers for jrnn's own packages. */
public final class FloatMath {
  private FloatMath() {}

  /**
   * tanh(x) rounded to float: the same value as {@code (float) Math.tanh(x)} except, rarely, one
   * ulp where the double result lies within ~1e-14 of a float rounding boundary. NaN stays NaN,
   * ±infinity gives ±1, -0 gives -0.
   */
  public static float tanh(float x) {
    double d = x;
    double a = Math.abs(d);
    if (a < 0.03) {
      // Taylor series to x^9: relative error < 1e-16 here, where 1 - 2/(e^2x + 1) would cancel
      double x2 = d * d;
      return (float)
          (d * (1 - x2 * (1.0 / 3 - x2 * (2.0 / 15 - x2 * (17.0 / 315 - x2 * (62.0 / 2835))))));
    }
    if (a > 20) {
      return Math.copySign(1f, x); // tanh(20) rounds to 1 in float (and in double)
    }
    return (float) Math.copySign(1 - 2 / (Math.exp(2 * a) + 1), d);
  }
}
