/*
 * ImagePixels: the built-in image front end of the captioner: read an image, composite it over
 * white, resize it (area average) to S x S and normalise to [-1, 1], channel-major RGB.
 */
package org.jrnn.caption;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import org.jrnn.JrnnException;
import org.jrnn.internal.Arguments;
import org.jrnn.internal.Quote;

/**
 * Pixels as the captioner's built-in encoder sees them: {@code [3, S, S]} row-major (R plane, G
 * plane, B plane), each value {@code 2 * v - 1} for the channel intensity {@code v} in [0, 1] after
 * compositing over a white background and area-average resizing.
 */
public final class ImagePixels {
  private ImagePixels() {}

  /** What the features of an image hold. */
  public enum Mode {
    /** The {@code [3, S, S]} pixels in [-1, 1]. */
    RGB(3),
    /**
     * The RGB pixels, then their luminance ({@code 0.299 R + 0.587 G + 0.114 B}) standardised per
     * image ({@code (v - mean) / max(std, 0.02)}, clipped to [-5, 5]): {@code [4, S, S]}. The
     * standardised plane does not change when the image's colours are replaced by others of another
     * lightness with the same layout (exactly so for one colour on a plain background).
     */
    RGB_AND_STANDARDIZED(4);

    private final int channels;

    Mode(int channels) {
      this.channels = channels;
    }

    /** Channels per pixel. */
    public int channels() {
      return channels;
    }

    /** {@code rgb} or {@code rgb+std}. */
    public String id() {
      return this == RGB ? "rgb" : "rgb+std";
    }

    /** Parses {@link #id()}. */
    public static Mode parse(String id) {
      return switch (Arguments.notNull("pixel mode", id).toLowerCase(java.util.Locale.ROOT)) {
        case "rgb" -> RGB;
        case "rgb+std", "rgb_and_standardized" -> RGB_AND_STANDARDIZED;
        default ->
            throw new JrnnException("pixel mode must be rgb or rgb+std, not " + Quote.quote(id));
      };
    }
  }

  /**
   * The built-in front end: images resized to {@code size} x {@code size}, features by {@code
   * mode}.
   *
   * @param size S
   * @param mode the channels
   */
  public record Encoder(int size, Mode mode) {
    public Encoder {
      if (size < 1 || mode == null) {
        throw new JrnnException("an image encoder needs size >= 1 and a mode");
      }
    }

    /** The feature count, {@code channels * S * S}. */
    public int featureSize() {
      return mode.channels() * size * size;
    }

    /** The features of an image. */
    public float[] features(Rgb image) {
      float[] rgb = ImagePixels.features(image, size);
      return mode == Mode.RGB ? rgb : withStandardized(rgb, size);
    }

    /** Reads {@code file} and returns its features. */
    public float[] features(Path file) throws IOException {
      return features(rgb(read(file)));
    }
  }

  /** {@code rgb} ([3, S, S] in [-1, 1]) followed by its standardised luminance plane. */
  static float[] withStandardized(float[] rgb, int size) {
    int plane = size * size;
    float[] out = java.util.Arrays.copyOf(rgb, 4 * plane);
    double[] lum = new double[plane];
    double mean = 0;
    for (int i = 0; i < plane; i++) {
      lum[i] = (0.299 * rgb[i] + 0.587 * rgb[plane + i] + 0.114 * rgb[2 * plane + i] + 1) / 2;
      mean += lum[i];
    }
    mean /= plane;
    double var = 0;
    for (int i = 0; i < plane; i++) {
      var += (lum[i] - mean) * (lum[i] - mean);
    }
    double std = Math.max(Math.sqrt(var / plane), 0.02);
    for (int i = 0; i < plane; i++) {
      out[3 * plane + i] = (float) Math.max(-5, Math.min(5, (lum[i] - mean) / std));
    }
    return out;
  }

  /**
   * An RGB image in [0, 1], composited over white, planes row-major.
   *
   * @param width W
   * @param height H
   * @param rgb {@code [3 * H * W]}: R plane, G plane, B plane
   */
  public record Rgb(int width, int height, float[] rgb) {
    public Rgb {
      if ((long) width * height * 3 != rgb.length) {
        throw new JrnnException("rgb must hold 3 x " + height + " x " + width + " values");
      }
    }
  }

  /**
   * The most pixels (width x height) an image may have: 2^25, e.g. 8192 x 4096. Decoding and
   * compositing take about 19 bytes a pixel (the decoded raster, the ARGB array and the float
   * planes), so this bounds one image at about 640 MB; a small compressed file can claim far more.
   */
  public static final long MAX_PIXELS = 1L << 25;

