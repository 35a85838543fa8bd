/*
 * CaptionData: captions files (TSV image<TAB>caption, or JSON lines {"image": ..., "caption": ...})
 * and image lists for training and captioning.
 */
package org.jrnn.caption;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.jrnn.data.DataFormatException;
import org.jrnn.internal.Arguments;
import org.jrnn.internal.Quote;
import org.jrnn.io.Json;

/** Readers of captioning data. */
public final class CaptionData {
  /** File name endings taken as images when a folder is listed. */
  public static final Set<String> IMAGE_EXTENSIONS =
      Set.of("png", "jpg", "jpeg", "gif", "bmp", "wbmp");

  private CaptionData() {}

  /**
   * One captioned image.
   *
   * @param image the image path as written in the captions file (relative to the image folder)
   * @param caption the caption text
   */
  public record Example(String image, String caption) {}

  /**
   * Reads a captions file: JSON lines ({@code .jsonl}/{@code .json}: one object per line with
   * {@code "image"} and {@code "caption"}) or TSV ({@code image<TAB>caption} per line). Blank lines
   * and lines starting with {@code #} are skipped; an image may have several lines (captions).
   *
   * @throws DataFormatException naming the file and line of a malformed line, or a file without
   *     captions
   * @throws IOException if the file cannot be read
   */
  public static List<Example> readCaptions(Path file) throws IOException {
    Path fileName = Arguments.notNull("file", file).getFileName();
    String name = fileName == null ? "" : fileName.toString().toLowerCase(Locale.ROOT);
    boolean json = name.endsWith(".jsonl") || name.endsWith(".json");
    List<Example> out = new ArrayList<>();
    try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String line;
      int n = 0;
      while ((line = r.readLine()) != null) {
        n++;
        String t = line.strip();
        if (t.isEmpty() || (!json && t.startsWith("#"))) {
          continue;
        }
        if (json) {
          Object o;
          try {
            o = Json.parse(t);
          } catch (Json.JsonException e) {
            throw new DataFormatException(
                file, n, "not a JSON object (" + Quote.reason(e) + ")", e);
          }
          if (!(o instanceof Map<?, ?> m)) {
            throw new DataFormatException(
                file, n, "not a JSON object (found " + Json.typeName(o) + ")");
          }
          Object img = m.get("image");
          Object cap = m.get("caption");
          if (!isPlain(img) || !isPlain(cap)) {
            throw new DataFormatException(file, n, "needs string fields \"image\" and \"caption\"");
          }
          out.add(new Example(String.valueOf(img), String.valueOf(cap)));
        } else {
          int tab = line.indexOf('\t');
          if (tab <= 0) {
            throw new DataFormatException(file, n, "expected image<TAB>caption");
          }
          out.add(new Example(line.substring(0, tab).strip(), line.substring(tab + 1).strip()));
        }
      }
    }
    if (out.isEmpty()) {
      throw new DataFormatException(file, 0, "no captions");
    }
    return out;
  }

  /** A JSON string, number or boolean (what a caption line may hold in "image" and "caption"). */
  private static boolean isPlain(Object v) {
    return v instanceof String || v instanceof Number || v instanceof Boolean;
  }

  /**
   * The image files of a folder (by extension, any case), sorted by path; recurses into
   * sub-folders.
   */
  public static List<Path> listImages(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      throw new IOException(Quote.path(dir) + ": not a folder");
    }
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile).filter(CaptionData::isImageName).sorted().toList();
    }
  }

  /** Whether the file name ends with an image extension. */
  public static boolean isImageName(Path p) {
    String n = p.getFileName().toString();
    int dot = n.lastIndexOf('.');
    return dot > 0 && IMAGE_EXTENSIONS.contains(n.substring(dot + 1).toLowerCase(Locale.ROOT));
  }

  /**
   * Reads a list file: one image path per line (blank lines and {@code #} lines skipped); relative
   * paths are taken relative to the list file's folder.
   *
   * @throws IOException naming the file and line of a line that is not a path on this system (a NUL
   *     character, for one)
   */
  public static List<Path> readList(Path file) throws IOException {
    List<Path> out = new ArrayList<>();
    Path base = file.toAbsolutePath().getParent();
    int n = 0;
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      n++;
      String t = line.strip();
      if (t.isEmpty() || t.startsWith("#")) {
        continue;
      }
      Path p;
      try {
        p = Path.of(t);
      } catch (InvalidPathException e) {
        String why = Quote.cut(e.getReason());
        throw new IOException(
            Quote.path(file) + ":" + n + ": not a valid path " + Quote.quote(t) + " (" + why + ")",
            e);
      }
      out.add(p.isAbsolute() || base == null ? p : base.resolve(p));
    }
    return out;
  }
}
