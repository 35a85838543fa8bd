// Loaders for the small real data sets committed under data/ (see data/README.md), read exactly as
// scripts/lib_torch_common.py reads them so that jrnn and PyTorch demos see the same examples.
package org.jrnn.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import org.jrnn.internal.Arguments;
import org.jrnn.internal.Quote;

/** The bundled UCI sentiment sentences, Moby-Dick and UCI digits. */
public final class BundledData {
  /** The sentiment files, in the order {@link #sentiment(Path)} concatenates them. */
  public static final List<String> SENTIMENT_FILES =
      List.of("imdb.json", "yelp.json", "amazon.json");

  private BundledData() {}

  /**
   * The {@code data/} folder: the system property {@code jrnn.data}, else the environment variable
   * {@code JRNN_DATA}, else the first {@code data/} holding {@code moby-dick.txt} in the working
   * directory or one of its parents.
   *
   * @throws IOException if none is found (the message says how to point at it)
   */
  public static Path findDataDir() throws IOException {
    String given = System.getProperty("jrnn.data", System.getenv("JRNN_DATA"));
    if (given != null && !given.isEmpty()) {
      Path p = Paths.get(given);
      if (!Files.isDirectory(p)) {
        throw new IOException(
            "jrnn data folder " + p + " (from jrnn.data / JRNN_DATA) does not exist");
      }
      return p;
    }
    for (Path dir = Paths.get("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path candidate = dir.resolve("data");
      if (Files.isRegularFile(candidate.resolve("moby-dick.txt"))) {
        return candidate;
      }
    }
    throw new IOException(
        "cannot find the jrnn data/ folder from "
            + Paths.get("").toAbsolutePath()
            + "; set -Djrnn.data=/path/to/jrnn/data or JRNN_DATA");
  }

  /** The 3,000 labelled sentences of imdb, yelp and amazon (in that order), labels "0" and "1". */
  public static List<LabelledExample> sentiment(Path dataDir) throws IOException {
    Arguments.notNull("dataDir", dataDir);
    List<LabelledExample> all = new ArrayList<>();
    for (String name : SENTIMENT_FILES) {
      all.addAll(LabelledTextReader.readJsonArray(dataDir.resolve("sentiment").resolve(name)));
    }
    return all;
  }

  /** The whole text of Moby-Dick ({@link TextFiles#readString(Path)}). */
  public static String mobyDick(Path dataDir) throws IOException {
    Arguments.notNull("dataDir", dataDir);
    return TextFiles.readString(dataDir.resolve("moby-dick.txt"));
  }

  /**
   * The 1,797 UCI digits of {@code digits.csv.gz}, in file order.
   *
   * @throws DataFormatException naming the line, for a row that is not 65 integers in range
   */
  public static List<DigitImage> digits(Path dataDir) throws IOException {
    Arguments.notNull("dataDir", dataDir);
    Path file = dataDir.resolve("digits.csv.gz");
    List<String> lines = TextFiles.readLines(file);
    List<DigitImage> out = new ArrayList<>(lines.size());
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty()) {
        continue;
      }
      String[] f = line.split(",");
      if (f.length != 65) {
        throw new DataFormatException(
            file, i + 1, "expected 65 values (64 pixels and the digit), found " + f.length);
      }
      float[] pixels = new float[64];
      int digit;
      try {
        for (int k = 0; k < 64; k++) {
          int v = (int) Double.parseDouble(f[k]);
          if (v < 0 || v > 16) {
            throw new DataFormatException(
                file, i + 1, "pixel " + k + " is " + Quote.cut(f[k]) + ", outside 0..16");
          }
          pixels[k] = v / 16f;
        }
        digit = (int) Double.parseDouble(f[64]);
      } catch (NumberFormatException e) {
        throw new DataFormatException(file, i + 1, "not a number: " + Quote.reason(e), e);
      }
      if (digit < 0 || digit > 9) {
        throw new DataFormatException(
            file, i + 1, "digit " + Quote.cut(f[64]) + " is outside 0..9");
      }
      out.add(new DigitImage(pixels, digit));
    }
    return out;
  }
}
