// Fixtures: finds the PyTorch fixtures (java/jrnn-core/src/test/resources/fixtures, made by
// scripts/make_fixtures.py) on the test class path, and compares arrays by relative error of norms.
package org.jrnn.interop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jrnn.io.Json;

/** The committed PyTorch fixtures. */
public final class Fixtures {
  /** The agreed tolerance: relative error of norms, |a - e| / |e|. Do not widen it to pass. */
  public static final double TOLERANCE = 1e-5;

  private static Path root;

  private Fixtures() {}

  /** The fixtures folder (a class-path resource folder, copied out of a jar if need be). */
  public static synchronized Path root() {
    if (root != null) {
      return root;
    }
    URL url = Fixtures.class.getResource("/fixtures/index.json");
    if (url == null) {
      throw new IllegalStateException("fixtures/index.json is not on the test class path");
    }
    try {
      if (url.getProtocol().equals("file")) {
        root = Path.of(url.toURI()).getParent();
      } else {
        Path tmp = Files.createTempDirectory("jrnn-fixtures");
        tmp.toFile().deleteOnExit();
        for (String c : readCases(url)) {
          Files.createDirectories(tmp.resolve(c));
          for (String f :
              List.of(
                  "config.json", "state.safetensors", "in.safetensors", "expected.safetensors")) {
            try (InputStream in = Fixtures.class.getResourceAsStream("/fixtures/" + c + "/" + f)) {
              Files.copy(in, tmp.resolve(c).resolve(f));
            }
          }
        }
        try (InputStream in = index(url)) {
          Files.copy(in, tmp.resolve("index.json"));
        }
        root = tmp;
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
    return root;
  }

  private static InputStream index(URL url) throws IOException {
    return url.openStream();
  }

  private static List<String> readCases(URL index) throws IOException {
    try (InputStream in = index.openStream()) {
      Map<String, Object> m =
          Json.parseObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
      List<String> out = new ArrayList<>();
      for (Object o : (List<?>) m.get("cases")) {
        out.add((String) o);
      }
      return out;
    }
  }

  /** The case names from index.json. */
  public static List<String> cases() {
    try {
      return readCases(root().resolve("index.json").toUri().toURL());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The folder of one case (config.json, state/in/expected.safetensors). */
  public static Path dir(String name) {
    return root().resolve(name);
  }

  /** |actual - expected| / |expected| over all elements (absolute error when |expected| is 0). */
  public static double relativeError(float[] expected, float[] actual) {
    double num = 0;
    double den = 0;
    for (int i = 0; i < expected.length; i++) {
      double d = (double) actual[i] - expected[i];
      num += d * d;
      den += (double) expected[i] * expected[i];
    }
    return den == 0 ? Math.sqrt(num) : Math.sqrt(num / den);
  }

  /** Asserts equal shapes and a relative error below {@link #TOLERANCE}. */
  public static void assertClose(
      String what, long[] expectedShape, float[] expected, long[] actualShape, float[] actual) {
    assertArrayEquals(expectedShape, actualShape, what + ": shape");
    double err = relativeError(expected, actual);
    assertTrue(
        err < TOLERANCE, String.format("%s: relative error %.3g >= %.0e", what, err, TOLERANCE));
  }
}
