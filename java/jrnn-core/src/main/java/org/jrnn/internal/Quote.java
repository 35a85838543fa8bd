/*
 * Quote: short, one-line renderings of untrusted input (names, keys, values, lines, paths, command-line
 * arguments) for error messages, so that a hostile or huge input cannot make a huge message.
 *   throw new JrnnException("unknown key " + Quote.quote(key));         // 'abc...' cut at 200 chars
 *   throw new IOException(Quote.path(file) + ": " + Quote.reason(e));   // no exception class names
 */
package org.jrnn.internal;

import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Locale;
import java.util.regex.Pattern;
import org.jrnn.JrnnException;

/**
 * Quotes input in messages: control characters escaped (so a message stays one line) and anything
 * longer than {@link #LIMIT} characters cut, e.g. {@code 'aaaa...' (52428800 characters)}. Every
 * message of jrnn that repeats a piece of its input goes through here.
 */
public final class Quote {
  /** The most characters of one quoted input kept in a message. */
  public static final int LIMIT = 200;

  private static final Pattern ALREADY_CUT =
      Pattern.compile("[^\\n\\r]*\\.\\.\\.'?\"? \\(\\d+ characters\\)");

  private Quote() {}

  /**
   * {@code text} (its {@link String#valueOf}) for a message: control characters escaped as in Java
   * source (a newline as backslash-n, others as backslash-u and four hex digits), cut after {@link
   * #LIMIT} characters with {@code "... (N characters)"}.
   */
  public static String cut(Object text) {
    return render(String.valueOf(text), "", "");
  }

  /** {@code 'text'}, or {@code 'tex...' (N characters)} when cut (see {@link #cut}). */
  public static String quote(Object text) {
    return render(String.valueOf(text), "'", "'");
  }

  /** {@code "text"}, for names that messages spell as JSON strings (see {@link #cut}). */
  public static String doubleQuote(Object text) {
    return render(String.valueOf(text), "\"", "\"");
  }

  private static String render(String s, String open, String close) {
    int n = s.length();
    if (open.isEmpty() && n <= LIMIT + 40 && ALREADY_CUT.matcher(s).matches()) {
      return s; // cut before (e.g. a file name in an exception): keep the original length
    }
    int end = Math.min(n, LIMIT);
    if (end < n && Character.isHighSurrogate(s.charAt(end - 1))) {
      end--; // never split a surrogate pair
    }
    StringBuilder b = new StringBuilder(end + 40).append(open);
    for (int i = 0; i < end; i++) {
      char c = s.charAt(i);
      switch (c) {
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> {
          if (c < 0x20 || c == 0x7f || c == 0x2028 || c == 0x2029) {
            b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    if (end < n) {
      b.append("...").append(close).append(" (").append(n).append(" characters)");
    } else {
      b.append(close);
    }
    return b.toString();
  }

  /** A file name for a message (see {@link #cut}); {@code "<none>"} for null. */
  public static String path(Path file) {
    return file == null ? "<none>" : cut(file.toString());
  }

  /**
   * The items joined by {@code ", "} (each as {@link #cut} renders it), stopping once the text
   * passes {@link #LIMIT} characters: {@code "a, b, c, ... (1000 in all)"}.
   */
  public static String list(Collection<?> items) {
    StringBuilder b = new StringBuilder();
    int shown = 0;
    for (Object o : items) {
      if (b.length() >= LIMIT) {
        break;
      }
      if (shown > 0) {
        b.append(", ");
      }
      b.append(cut(o));
      shown++;
    }
    if (shown < items.size()) {
      b.append(", ... (").append(items.size()).append(" in all)");
    }
    return b.toString();
  }

  /**
   * Why an I/O operation failed, in words and without exception class names or the file (which the
   * caller names): {@code "no such file"}, {@code "permission denied"}, {@code "is a directory"},
   * {@code "no space left on device"}, ...
   */
  public static String reason(IOException e) {
    if (e instanceof FileSystemException f && f.getReason() != null && !f.getReason().isBlank()) {
      return lowerFirst(cut(f.getReason()));
    }
    if (e instanceof NoSuchFileException) {
      return "no such file";
    }
    if (e instanceof AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof FileAlreadyExistsException) {
      return "already exists";
    }
    if (e instanceof NotDirectoryException) {
      return "not a directory";
    }
    if (e instanceof DirectoryNotEmptyException) {
      return "directory not empty";
    }
    if (e instanceof CharacterCodingException) {
      return "not valid UTF-8 text";
    }
    if (e instanceof EOFException) {
      return "unexpected end of file";
    }
    String m = e instanceof FileSystemException ? null : e.getMessage();
    return m == null || m.isBlank() ? "input/output error" : lowerFirst(cut(m));
  }

  /**
   * Why {@code e} failed, in words and without exception class names: an {@link IOException} as
   * {@link #reason(IOException)} words it; a {@link JrnnException} by its message, which jrnn
   * bounds where it builds it; anything else (a parser's or the JDK's exception, whose message may
   * repeat the whole input or name a class, e.g. {@code "com.google.gson.stream.
   * MalformedJsonException: ..."}) by its message without class names, cut like {@link #cut}.
   * {@code "no details"} when there is no message. A {@link ClassCastException} or {@link
   * NullPointerException} (a parser given a value of another type, or none) says so in words: its
   * message speaks of Java classes.
   */
  public static String reason(Throwable e) {
    if (e instanceof IOException io) {
      return reason(io);
    }
    if (e instanceof ClassCastException) {
      return "a value of the wrong type";
    }
    if (e instanceof NullPointerException) {
      return "a value is missing";
    }
    String m = e == null ? null : e.getMessage();
    String s = m == null ? "" : withoutClassNames(e instanceof JrnnException ? m : cut(m));
    return s.isEmpty() ? "no details" : s;
  }

  private static final Pattern CLASS_NAME =
      Pattern.compile(
          "\\b(?:(?:[a-z][\\w$]*\\.)+[A-Z][\\w$]*(?:Exception|Error)\\b:?|[A-Z][\\w$]*(?:Exception|Error):)\\s*");

  /**
   * {@code s} without exception class names ({@code "java.io.IOException: "}) that a message took
   * from a cause: jrnn's messages speak of files and values, not of Java classes.
   */
  public static String withoutClassNames(String s) {
    return CLASS_NAME.matcher(s).replaceAll("").trim();
  }

  /**
   * "Is a directory" becomes "is a directory"; a message that starts with a name stays as it is.
   */
  private static String lowerFirst(String s) {
    return s.matches("[A-Z][a-z]+( .*)?") ? Character.toLowerCase(s.charAt(0)) + s.substring(1) : s;
  }
}
