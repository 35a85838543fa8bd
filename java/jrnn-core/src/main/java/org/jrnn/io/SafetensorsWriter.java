// SafetensorsWriter: collects named tensors (+ __metadata__) and writes a safetensors file
// atomically
// (a temp file in the same directory, flushed, then renamed), so a crash never leaves half a file.
//   new SafetensorsWriter().metadata("format", "pt").putFloats("y", y, T, N, H).write(path);
package org.jrnn.io;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jrnn.JrnnException;
import org.jrnn.internal.Quote;

/**
 * Builds a safetensors file. Tensors are laid out largest element size first, then by name (as the
 * reference implementation does), and the header is space-padded to a multiple of 8 bytes, so every
 * tensor starts aligned to its element size. Arrays given to the put methods are not copied: do not
 * change them before {@link #write}.
 */
public final class SafetensorsWriter {
  private final Map<String, String> metadata = new LinkedHashMap<>();
  private final Map<String, Entry> entries = new LinkedHashMap<>();

  private abstract static class Entry {
    final String name;
    final DType dtype;
    final long[] shape;

    Entry(String name, DType dtype, long[] shape) {
      this.name = name;
      this.dtype = dtype;
      this.shape = notNull(name, "shape", shape).clone();
    }

    long byteSize() {
      long n = 1;
      for (long d : shape) {
        n *= d;
      }
      return n * dtype.byteSize();
    }

    /** Writes element i (by the dtype) into b. */
    abstract void put(ByteBuffer b, int i);

    abstract long count();
  }

  /** Adds a {@code __metadata__} entry. */
  public SafetensorsWriter metadata(String key, String value) {
    if (key == null || value == null) {
      throw new JrnnException("metadata keys and values must not be null");
    }
    metadata.put(key, value);
    return this;
  }

  /** Adds every entry of {@code map} to {@code __metadata__}. */
  public SafetensorsWriter metadata(Map<String, String> map) {
    if (map == null) {
      throw new JrnnException("the metadata map is null");
    }
    map.forEach(this::metadata);
    return this;
  }

  /** Whether a tensor of this name was added. */
  public boolean contains(String name) {
    return entries.containsKey(name);
  }

  /** {@code value}, or a JrnnException naming the tensor and the null argument. */
  private static <T> T notNull(String name, String what, T value) {
    if (value == null) {
      throw new JrnnException("tensor " + Quote.quote(name) + ": " + what + " is null");
    }
    return value;
  }

  private static long checkShape(String name, long count, long[] shape) {
    long n = 1;
    for (int i = 0; i < shape.length; i++) {
      if (shape[i] < 0) {
        throw new JrnnException(
            "tensor " + Quote.quote(name) + ": shape[" + i + "] = " + shape[i] + " is negative");
      }
      try {
        n = Math.multiplyExact(n, shape[i]);
      } catch (ArithmeticException overflow) {
        throw new JrnnException(
            "tensor "
                + Quote.quote(name)
                + ": shape "
                + TensorInfo.shapeString(shape)
                + " is too large");
      }
    }
    if (n != count) {
      throw new JrnnException(
          "tensor "
              + Quote.quote(name)
              + ": shape "
              + TensorInfo.shapeString(shape)
              + " has "
              + n
              + " elements but "
              + count
              + " values were given");
    }
    return n;
  }

  private SafetensorsWriter add(Entry e) {
    if (e.name == null || e.name.isEmpty() || e.name.equals("__metadata__")) {
      throw new JrnnException("bad tensor name " + Quote.quote(e.name));
    }
    if (entries.containsKey(e.name)) {
      throw new JrnnException("tensor " + Quote.quote(e.name) + " added twice");
    }
    checkShape(e.name, e.count(), e.shape);
    entries.put(e.name, e);
    return this;
  }

  /** Adds an F32 tensor. */
  public SafetensorsWriter putFloats(String name, float[] values, long... shape) {
    return putFloats(name, DType.F32, values, shape);
  }

  /** Adds float values stored as {@code dtype} (F32, F64, F16 or BF16; F16/BF16 round to even). */
  public SafetensorsWriter putFloats(String name, DType dtype, float[] values, long... shape) {
    notNull(name, "values", values);
    if (!notNull(name, "dtype", dtype).isFloatingPoint()) {
      throw new JrnnException(
          "tensor " + Quote.quote(name) + ": floats cannot be stored as " + dtype);
    }
    return add(
        new Entry(name, dtype, shape) {
          @Override
          void put(ByteBuffer b, int i) {
            putFloat(b, dtype, values[i]);
          }

          @Override
          long count() {
            return values.length;
          }
        });
  }

  /** Adds double values stored as {@code dtype} (F64, F32, F16 or BF16). */
  public SafetensorsWriter putDoubles(String name, DType dtype, double[] values, long... shape) {
    notNull(name, "values", values);
    if (!notNull(name, "dtype", dtype).isFloatingPoint()) {
      throw new JrnnException(
          "tensor " + Quote.quote(name) + ": doubles cannot be stored as " + dtype);
    }
    return add(
        new Entry(name, dtype, shape) {
          @Override
          void put(ByteBuffer b, int i) {
            if (dtype == DType.F64) {
              b.putDouble(values[i]);
            } else {
              putFloat(b, dtype, (float) values[i]);
            }
          }

          @Override
          long count() {
            return values.length;
          }
        });
  }

