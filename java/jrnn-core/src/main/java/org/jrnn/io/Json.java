// Json: a small strict JSON reader and writer for safetensors headers and jrnn config files.
// Strict on purpose (no comments, no trailing commas, no duplicate keys, bounded nesting), because
// the input may be hostile; numbers that are integers stay exact (long, or BigInteger beyond it).
package org.jrnn.io;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.jrnn.JrnnException;
import org.jrnn.internal.Quote;

/**
 * Strict JSON (RFC 8259). Values map to: object {@code LinkedHashMap<String,Object>} (key order
 * kept), array {@code List<Object>}, string {@code String}, integer {@code Long} (or {@code
 * BigInteger} when it does not fit), other numbers {@code Double}, {@code Boolean}, and {@link
 * #NULL} for null.
 *
 * <p>Reading a file's object field by field goes through {@link Fields}, whose typed getters name
 * the missing or wrong-typed key. Writing keeps the key order of ordered maps ({@code
 * LinkedHashMap}, {@code SortedMap}) and sorts the keys of other maps, so the same value always
 * gives the same text. Integers are written without a fraction, {@code Float} and {@code Double}
 * with the shortest digits that read back to the same value (a whole number as {@code 3.0}).
 */
public final class Json {
  /** The JSON null value. */
  public static final Object NULL =
      new Object() {
        @Override
        public String toString() {
          return "null";
        }
      };

  /** Nesting deeper than this is rejected (a hostile header cannot overflow the stack). */
  public static final int MAX_DEPTH = 64;

  /**
   * Malformed JSON, or a field of the wrong type or missing; the message says what and, for
   * malformed text, where (character offset, also {@link #position()}).
   */
  public static final class JsonException extends JrnnException {
    private static final long serialVersionUID = 1L;

    private final int position;

    JsonException(String message) {
      this(message, -1);
    }

    JsonException(String message, int position) {
      super(message);
      this.position = position;
    }

    /**
     * The 0-based character offset of the error in the parsed text, or -1 when not a syntax error.
     */
    public int position() {
      return position;
    }
  }

  /** One element of a top-level array and the character offset where it starts. */
  public record Element(Object value, int position) {}

  private final String s;
  private int pos;

  private Json(String s) {
    this.s = s;
  }

  /** Parses one JSON value; only whitespace may follow it. */
  public static Object parse(String text) {
    Json p = new Json(text);
    p.skipWs();
    Object v = p.value(0);
    p.skipWs();
    if (p.pos != text.length()) {
      throw p.error("unexpected '" + printable(text.charAt(p.pos)) + "' after the JSON value");
    }
    return v;
  }

  /** Parses a JSON object (anything else is an error). */
  @SuppressWarnings("unchecked")
  public static Map<String, Object> parseObject(String text) {
    Object v = parse(text);
    if (!(v instanceof Map)) {
      throw new JsonException("expected a JSON object, found " + typeName(v));
    }
    return (Map<String, Object>) v;
  }

  /**
   * Parses a JSON array element by element, keeping where each starts (so a reader can name the
   * line of a bad record, see {@link #lineAt}).
   *
   * @throws JsonException for malformed text or a value that is not an array (position at its
   *     start)
   */
  public static List<Element> parseArrayElements(String text) {
    Json p = new Json(text);
    p.skipWs();
    if (p.pos >= text.length() || text.charAt(p.pos) != '[') {
      int at = p.pos;
      String found = at >= text.length() ? "nothing" : typeName(p.value(0));
      throw new JsonException("expected a JSON array, found " + found + " at character " + at, at);
    }
    p.pos++;
    List<Element> out = new ArrayList<>();
    p.skipWs();
    if (p.pos < text.length() && text.charAt(p.pos) == ']') {
      p.pos++;
    } else {
      while (true) {
        p.skipWs();
        int start = p.pos;
        out.add(new Element(p.value(1), start));
        p.skipWs();
        if (p.pos >= text.length()) {
          throw p.error("unexpected end of JSON in an array");
        }
        char c = text.charAt(p.pos++);
        if (c == ']') {
          break;
        }
        if (c != ',') {
          p.pos--;
          throw p.error("expected ',' or ']'");
        }
      }
    }
    p.skipWs();
    if (p.pos != text.length()) {
      throw p.error("unexpected '" + printable(text.charAt(p.pos)) + "' after the JSON value");
    }
    return out;
  }

  /** The 1-based line of character {@code position} in {@code text} (lines end at '\n'). */
  public static long lineAt(String text, int position) {
    long line = 1;
    int end = Math.min(Math.max(position, 0), text.length());
    for (int i = 0; i < end; i++) {
      if (text.charAt(i) == '\n') {
        line++;
      }
    }
    return line;
  }

