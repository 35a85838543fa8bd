/*
 * ConfigJson: writes a model's config as a flat JSON object and reads it back strictly (every key
 * present, no unknown keys, each value of its key's type); the model's builder then checks it.
 */
package org.jrnn.models;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.jrnn.JrnnException;
import org.jrnn.internal.Arguments;
import org.jrnn.internal.Quote;
import org.jrnn.io.Json;
import org.jrnn.nn.RecurrentInit;

/**
 * JSON of model configs: a flat object whose values are int, long, float, boolean, String, enums or
 * {@link RecurrentInit} (written as its id). Each config lists its keys in order ({@link #schema});
 * reading is strict (every key present, no unknown keys, each value of its key's type) and then
 * goes through the model's builder, whose checks name the bad setting. Used for the {@code
 * "jrnn.config"} metadata of model files.
 */
final class ConfigJson {
  private ConfigJson() {}

  /**
   * Alternating names and types, e.g. {@code schema("vocabSize", int.class, "cell", Cell.class)}.
   */
  static Map<String, Class<?>> schema(Object... namesAndTypes) {
    Map<String, Class<?>> out = new LinkedHashMap<>();
    for (int i = 0; i < namesAndTypes.length; i += 2) {
      out.put((String) namesAndTypes[i], (Class<?>) namesAndTypes[i + 1]);
    }
    return Collections.unmodifiableMap(out);
  }

  /** Alternating names and values, in the schema's order. */
  static Map<String, Object> values(Object... namesAndValues) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      out.put((String) namesAndValues[i], namesAndValues[i + 1]);
    }
    return out;
  }

  /** The values as a JSON object (enums by name, {@link RecurrentInit} by id). */
  static String write(Map<String, Object> values) {
    Map<String, Object> out = new LinkedHashMap<>();
    values.forEach(
        (k, v) -> {
          if (v instanceof RecurrentInit init) { // an enum written by id, not by name
            v = init.id();
          } else if (v instanceof Enum<?> e) {
            v = e.name();
          }
          out.put(k, v);
        });
    return Json.write(out);
  }

  /** "Config[vocabSize=7, cell=GRU, ...]", what a record's toString would say. */
  static String describe(Map<String, Object> values) {
    StringBuilder b = new StringBuilder("Config[");
    values.forEach((k, v) -> b.append(b.length() > 7 ? ", " : "").append(k).append('=').append(v));
    return b.append(']').toString();
  }

  /**
   * The values of {@code json}, typed as {@code schema} says (int as Integer, ...).
   *
   * @param what the config's name in messages, e.g. "SequenceClassifier config"
   * @throws JrnnException naming the key that is missing, unknown or of the wrong type
   */
  static Map<String, Object> read(String what, Map<String, Class<?>> schema, String json) {
    Map<String, Object> in;
    try {
      in = Json.parseObject(Arguments.notNull(what, json));
    } catch (RuntimeException e) {
      throw new JrnnException(what + " is not a JSON object: " + Quote.reason(e), e);
    }
    Map<String, Object> out = new LinkedHashMap<>();
    for (Map.Entry<String, Class<?>> key : schema.entrySet()) {
      if (!in.containsKey(key.getKey())) {
        throw new JrnnException(what + " has no \"" + key.getKey() + "\"");
      }
      out.put(key.getKey(), convert(what, key.getKey(), in.get(key.getKey()), key.getValue()));
    }
    for (String key : in.keySet()) {
      if (!schema.containsKey(key)) {
        throw new JrnnException(
            what
                + " has an unknown key "
                + Quote.doubleQuote(key)
                + " (known: "
                + new ArrayList<>(schema.keySet())
                + ")");
      }
    }
    return out;
  }

  /** {@code build.get()}, with a builder's complaint prefixed by {@code what}. */
  static <C> C build(String what, Supplier<C> build) {
    try {
      return build.get();
    } catch (JrnnException e) {
      throw new JrnnException(what + ": " + Quote.reason(e), e);
    }
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static Object convert(String what, String key, Object v, Class<?> type) {
    String bad = what + ": \"" + key + "\" must be ";
    if (type == int.class || type == long.class) {
      if (!(v instanceof Long l)) {
        throw new JrnnException(bad + "an integer but is " + Quote.cut(Json.write(v)));
      }
      if (type == int.class) {
        if (l < Integer.MIN_VALUE || l > Integer.MAX_VALUE) {
          throw new JrnnException(bad + "an int but is " + l);
        }
        return l.intValue();
      }
      return l;
    }
    if (type == float.class) {
      if (!(v instanceof Number n)) {
        throw new JrnnException(bad + "a number but is " + Quote.cut(Json.write(v)));
      }
      return n.floatValue();
    }
    if (type == boolean.class) {
      if (!(v instanceof Boolean)) {
        throw new JrnnException(bad + "true or false but is " + Quote.cut(Json.write(v)));
      }
      return v;
    }
    if (!(v instanceof String s)) {
      throw new JrnnException(bad + "a string but is " + Quote.cut(Json.write(v)));
    }
    if (type == String.class) {
      return s;
    }
    if (type == RecurrentInit.class) {
      try {
        return RecurrentInit.parse(s);
      } catch (IllegalArgumentException | JrnnException e) {
        throw new JrnnException(what + ": \"" + key + "\": " + Quote.reason(e), e);
      }
    }
    if (type.isEnum()) {
      try {
        return Enum.valueOf((Class<Enum>) type, s);
      } catch (IllegalArgumentException | JrnnException e) {
        throw new JrnnException(
            bad
                + "one of "
                + java.util.Arrays.toString(type.getEnumConstants())
                + " but is "
                + Quote.doubleQuote(s),
            e);
      }
    }
    throw new JrnnException(
        JrnnException.Status.INTERNAL, "config component type " + type + " is not supported");
  }
}
