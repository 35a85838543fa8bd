/*
 * Augment: seeded random changes to training images (shifts, colour jitter, grey) so the captioner
 * sees more than one rendering of each image.
 */
package org.jrnn.caption;

import org.jrnn.JrnnException;
import org.jrnn.internal.Arguments;
import org.jrnn.internal.Quote;
import org.jrnn.internal.SplitMix64;

/**
 * Image augmentation for training, applied to the composited RGB before resizing. Each call with
 * the same seed gives the same image.
 *
 * @param shift largest translation in source pixels (each axis, uniform, white fill); 0: none
 * @param brightness largest brightness change (added, uniform in [-b, b]); 0: none
 * @param contrast largest relative contrast change around mid-grey (factor in [1-c, 1+c])
 * @param saturation largest relative saturation change (factor in [1-s, 1+s]; 1 can reach grey)
 * @param hue largest hue rotation in degrees (uniform in [-h, h]); 0: none
 * @param grey probability of turning the image grey
 * @param recolor probability of recolouring one colour region: one of the image's main colours (at
 *     least 2% of the non-white pixels) is picked at random and every pixel near it is darkened or
 *     lightened (factor 0.45..1.1), desaturated or saturated (0.6..1.2) and hue-rotated (up to 25
 *     degrees); the rest of the image keeps its colours
 * @param regions when recolouring, the probability that each other main colour is recoloured too
 *     (each with its own change)
 * @param noise standard deviation of Gaussian noise added to every channel value (in [0, 1] units)
 */