  /** Adds long values stored as I64, or as I32 (each value must fit). */
  public SafetensorsWriter putLongs(String name, DType dtype, long[] values, long... shape) {
    notNull(name, "values", values);
    if (dtype != DType.I64 && dtype != DType.I32) {
      throw new JrnnException(
          "tensor " + Quote.quote(name) + ": longs cannot be stored as " + dtype);
    }
    if (dtype == DType.I32) {
      for (int i = 0; i < values.length; i++) {
        if (values[i] != (int) values[i]) {
          throw new JrnnException(
              "tensor "
                  + Quote.quote(name)
                  + "["
                  + i
                  + "] = "
                  + values[i]
                  + " does not fit in I32");
        }
      }
    }
    return add(
        new Entry(name, dtype, shape) {
          @Override
          void put(ByteBuffer b, int i) {
            if (dtype == DType.I64) {
              b.putLong(values[i]);
            } else {
              b.putInt((int) values[i]);
            }
          }

          @Override
          long count() {
            return values.length;
          }
        });
  }

  /** Adds int values stored as I32 or I64. */
  public SafetensorsWriter putInts(String name, DType dtype, int[] values, long... shape) {
    notNull(name, "values", values);
    if (dtype != DType.I64 && dtype != DType.I32) {
      throw new JrnnException(
          "tensor " + Quote.quote(name) + ": ints cannot be stored as " + dtype);
    }
    return add(
        new Entry(name, dtype, shape) {
          @Override
          void put(ByteBuffer b, int i) {
            if (dtype == DType.I64) {
              b.putLong(values[i]);
            } else {
              b.putInt(values[i]);
            }
          }

          @Override
          long count() {
            return values.length;
          }
        });
  }

  /**
   * Adds raw little-endian bytes of any dtype (from position to limit of {@code bytes}, which must
   * hold exactly numel * dtype size bytes).
   */
  public SafetensorsWriter putRaw(String name, DType dtype, ByteBuffer bytes, long... shape) {
    ByteBuffer src = notNull(name, "bytes", bytes).duplicate();
    int size = notNull(name, "dtype", dtype).byteSize();
    if (src.remaining() % size != 0) {
      throw new JrnnException(
          "tensor "
              + Quote.quote(name)
              + ": "
              + src.remaining()
              + " bytes is not a whole number of "
              + dtype);
    }
    int base = src.position();
    return add(
        new Entry(name, dtype, shape) {
          @Override
          void put(ByteBuffer b, int i) {
            for (int k = 0; k < size; k++) {
              b.put(src.get(base + i * size + k));
            }
          }

          @Override
          long count() {
            return src.remaining() / size;
          }
        });
  }

  private static void putFloat(ByteBuffer b, DType dtype, float v) {
    switch (dtype) {
      case F32:
        b.putFloat(v);
        break;
      case F64:
        b.putDouble(v);
        break;
      case F16:
        b.putShort(Halfs.floatToF16(v));
        break;
      case BF16:
        b.putShort(Halfs.floatToBf16(v));
        break;
      default:
        throw new JrnnException(JrnnException.Status.INTERNAL, "no float encoding for " + dtype);
    }
  }

  private List<Entry> layout() {
    List<Entry> list = new ArrayList<>(entries.values());
    list.sort(Comparator.comparingInt((Entry e) -> -e.dtype.byteSize()).thenComparing(e -> e.name));
    return list;
  }

  /** The header bytes (JSON, space-padded to a multiple of 8). */
  private byte[] header(List<Entry> list) {
    StringBuilder b = new StringBuilder("{");
    boolean first = true;
    if (!metadata.isEmpty()) {
      Json.quote(b, "__metadata__");
      b.append(':');
      b.append(Json.write(metadata));
      first = false;
    }
    long offset = 0;
    for (Entry e : list) {
      if (!first) {
        b.append(',');
      }
      first = false;
      Json.quote(b, e.name);
      b.append(":{\"dtype\":\"").append(e.dtype.name()).append("\",\"shape\":");
      b.append(Json.write(e.shape));
      long end = offset + e.byteSize();
      b.append(",\"data_offsets\":[").append(offset).append(',').append(end).append("]}");
      offset = end;
    }
    b.append('}');
    byte[] text = b.toString().getBytes(StandardCharsets.UTF_8);
    int padded = (text.length + 7) / 8 * 8;
    byte[] out = new byte[padded];
    System.arraycopy(text, 0, out, 0, text.length);
    for (int i = text.length; i < padded; i++) {
      out[i] = ' ';
    }
    return out;
  }

  /** Writes the file to {@code out} (not atomic: use {@link #write(Path)} for files). */
  public void writeTo(OutputStream out) throws IOException {
    writeTo(Channels.newChannel(out));
  }

  private void writeTo(WritableByteChannel ch) throws IOException {
    List<Entry> list = layout();
    byte[] header = header(list);
    ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
    len.putLong(header.length).flip();
    writeAll(ch, len);
    writeAll(ch, ByteBuffer.wrap(header));
    ByteBuffer chunk = ByteBuffer.allocateDirect(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
    for (Entry e : list) {
      long n = e.count();
      int size = e.dtype.byteSize();
      for (long i = 0; i < n; i++) {
        if (chunk.remaining() < size) {
          chunk.flip();
          writeAll(ch, chunk);
          chunk.clear();
        }
        e.put(chunk, (int) i);
      }
    }
    chunk.flip();
    writeAll(ch, chunk);
  }

  private static void writeAll(WritableByteChannel ch, ByteBuffer b) throws IOException {
    while (b.hasRemaining()) {
      ch.write(b);
    }
  }

  /** The whole file as bytes (for tests and small files). */
  public byte[] toByteArray() {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    try {
      writeTo(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
    }
    return out.toByteArray();
  }

  /**
   * Writes {@code path} atomically: a temp file next to it is written and flushed to disk, then
   * renamed over {@code path}. On any failure the temp file is deleted, {@code path} is untouched
   * and the exception names {@code path} (see {@link AtomicFiles#write}).
   */
  public void write(Path path) throws IOException {
    AtomicFiles.write(path, this::writeTo);
  }
}