  /**
   * Reads an image file (PNG, JPEG, GIF, BMP: whatever {@link ImageIO} reads). The size in the
   * file's header is checked before the pixels are decoded.
   *
   * @throws IOException naming the file when it cannot be read, is not an image or has more than
   *     {@link #MAX_PIXELS} pixels
   */
  public static BufferedImage read(Path file) throws IOException {
    String name = Quote.path(file);
    BufferedImage img = null;
    String tooLarge = null;
    try (InputStream in = Files.newInputStream(file);
        ImageInputStream iis = ImageIO.createImageInputStream(in)) {
      Iterator<ImageReader> readers = iis == null ? null : ImageIO.getImageReaders(iis);
      if (readers != null && readers.hasNext()) {
        ImageReader reader = readers.next();
        try {
          reader.setInput(iis, true, true);
          int w = reader.getWidth(0);
          int h = reader.getHeight(0);
          if ((long) w * h > MAX_PIXELS) {
            tooLarge = w + " x " + h;
          } else {
            img = reader.read(0);
          }
        } finally {
          reader.dispose();
        }
      }
    } catch (IOException e) {
      throw new IOException(name + ": unreadable image (" + Quote.reason(e) + ")", e);
    } catch (RuntimeException e) { // decoders throw these on some corrupt files
      throw new IOException(name + ": corrupt image (" + Quote.reason(e) + ")", e);
    }
    if (tooLarge != null) {
      throw new IOException(
          name + ": the image is " + tooLarge + " pixels, more than " + MAX_PIXELS + " in all");
    }
    if (img == null) {
      throw new IOException(name + ": not an image in a format this JVM reads");
    }
    if (img.getWidth() < 1 || img.getHeight() < 1) {
      throw new IOException(name + ": empty image");
    }
    return img;
  }

  /**
   * The image's pixels composited over white.
   *
   * @throws JrnnException when the image has more than {@link #MAX_PIXELS} pixels
   */
  public static Rgb rgb(BufferedImage img) {
    int w = img.getWidth();
    int h = img.getHeight();
    if ((long) w * h > MAX_PIXELS) {
      throw new JrnnException(
          "the image is " + w + " x " + h + " pixels, more than " + MAX_PIXELS + " in all");
    }
    int[] argb = img.getRGB(0, 0, w, h, null, 0, w);
    float[] out = new float[3 * w * h];
    int plane = w * h;
    for (int i = 0; i < plane; i++) {
      int p = argb[i];
      float a = ((p >>> 24) & 0xff) / 255f;
      float r = ((p >>> 16) & 0xff) / 255f;
      float g = ((p >>> 8) & 0xff) / 255f;
      float b = (p & 0xff) / 255f;
      out[i] = a * r + (1 - a);
      out[plane + i] = a * g + (1 - a);
      out[2 * plane + i] = a * b + (1 - a);
    }
    return new Rgb(w, h, out);
  }

  /** Reads {@code file} and returns its features for an S x S encoder; see the class comment. */
  public static float[] features(Path file, int size) throws IOException {
    return features(rgb(read(file)), size);
  }

  /** The features of an image for an S x S encoder. */
  public static float[] features(Rgb image, int size) {
    if (size < 1) {
      throw new JrnnException("size must be >= 1 but is " + size);
    }
    int w = image.width();
    int h = image.height();
    int[][] xi = new int[size][];
    float[][] xw = new float[size][];
    int[][] yi = new int[size][];
    float[][] yw = new float[size][];
    weights(w, size, xi, xw);
    weights(h, size, yi, yw);
    float[] out = new float[3 * size * size];
    float[] row = new float[size];
    for (int c = 0; c < 3; c++) {
      int base = c * w * h;
      for (int oy = 0; oy < size; oy++) {
        java.util.Arrays.fill(row, 0f);
        for (int k = 0; k < yi[oy].length; k++) {
          int sy = yi[oy][k];
          float wy = yw[oy][k];
          for (int ox = 0; ox < size; ox++) {
            float acc = 0;
            for (int j = 0; j < xi[ox].length; j++) {
              acc += xw[ox][j] * image.rgb()[base + sy * w + xi[ox][j]];
            }
            row[ox] += wy * acc;
          }
        }
        for (int ox = 0; ox < size; ox++) {
          out[(c * size + oy) * size + ox] = 2f * row[ox] - 1f;
        }
      }
    }
    return out;
  }

  /** Area-average weights: output i covers source [i * src / dst, (i + 1) * src / dst). */
  private static void weights(int src, int dst, int[][] idx, float[][] wts) {
    for (int i = 0; i < dst; i++) {
      double start = (double) i * src / dst;
      double end = (double) (i + 1) * src / dst;
      int first = (int) Math.floor(start);
      int last = Math.min((int) Math.ceil(end) - 1, src - 1);
      int n = last - first + 1;
      idx[i] = new int[n];
      wts[i] = new float[n];
      for (int k = 0; k < n; k++) {
        int j = first + k;
        double cover = Math.min(end, j + 1) - Math.max(start, j);
        idx[i][k] = j;
        wts[i][k] = (float) (cover / (end - start));
      }
    }
  }
}