public record Augment(
    int shift,
    double brightness,
    double contrast,
    double saturation,
    double hue,
    double grey,
    double recolor,
    double regions,
    double noise) {
  /** No change. */
  public static final Augment NONE = new Augment(0, 0, 0, 0, 0, 0, 0, 0, 0);

  /** The augmentation of the first experiments (no extra regions, no noise). */
  public Augment(
      int shift,
      double brightness,
      double contrast,
      double saturation,
      double hue,
      double grey,
      double recolor) {
    this(shift, brightness, contrast, saturation, hue, grey, recolor, 0, 0);
  }

  /** Whether this changes nothing. */
  public boolean isNone() {
    return shift == 0
        && brightness == 0
        && contrast == 0
        && saturation == 0
        && hue == 0
        && grey == 0
        && recolor == 0
        && noise == 0;
  }

  /**
   * Parses {@code none} or comma-separated {@code key=value} among shift, brightness, contrast,
   * saturation, hue, grey (e.g. {@code shift=3,saturation=0.6,hue=30}).
   */
  public static Augment parse(String text) {
    if (Arguments.notNull("augmentation", text).isBlank() || text.equalsIgnoreCase("none")) {
      return NONE;
    }
    int shift = 0;
    double b = 0;
    double c = 0;
    double s = 0;
    double h = 0;
    double g = 0;
    double rc = 0;
    double rg = 0;
    double nz = 0;
    for (String part : text.split(",")) {
      String[] kv = part.split("=", 2);
      if (kv.length != 2) {
        throw new JrnnException("augmentation " + Quote.quote(part) + " must be key=value");
      }
      double v;
      try {
        v = Double.parseDouble(kv[1].strip());
      } catch (NumberFormatException e) {
        throw new JrnnException("augmentation " + Quote.quote(part) + ": not a number");
      }
      switch (kv[0].strip()) {
        case "shift" -> shift = (int) v;
        case "brightness" -> b = v;
        case "contrast" -> c = v;
        case "saturation" -> s = v;
        case "hue" -> h = v;
        case "grey", "gray" -> g = v;
        case "recolor", "recolour" -> rc = v;
        case "regions" -> rg = v;
        case "noise" -> nz = v;
        default -> throw new JrnnException("unknown augmentation " + Quote.quote(kv[0]));
      }
    }
    return new Augment(shift, b, c, s, h, g, rc, rg, nz);
  }

  @Override
  public String toString() {
    if (isNone()) {
      return "none";
    }
    return "shift="
        + shift
        + ",brightness="
        + brightness
        + ",contrast="
        + contrast
        + ",saturation="
        + saturation
        + ",hue="
        + hue
        + ",grey="
        + grey
        + ",recolor="
        + recolor
        + ",regions="
        + regions
        + ",noise="
        + noise;
  }

  /** A changed copy of {@code image}, drawn with {@code seed}. */
  public ImagePixels.Rgb apply(ImagePixels.Rgb image, long seed) {
    if (isNone()) {
      return image;
    }
    SplitMix64 r = new SplitMix64(seed);
    int w = image.width();
    int hgt = image.height();
    int plane = w * hgt;
    float[] src = recolor > 0 && r.nextDouble() < recolor ? recolorRegions(image, r) : image.rgb();
    float[] out = new float[src.length];
    int dx = shift > 0 ? r.nextInt(2 * shift + 1) - shift : 0;
    int dy = shift > 0 ? r.nextInt(2 * shift + 1) - shift : 0;
    double bright = brightness > 0 ? (r.nextDouble() * 2 - 1) * brightness : 0;
    double contr = contrast > 0 ? 1 + (r.nextDouble() * 2 - 1) * contrast : 1;
    double sat = saturation > 0 ? 1 + (r.nextDouble() * 2 - 1) * saturation : 1;
    double rot = hue > 0 ? Math.toRadians((r.nextDouble() * 2 - 1) * hue) : 0;
    if (grey > 0 && r.nextDouble() < grey) {
      sat = 0;
    }
    // hue rotation about the grey axis (a rotation matrix in RGB space)
    double cosA = Math.cos(rot);
    double sinA = Math.sin(rot);
    double k = (1 - cosA) / 3;
    double q = Math.sqrt(1.0 / 3) * sinA;
    double[][] m = {
      {cosA + k, k - q, k + q},
      {k + q, cosA + k, k - q},
      {k - q, k + q, cosA + k}
    };
    for (int y = 0; y < hgt; y++) {
      for (int x = 0; x < w; x++) {
        int sx = x - dx;
        int sy = y - dy;
        double red = 1;
        double gr = 1;
        double bl = 1;
        if (sx >= 0 && sx < w && sy >= 0 && sy < hgt) {
          int i = sy * w + sx;
          red = src[i];
          gr = src[plane + i];
          bl = src[2 * plane + i];
        }
        if (rot != 0) {
          double r2 = m[0][0] * red + m[0][1] * gr + m[0][2] * bl;
          double g2 = m[1][0] * red + m[1][1] * gr + m[1][2] * bl;
          double b2 = m[2][0] * red + m[2][1] * gr + m[2][2] * bl;
          red = r2;
          gr = g2;
          bl = b2;
        }
        double lum = 0.299 * red + 0.587 * gr + 0.114 * bl;
        red = lum + sat * (red - lum);
        gr = lum + sat * (gr - lum);
        bl = lum + sat * (bl - lum);
        red = (red - 0.5) * contr + 0.5 + bright;
        gr = (gr - 0.5) * contr + 0.5 + bright;
        bl = (bl - 0.5) * contr + 0.5 + bright;
        int o = y * w + x;
        out[o] = clamp(red);
        out[plane + o] = clamp(gr);
        out[2 * plane + o] = clamp(bl);
      }
    }
    if (noise > 0) {
      for (int i = 0; i < out.length; i++) {
        out[i] = clamp(out[i] + noise * gaussian(r));
      }
    }
    return new ImagePixels.Rgb(w, hgt, out);
  }

  /** One main colour region recoloured (and others with probability {@link #regions}). */
  private float[] recolorRegions(ImagePixels.Rgb image, SplitMix64 r) {
    float[] src = image.rgb();
    int plane = image.width() * image.height();
    // main colours: 4-bit bins holding at least 2% of the non-white pixels
    int[] count = new int[4096];
    double[][] sum = new double[4096][3];
    int opaque = 0;
    for (int i = 0; i < plane; i++) {
      float red = src[i];
      float gr = src[plane + i];
      float bl = src[2 * plane + i];
      if (red > 0.97f && gr > 0.97f && bl > 0.97f) {
        continue;
      }
      int bin = ((int) (red * 15.999f) << 8) | ((int) (gr * 15.999f) << 4) | (int) (bl * 15.999f);
      count[bin]++;
      sum[bin][0] += red;
      sum[bin][1] += gr;
      sum[bin][2] += bl;
      opaque++;
    }
    int[] main = new int[4096];
    int k = 0;
    for (int bin = 0; bin < 4096; bin++) {
      if (count[bin] > 0 && count[bin] >= 0.02 * opaque) {
        main[k++] = bin;
      }
    }
    if (k == 0) {
      return src;
    }
    int first = r.nextInt(k);
    float[] out = src.clone();
    for (int m = 0; m < k; m++) {
      if (m != first && !(regions > 0 && r.nextDouble() < regions)) {
        continue;
      }
      int bin = main[m];
      recolor(
          src,
          out,
          plane,
          sum[bin][0] / count[bin],
          sum[bin][1] / count[bin],
          sum[bin][2] / count[bin],
          r);
    }
    return out;
  }

  /**
   * Pixels of {@code src} near colour (cr, cg, cb) get one random change, written to {@code out}.
   */
  private static void recolor(
      float[] src, float[] out, int plane, double cr, double cg, double cb, SplitMix64 r) {
    double light = 0.45 + r.nextDouble() * 0.65;
    double sat = 0.6 + r.nextDouble() * 0.6;
    double rot = Math.toRadians((r.nextDouble() * 2 - 1) * 25);
    double cosA = Math.cos(rot);
    double sinA = Math.sin(rot);
    double kk = (1 - cosA) / 3;
    double q = Math.sqrt(1.0 / 3) * sinA;
    for (int i = 0; i < plane; i++) {
      double red = src[i];
      double gr = src[plane + i];
      double bl = src[2 * plane + i];
      double d = (red - cr) * (red - cr) + (gr - cg) * (gr - cg) + (bl - cb) * (bl - cb);
      if (d > 0.15 * 0.15) {
        continue;
      }
      double r2 = (cosA + kk) * red + (kk - q) * gr + (kk + q) * bl;
      double g2 = (kk + q) * red + (cosA + kk) * gr + (kk - q) * bl;
      double b2 = (kk - q) * red + (kk + q) * gr + (cosA + kk) * bl;
      double lum = 0.299 * r2 + 0.587 * g2 + 0.114 * b2;
      out[i] = clamp(light * (lum + sat * (r2 - lum)));
      out[plane + i] = clamp(light * (lum + sat * (g2 - lum)));
      out[2 * plane + i] = clamp(light * (lum + sat * (b2 - lum)));
    }
  }

  private static double gaussian(SplitMix64 r) {
    double u = Math.max(r.nextDouble(), 1e-12);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r.nextDouble());
  }

  private static float clamp(double v) {
    return (float) Math.max(0, Math.min(1, v));
  }
}
