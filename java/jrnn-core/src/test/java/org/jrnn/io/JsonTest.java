// JsonTest: the strict reader and the writer of org.jrnn.io.Json: round trips (ints stay ints,
// floats and doubles read back bit for bit), stable key order, typed getters and their messages,
// array elements with their lines, and random damage giving only JsonExceptions.
package org.jrnn.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.jrnn.JrnnException;
import org.junit.jupiter.api.Test;

class JsonTest {
  @Test
  void integersStayIntegersAndNumbersRoundTrip() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("int", 7);
    m.put("long", Long.MIN_VALUE);
    m.put("big", new BigInteger("123456789012345678901234567890"));
    m.put("whole", 3.0);
    m.put("tenth", 0.1f);
    m.put("text", "a\"b\\c\n\u0001\u00e9\ud83d\ude00");
    m.put("flag", false);
    m.put("none", null);
    m.put("list", List.of(1, 2.5, "x"));
    String text = Json.write(m);
    assertEquals(
        "{\"int\":7,\"long\":-9223372036854775808,\"big\":123456789012345678901234567890,\"whole\":3.0,"
            + "\"tenth\":0.1,\"text\":\"a\\\"b\\\\c\\n\\u0001\u00e9\ud83d\ude00\",\"flag\":false,"
            + "\"none\":null,\"list\":[1,2.5,\"x\"]}",
        text);
    Map<String, Object> back = Json.parseObject(text);
    assertEquals(7L, back.get("int"));
    assertEquals(Long.MIN_VALUE, back.get("long"));
    assertEquals(m.get("big"), back.get("big"));
    assertEquals(3.0, back.get("whole"));
    assertEquals(m.get("text"), back.get("text"));
    assertEquals(Json.NULL, back.get("none"));
    assertEquals(text, Json.write(back));
  }

  @Test
  void everyFloatAndDoubleReadsBackBitForBit() {
    SplittableRandom r = new SplittableRandom(11);
    List<Float> floats =
        new ArrayList<>(
            List.of(
                Float.MIN_VALUE,
                Float.MAX_VALUE,
                -0.0f,
                1e-45f,
                16777216f,
                16777218f,
                1.0e7f,
                3.4028235e38f,
                1.17549435e-38f,
                0.3f,
                2f / 3));
    for (int i = 0; i < 200_000; i++) {
      float f = Float.intBitsToFloat(r.nextInt());
      if (Float.isFinite(f)) {
        floats.add(f);
      }
    }
    for (float f : floats) {
      Json.Fields back = Json.parseFields(Json.write(Map.of("x", f)), "t");
      assertEquals(
          Float.floatToIntBits(f), Float.floatToIntBits(back.floatValue("x")), "float " + f);
    }
    for (int i = 0; i < 100_000; i++) {
      double d = Double.longBitsToDouble(r.nextLong());
      if (Double.isFinite(d)) {
        Json.Fields back = Json.parseFields(Json.write(Map.of("x", d)), "t");
        assertEquals(
            Double.doubleToLongBits(d),
            Double.doubleToLongBits(back.doubleValue("x")),
            "double " + d);
      }
    }
  }

  @Test
  void unorderedMapsAreWrittenSortedOrderedMapsAsGiven() {
    Map<String, Object> hash = new HashMap<>();
    for (String k : List.of("zeta", "alpha", "mid", "beta")) {
      hash.put(k, k.length());
    }
    assertEquals("{\"alpha\":5,\"beta\":4,\"mid\":3,\"zeta\":4}", Json.write(hash));
    assertEquals(
        "{\"b\":1,\"a\":2}",
        Json.write(
            new LinkedHashMap<>(Map.of("b", 1)) {
              {
                put("a", 2);
              }
            }));
  }

  @Test
  void prettyTextIsIndentedAndReadsBack() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", "x");
    m.put("shape", List.of(2, 3));
    m.put("runs", List.of(Map.of("beam", 1), Map.of("beam", 4)));
    String pretty = Json.writePretty(m);
    assertEquals(
        "{\n  \"name\": \"x\",\n  \"shape\": [2, 3],\n  \"runs\": [\n    {\n      \"beam\": 1\n    },\n"
            + "    {\n      \"beam\": 4\n    }\n  ]\n}",
        pretty);
    assertEquals(Json.write(m), Json.write(Json.parse(pretty)));
  }

  @Test
  void nonFiniteNumbersOnlyWhereAllowed() {
    assertThrows(JrnnException.class, () -> Json.write(List.of(Double.NaN)));
    assertEquals(
        "[NaN,Infinity,-Infinity]",
        Json.writeAllowingNonFinite(
            List.of(Float.NaN, Double.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY)));
    assertThrows(Json.JsonException.class, () -> Json.parse("[NaN]"));
  }

  @Test
  void typedGettersNameTheKeyAndTheProblem() {
    Json.Fields f =
        Json.parseFields(
            "{\"n\": 3, \"big\": 30000000000, \"s\": \"x\", \"b\": true, \"a\": [\"p\", 4], \"o\": {\"k\": 1},"
                + " \"z\": null, \"huge\": 1e300}",
            "model config");
    assertEquals(3, f.intValue("n"));
    assertEquals(30000000000L, f.longValue("big"));
    assertEquals("x", f.string("s"));
    assertEquals("dflt", f.string("z", "dflt"));
    assertEquals("dflt", f.string("absent", "dflt"));
    assertTrue(f.bool("b"));
    assertEquals(9, f.intValue("absent", 9));
    assertEquals(1, f.object("o").intValue("k"));
    message("model config has no \"missing\"", () -> f.string("missing"));
    message("model config: \"s\" must be an integer but is \"x\"", () -> f.intValue("s"));
    message("model config: \"big\" must be an int but is 30000000000", () -> f.intValue("big"));
    message("model config: \"n\" must be a string but is 3", () -> f.string("n"));
    message("model config: \"n\" must be true or false but is 3", () -> f.bool("n"));
    message("model config: \"s\" must be an array but is \"x\"", () -> f.array("s"));
    message("model config: \"a\" entry 1 must be a string but is 4", () -> f.strings("a"));
    message("model config: \"a\" must be an object but is [\"p\",4]", () -> f.object("a"));
    message("model config \"o\" has no \"q\"", () -> f.object("o").string("q"));
    message(
        "model config: \"huge\" must be a number in float range but is 1.0E300",
        () -> f.floatValue("huge"));
    message("model config: \"z\" must be a number but is null", () -> f.doubleValue("z"));
  }

  private static void message(String want, Runnable call) {
    Json.JsonException e = assertThrows(Json.JsonException.class, call::run);
    assertEquals(want, e.getMessage());
    assertInstanceOf(JrnnException.class, e);
  }

  @Test
  void arrayElementsKeepWhereTheyStart() {
    String text = "[\n{\"a\": 1},\n  \"two\",\n\n3]";
    List<Json.Element> els = Json.parseArrayElements(text);
    assertEquals(3, els.size());
    assertEquals(
        List.of(2L, 3L, 5L), els.stream().map(e -> Json.lineAt(text, e.position())).toList());
    assertEquals("two", els.get(1).value());
    Json.JsonException notArray =
        assertThrows(Json.JsonException.class, () -> Json.parseArrayElements("\n {}"));
    assertEquals(2, notArray.position());
    assertTrue(
        notArray.getMessage().startsWith("expected a JSON array, found object"),
        notArray.getMessage());
    Json.JsonException broken =
        assertThrows(
            Json.JsonException.class, () -> Json.parseArrayElements("[1,\n2,\n{\"x\" 3}]"));
    assertEquals(3, Json.lineAt("[1,\n2,\n{\"x\" 3}]", broken.position()));
    assertEquals(List.of(), Json.parseArrayElements(" [ ] "));
  }

  @Test
  void randomDamageGivesOnlyJsonExceptions() {
    String good =
        Json.write(
            Map.of(
                "vocab",
                List.of("<pad>", "a\u00e9", "\ud83d\ude00"),
                "n",
                -12,
                "x",
                0.125,
                "nested",
                Map.of("k", List.of(true, false, Json.NULL))));
    SplittableRandom r = new SplittableRandom(5);
    String alphabet = "{}[]\",:\\-+.eE0123456789tfnu \n";
    int parsed = 0;
    for (int iter = 0; iter < 20_000; iter++) {
      StringBuilder b = new StringBuilder(good);
      for (int k = 1 + r.nextInt(3); k > 0 && b.length() > 0; k--) {
        int at = r.nextInt(b.length());
        switch (r.nextInt(3)) {
          case 0 -> b.setCharAt(at, alphabet.charAt(r.nextInt(alphabet.length())));
          case 1 -> b.deleteCharAt(at);
          default -> b.insert(at, alphabet.charAt(r.nextInt(alphabet.length())));
        }
      }
      String text = b.toString();
      try {
        Object v = Json.parse(text);
        parsed++;
        assertEquals(Json.write(v), Json.write(Json.parse(Json.write(v))), text);
      } catch (Json.JsonException e) {
        assertTrue(
            e.position() >= 0 && e.position() <= text.length(), text + ": " + e.getMessage());
      } catch (RuntimeException | StackOverflowError e) {
        fail("damaged JSON " + text + " gave " + e, e);
      }
    }
    assertTrue(parsed > 0 && parsed < 20_000, "parsed " + parsed);
  }

  @Test
  void deepNestingIsRefusedNotAStackOverflow() {
    String deep = "[".repeat(100_000) + "]".repeat(100_000);
    assertThrows(Json.JsonException.class, () -> Json.parse(deep));
  }
}
