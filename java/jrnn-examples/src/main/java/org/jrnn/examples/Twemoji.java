/*
 * Twemoji: the captioning data set of npm emoji-datasource-twitter@16.0.0 (scripts/fetch-twemoji.sh):
 * 64x64 emoji images with their Unicode names as captions; skin-tone variants carry the base
 * emoji's name.
 */
package org.jrnn.examples;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jrnn.data.DataFormatException;
import org.jrnn.internal.Quote;
import org.jrnn.io.Json;

/** Reads {@code emoji.json} of the Twemoji data. */
public final class Twemoji {
  private Twemoji() {}

  /**
   * One image.
   *
   * @param image file name under {@code img/twitter/64}
   * @param caption the lower-cased Unicode name (a variant's is its base's)
   * @param category e.g. "Smileys &amp; Emotion"
   * @param base index of the base emoji in {@link #read}'s base list
   * @param variant whether this is a skin-tone variant
   */
  public record Entry(String image, String caption, String category, int base, boolean variant) {}

  /**
   * The base images and the variants.
   *
   * @param bases one per emoji, in file order
   * @param variants every skin-tone variant, grouped by base in file order
   * @param imageDir the folder of the 64x64 images
   */
  public record Data(List<Entry> bases, List<Entry> variants, Path imageDir) {
    /** The image file of an entry. */
    public Path file(Entry e) {
      return imageDir.resolve(e.image());
    }
  }

  /**
   * Reads {@code dir/emoji.json}; images are in {@code dir/img/twitter/64}.
   *
   * @throws IOException with a hint to run scripts/fetch-twemoji.sh when the data is missing
   */
  public static Data read(Path dir) throws IOException {
    Path json = dir.resolve("emoji.json");
    Path images = dir.resolve("img/twitter/64");
    if (!Files.isRegularFile(json) || !Files.isDirectory(images)) {
      throw new IOException(
          Quote.path(dir)
              + ": no emoji.json and img/twitter/64 (run scripts/fetch-twemoji.sh "
              + Quote.path(dir)
              + ")");
    }
    List<Json.Element> all;
    try {
      all = Json.parseArrayElements(Files.readString(json, StandardCharsets.UTF_8));
    } catch (Json.JsonException e) {
      throw new DataFormatException(json, 0, "not a JSON array of emoji: " + Quote.reason(e), e);
    }
    List<Entry> bases = new ArrayList<>();
    List<Entry> variants = new ArrayList<>();
    for (Json.Element el : all) {
      Json.Fields o = emoji(json, el.value(), bases.size());
      String caption = o.string("name").toLowerCase(Locale.ROOT);
      String category = o.string("category");
      int base = bases.size();
      bases.add(new Entry(o.string("image"), caption, category, base, false));
      if (o.get("skin_variations") instanceof Map<?, ?> sv) {
        for (Object v : sv.values()) {
          Json.Fields variant = emoji(json, v, base);
          variants.add(new Entry(variant.string("image"), caption, category, base, true));
        }
      }
    }
    return new Data(List.copyOf(bases), List.copyOf(variants), images);
  }

  @SuppressWarnings("unchecked")
  private static Json.Fields emoji(Path json, Object v, int index) {
    if (!(v instanceof Map)) {
      throw new DataFormatException(json, 0, "emoji " + index + " is not a JSON object");
    }
    return new Json.Fields((Map<String, Object>) v, Quote.path(json) + ": emoji " + index);
  }
}
