// Halfs: IEEE half (F16) and bfloat16 (BF16) conversions to and from float, rounding to nearest
// even.
// (Float.float16ToFloat exists only from JDK 20; jrnn runs on 17.)
package org.jrnn.io;

/** Bit conversions between float and the 16-bit float formats F16 (IEEE binary16) and BF16. */
public final class Halfs {
  private Halfs() {}

  /** The float value of F16 bits {@code h} (exact). */
  public static float f16ToFloat(short h) {
    int bits = h & 0xffff;
    int sign = (bits & 0x8000) << 16;
    int exp = (bits >>> 10) & 0x1f;
    int mant = bits & 0x3ff;
    if (exp == 0x1f) {
      return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13)); // inf or nan
    }
    if (exp == 0) {
      float v = mant * 0x1p-24f; // zero or subnormal, exact
      return sign != 0 ? -v : v;
    }
    return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
  }

  /** F16 bits of {@code f}, rounded to nearest even; overflow gives infinity, nan stays nan. */
  public static short floatToF16(float f) {
    int bits = Float.floatToRawIntBits(f);
    int sign = (bits >>> 16) & 0x8000;
    int abs = bits & 0x7fffffff;
    if (abs >= 0x7f800000) {
      return (short) (sign | 0x7c00 | (abs > 0x7f800000 ? 0x200 | ((abs >>> 13) & 0x3ff) : 0));
    }
    if (abs >= 0x477ff000) { // >= 65520 rounds to infinity
      return (short) (sign | 0x7c00);
    }
    if (abs < 0x38800000) { // below 2^-14: subnormal half (or zero); a * 2^24 is exact in float
      int m = (int) Math.rint(Float.intBitsToFloat(abs) * 0x1p24f);
      return (short) (sign | m);
    }
    int half = ((((abs >>> 23) - 112) << 10) | ((abs & 0x7fffff) >>> 13));
    int rest = abs & 0x1fff;
    if (rest > 0x1000 || (rest == 0x1000 && (half & 1) != 0)) {
      half++; // a carry into the exponent is the right result
    }
    return (short) (sign | half);
  }

  /** The float value of BF16 bits {@code h} (exact). */
  public static float bf16ToFloat(short h) {
    return Float.intBitsToFloat((h & 0xffff) << 16);
  }

  /** BF16 bits of {@code f}, rounded to nearest even; nan stays nan. */
  public static short floatToBf16(float f) {
    int bits = Float.floatToRawIntBits(f);
    if ((bits & 0x7fffffff) > 0x7f800000) {
      return (short) ((bits >>> 16) | 0x40);
    }
    return (short) ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16);
  }
}
