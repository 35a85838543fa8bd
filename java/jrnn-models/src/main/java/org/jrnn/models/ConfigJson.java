/*
 * ConfigJson: writes a model's config record as a flat JSON object and reads it back strictly
 * (every component present, no unknown keys, each value of its component's type).
 */
package org.jrnn.models;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jrnn.JrnnException;
import org.jrnn.internal.Quote;
import org.jrnn.io.Json;
import org.jrnn.nn.RecurrentInit;

/**
 * JSON of config records whose components are int, long, float, boolean, String, enums or {@link
 * RecurrentInit} (written as its id). Used for the {@code "jrnn.config"} metadata of model files.
 */
final class ConfigJson {
  private ConfigJson() {}

  static String write(Record config) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (RecordComponent c : config.getClass().getRecordComponents()) {
      Object v;
      try {
        v = c.getAccessor().invoke(config);
      } catch (IllegalAccessException | InvocationTargetException e) {
        throw new JrnnException(JrnnException.Status.INTERNAL, "cannot read config component " + c.getName(), e);
      }
      if (v instanceof Enum<?> e) {
        v = e.name();
      } else if (v instanceof RecurrentInit init) {
        v = init.id();
      }
      out.put(c.getName(), v);
    }
    return Json.write(out);
  }

  /**
   * Reads a config of type {@code type}.
   *
   * @throws JrnnException naming the key that is missing, unknown or of the wrong type
   */
  static <R extends Record> R read(Class<R> type, String json) {
    String what = type.getEnclosingClass().getSimpleName() + " config";
    Map<String, Object> in;
    try {
      in = Json.parseObject(json);
    } catch (RuntimeException e) {
      throw new JrnnException(what + " is not a JSON object: " + Quote.reason(e), e);
    }
    RecordComponent[] comps = type.getRecordComponents();
    List<String> names = new ArrayList<>();
    Object[] args = new Object[comps.length];
    Class<?>[] types = new Class<?>[comps.length];
    for (int i = 0; i < comps.length; i++) {
      String key = comps[i].getName();
      names.add(key);
      types[i] = comps[i].getType();
      if (!in.containsKey(key)) {
        throw new JrnnException(what + " has no \"" + key + "\"");
      }
      args[i] = convert(what, key, in.get(key), types[i]);
    }
    for (String key : in.keySet()) {
      if (!names.contains(key)) {
        throw new JrnnException(
            what + " has an unknown key " + Quote.doubleQuote(key) + " (known: " + names + ")");
      }
    }
    try {
      Constructor<R> ctor = type.getDeclaredConstructor(types);
      return ctor.newInstance(args);
    } catch (InvocationTargetException e) {
      Throwable cause = e.getCause();
      throw new JrnnException(what + ": " + Quote.reason(cause), cause);
    } catch (ReflectiveOperationException e) {
      throw new JrnnException(JrnnException.Status.INTERNAL, "cannot build " + what, e);
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
        throw new JrnnException(bad + "one of " + java.util.Arrays.toString(type.getEnumConstants())
            + " but is " + Quote.doubleQuote(s), e);
      }
    }
    throw new JrnnException(
        JrnnException.Status.INTERNAL, "config component type " + type + " is not supported");
  }
}
