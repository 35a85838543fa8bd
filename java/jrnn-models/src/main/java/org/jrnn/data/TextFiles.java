// Reads whole text files strictly as UTF-8 (gzip if the name ends in .gz), with newlines normalised
// to \n
// and errors that name the file and line of a bad byte.
package org.jrnn.data;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.jrnn.internal.Arguments;
import org.jrnn.internal.Quote;

/** Plain-text input, e.g. a corpus for a language model. */
public final class TextFiles {
  private TextFiles() {}

  /**
   * The text of {@code file}: strict UTF-8 (a leading byte-order mark is dropped), {@code \r\n} and
   * lone {@code \r} turned into {@code \n} (as Python's text mode does), gunzipped first if the
   * name ends in ".gz".
   *
   * @throws DataFormatException if the bytes are not valid UTF-8 (naming the line) or the gzip data
   *     is bad
   * @throws IOException if the file cannot be read
   */
  public static String readString(Path file) throws IOException {
    Arguments.notNull("file", file);
    byte[] bytes = readBytes(file);
    CharsetDecoder decoder =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(bytes);
    CharBuffer out = CharBuffer.allocate(bytes.length + 1);
    CoderResult r = decoder.decode(in, out, true);
    if (r.isError()) {
      int at = in.position();
      throw new DataFormatException(file, lineOfByte(bytes, at), "invalid UTF-8 at byte " + at);
    }
    decoder.flush(out);
    out.flip();
    String text = out.toString();
    if (text.startsWith("\uFEFF")) {
      text = text.substring(1);
    }
    return text.indexOf('\r') < 0 ? text : text.replace("\r\n", "\n").replace('\r', '\n');
  }

  /**
   * The lines of {@code file} as {@link #readString(Path)} reads it, without line ends; a final
   * line end does not start another line. Line {@code k} (1-based) of the file is element {@code k
   * - 1}.
   */
  public static List<String> readLines(Path file) throws IOException {
    String text = readString(file);
    if (text.isEmpty()) {
      return List.of();
    }
    String[] lines = text.split("\n", -1);
    int n = text.endsWith("\n") ? lines.length - 1 : lines.length;
    return Arrays.asList(lines).subList(0, n);
  }

  private static byte[] readBytes(Path file) throws IOException {
    if (!file.getFileName().toString().endsWith(".gz")) {
      return Files.readAllBytes(file);
    }
    try (InputStream in = new GZIPInputStream(Files.newInputStream(file))) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      in.transferTo(out);
      return out.toByteArray();
    } catch (java.util.zip.ZipException | java.io.EOFException e) {
      throw new DataFormatException(file, 0, "bad gzip data: " + Quote.reason(e), e);
    }
  }

  private static long lineOfByte(byte[] bytes, int position) {
    long line = 1;
    for (int i = 0; i < position && i < bytes.length; i++) {
      if (bytes[i] == '\n') {
        line++;
      }
    }
    return line;
  }
}
