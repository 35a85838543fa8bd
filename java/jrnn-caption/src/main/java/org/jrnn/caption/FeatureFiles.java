/*
 * FeatureFiles: precomputed image feature vectors, one row per image, from safetensors, NPY or
 * CSV, with an optional name per row.
 */
package org.jrnn.caption;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jrnn.JrnnException;
import org.jrnn.internal.Quote;
import org.jrnn.io.Json;
import org.jrnn.io.SafetensorsException;
import org.jrnn.io.SafetensorsFile;
import org.jrnn.io.TensorInfo;

/**
 * Reads feature matrices {@code [N, F]}:
 *
 * <ul>
 *   <li>{@code .safetensors}: the tensor {@code "features"}, or the only tensor of rank 2 (any
 *       float or int dtype); names from the metadata key {@code "names"} (a JSON array of N
 *       strings) when present;
 *   <li>{@code .npy}: a C-order array of {@code <f4}, {@code <f8}, {@code >f4} or {@code >f8},
 *       shape {@code (N, F)} or {@code (F,)};
 *   <li>{@code .csv} (or anything else): one row per line, values separated by commas; a first
 *       field that is not a number is the row's name; a first line of names only is a header; blank
 *       lines and lines starting with {@code #} are skipped.
 * </ul>
 *
 * Rows without a name are named {@code "#i"} (0-based row index).
 */
public final class FeatureFiles {
  private FeatureFiles() {}

  /**
   * Feature rows and their names.
   *
   * @param names one per row
   * @param rows the vectors, all of the same length
   */
  public record Features(List<String> names, List<float[]> rows) {
    public Features {
      if (names.size() != rows.size()) {
        throw new JrnnException(names.size() + " names for " + rows.size() + " rows");
      }
    }

    /** F (0 without rows). */
    public int featureSize() {
      return rows.isEmpty() ? 0 : rows.get(0).length;
    }
  }

  /** Reads {@code file} by its extension; see the class comment. */
  public static Features read(Path file) throws IOException {
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    if (name.endsWith(".safetensors")) {
      return readSafetensors(file);
    }
    if (name.endsWith(".npy")) {
      return readNpy(file);
    }
    return readCsv(file);
  }