  /**
   * Parses a JSON object for reading with typed getters; {@code what} names it in messages (e.g.
   * {@code "saved char tokenizer"}).
   *
   * @throws JsonException for malformed text or a value that is not an object
   */
  public static Fields parseFields(String text, String what) {
    return new Fields(parseObject(text), what);
  }

  /** A short type name for messages: object, array, string, integer, number, boolean, null. */
  public static String typeName(Object v) {
    if (v instanceof Map) {
      return "object";
    } else if (v instanceof List) {
      return "array";
    } else if (v instanceof String) {
      return "string";
    } else if (v instanceof Long || v instanceof BigInteger) {
      return "integer";
    } else if (v instanceof Double) {
      return "number";
    } else if (v instanceof Boolean) {
      return "boolean";
    } else if (v == NULL) {
      return "null";
    }
    return String.valueOf(v);
  }

  private JsonException error(String message) {
    return new JsonException(message + " at character " + pos, pos);
  }

  private static String printable(char c) {
    return c < 0x20 || c > 0x7e ? String.format("\\u%04x", (int) c) : String.valueOf(c);
  }

  private void skipWs() {
    while (pos < s.length()) {
      char c = s.charAt(pos);
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
        pos++;
      } else {
        break;
      }
    }
  }

  private Object value(int depth) {
    if (pos >= s.length()) {
      throw error("unexpected end of JSON");
    }
    char c = s.charAt(pos);
    switch (c) {
      case '{':
        return object(depth + 1);
      case '[':
        return array(depth + 1);
      case '"':
        return string();
      case 't':
        literal("true");
        return Boolean.TRUE;
      case 'f':
        literal("false");
        return Boolean.FALSE;
      case 'n':
        literal("null");
        return NULL;
      default:
        if (c == '-' || (c >= '0' && c <= '9')) {
          return number();
        }
        throw error("unexpected '" + printable(c) + "'");
    }
  }

  private void literal(String word) {
    if (!s.startsWith(word, pos)) {
      throw error("invalid literal");
    }
    pos += word.length();
  }

  private Map<String, Object> object(int depth) {
    if (depth > MAX_DEPTH) {
      throw error("JSON nested deeper than " + MAX_DEPTH);
    }
    pos++; // '{'
    Map<String, Object> map = new LinkedHashMap<>();
    skipWs();
    if (pos < s.length() && s.charAt(pos) == '}') {
      pos++;
      return map;
    }
    while (true) {
      skipWs();
      if (pos >= s.length() || s.charAt(pos) != '"') {
        throw error("expected a string key");
      }
      int keyPos = pos;
      String key = string();
      skipWs();
      expect(':');
      skipWs();
      Object v = value(depth);
      if (map.containsKey(key)) {
        pos = keyPos;
        throw error("duplicate key " + Quote.doubleQuote(key));
      }
      map.put(key, v);
      skipWs();
      if (pos >= s.length()) {
        throw error("unexpected end of JSON in an object");
      }
      char c = s.charAt(pos++);
      if (c == '}') {
        return map;
      }
      if (c != ',') {
        pos--;
        throw error("expected ',' or '}'");
      }
    }
  }

  private List<Object> array(int depth) {
    if (depth > MAX_DEPTH) {
      throw error("JSON nested deeper than " + MAX_DEPTH);
    }
    pos++; // '['
    List<Object> list = new ArrayList<>();
    skipWs();
    if (pos < s.length() && s.charAt(pos) == ']') {
      pos++;
      return list;
    }
    while (true) {
      skipWs();
      list.add(value(depth));
      skipWs();
      if (pos >= s.length()) {
        throw error("unexpected end of JSON in an array");
      }
      char c = s.charAt(pos++);
      if (c == ']') {
        return list;
      }
      if (c != ',') {
        pos--;
        throw error("expected ',' or ']'");
      }
    }
  }

  private void expect(char c) {
    if (pos >= s.length() || s.charAt(pos) != c) {
      throw error("expected '" + c + "'");
    }
    pos++;
  }

  private String string() {
    pos++; // opening quote
    StringBuilder b = null;
    int start = pos;
    while (true) {
      if (pos >= s.length()) {
        throw error("unterminated string");
      }
      char c = s.charAt(pos);
      if (c == '"') {
        String out = b == null ? s.substring(start, pos) : b.append(s, start, pos).toString();
        pos++;
        return out;
      }
      if (c < 0x20) {
        throw error("control character in a string");
      }
      if (c == '\\') {
        if (b == null) {
          b = new StringBuilder();
        }
        b.append(s, start, pos);
        pos++;
        if (pos >= s.length()) {
          throw error("unterminated string");
        }
        char e = s.charAt(pos++);
        switch (e) {
          case '"':
            b.append('"');
            break;
          case '\\':
            b.append('\\');
            break;
          case '/':
            b.append('/');
            break;
          case 'b':
            b.append('\b');
            break;
          case 'f':
            b.append('\f');
            break;
          case 'n':
            b.append('\n');
            break;
          case 'r':
            b.append('\r');
            break;
          case 't':
            b.append('\t');
            break;
          case 'u':
            if (pos + 4 > s.length()) {
              throw error("bad \\u escape");
            }
            int cp = 0;
            for (int i = 0; i < 4; i++) {
              int d = Character.digit(s.charAt(pos + i), 16);
              if (d < 0) {
                throw error("bad \\u escape");
              }
              cp = cp * 16 + d;
            }
            pos += 4;
            b.append((char) cp);
            break;
          default:
            pos--;
            throw error("bad escape '\\" + printable(e) + "'");
        }
        start = pos;
      } else {
        pos++;
      }
    }
  }

  private Object number() {
    int start = pos;
    if (s.charAt(pos) == '-') {
      pos++;
    }
    if (pos >= s.length()) {
      throw error("bad number");
    }
    if (s.charAt(pos) == '0') {
      pos++;
    } else if (s.charAt(pos) >= '1' && s.charAt(pos) <= '9') {
      while (pos < s.length() && s.charAt(pos) >= '0' && s.charAt(pos) <= '9') {
        pos++;
      }
    } else {
      throw error("bad number");
    }
    boolean integral = true;
    if (pos < s.length() && s.charAt(pos) == '.') {
      integral = false;
      pos++;
      int digits = pos;
      while (pos < s.length() && s.charAt(pos) >= '0' && s.charAt(pos) <= '9') {
        pos++;
      }
      if (pos == digits) {
        throw error("bad number");
      }
    }
    if (pos < s.length() && (s.charAt(pos) == 'e' || s.charAt(pos) == 'E')) {
      integral = false;
      pos++;
      if (pos < s.length() && (s.charAt(pos) == '+' || s.charAt(pos) == '-')) {
        pos++;
      }
      int digits = pos;
      while (pos < s.length() && s.charAt(pos) >= '0' && s.charAt(pos) <= '9') {
        pos++;
      }
      if (pos == digits) {
        throw error("bad number");
      }
    }
    String text = s.substring(start, pos);
    if (integral) {
      if (text.length() <= 18) {
        return Long.parseLong(text);
      }
      BigInteger big = new BigInteger(text);
      return big.bitLength() < 64 ? (Object) big.longValue() : big;
    }
    if (text.length() > 400) {
      throw error("number too long");
    }
    double d = new BigDecimal(text).doubleValue();
    // BigDecimal has no negative zero: "-0.0" (or a negative number too small for a double) keeps
    // its sign
    return d == 0 && text.charAt(0) == '-' ? -0.0 : d;
  }

  // ---------------------------------------------------------------- writing

  /**
   * Compact JSON text of a value made of the types listed above (also {@code Integer}, {@code
   * Float}, {@code int[]}, {@code long[]}, and Java {@code null} for JSON null).
   *
   * @throws JrnnException for NaN, an infinity, or a value of another type
   */
  public static String write(Object value) {
    StringBuilder b = new StringBuilder();
    write(b, value, -1, 0, false);
    return b.toString();
  }

  /**
   * Indented JSON text for files people read: one key per line, two spaces; arrays of plain values
   * stay on one line, arrays holding objects or arrays put one element per line.
   *
   * @throws JrnnException as {@link #write}
   */
  public static String writePretty(Object value) {
    StringBuilder b = new StringBuilder();
    write(b, value, 2, 0, false);
    return b.toString();
  }

  /**
   * As {@link #write}, but NaN and the infinities are written as the bare words {@code NaN}, {@code
   * Infinity} and {@code -Infinity}: not JSON, but what Python's {@code json} module and pandas
   * read. For logs of metrics that may diverge; {@link #parse} rejects them.
   */
  public static String writeAllowingNonFinite(Object value) {
    StringBuilder b = new StringBuilder();
    write(b, value, -1, 0, true);
    return b.toString();
  }

  private static void newline(StringBuilder b, int indent, int level) {
    if (indent >= 0) {
      b.append('\n');
      for (int i = 0; i < indent * level; i++) {
        b.append(' ');
      }
    }
  }

  private static void write(StringBuilder b, Object v, int indent, int level, boolean nonFinite) {
    if (v == null || v == NULL) {
      b.append("null");
    } else if (v instanceof String) {
      quote(b, (String) v);
    } else if (v instanceof Boolean
        || v instanceof Long
        || v instanceof Integer
        || v instanceof BigInteger
        || v instanceof Short
        || v instanceof Byte) {
      b.append(v);
    } else if (v instanceof Double || v instanceof Float) {
      double d = ((Number) v).doubleValue();
      if (!Double.isFinite(d)) {
        if (!nonFinite) {
          throw new JrnnException("JSON has no " + d);
        }
        b.append(Double.isNaN(d) ? "NaN" : d > 0 ? "Infinity" : "-Infinity");
      } else if (d == Math.rint(d) && Math.abs(d) < 1e15) {
        b.append(d == 0 && 1 / d < 0 ? "-0" : Long.toString((long) d)).append(".0");
      } else {
        // Float.toString: the shortest digits that parse back (as a float) to the same float
        b.append(v instanceof Float ? Float.toString((Float) v) : Double.toString(d));
      }
    } else if (v instanceof Map) {
      Map<?, ?> m = (Map<?, ?>) v;
      if (!(m instanceof LinkedHashMap) && !(m instanceof SortedMap)) {
        // HashMap, Map.of: no defined order, so sort for the same text on every run
        Map<String, Object> sorted = new TreeMap<>();
        m.forEach((k, x) -> sorted.put(String.valueOf(k), x));
        m = sorted;
      }
      b.append('{');
      boolean first = true;
      for (Map.Entry<?, ?> e : m.entrySet()) {
        if (!first) {
          b.append(',');
        }
        first = false;
        newline(b, indent, level + 1);
        quote(b, String.valueOf(e.getKey()));
        b.append(indent >= 0 ? ": " : ":");
        write(b, e.getValue(), indent, level + 1, nonFinite);
      }
      if (!m.isEmpty()) {
        newline(b, indent, level);
      }
      b.append('}');
    } else if (v instanceof List) {
      List<?> list = (List<?>) v;
      boolean nested = false;
      for (Object o : list) {
        nested |= o instanceof Map || o instanceof List;
      }
      boolean lines = indent >= 0 && nested;
      b.append('[');
      boolean first = true;
      for (Object o : list) {
        if (!first) {
          b.append(indent >= 0 && !lines ? ", " : ",");
        }
        first = false;
        if (lines) {
          newline(b, indent, level + 1);
        }
        write(b, o, indent, lines ? level + 1 : level, nonFinite);
      }
      if (lines && !list.isEmpty()) {
        newline(b, indent, level);
      }
      b.append(']');
    } else if (v instanceof long[]) {
      List<Object> l = new ArrayList<>();
      for (long x : (long[]) v) {
        l.add(x);
      }
      write(b, l, indent, level, nonFinite);
    } else if (v instanceof int[]) {
      List<Object> l = new ArrayList<>();
      for (int x : (int[]) v) {
        l.add(x);
      }
      write(b, l, indent, level, nonFinite);
    } else if (v instanceof float[]) {
      List<Object> l = new ArrayList<>();
      for (float x : (float[]) v) {
        l.add(x);
      }
      write(b, l, indent, level, nonFinite);
    } else if (v instanceof double[]) {
      List<Object> l = new ArrayList<>();
      for (double x : (double[]) v) {
        l.add(x);
      }
      write(b, l, indent, level, nonFinite);
    } else if (v instanceof Fields f) {
      write(b, f.map, indent, level, nonFinite);
    } else {
      throw new JrnnException("cannot write a " + v.getClass().getSimpleName() + " as JSON");
    }
  }

  /** Appends {@code str} as a JSON string literal. */
  public static void quote(StringBuilder b, String str) {
    b.append('"');
    for (int i = 0; i < str.length(); i++) {
      char c = str.charAt(i);
      switch (c) {
        case '"':
          b.append("\\\"");
          break;
        case '\\':
          b.append("\\\\");
          break;
        case '\n':
          b.append("\\n");
          break;
        case '\r':
          b.append("\\r");
          break;
        case '\t':
          b.append("\\t");
          break;
        default:
          if (c < 0x20) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
      }
    }
    b.append('"');
  }

  // ---------------------------------------------------------------- typed reading

  /**
   * A parsed JSON object read field by field. Every getter throws a {@link JsonException} whose
   * message names the object ({@code what}), the key and what was wrong, e.g. {@code saved char
   * tokenizer has no "vocab"} or {@code model config: "hidden" must be an integer but is "12"}.
   * Values from the file are quoted short ({@link Quote}).
   */
  public static final class Fields {
    private final Map<String, Object> map;
    private final String what;

    /**
     * Wraps an object parsed by {@link #parseObject} (or built by hand).
     *
     * @param what names the object in messages
     */
    public Fields(Map<String, Object> map, String what) {
      if (map == null) {
        throw new JrnnException("map is null");
      }
      this.map = map;
      this.what = what == null ? "JSON object" : what;
    }

    /** The object's name in messages. */
    public String what() {
      return what;
    }

    /** The underlying map (not a copy). */
    public Map<String, Object> map() {
      return map;
    }

    /** Whether {@code key} is present with a value other than null. */
    public boolean has(String key) {
      Object v = map.get(key);
      return v != null && v != NULL;
    }

    /** The raw value of {@code key} (see the class comment of {@link Json}), or null if absent. */
    public Object get(String key) {
      return map.get(key);
    }

    private Object required(String key) {
      if (!map.containsKey(key)) {
        throw new JsonException(what + " has no " + Quote.doubleQuote(key));
      }
      return map.get(key);
    }

    private JsonException wrong(String key, String expected, Object v) {
      return new JsonException(
          what
              + ": "
              + Quote.doubleQuote(key)
              + " must be "
              + expected
              + " but is "
              + Quote.cut(write(v)));
    }

    /** The string value of {@code key}. */
    public String string(String key) {
      Object v = required(key);
      if (!(v instanceof String s)) {
        throw wrong(key, "a string", v);
      }
      return s;
    }

    /** The string value of {@code key}, or {@code fallback} when absent or null. */
    public String string(String key, String fallback) {
      return has(key) ? string(key) : fallback;
    }

    /** The integer value of {@code key} (a number with a fraction or exponent is refused). */
    public long longValue(String key) {
      Object v = required(key);
      if (!(v instanceof Long l)) {
        throw wrong(key, v instanceof BigInteger ? "a 64-bit integer" : "an integer", v);
      }
      return l;
    }

    /** The integer value of {@code key}, which must fit an {@code int}. */
    public int intValue(String key) {
      long l = longValue(key);
      if (l < Integer.MIN_VALUE || l > Integer.MAX_VALUE) {
        throw wrong(key, "an int", l);
      }
      return (int) l;
    }

    /** The integer value of {@code key}, or {@code fallback} when absent or null. */
    public int intValue(String key, int fallback) {
      return has(key) ? intValue(key) : fallback;
    }

    /** The numeric value of {@code key} (integer or not). */
    public double doubleValue(String key) {
      Object v = required(key);
      if (!(v instanceof Number n)) {
        throw wrong(key, "a number", v);
      }
      return n.doubleValue();
    }

    /**
     * The numeric value of {@code key} as a float; a float written by {@link #write} reads back to
     * the same float.
     */
    public float floatValue(String key) {
      double d = doubleValue(key);
      float f = (float) d;
      if (Float.isInfinite(f)) {
        throw wrong(key, "a number in float range", map.get(key));
      }
      return f;
    }

    /** The boolean value of {@code key}. */
    public boolean bool(String key) {
      Object v = required(key);
      if (!(v instanceof Boolean b)) {
        throw wrong(key, "true or false", v);
      }
      return b;
    }

    /** The boolean value of {@code key}, or {@code fallback} when absent or null. */
    public boolean bool(String key, boolean fallback) {
      return has(key) ? bool(key) : fallback;
    }

    /** The array value of {@code key}. */
    @SuppressWarnings("unchecked")
    public List<Object> array(String key) {
      Object v = required(key);
      if (!(v instanceof List)) {
        throw wrong(key, "an array", v);
      }
      return (List<Object>) v;
    }

    /** The array of strings of {@code key}; names the first element that is not a string. */
    public List<String> strings(String key) {
      List<Object> a = array(key);
      List<String> out = new ArrayList<>(a.size());
      for (Object o : a) {
        if (!(o instanceof String s)) {
          throw new JsonException(
              what
                  + ": "
                  + Quote.doubleQuote(key)
                  + " entry "
                  + out.size()
                  + " must be a string but is "
                  + Quote.cut(write(o)));
        }
        out.add(s);
      }
      return out;
    }

    /** The object value of {@code key}, named {@code what.key} in messages. */
    @SuppressWarnings("unchecked")
    public Fields object(String key) {
      Object v = required(key);
      if (!(v instanceof Map)) {
        throw wrong(key, "an object", v);
      }
      return new Fields((Map<String, Object>) v, what + " " + Quote.doubleQuote(key));
    }

    /** Compact JSON text of the object. */
    @Override
    public String toString() {
      return write(map);
    }
  }
}
