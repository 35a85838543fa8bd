package org.jrnn.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class FloatMathTest {

  /** Ulps between two floats of the same sign (0 when bit-identical). */
  private static int ulps(float a, float b) {
    return Math.abs(Float.floatToIntBits(a) - Float.floatToIntBits(b));
  }

  @Test
  void tanhMatchesStrictMathWithinOneUlpEverywhere() {
    SplittableRandom rng = new SplittableRandom(3);
    int differ = 0;
    int n = 2_000_000;
    for (int i = 0; i < n; i++) {
      // log-uniform magnitudes from 1e-30 to 1e2, both signs, plus the series / exp boundary
      float x = (float) (Math.pow(10, rng.nextDouble(-30, 2)) * (rng.nextBoolean() ? 1 : -1));
      if (i % 1000 == 0) {
        x = Math.nextUp(0.03f) * (i % 2000 == 0 ? 1 : -1);
      }
      float want = (float) StrictMath.tanh(x);
      float got = FloatMath.tanh(x);
      int u = ulps(got, want);
      assertTrue(u <= 1, "tanh(" + x + ") = " + got + ", StrictMath " + want);
      differ += u;
    }
    // a one-ulp difference needs the double result within ~1e-14 of a rounding boundary
    assertTrue(differ < n / 100_000, differ + " of " + n + " differ by one ulp");
  }

  @Test
  void tanhSpecialValues() {
    assertTrue(Float.isNaN(FloatMath.tanh(Float.NaN)));
    assertEquals(1f, FloatMath.tanh(Float.POSITIVE_INFINITY));
    assertEquals(-1f, FloatMath.tanh(Float.NEGATIVE_INFINITY));
    assertEquals(Float.floatToIntBits(-0f), Float.floatToIntBits(FloatMath.tanh(-0f)));
    assertEquals(0f, FloatMath.tanh(0f));
    assertEquals(Float.MIN_VALUE, FloatMath.tanh(Float.MIN_VALUE));
    assertEquals(1f, FloatMath.tanh(25f));
    assertEquals(-1f, FloatMath.tanh(-9.5f));
  }
}
