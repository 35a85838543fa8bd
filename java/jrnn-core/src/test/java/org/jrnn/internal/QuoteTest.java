// QuoteTest: quoted input in messages stays short and on one line, whatever the input.
package org.jrnn.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class QuoteTest {
  @Test
  void shortInputIsKeptAndControlCharactersAreEscaped() {
    assertEquals("abc", Quote.cut("abc"));
    assertEquals("'abc'", Quote.quote("abc"));
    assertEquals("\"abc\"", Quote.doubleQuote("abc"));
    assertEquals("a\\nb\\tc\\u0000d", Quote.cut("a\nb\tc\0d"));
    assertEquals("'null'", Quote.quote(null));
  }

  @Test
  void longInputIsCutWithItsLength() {
    String huge = "x".repeat(50_000_000);
    String q = Quote.quote(huge);
    assertEquals("'" + "x".repeat(Quote.LIMIT) + "...' (50000000 characters)", q);
    assertEquals("x".repeat(Quote.LIMIT) + "... (50000000 characters)", Quote.cut(huge));
    // cutting again (a file name cut in an exception, then in the printed line) keeps the length
    assertEquals(Quote.cut(huge), Quote.cut(Quote.cut(huge)));
    assertEquals(Quote.LIMIT + 3, Quote.cut("y".repeat(Quote.LIMIT + 1)).indexOf(" ("));
    // exactly the limit is not cut
    assertEquals("z".repeat(Quote.LIMIT), Quote.cut("z".repeat(Quote.LIMIT)));
    // a surrogate pair at the cut is kept whole or dropped whole
    String emoji = "a".repeat(Quote.LIMIT - 1) + "\uD83D\uDE00" + "b";
    String cut = Quote.cut(emoji);
    assertTrue(cut.startsWith("a".repeat(Quote.LIMIT - 1) + "..."), cut);
    assertTrue(Quote.path(Path.of("/" + "p".repeat(5_000_000))).length() < Quote.LIMIT + 40);
  }

  @Test
  void listsStopAfterTheLimit() {
    assertEquals("a, b", Quote.list(List.of("a", "b")));
    List<String> many = Collections.nCopies(1_000_000, "weight_ih_l0");
    String l = Quote.list(many);
    assertTrue(l.endsWith(", ... (1000000 in all)"), l);
    assertTrue(l.length() < Quote.LIMIT + 40, l);
    String one = Quote.list(List.of("n".repeat(10_000_000), "m"));
    assertTrue(one.length() < 2 * Quote.LIMIT + 40, one);
  }

  @Test
  void ioReasonsAreWordsWithoutClassNames() {
    assertEquals("no such file", Quote.reason(new NoSuchFileException("/x")));
    assertEquals("permission denied", Quote.reason(new AccessDeniedException("/x")));
    assertEquals(
        "is a directory", Quote.reason(new FileSystemException("/x", null, "Is a directory")));
    assertEquals("is a directory", Quote.reason(new IOException("Is a directory")));
    assertEquals("not valid UTF-8 text", Quote.reason(new MalformedInputException(1)));
    assertEquals("input/output error", Quote.reason(new IOException()));
    // a message that starts with a name keeps its case
    assertEquals("Foo.tsv:2: bad", Quote.reason(new IOException("Foo.tsv:2: bad")));
    assertTrue(Quote.reason(new IOException("E".repeat(1_000_000))).length() < Quote.LIMIT + 40);
  }

  @Test
  void causesOfOtherKindsAreWordsWithoutClassNames() {
    // a parser's message that starts with its cause's class, and repeats the whole input
    RuntimeException gson =
        new RuntimeException(
            "com.google.gson.stream.MalformedJsonException: Unterminated object at path $."
                + "k".repeat(1_000_000));
    String r = Quote.reason(gson);
    assertTrue(r.startsWith("Unterminated object at path $.kkk"), r);
    assertTrue(r.length() < Quote.LIMIT + 40, r);
    assertEquals(
        "For input string: \"12x\"",
        Quote.reason(new NumberFormatException("For input string: \"12x\"")));
    assertEquals(
        "a value of the wrong type",
        Quote.reason(
            new ClassCastException(
                "class com.google.gson.JsonPrimitive cannot be cast to class com.google.gson.JsonArray")));
    assertEquals("a value is missing", Quote.reason(new NullPointerException()));
    assertEquals("no details", Quote.reason(new IllegalStateException()));
    assertEquals("no such file", Quote.reason((Throwable) new NoSuchFileException("/x")));
    // jrnn's own messages are bounded where they are built: kept whole
    String own = "m".repeat(3 * Quote.LIMIT);
    assertEquals(own, Quote.reason(new org.jrnn.JrnnException(own)));
    assertEquals("bad line", Quote.withoutClassNames("java.io.IOException: bad line"));
  }
}
