// Appends rows of training metrics to a CSV file and/or a JSON Lines file with a fixed set of
// columns.
package org.jrnn.train;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jrnn.JrnnException;
import org.jrnn.internal.Quote;
import org.jrnn.io.Json;

/**
 * A metrics log with fixed columns, e.g. {@code epoch, step, loss, accuracy, seconds}. Each row is
 * written and flushed at once, so a crash loses at most the row being written. Reopening an
 * existing CSV appends to it if its header is the same and fails otherwise. Numbers are written in
 * full precision; in JSONL, NaN and infinities are written as {@code NaN}/{@code Infinity} (which
 * Python's json module reads).
 *
 * <p>A resumable writer records the files' lengths after {@link #sync()} and, when it resumes, cuts
 * the rows written since off with {@link #cutBack} before opening the log again.
 */
public final class MetricsLog implements Closeable {
  private final List<String> columns;
  private final Sink csv;
  private final Sink jsonl;

  /** An open file: the channel (for syncing) and the writer over it. */
  private record Sink(FileChannel channel, BufferedWriter writer) {
    static Sink open(Path file) throws IOException {
      FileChannel ch =
          FileChannel.open(
              file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
      return new Sink(ch, new BufferedWriter(Channels.newWriter(ch, StandardCharsets.UTF_8)));
    }

    void line(String text) throws IOException {
      writer.write(text);
      writer.write('\n');
      writer.flush();
    }
  }

  private MetricsLog(List<String> columns, Sink csv, Sink jsonl) {
    this.columns = columns;
    this.csv = csv;
    this.jsonl = jsonl;
  }

  /**
   * Opens the log for appending.
   *
   * @param csvFile a CSV file (header written if new), or null for none
   * @param jsonlFile a JSON Lines file, or null for none
   * @param columns the column names, in order
   * @throws IOException if an existing CSV has another header, or a file cannot be opened
   */
  public static MetricsLog open(Path csvFile, Path jsonlFile, String... columns)
      throws IOException {
    List<String> cols = List.of(columns);
    if (cols.isEmpty() || new HashSet<>(cols).size() != cols.size()) {
      throw new JrnnException("columns must be non-empty and distinct: " + cols);
    }
    if (csvFile == null && jsonlFile == null) {
      throw new JrnnException("give a CSV file, a JSONL file or both");
    }
    String header = String.join(",", cols.stream().map(MetricsLog::csvField).toList());
    Sink csv = null;
    if (csvFile != null) {
      boolean fresh = !Files.exists(csvFile) || Files.size(csvFile) == 0;
      if (!fresh) {
        String existing;
        try (BufferedReader r = Files.newBufferedReader(csvFile, StandardCharsets.UTF_8)) {
          existing = r.readLine();
        }
        if (!header.equals(existing)) {
          throw new IOException(
              Quote.path(csvFile)
                  + ": has header "
                  + Quote.quote(existing)
                  + ", expected '"
                  + header
                  + "'; use another file");
        }
      }
      csv = Sink.open(csvFile);
      if (fresh) {
        try {
          csv.line(header);
        } catch (IOException e) {
          csv.writer().close();
          throw e;
        }
      }
    }
    Sink jsonl = null;
    if (jsonlFile != null) {
      try {
        jsonl = Sink.open(jsonlFile);
      } catch (IOException e) {
        if (csv != null) {
          csv.writer().close();
        }
        throw e;
      }
    }
    return new MetricsLog(cols, csv, jsonl);
  }

  /**
   * Cuts {@code file} back to its first {@code length} bytes: what it held when a checkpoint
   * recorded that length (after {@link #sync()}), dropping the rows written after it. A missing
   * file stays missing (the log starts anew).
   *
   * @throws IOException when the file is shorter than {@code length} (it was changed since), or
   *     cannot be cut
   */
  public static void cutBack(Path file, long length) throws IOException {
    if (!Files.exists(file)) {
      return;
    }
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      long size = ch.size();
      if (size < length) {
        throw new IOException(
            Quote.path(file)
                + ": has "
                + size
                + " bytes, fewer than the "
                + length
                + " it had at the checkpoint, so it was changed since; move it away to start a new log");
      }
      ch.truncate(length);
      ch.force(true);
    }
  }

  /**
   * Makes the rows written so far durable (fsync), so that a checkpoint that records the files'
   * lengths afterwards never counts bytes that a power loss could take.
   */
  public void sync() throws IOException {
    for (Sink s : Arrays.asList(csv, jsonl)) {
      if (s != null) {
        s.writer().flush();
        s.channel().force(false);
      }
    }
  }

  /** The column names. */
  public List<String> columns() {
    return columns;
  }

  /**
   * Writes one row, values in column order (numbers, strings, booleans or null for "missing").
   *
   * @throws JrnnException if the number of values is not the number of columns
   */
  public void log(Object... values) throws IOException {
    if (values.length != columns.size()) {
      throw new JrnnException(
          "got " + values.length + " values for " + columns.size() + " columns " + columns);
    }
    if (csv != null) {
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < values.length; i++) {
        if (i > 0) {
          sb.append(',');
        }
        sb.append(values[i] == null ? "" : csvField(String.valueOf(values[i])));
      }
      csv.line(sb.toString());
    }
    if (jsonl != null) {
      Map<String, Object> o = new LinkedHashMap<>();
      for (int i = 0; i < values.length; i++) {
        Object v = values[i];
        if (v instanceof Number n) {
          o.put(columns.get(i), jsonNumber(n));
        } else if (v instanceof Boolean b) {
          o.put(columns.get(i), b);
        } else {
          o.put(columns.get(i), v == null ? null : String.valueOf(v));
        }
      }
      jsonl.line(Json.writeAllowingNonFinite(o));
    }
  }

  /**
   * A number as Json writes it, in the form the log has always had: integers as integers, a float
   * as its shortest decimal, other numbers (BigDecimal, AtomicLong, ...) through their own text.
   */
  private static Object jsonNumber(Number n) {
    if (n instanceof Integer
        || n instanceof Long
        || n instanceof Short
        || n instanceof Byte
        || n instanceof Float
        || n instanceof Double
        || n instanceof java.math.BigInteger) {
      return n;
    }
    if (n instanceof java.util.concurrent.atomic.AtomicInteger
        || n instanceof java.util.concurrent.atomic.AtomicLong) {
      return n.longValue();
    }
    return n.doubleValue();
  }

  /**
   * Writes one row from a map of column name to value; absent columns are written as missing.
   *
   * @throws JrnnException for a key that is not a column
   */
  public void log(Map<String, ?> row) throws IOException {
    Set<String> unknown = new HashSet<>(row.keySet());
    unknown.removeAll(columns);
    if (!unknown.isEmpty()) {
      throw new JrnnException("unknown columns " + unknown + "; columns are " + columns);
    }
    Object[] values = new Object[columns.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = row.get(columns.get(i));
    }
    log(values);
  }

  private static String csvField(String s) {
    if (s.indexOf(',') < 0 && s.indexOf('"') < 0 && s.indexOf('\n') < 0 && s.indexOf('\r') < 0) {
      return s;
    }
    return '"' + s.replace("\"", "\"\"") + '"';
  }

  @Override
  public void close() throws IOException {
    IOException first = null;
    for (Sink s : Arrays.asList(csv, jsonl)) {
      if (s != null) {
        try {
          s.writer().close();
        } catch (IOException e) {
          if (first == null) {
            first = e;
          }
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }
}
