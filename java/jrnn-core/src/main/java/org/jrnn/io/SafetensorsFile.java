// SafetensorsFile: reads a safetensors file, validating the whole header before allocating
// anything.
//   try (SafetensorsFile f = SafetensorsFile.open(path)) { float[] x = f.floats("x"); }
// Files of 1 MiB and more are memory-mapped (zero-copy ByteBuffer views); small ones are read.
package org.jrnn.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jrnn.JrnnException;
import org.jrnn.internal.Quote;

/**
 * A safetensors file opened for reading: 8-byte little-endian header length N, N bytes of UTF-8
 * JSON header ({@code {"name": {"dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end]},
 * ..., "__metadata__": {"key": "value"}}}), then the data area of raw little-endian tensors.
 *
 * <p>{@link #open} checks everything before it allocates: the header length against the file size
 * and {@link #MAX_HEADER_BYTES}; strict JSON; known dtypes; shapes of non-negative integers whose
 * byte count (overflow-checked) equals the tensor's data_offsets range; offsets inside the data
 * area, sorted, neither overlapping nor leaving gaps, and covering it exactly. A file that fails
 * gives a {@link SafetensorsException} naming the file and the problem.
 *
 * <p>Not thread-safe for {@link #close()}; the accessors may be called from several threads.
 */
public final class SafetensorsFile implements AutoCloseable {
  /** Largest accepted header (the reference implementation's limit). */
  public static final long MAX_HEADER_BYTES = 100L << 20;

  /** Files at least this big are memory-mapped instead of read. */
  static final long MMAP_THRESHOLD = 1L << 20;

  private static final String METADATA_KEY = "__metadata__";

  private final Path path;
  private final Map<String, String> metadata;
  private final Map<String, TensorInfo> tensors;
  private final long dataStart;
  private final ByteBuffer whole; // the whole file (heap or mapped), or null for files over 2 GiB
  private FileChannel channel; // kept open only when whole == null
  private volatile boolean closed;

  private SafetensorsFile(
      Path path,
      Map<String, String> metadata,
      Map<String, TensorInfo> tensors,
      long dataStart,
      ByteBuffer whole,
      FileChannel channel) {
    this.path = path;
    this.metadata = Collections.unmodifiableMap(metadata);
    this.tensors = Collections.unmodifiableMap(tensors);
    this.dataStart = dataStart;
    this.whole = whole;
    this.channel = channel;
  }

  /**
   * Opens and validates {@code path}.
   *
   * @throws SafetensorsException if the content is not a valid safetensors file
   * @throws IOException if the file cannot be opened or read (missing, a directory, no permission)
   */
  public static SafetensorsFile open(Path path) throws IOException {
    if (Files.isDirectory(path)) {
      throw ioFailure(path, "is a directory, not a safetensors file", null);
    }
    FileChannel ch;
    try {
      ch = FileChannel.open(path, StandardOpenOption.READ);
    } catch (IOException e) {
      throw ioFailure(path, Quote.reason(e), e);
    } catch (SecurityException e) {
      throw ioFailure(path, "permission denied", e);
    }
    boolean keepOpen = false;
    try {
      long size = ch.size();
      if (size < 8) {
        throw new SafetensorsException(
            path, "file is " + size + " bytes, too short for a header (truncated?)");
      }
      byte[] head = new byte[8];
      readFully(path, ch, ByteBuffer.wrap(head), 0, "the header length");
      long n = checkHeaderLength(path, size, head);
      byte[] header = new byte[(int) n];
      readFully(path, ch, ByteBuffer.wrap(header), 8, "the header");
      long dataStart = 8 + n;
      Parsed p = parseHeader(path, header, size - dataStart);
      ByteBuffer whole = null;
      if (size <= Integer.MAX_VALUE) {
        if (size >= MMAP_THRESHOLD) {
          whole = ch.map(FileChannel.MapMode.READ_ONLY, 0, size);
        } else {
          whole = ByteBuffer.allocate((int) size);
          readFully(path, ch, whole, 0, "the data");
          whole.clear();
        }
      } else {
        keepOpen = true;
      }
      return new SafetensorsFile(
          path, p.metadata, p.tensors, dataStart, whole, keepOpen ? ch : null);
    } catch (IOException e) {
      throw ioFailure(path, "cannot read: " + Quote.reason(e), e);
    } finally {
      if (!keepOpen) {
        try {
          ch.close();
        } catch (IOException ignored) {
          // nothing left to do
        }
      }
    }
  }

