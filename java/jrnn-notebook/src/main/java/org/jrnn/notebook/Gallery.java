/*
 * Gallery: images with their captions beside them, as one image or as HTML.
 */
package org.jrnn.notebook;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.imageio.ImageIO;
import org.jrnn.JrnnException;

/**
 * Small images (digits, glyphs, inputs of a captioning model) each with its caption beside it, in a
 * grid: {@link #captioned} draws one {@link BufferedImage} (shown as PNG by every Java kernel),
 * {@link #html} returns an HTML table (for kernels that display HTML, e.g. JJava's {@code
 * display(html, "text/html")}).
 *
 * <pre>{@code
 * List<BufferedImage> imgs = digits.stream().map(d -> Gallery.grayscale(d.pixels(), 8, 8, 6)).toList();
 * Gallery.captioned(imgs, captions, 4)
 * }</pre>
 */
public final class Gallery {
  private static final Font FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 14);
  private static final int PAD = 8, CAPTION_WIDTH = 200;

  private Gallery() {}

  /**
   * A grey-scale image of {@code pixels} (row by row, {@code 0} = white, {@code max} = black, like
   * ink on paper), each pixel drawn as a {@code scale x scale} block.
   */
  public static BufferedImage grayscale(float[] pixels, int width, int height, int scale) {
    if (pixels.length != width * height) {
      throw new JrnnException(pixels.length + " pixels for a " + width + "x" + height + " image");
    }
    if (scale < 1) {
      throw new JrnnException("scale must be >= 1");
    }
    float max = 0;
    for (float p : pixels) {
      max = Math.max(max, p);
    }
    float top = max > 0 ? max : 1;
    BufferedImage img =
        new BufferedImage(width * scale, height * scale, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        float v = Math.max(0f, Math.min(1f, pixels[y * width + x] / top));
        int g = Math.round(255 * (1 - v));
        int rgb = (g << 16) | (g << 8) | g;
        for (int dy = 0; dy < scale; dy++) {
          for (int dx = 0; dx < scale; dx++) {
            img.setRGB(x * scale + dx, y * scale + dy, rgb);
          }
        }
      }
    }
    return img;
  }

  /**
   * The images in a grid of {@code columns}, each with its caption to its right (wrapped to a few
   * lines); captions may be null or empty.
   */
  public static BufferedImage captioned(
      List<BufferedImage> images, List<String> captions, int columns) {
    if (captions != null && captions.size() != images.size()) {
      throw new JrnnException(images.size() + " images but " + captions.size() + " captions");
    }
    if (columns < 1) {
      throw new JrnnException("columns must be >= 1");
    }
    if (images.isEmpty()) {
      throw new JrnnException("no images");
    }
    int iw = 0, ih = 0;
    for (BufferedImage i : images) {
      iw = Math.max(iw, i.getWidth());
      ih = Math.max(ih, i.getHeight());
    }
    // measure captions to size the cells
    BufferedImage probe = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
    Graphics2D pg = probe.createGraphics();
    pg.setFont(FONT);
    FontMetrics fm = pg.getFontMetrics();
    int captionW = 20; // as wide as the widest caption, up to CAPTION_WIDTH (then wrapped)
    for (int k = 0; k < images.size(); k++) {
      String c = captions == null || captions.get(k) == null ? "" : captions.get(k);
      for (String line : c.split("\n", -1)) {
        captionW = Math.max(captionW, Math.min(CAPTION_WIDTH, fm.stringWidth(line)));
      }
    }
    List<List<String>> wrapped = new ArrayList<>();
    int lines = 1;
    for (int k = 0; k < images.size(); k++) {
      String c = captions == null || captions.get(k) == null ? "" : captions.get(k);
      List<String> w = wrap(c, fm, captionW);
      wrapped.add(w);
      lines = Math.max(lines, w.size());
    }
    pg.dispose();
    int cellW = PAD + iw + PAD + captionW + PAD + PAD;
    int cellH = PAD + Math.max(ih, lines * fm.getHeight()) + PAD;
    int cols = Math.min(columns, images.size());
    int rows = (images.size() + cols - 1) / cols;
    BufferedImage out = new BufferedImage(cols * cellW, rows * cellH, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = out.createGraphics();
    try {
      g.setRenderingHint(
          RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, out.getWidth(), out.getHeight());
      g.setFont(FONT);
      for (int k = 0; k < images.size(); k++) {
        int x0 = (k % cols) * cellW, y0 = (k / cols) * cellH;
        BufferedImage im = images.get(k);
        g.drawImage(im, x0 + PAD, y0 + PAD + (ih - im.getHeight()) / 2, null);
        g.setColor(new Color(0xcccccc));
        g.drawRect(
            x0 + PAD - 1,
            y0 + PAD - 1 + (ih - im.getHeight()) / 2,
            im.getWidth() + 1,
            im.getHeight() + 1);
        g.setColor(Color.BLACK);
        List<String> w = wrapped.get(k);
        int textH = w.size() * fm.getHeight();
        int ty = y0 + PAD + Math.max(0, (Math.max(ih, textH) - textH) / 2) + fm.getAscent();
        for (String line : w) {
          g.drawString(line, x0 + PAD + iw + PAD, ty);
          ty += fm.getHeight();
        }
      }
    } finally {
      g.dispose();
    }
    return out;
  }

  /** An HTML table of the images (inline PNG) with each caption beside its image. */
  public static String html(List<BufferedImage> images, List<String> captions, int columns) {
    if (captions != null && captions.size() != images.size()) {
      throw new JrnnException(images.size() + " images but " + captions.size() + " captions");
    }
    StringBuilder sb = new StringBuilder("<table style=\"border-collapse:collapse\">");
    for (int k = 0; k < images.size(); k++) {
      if (k % columns == 0) {
        sb.append(k == 0 ? "<tr>" : "</tr><tr>");
      }
      String c = captions == null || captions.get(k) == null ? "" : captions.get(k);
      sb.append("<td style=\"padding:6px\"><img src=\"data:image/png;base64,")
          .append(Base64.getEncoder().encodeToString(png(images.get(k))))
          .append("\"/></td><td style=\"padding:6px;text-align:left\">")
          .append(escape(c))
          .append("</td>");
    }
    return sb.append("</tr></table>").toString();
  }

  /** PNG bytes of an image. */
  public static byte[] png(BufferedImage img) {
    try {
      ByteArrayOutputStream bos = new ByteArrayOutputStream();
      ImageIO.write(img, "png", bos);
      return bos.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String escape(String s) {
    return s.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\"", "&quot;");
  }

  /** Greedy word wrap to {@code width} pixels; long words are cut. */
  static List<String> wrap(String text, FontMetrics fm, int width) {
    List<String> out = new ArrayList<>();
    for (String para : text.split("\n", -1)) {
      StringBuilder line = new StringBuilder();
      for (String word : para.split(" ")) {
        String cand = line.length() == 0 ? word : line + " " + word;
        if (fm.stringWidth(cand) <= width) {
          line.setLength(0);
          line.append(cand);
          continue;
        }
        if (line.length() > 0) {
          out.add(line.toString());
          line.setLength(0);
        }
        String w = word;
        while (fm.stringWidth(w) > width && w.length() > 1) {
          int n = w.length();
          while (n > 1 && fm.stringWidth(w.substring(0, n)) > width) {
            n--;
          }
          out.add(w.substring(0, n));
          w = w.substring(n);
        }
        line.append(w);
      }
      out.add(line.toString());
    }
    return out;
  }
}