  private static List<String> defaultNames(int n) {
    List<String> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add("#" + i);
    }
    return out;
  }

  private static List<float[]> split(float[] flat, int n, int f) {
    List<float[]> rows = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      float[] r = new float[f];
      System.arraycopy(flat, i * f, r, 0, f);
      rows.add(r);
    }
    return rows;
  }

  /** See the class comment. */
  public static Features readSafetensors(Path file) throws IOException {
    try (SafetensorsFile st = SafetensorsFile.open(file)) {
      String key = null;
      if (st.contains("features")) {
        key = "features";
      } else {
        for (TensorInfo t : st.tensors()) {
          if (t.rank() == 2) {
            if (key != null) {
              throw new IOException(
                  Quote.path(file)
                      + ": several 2-D tensors ("
                      + Quote.quote(key)
                      + ", "
                      + Quote.quote(t.name())
                      + "); name the features tensor \"features\"");
            }
            key = t.name();
          }
        }
      }
      if (key == null) {
        throw new IOException(Quote.path(file) + ": no tensor \"features\" and no 2-D tensor");
      }
      TensorInfo info = st.info(key);
      if (info.rank() != 2) {
        throw new IOException(
            Quote.path(file)
                + ": tensor "
                + Quote.quote(key)
                + " must be [N, F] but is "
                + TensorInfo.shapeString(info.shape()));
      }
      if (info.dim(1) == 0 || info.dim(0) > Integer.MAX_VALUE || info.dim(1) > Integer.MAX_VALUE) {
        throw new IOException(
            Quote.path(file)
                + ": tensor "
                + Quote.quote(key)
                + " of shape "
                + TensorInfo.shapeString(info.shape())
                + (info.dim(1) == 0 ? " has no values per row" : " is too large"));
      }
      int n = (int) info.dim(0);
      int f = (int) info.dim(1);
      List<float[]> rows = split(st.floats(key), n, f);
      List<String> names = defaultNames(n);
      String meta = st.metadata().get("names");
      if (meta != null) {
        List<String> a;
        try {
          a = new Json.Fields(Map.of("names", Json.parse(meta)), "metadata").strings("names");
        } catch (JrnnException e) {
          throw new SafetensorsException(
              file, "metadata \"names\" is not a JSON array of strings", e);
        }
        if (a.size() != n) {
          throw new SafetensorsException(
              file, "metadata \"names\" has " + a.size() + " names for " + n + " rows");
        }
        names = a;
      }
      return new Features(names, rows);
    }
  }

  private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
  private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
  private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

  /** See the class comment. */
  public static Features readNpy(Path file) throws IOException {
    byte[] all = Files.readAllBytes(file);
    if (all.length < 10
        || (all[0] & 0xff) != 0x93
        || !new String(all, 1, 5, StandardCharsets.ISO_8859_1).equals("NUMPY")) {
      throw new IOException(Quote.path(file) + ": not an NPY file (bad magic)");
    }
    int major = all[6];
    ByteBuffer b = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
    int headerLen;
    int start;
    if (major == 1) {
      headerLen = b.getShort(8) & 0xffff;
      start = 10;
    } else if (major == 2 || major == 3) {
      headerLen = b.getInt(8);
      start = 12;
    } else {
      throw new IOException(Quote.path(file) + ": NPY version " + major + " is not supported");
    }
    if (headerLen < 0 || (long) start + headerLen > all.length) {
      throw new IOException(
          Quote.path(file)
              + ": NPY header of "
              + headerLen
              + " bytes does not fit in the file ("
              + all.length
              + " bytes)");
    }
    String header =
        new String(
            all,
            start,
            headerLen,
            major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
    Matcher d = DESCR.matcher(header);
    Matcher fo = FORTRAN.matcher(header);
    Matcher sh = SHAPE.matcher(header);
    if (!d.find() || !fo.find() || !sh.find()) {
      throw new IOException(
          Quote.path(file)
              + ": NPY header without descr/fortran_order/shape: "
              + Quote.quote(header.trim()));
    }
    if (fo.group(1).equals("True")) {
      throw new IOException(
          Quote.path(file)
              + ": Fortran-order NPY arrays are not supported (save with np.ascontiguousarray)");
    }
    String descr = d.group(1);
    ByteOrder order;
    int width;
    switch (descr) {
      case "<f4" -> {
        order = ByteOrder.LITTLE_ENDIAN;
        width = 4;
      }
      case ">f4" -> {
        order = ByteOrder.BIG_ENDIAN;
        width = 4;
      }
      case "<f8" -> {
        order = ByteOrder.LITTLE_ENDIAN;
        width = 8;
      }
      case ">f8" -> {
        order = ByteOrder.BIG_ENDIAN;
        width = 8;
      }
      default ->
          throw new IOException(
              Quote.path(file)
                  + ": NPY dtype "
                  + Quote.quote(descr)
                  + " is not supported (use float32 or float64)");
    }
    String shapeText = Quote.quote("(" + sh.group(1).trim() + ")");
    List<Long> dims = new ArrayList<>();
    for (String part : sh.group(1).split(",")) {
      if (part.isBlank()) {
        continue;
      }
      long size;
      try {
        size = Long.parseLong(part.trim());
      } catch (NumberFormatException e) {
        throw new IOException(
            Quote.path(file) + ": NPY shape " + shapeText + " holds a size that is not a number");
      }
      if (size < 0) {
        throw new IOException(
            Quote.path(file) + ": NPY shape " + shapeText + " holds a negative size");
      }
      dims.add(size);
    }
    long n;
    long f;
    if (dims.size() == 2) {
      n = dims.get(0);
      f = dims.get(1);
    } else if (dims.size() == 1) {
      n = 1;
      f = dims.get(0);
    } else {
      throw new IOException(
          Quote.path(file) + ": NPY shape " + shapeText + " must be (N, F) or (F,)");
    }
    long dataStart = (long) start + headerLen;
    long count;
    try {
      count = Math.multiplyExact(n, f);
      if (dataStart + Math.multiplyExact(count, width) > all.length) {
        throw new IOException(
            Quote.path(file) + ": NPY data is shorter than its shape " + shapeText);
      }
    } catch (ArithmeticException e) {
      throw new IOException(Quote.path(file) + ": NPY shape " + shapeText + " is too large");
    }
    if (f == 0 || n > Integer.MAX_VALUE || f > Integer.MAX_VALUE) {
      throw new IOException(
          Quote.path(file)
              + ": NPY shape "
              + shapeText
              + (f == 0 ? " has no values per row" : " is too large"));
    }
    ByteBuffer data =
        ByteBuffer.wrap(all, (int) dataStart, (int) (count * width)).slice().order(order);
    float[] flat = new float[(int) count];
    for (int i = 0; i < flat.length; i++) {
      flat[i] = width == 4 ? data.getFloat(i * 4) : (float) data.getDouble(i * 8);
    }
    return new Features(defaultNames((int) n), split(flat, (int) n, (int) f));
  }

  /** See the class comment. */
  public static Features readCsv(Path file) throws IOException {
    List<String> names = new ArrayList<>();
    List<float[]> rows = new ArrayList<>();
    int width = -1;
    int lineNo = 0;
    try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String line;
      while ((line = r.readLine()) != null) {
        lineNo++;
        String t = line.strip();
        if (t.isEmpty() || t.startsWith("#")) {
          continue;
        }
        String[] parts = t.split(",", -1);
        int first = 0;
        String name = null;
        if (!isNumber(parts[0])) {
          name = parts[0].strip();
          first = 1;
        }
        boolean allNumbers = true;
        for (int i = first; i < parts.length; i++) {
          allNumbers &= isNumber(parts[i]);
        }
        if (!allNumbers) {
          if (rows.isEmpty() && names.isEmpty()) {
            continue; // a header
          }
          throw new IOException(Quote.path(file) + ":" + lineNo + ": a value is not a number");
        }
        float[] v = new float[parts.length - first];
        for (int i = first; i < parts.length; i++) {
          v[i - first] = Float.parseFloat(parts[i].strip());
        }
        if (width < 0) {
          width = v.length;
        } else if (v.length != width) {
          throw new IOException(
              Quote.path(file)
                  + ":"
                  + lineNo
                  + ": "
                  + v.length
                  + " values but earlier rows have "
                  + width);
        }
        if (width == 0) {
          throw new IOException(Quote.path(file) + ":" + lineNo + ": no values");
        }
        names.add(name != null ? name : "#" + rows.size());
        rows.add(v);
      }
    }
    if (rows.isEmpty()) {
      throw new IOException(Quote.path(file) + ": no feature rows");
    }
    return new Features(names, rows);
  }

  private static boolean isNumber(String s) {
    String t = s.strip();
    if (t.isEmpty()) {
      return false;
    }
    try {
      Float.parseFloat(t);
      return true;
    } catch (NumberFormatException e) {
      return false;
    }
  }
}