  /**
   * Validates and wraps a whole safetensors file held in memory (e.g. a class-path resource). The
   * buffer is used without copying; {@code name} only labels messages.
   */
  public static SafetensorsFile fromBuffer(ByteBuffer bytes, Path name)
      throws SafetensorsException {
    ByteBuffer b = bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    int base = b.position();
    long size = b.remaining();
    if (size < 8) {
      throw new SafetensorsException(name, "file is " + size + " bytes, too short for a header");
    }
    byte[] head = new byte[8];
    b.get(head);
    long n = checkHeaderLength(name, size, head);
    byte[] header = new byte[(int) n];
    b.get(header);
    Parsed p = parseHeader(name, header, size - 8 - n);
    ByteBuffer whole = bytes.duplicate();
    whole.position(base).limit(base + (int) size);
    return new SafetensorsFile(name, p.metadata, p.tensors, 8 + n, whole.slice(), null);
  }

  /** An I/O failure worded like a {@link SafetensorsException} ({@code "file: problem"}). */
  private static IOException ioFailure(Path path, String problem, Throwable cause) {
    return new IOException(Quote.path(path) + ": " + problem, cause);
  }

  private static void readFully(Path path, FileChannel ch, ByteBuffer dst, long pos, String what)
      throws IOException {
    while (dst.hasRemaining()) {
      int r = ch.read(dst, pos);
      if (r < 0) {
        throw new SafetensorsException(path, "file ends while reading " + what + " (truncated)");
      }
      pos += r;
    }
  }

  private static long checkHeaderLength(Path path, long fileSize, byte[] head)
      throws SafetensorsException {
    if (fileSize < 8) {
      throw new SafetensorsException(
          path, "file is " + fileSize + " bytes, too short for a header (truncated?)");
    }
    long n = ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN).getLong();
    if (n < 0 || n > MAX_HEADER_BYTES) {
      throw new SafetensorsException(
          path,
          "header length "
              + Long.toUnsignedString(n)
              + " is absurd (limit "
              + MAX_HEADER_BYTES
              + " bytes); not a safetensors file?");
    }
    if (n > fileSize - 8) {
      throw new SafetensorsException(
          path,
          "header length "
              + n
              + " is larger than the "
              + (fileSize - 8)
              + " bytes after the length field (truncated file?)");
    }
    if (n < 2) {
      throw new SafetensorsException(
          path, "header length " + n + " is too short for a JSON object");
    }
    return n;
  }

  private static final class Parsed {
    Map<String, String> metadata = new LinkedHashMap<>();
    Map<String, TensorInfo> tensors = new LinkedHashMap<>();
  }

  private static Parsed parseHeader(Path path, byte[] headerBytes, long dataSize)
      throws SafetensorsException {
    String text;
    try {
      CharBuffer cb =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(headerBytes));
      text = cb.toString();
    } catch (CharacterCodingException e) {
      throw new SafetensorsException(path, "header is not valid UTF-8");
    }
    Map<String, Object> json;
    try {
      json = Json.parseObject(text);
    } catch (Json.JsonException | StackOverflowError e) {
      throw new SafetensorsException(
          path,
          "header is not valid JSON: "
              + (e instanceof StackOverflowError ? "nested too deeply" : e.getMessage()));
    }
    Parsed p = new Parsed();
    List<TensorInfo> byOffset = new ArrayList<>();
    for (Map.Entry<String, Object> e : json.entrySet()) {
      String name = e.getKey();
      if (name.equals(METADATA_KEY)) {
        if (!(e.getValue() instanceof Map)) {
          throw new SafetensorsException(
              path,
              "__metadata__ must be an object of strings, found " + Json.typeName(e.getValue()));
        }
        for (Map.Entry<?, ?> m : ((Map<?, ?>) e.getValue()).entrySet()) {
          if (!(m.getValue() instanceof String)) {
            throw new SafetensorsException(
                path,
                "__metadata__["
                    + Quote.doubleQuote(m.getKey())
                    + "] must be a string, found "
                    + Json.typeName(m.getValue()));
          }
          p.metadata.put((String) m.getKey(), (String) m.getValue());
        }
        continue;
      }
      TensorInfo info = parseTensor(path, name, e.getValue(), dataSize);
      p.tensors.put(name, info);
      byOffset.add(info);
    }
    byOffset.sort(
        Comparator.comparingLong(TensorInfo::begin)
            .thenComparingLong(TensorInfo::end)
            .thenComparing(TensorInfo::name));
    long expected = 0;
    TensorInfo prev = null;
    for (TensorInfo t : byOffset) {
      if (t.begin() < expected) {
        throw new SafetensorsException(
            path,
            "tensors "
                + Quote.quote(prev.name())
                + " "
                + range(prev)
                + " and "
                + Quote.quote(t.name())
                + " "
                + range(t)
                + " overlap");
      }
      if (t.begin() > expected) {
        throw new SafetensorsException(
            path,
            "gap of "
                + (t.begin() - expected)
                + " bytes in the data area before tensor "
                + Quote.quote(t.name())
                + " "
                + range(t));
      }
      expected = t.end();
      prev = t;
    }
    if (expected != dataSize) {
      throw new SafetensorsException(
          path,
          "data area is "
              + dataSize
              + " bytes but the tensors cover "
              + expected
              + " (truncated or trailing bytes)");
    }
    return p;
  }

  private static String range(TensorInfo t) {
    return "[" + t.begin() + ", " + t.end() + ")";
  }

  private static TensorInfo parseTensor(Path path, String name, Object v, long dataSize)
      throws SafetensorsException {
    String where = "tensor " + Quote.quote(name) + ": ";
    if (name.isEmpty()) {
      throw new SafetensorsException(path, "a tensor has an empty name");
    }
    if (!(v instanceof Map)) {
      throw new SafetensorsException(
          path, where + "entry must be an object, found " + Json.typeName(v));
    }
    Map<?, ?> m = (Map<?, ?>) v;
    for (Object key : m.keySet()) {
      if (!key.equals("dtype") && !key.equals("shape") && !key.equals("data_offsets")) {
        throw new SafetensorsException(path, where + "unknown field " + Quote.doubleQuote(key));
      }
    }
    Object dt = m.get("dtype");
    if (!(dt instanceof String)) {
      throw new SafetensorsException(
          path, where + (dt == null ? "missing \"dtype\"" : "\"dtype\" must be a string"));
    }
    DType dtype = DType.fromHeaderName((String) dt);
    if (dtype == null) {
      throw new SafetensorsException(path, where + "unknown dtype " + Quote.doubleQuote(dt));
    }
    Object sh = m.get("shape");
    if (!(sh instanceof List)) {
      throw new SafetensorsException(
          path, where + (sh == null ? "missing \"shape\"" : "\"shape\" must be an array"));
    }
    List<?> shapeList = (List<?>) sh;
    long[] shape = new long[shapeList.size()];
    boolean empty = false;
    for (int i = 0; i < shape.length; i++) {
      Object d = shapeList.get(i);
      if (!(d instanceof Long) || (Long) d < 0) {
        throw new SafetensorsException(
            path, where + "shape[" + i + "] = " + Quote.cut(d) + " is not a non-negative integer");
      }
      shape[i] = (Long) d;
      empty |= shape[i] == 0;
    }
    long nbytes = 0;
    if (!empty) {
      try {
        long numel = 1;
        for (long d : shape) {
          numel = Math.multiplyExact(numel, d);
        }
        nbytes = Math.multiplyExact(numel, (long) dtype.byteSize());
      } catch (ArithmeticException ex) {
        throw new SafetensorsException(
            path, where + "shape " + TensorInfo.shapeString(shape) + " is too large (overflow)");
      }
    }
    Object off = m.get("data_offsets");
    if (!(off instanceof List) || ((List<?>) off).size() != 2) {
      throw new SafetensorsException(
          path,
          where
              + (off == null
                  ? "missing \"data_offsets\""
                  : "\"data_offsets\" must be an array [begin, end]"));
    }
    Object b = ((List<?>) off).get(0);
    Object e = ((List<?>) off).get(1);
    if (!(b instanceof Long) || !(e instanceof Long) || (Long) b < 0 || (Long) e < 0) {
      throw new SafetensorsException(
          path, where + "data_offsets " + Quote.cut(off) + " must be two non-negative integers");
    }
    long begin = (Long) b;
    long end = (Long) e;
    if (end < begin) {
      throw new SafetensorsException(
          path, where + "data_offsets [" + begin + ", " + end + "] end before begin");
    }
    if (end > dataSize) {
      throw new SafetensorsException(
          path,
          where
              + "data_offsets ["
              + begin
              + ", "
              + end
              + "] run past the end of the "
              + dataSize
              + "-byte data area (truncated file?)");
    }
    if (end - begin != nbytes) {
      throw new SafetensorsException(
          path,
          where
              + "shape "
              + TensorInfo.shapeString(shape)
              + " of "
              + dtype
              + " needs "
              + nbytes
              + " bytes but data_offsets give "
              + (end - begin));
    }
    return new TensorInfo(name, dtype, shape, begin, end);
  }

  // ---------------------------------------------------------------- accessors

  /** The file (or the label given to {@link #fromBuffer}). */
  public Path path() {
    return path;
  }

  /** The {@code __metadata__} map (empty when absent), unmodifiable. */
  public Map<String, String> metadata() {
    return metadata;
  }

  /** Tensor names in header order. */
  public Set<String> names() {
    return tensors.keySet();
  }

  /** All tensors in header order. */
  public List<TensorInfo> tensors() {
    return new ArrayList<>(tensors.values());
  }

  public boolean contains(String name) {
    return tensors.containsKey(name);
  }

  /** The tensor called {@code name}, or null. */
  public TensorInfo get(String name) {
    return tensors.get(name);
  }

  /** The tensor called {@code name}; an exception listing the names there are when it is absent. */
  public TensorInfo info(String name) throws SafetensorsException {
    TensorInfo t = tensors.get(name);
    if (t == null) {
      throw new SafetensorsException(
          path,
          "no tensor named " + Quote.quote(name) + " (the file has: " + Quote.list(names()) + ")");
    }
    return t;
  }

  /**
   * The raw little-endian bytes of a tensor as a read-only buffer (position 0, limit = byte size),
   * without copying when the file is memory-mapped or held in memory.
   */
  public ByteBuffer buffer(String name) throws SafetensorsException {
    TensorInfo t = info(name);
    checkOpen();
    if (t.byteSize() > Integer.MAX_VALUE) {
      throw new SafetensorsException(
          path,
          "tensor "
              + Quote.quote(name)
              + " is "
              + t.byteSize()
              + " bytes, over 2 GiB for one buffer");
    }
    if (whole != null) {
      ByteBuffer b = whole.duplicate();
      b.position((int) (dataStart + t.begin())).limit((int) (dataStart + t.end()));
      return b.slice().asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }
    try {
      synchronized (this) {
        checkOpen();
        return channel
            .map(FileChannel.MapMode.READ_ONLY, dataStart + t.begin(), t.byteSize())
            .asReadOnlyBuffer()
            .order(ByteOrder.LITTLE_ENDIAN);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(
          ioFailure(path, "cannot map tensor " + Quote.quote(name) + ": " + Quote.reason(e), e));
    }
  }

  /** The element count as an array length, refusing arrays that cannot exist or cannot fit. */
  private int arrayLength(TensorInfo t, int elementBytes) throws SafetensorsException {
    long n = t.numel();
    if (n > Integer.MAX_VALUE - 8) {
      throw new SafetensorsException(
          path,
          "tensor " + Quote.quote(t.name()) + " has " + n + " elements, too many for a Java array");
    }
    Runtime rt = Runtime.getRuntime();
    long available = rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
    if (n * elementBytes > available) {
      throw new SafetensorsException(
          path,
          "tensor "
              + Quote.quote(t.name())
              + " needs "
              + n * elementBytes
              + " bytes as a Java array, more than"
              + " the "
              + available
              + " bytes of heap left (raise -Xmx, or use buffer())");
    }
    return (int) n;
  }

  private SafetensorsException notConvertible(TensorInfo t, String to) {
    return new SafetensorsException(
        path,
        "tensor "
            + Quote.quote(t.name())
            + " is "
            + t.dtype()
            + ", which jrnn does not convert to "
            + to);
  }

  /** The tensor's values as float (F32 as is; F64 rounded; F16/BF16/I32/I64 converted). */
  public float[] floats(String name) throws SafetensorsException {
    TensorInfo t = info(name);
    if (!t.dtype().isConvertible()) {
      throw notConvertible(t, "float");
    }
    float[] out = new float[arrayLength(t, 4)];
    ByteBuffer b = buffer(name);
    try {
      switch (t.dtype()) {
        case F32:
          b.asFloatBuffer().get(out);
          break;
        case F64:
          for (int i = 0; i < out.length; i++) {
            out[i] = (float) b.getDouble(8 * i);
          }
          break;
        case F16:
          for (int i = 0; i < out.length; i++) {
            out[i] = Halfs.f16ToFloat(b.getShort(2 * i));
          }
          break;
        case BF16:
          for (int i = 0; i < out.length; i++) {
            out[i] = Halfs.bf16ToFloat(b.getShort(2 * i));
          }
          break;
        case I32:
          for (int i = 0; i < out.length; i++) {
            out[i] = b.getInt(4 * i);
          }
          break;
        case I64:
          for (int i = 0; i < out.length; i++) {
            out[i] = b.getLong(8 * i);
          }
          break;
        default:
          throw notConvertible(t, "float");
      }
    } catch (BufferUnderflowException | IndexOutOfBoundsException e) {
      throw new SafetensorsException(
          path, "tensor " + Quote.quote(name) + " is shorter than its shape", e);
    }
    return out;
  }

  /** The tensor's values as double (exact for every convertible type but large I64). */
  public double[] doubles(String name) throws SafetensorsException {
    TensorInfo t = info(name);
    if (!t.dtype().isConvertible()) {
      throw notConvertible(t, "double");
    }
    double[] out = new double[arrayLength(t, 8)];
    ByteBuffer b = buffer(name);
    switch (t.dtype()) {
      case F64:
        b.asDoubleBuffer().get(out);
        break;
      case F32:
        for (int i = 0; i < out.length; i++) {
          out[i] = b.getFloat(4 * i);
        }
        break;
      case F16:
        for (int i = 0; i < out.length; i++) {
          out[i] = Halfs.f16ToFloat(b.getShort(2 * i));
        }
        break;
      case BF16:
        for (int i = 0; i < out.length; i++) {
          out[i] = Halfs.bf16ToFloat(b.getShort(2 * i));
        }
        break;
      case I32:
        for (int i = 0; i < out.length; i++) {
          out[i] = b.getInt(4 * i);
        }
        break;
      case I64:
        for (int i = 0; i < out.length; i++) {
          out[i] = b.getLong(8 * i);
        }
        break;
      default:
        throw notConvertible(t, "double");
    }
    return out;
  }

  /** The values of an I64 or I32 tensor as long. */
  public long[] longs(String name) throws SafetensorsException {
    TensorInfo t = info(name);
    long[] out = new long[arrayLength(t, 8)];
    ByteBuffer b = buffer(name);
    if (t.dtype() == DType.I64) {
      b.asLongBuffer().get(out);
    } else if (t.dtype() == DType.I32) {
      for (int i = 0; i < out.length; i++) {
        out[i] = b.getInt(4 * i);
      }
    } else {
      throw notConvertible(t, "long (integer tensors only)");
    }
    return out;
  }

  /** The values of an I32 or I64 tensor as int; an I64 value outside the int range is an error. */
  public int[] ints(String name) throws SafetensorsException {
    TensorInfo t = info(name);
    int[] out = new int[arrayLength(t, 4)];
    ByteBuffer b = buffer(name);
    if (t.dtype() == DType.I32) {
      b.asIntBuffer().get(out);
    } else if (t.dtype() == DType.I64) {
      for (int i = 0; i < out.length; i++) {
        long v = b.getLong(8 * i);
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
          throw new SafetensorsException(
              path,
              "tensor " + Quote.quote(name) + "[" + i + "] = " + v + " does not fit in an int");
        }
        out[i] = (int) v;
      }
    } else {
      throw notConvertible(t, "int (integer tensors only)");
    }
    return out;
  }

  private void checkOpen() {
    if (closed) {
      throw new JrnnException(
          JrnnException.Status.CLOSED, Quote.path(path) + ": safetensors file already closed");
    }
  }

  /** Releases the file. Buffers handed out stay valid (a mapping ends when it is collected). */
  @Override
  public synchronized void close() {
    closed = true;
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException ignored) {
        // closing a read-only channel: nothing to recover
      }
      channel = null;
    }
  }
}
