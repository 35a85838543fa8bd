// SafetensorsTest: the safetensors reader and writer: round trips for every dtype, __metadata__,
// F16/BF16 rounding, atomic writes, and every kind of corrupt, truncated or hostile file (each must
// give a SafetensorsException naming the file and the problem, never an OutOfMemoryError or a
// crash).
//   mvn -B test -Dtest='org.jrnn.io.*Test'
package org.jrnn.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.jrnn.JrnnException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsTest {
  @TempDir Path dir;

  // ---------------------------------------------------------------- helpers

  /** A file made of a header (as given, not padded) and {@code dataBytes} bytes of data. */
  private Path rawFile(String name, long headerLength, byte[] header, int dataBytes)
      throws IOException {
    ByteBuffer b =
        ByteBuffer.allocate(8 + header.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(headerLength).put(header);
    Path p = dir.resolve(name);
    Files.write(p, b.array());
    return p;
  }

  private Path headerFile(String json, int dataBytes) throws IOException {
    byte[] h = json.getBytes(StandardCharsets.UTF_8);
    return rawFile("t.safetensors", h.length, h, dataBytes);
  }

  /** Opens {@code p}, expecting a SafetensorsException whose message names p and contains want. */
  private static SafetensorsException rejects(Path p, String want) {
    SafetensorsException e =
        assertThrows(SafetensorsException.class, () -> SafetensorsFile.open(p).close());
    assertTrue(e.getMessage().startsWith(p.toString() + ": "), e.getMessage());
    assertTrue(
        e.getMessage().contains(want), "message '" + e.getMessage() + "' lacks '" + want + "'");
    return e;
  }

  private static byte[] validFile() {
    return new SafetensorsWriter()
        .metadata("format", "pt")
        .putFloats("w", new float[] {1, 2, 3, 4, 5, 6}, 2, 3)
        .putLongs("n", DType.I64, new long[] {7, -8}, 2)
        .putFloats("h", DType.F16, new float[] {0.5f, -1, 2}, 3)
        .toByteArray();
  }

  // ---------------------------------------------------------------- round trips

  @Test
  void roundTripEveryDtypeAndMetadata() throws IOException {
    float[] f = {0f, -1.5f, 3.25f, 1e-3f, -65504f, 1e30f};
    double[] d = {Math.PI, -Math.E, 1e-300, 0};
    long[] l = {Long.MIN_VALUE, -1, 0, Long.MAX_VALUE};
    int[] i = {Integer.MIN_VALUE, -7, 0, Integer.MAX_VALUE, 42, 3};
    float[] half = {0f, -1.5f, 3.25f, 65504f, 6.1035156e-5f, -5.9604645e-8f}; // exact in F16
    float[] bf = {0f, -1.5f, 3.25f, 1e30f, -2.0f, 1.0e-38f}; // rounded by BF16
    Path p = dir.resolve("all.safetensors");
    new SafetensorsWriter()
        .metadata("format", "pt")
        .metadata(Map.of("mode", "LSTM", "unicode", "h\u00e9 \"q\" \\ \n"))
        .putFloats("f32", f, 2, 3)
        .putDoubles("f64", DType.F64, d, 4)
        .putLongs("i64", DType.I64, l, 2, 2)
        .putInts("i32", DType.I32, i, 3, 1, 2)
        .putFloats("f16", DType.F16, half, 6)
        .putFloats("bf16", DType.BF16, bf, 1, 6)
        .putFloats("scalar", new float[] {9f})
        .putFloats("empty", new float[0], 0, 5)
        .write(p);
    try (SafetensorsFile s = SafetensorsFile.open(p)) {
      assertEquals("pt", s.metadata().get("format"));
      assertEquals("LSTM", s.metadata().get("mode"));
      assertEquals("h\u00e9 \"q\" \\ \n", s.metadata().get("unicode"));
      assertEquals(
          List.of("bf16", "empty", "f16", "f32", "f64", "i32", "i64", "scalar"),
          s.names().stream().sorted().collect(Collectors.toList()));
      assertArrayEquals(f, s.floats("f32"));
      assertArrayEquals(new long[] {2, 3}, s.info("f32").shape());
      assertEquals(DType.F64, s.info("f64").dtype());
      assertArrayEquals(d, s.doubles("f64"));
      assertArrayEquals(l, s.longs("i64"));
      assertArrayEquals(i, s.ints("i32"));
      assertArrayEquals(new long[] {3, 1, 2}, s.info("i32").shape());
      assertArrayEquals(half, s.floats("f16"));
      float[] bfBack = s.floats("bf16");
      for (int k = 0; k < bf.length; k++) {
        assertEquals(Halfs.bf16ToFloat(Halfs.floatToBf16(bf[k])), bfBack[k]);
        assertEquals(bf[k], bfBack[k], Math.abs(bf[k]) / 256);
      }
      assertArrayEquals(new float[] {9f}, s.floats("scalar"));
      assertEquals(0, s.info("scalar").rank());
      assertEquals(1, s.info("scalar").numel());
      assertEquals(0, s.floats("empty").length);
      assertArrayEquals(new long[] {0, 5}, s.info("empty").shape());
      // conversions between types
      float[] asFloat = s.floats("f64");
      for (int k = 0; k < d.length; k++) {
        assertEquals((float) d[k], asFloat[k]);
      }
      assertArrayEquals(
          new float[] {Integer.MIN_VALUE, -7, 0, Integer.MAX_VALUE, 42, 3}, s.floats("i32"));
      assertArrayEquals(
          new long[] {Integer.MIN_VALUE, -7, 0, Integer.MAX_VALUE, 42, 3}, s.longs("i32"));
      assertEquals(-1.0, s.doubles("i64")[1]);
      // zero-copy view
      ByteBuffer b = s.buffer("f32");
      assertTrue(b.isReadOnly());
      assertEquals(ByteOrder.LITTLE_ENDIAN, b.order());
      assertEquals(24, b.remaining());
      assertEquals(-1.5f, b.getFloat(4));
      // I64 out of int range, floats from an int accessor
      SafetensorsException e = assertThrows(SafetensorsException.class, () -> s.ints("i64"));
      assertTrue(e.getMessage().contains("does not fit in an int"), e.getMessage());
      e = assertThrows(SafetensorsException.class, () -> s.longs("f32"));
      assertTrue(e.getMessage().contains("F32"), e.getMessage());
      e = assertThrows(SafetensorsException.class, () -> s.floats("nope"));
      assertTrue(e.getMessage().contains("no tensor named 'nope'"), e.getMessage());
    }
    // Everything is 8-byte aligned: header padded, big elements first.
    byte[] bytes = Files.readAllBytes(p);
    long n = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
    assertEquals(0, n % 8);
  }

  @Test
  void readsWhatPythonWrote() throws IOException {
    // A file written by scripts/make_fixtures.py (the hand-written Python writer).
    Path p =
        Path.of("java/jrnn-core/src/test/resources/fixtures/lstm_uni_l1_nobias/state.safetensors");
    if (!Files.exists(p)) {
      p =
          Path.of(System.getProperty("user.dir"))
              .resolve(
                  "java/jrnn-core/src/test/resources/fixtures/lstm_uni_l1_nobias/state.safetensors");
    }
    org.junit.jupiter.api.Assumptions.assumeTrue(Files.exists(p), "fixtures not found from " + p);
    try (SafetensorsFile s = SafetensorsFile.open(p)) {
      assertEquals(Map.of("format", "pt"), s.metadata());
      assertArrayEquals(new long[] {16, 3}, s.info("weight_ih_l0").shape());
      assertArrayEquals(new long[] {16, 4}, s.info("weight_hh_l0").shape());
    }
  }

  @Test
  void largeFilesAreMemoryMapped() throws IOException {
    float[] big = new float[(int) (SafetensorsFile.MMAP_THRESHOLD / 4) + 1000];
    for (int k = 0; k < big.length; k++) {
      big[k] = k * 0.5f;
    }
    Path p = dir.resolve("big.safetensors");
    new SafetensorsWriter()
        .putFloats("big", big, big.length)
        .putFloats("s", new float[] {1}, 1)
        .write(p);
    try (SafetensorsFile s = SafetensorsFile.open(p)) {
      ByteBuffer b = s.buffer("big");
      assertTrue(b.isDirect(), "a large file should be a mapped (direct) buffer");
      assertArrayEquals(big, s.floats("big"));
    }
  }

  @Test
  void filesOver2GiBMapTensorByTensor() throws IOException {
    // A sparse file: a 2^31 + 8 byte U8 tensor (never touched), then a small F32 tensor past 2 GiB.
    long big = (1L << 31) + 8;
    String json =
        "{\"big\":{\"dtype\":\"U8\",\"shape\":["
            + big
            + "],\"data_offsets\":[0,"
            + big
            + "]},"
            + "\"tail\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":["
            + big
            + ","
            + (big + 8)
            + "]},"
            + "\"huge\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":["
            + (big + 8)
            + ","
            + (big + 8)
            + "]}}";
    byte[] h = json.getBytes(StandardCharsets.UTF_8);
    Path p = dir.resolve("sparse.safetensors");
    org.junit.jupiter.api.Assumptions.assumeTrue(
        Files.getFileStore(dir).getUsableSpace() > (4L << 30),
        "skipped: under 4 GiB free in " + dir);
    try (java.nio.channels.FileChannel ch =
        java.nio.channels.FileChannel.open(
            p,
            java.nio.file.StandardOpenOption.CREATE_NEW,
            java.nio.file.StandardOpenOption.WRITE,
            java.nio.file.StandardOpenOption.SPARSE)) {
      ByteBuffer head = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length);
      head.flip();
      ch.write(head, 0);
      ch.write(ByteBuffer.wrap(h), 8);
      ByteBuffer tail =
          ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putFloat(1.5f).putFloat(-2f);
      tail.flip();
      ch.write(tail, 8 + h.length + big);
    }
    try (SafetensorsFile s = SafetensorsFile.open(p)) {
      assertArrayEquals(new float[] {1.5f, -2f}, s.floats("tail"));
      SafetensorsException e = assertThrows(SafetensorsException.class, () -> s.buffer("big"));
      assertTrue(e.getMessage().contains("over 2 GiB"), e.getMessage());
      assertEquals(big, s.info("big").numel());
    } finally {
      Files.delete(p);
    }
  }

  @Test
  void fromBufferReadsInMemoryFiles() throws IOException {
    byte[] bytes = validFile();
    ByteBuffer withPrefix = ByteBuffer.allocate(bytes.length + 3);
    withPrefix.put(new byte[3]).put(bytes).flip().position(3);
    try (SafetensorsFile s = SafetensorsFile.fromBuffer(withPrefix, Path.of("mem"))) {
      assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, s.floats("w"));
      assertArrayEquals(new long[] {7, -8}, s.longs("n"));
      assertArrayEquals(new float[] {0.5f, -1, 2}, s.floats("h"));
    }
  }

  @Test
  void halfConversionsRoundTripEveryPattern() {
    for (int h = 0; h < 0x10000; h++) {
      float f = Halfs.f16ToFloat((short) h);
      if (Float.isNaN(f)) {
        assertTrue(Float.isNaN(Halfs.f16ToFloat(Halfs.floatToF16(f))));
        continue;
      }
      assertEquals((short) h, Halfs.floatToF16(f), "F16 pattern " + Integer.toHexString(h));
      float g = Halfs.bf16ToFloat((short) h);
      if (!Float.isNaN(g)) {
        assertEquals((short) h, Halfs.floatToBf16(g), "BF16 pattern " + Integer.toHexString(h));
      }
    }
  }

  @Test
  void halfConversionsRoundToNearestEven() {
    assertEquals(1.0f, Halfs.f16ToFloat(Halfs.floatToF16(1f + 0x1p-11f))); // tie -> even
    assertEquals(
        1f + 0x1p-9f, Halfs.f16ToFloat(Halfs.floatToF16(1f + 3 * 0x1p-11f))); // tie -> even
    assertEquals(1f + 0x1p-10f, Halfs.f16ToFloat(Halfs.floatToF16(1f + 0x1p-11f + 0x1p-20f)));
    assertEquals(Float.POSITIVE_INFINITY, Halfs.f16ToFloat(Halfs.floatToF16(65520f)));
    assertEquals(65504f, Halfs.f16ToFloat(Halfs.floatToF16(65519f)));
    assertEquals(0x1p-24f, Halfs.f16ToFloat(Halfs.floatToF16(0x1.8p-25f))); // subnormal
    assertEquals(0f, Halfs.f16ToFloat(Halfs.floatToF16(0x1p-26f)));
    assertEquals(1.0f, Halfs.bf16ToFloat(Halfs.floatToBf16(1f + 0x1p-8f))); // tie -> even
    assertEquals(1f + 0x1p-7f, Halfs.bf16ToFloat(Halfs.floatToBf16(1f + 0x1p-8f + 0x1p-20f)));
    Random r = new Random(1);
    for (int k = 0; k < 100_000; k++) {
      float f = (float) ((r.nextDouble() * 2 - 1) * Math.pow(2, r.nextInt(40) - 26));
      short h = Halfs.floatToF16(f);
      double err = Math.abs(Halfs.f16ToFloat(h) - (double) f);
      for (int delta : new int[] {-1, 1}) {
        float other = Halfs.f16ToFloat((short) (h + delta));
        if (!Float.isNaN(other)
            && !Float.isInfinite(other)
            && Math.signum(other) == Math.signum(f)) {
          assertTrue(err <= Math.abs(other - (double) f), "F16 of " + f + " is not the nearest");
        }
      }
      short b = Halfs.floatToBf16(f);
      double errB = Math.abs(Halfs.bf16ToFloat(b) - (double) f);
      for (int delta : new int[] {-1, 1}) {
        float other = Halfs.bf16ToFloat((short) (b + delta));
        if (Math.signum(other) == Math.signum(f)) {
          assertTrue(errB <= Math.abs(other - (double) f), "BF16 of " + f + " is not the nearest");
        }
      }
    }
  }

  // ---------------------------------------------------------------- atomic writes

  @Test
  void writeReplacesAtomicallyAndLeavesNoTempFiles() throws IOException {
    Path p = dir.resolve("model.safetensors");
    Files.writeString(p, "old contents");
    new SafetensorsWriter().putFloats("a", new float[] {1, 2}, 2).write(p);
    try (SafetensorsFile s = SafetensorsFile.open(p)) {
      assertArrayEquals(new float[] {1, 2}, s.floats("a"));
    }
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(List.of(p), files.collect(Collectors.toList()));
    }
  }

  @Test
  void failedWriteLeavesNothingBehind() throws IOException {
    // The target is a non-empty directory, so the final rename fails after the data was written.
    Path target = dir.resolve("out.safetensors");
    Files.createDirectory(target);
    Files.writeString(target.resolve("keep"), "x");
    SafetensorsWriter w = new SafetensorsWriter().putFloats("a", new float[] {1}, 1);
    assertThrows(IOException.class, () -> w.write(target));
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(List.of(target), files.collect(Collectors.toList()));
    }
    assertTrue(Files.exists(target.resolve("keep")));
    // A missing directory: an IOException, no file.
    assertThrows(IOException.class, () -> w.write(dir.resolve("no/such/dir/x.safetensors")));
  }

  @Test
  void writerRejectsBadArguments() {
    SafetensorsWriter w = new SafetensorsWriter();
    assertThrows(JrnnException.class, () -> w.putFloats("a", new float[3], 2, 2));
    assertThrows(JrnnException.class, () -> w.putFloats("a", new float[0], -1));
    assertThrows(JrnnException.class, () -> w.putFloats("__metadata__", new float[1], 1));
    assertThrows(JrnnException.class, () -> w.putFloats("a", DType.I32, new float[1], 1));
    assertThrows(JrnnException.class, () -> w.putLongs("a", DType.I32, new long[] {1L << 40}, 1));
    w.putFloats("a", new float[1], 1);
    assertThrows(JrnnException.class, () -> w.putFloats("a", new float[1], 1));
  }

  // ---------------------------------------------------------------- hostile files

  @Test
  void tooShortFiles() throws IOException {
    Path p = dir.resolve("empty.safetensors");
    Files.write(p, new byte[0]);
    rejects(p, "too short");
    Files.write(p, new byte[5]);
    rejects(p, "too short");
    // a missing file is an I/O failure (IOException), worded the same way
    Path missing = dir.resolve("missing.safetensors");
    IOException e = assertThrows(IOException.class, () -> SafetensorsFile.open(missing).close());
    assertTrue(
        e.getMessage().startsWith(missing + ": ") && e.getMessage().contains("no such file"),
        e.getMessage());
  }

  @Test
  void headerLengthLargerThanFile() throws IOException {
    rejects(
        rawFile("a.safetensors", 1000, "{}".getBytes(StandardCharsets.UTF_8), 0), "larger than");
  }

  @Test
  void absurdHeaderLengthsNeverAllocate() throws IOException {
    for (long n :
        new long[] {-1L, Long.MAX_VALUE, 1L << 40, SafetensorsFile.MAX_HEADER_BYTES + 1}) {
      rejects(rawFile("a.safetensors", n, "{}".getBytes(StandardCharsets.UTF_8), 0), "absurd");
    }
  }

  @Test
  void everyTruncationIsReported() throws IOException {
    byte[] bytes = validFile();
    Path p = dir.resolve("cut.safetensors");
    for (int len = 0; len < bytes.length; len++) {
      Files.write(p, Arrays.copyOf(bytes, len));
      SafetensorsException e =
          assertThrows(
              SafetensorsException.class, () -> SafetensorsFile.open(p).close(), "length " + len);
      assertTrue(e.getMessage().startsWith(p.toString()), e.getMessage());
    }
    Files.write(p, Arrays.copyOf(bytes, bytes.length - 4));
    rejects(p, "truncated");
  }

  @Test
  void trailingBytesAndGapsAndOverlaps() throws IOException {
    rejects(
        headerFile("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 12),
        "trailing");
    rejects(
        headerFile(
            "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}",
            12),
        "overlap");
    rejects(
        headerFile(
            "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}",
            8),
        "overlap");
    rejects(
        headerFile(
            "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}",
            12),
        "gap of 4 bytes");
    rejects(
        headerFile("{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", 8),
        "run past the end");
    rejects(
        headerFile(
            "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[9223372036854775800,"
                + "9223372036854775804]}}",
            8),
        "run past the end");
    rejects(
        headerFile("{\"a\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[8,0]}}", 8),
        "end before begin");
    rejects(
        headerFile("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[-4,0]}}", 8),
        "non-negative");
    rejects(
        headerFile("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0]}}", 4),
        "data_offsets");
    rejects(
        headerFile("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,1e1]}}", 4),
        "data_offsets");
    // Zero-sized tensors may share an offset.
    Path ok =
        headerFile(
            "{\"a\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[0,3],\"data_offsets\":[0,0]},"
                + "\"c\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}",
            4);
    try (SafetensorsFile s = SafetensorsFile.open(ok)) {
      assertEquals(3, s.names().size());
    }
  }

  @Test
  void shapeAndByteCountMustAgree() throws IOException {
    rejects(
        headerFile("{\"a\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,20]}}", 20),
        "needs 24 bytes but data_offsets give 20");
    rejects(
        headerFile("{\"a\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4),
        "needs 8 bytes");
    rejects(
        headerFile(
            "{\"a\":{\"dtype\":\"F32\",\"shape\":[4611686018427387904,4],"
                + "\"data_offsets\":[0,16]}}",
            16),
        "overflow");
    rejects(
        headerFile(
            "{\"a\":{\"dtype\":\"F32\",\"shape\":[1073741824,1073741824,1073741824],"
                + "\"data_offsets\":[0,16]}}",
            16),
        "overflow");
    rejects(
        headerFile("{\"a\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", 4),
        "shape[0]");
    rejects(
        headerFile("{\"a\":{\"dtype\":\"F32\",\"shape\":[1.5],\"data_offsets\":[0,4]}}", 4),
        "shape[0]");
    rejects(
        headerFile("{\"a\":{\"dtype\":\"F32\",\"shape\":[\"2\"],\"data_offsets\":[0,8]}}", 8),
        "shape[0]");
    rejects(
        headerFile(
            "{\"a\":{\"dtype\":\"F32\",\"shape\":[99999999999999999999],\"data_offsets\":[0,8]}}",
            8),
        "shape[0]");
    rejects(
        headerFile("{\"a\":{\"dtype\":\"F32\",\"shape\":2,\"data_offsets\":[0,8]}}", 8),
        "\"shape\" must be an array");
    rejects(
        headerFile("{\"a\":{\"dtype\":\"F32\",\"data_offsets\":[0,8]}}", 8), "missing \"shape\"");
  }

  @Test
  void unknownDtypesAndFields() throws IOException {
    rejects(
        headerFile("{\"a\":{\"dtype\":\"F128\",\"shape\":[1],\"data_offsets\":[0,16]}}", 16),
        "unknown dtype \"F128\"");
    rejects(headerFile("{\"a\":{\"shape\":[1],\"data_offsets\":[0,4]}}", 4), "missing \"dtype\"");
    rejects(
        headerFile("{\"a\":{\"dtype\":4,\"shape\":[1],\"data_offsets\":[0,4]}}", 4), "\"dtype\"");
    rejects(
        headerFile("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4],\"x\":1}}", 4),
        "unknown field \"x\"");
    rejects(headerFile("{\"a\":[1,2]}", 0), "must be an object");
    rejects(headerFile("{\"__metadata__\":{\"k\":1}}", 0), "must be a string");
    rejects(headerFile("{\"__metadata__\":[]}", 0), "__metadata__ must be an object");
    // A dtype jrnn does not convert opens, but converting it is an error naming the dtype.
    Path u8 = headerFile("{\"a\":{\"dtype\":\"U8\",\"shape\":[4],\"data_offsets\":[0,4]}}", 4);
    try (SafetensorsFile s = SafetensorsFile.open(u8)) {
      SafetensorsException e = assertThrows(SafetensorsException.class, () -> s.floats("a"));
      assertTrue(e.getMessage().contains("U8"), e.getMessage());
      assertEquals(4, s.buffer("a").remaining());
    }
  }

  @Test
  void badJson() throws IOException {
    for (String bad :
        new String[] {
          "{",
          "{'a':1}",
          "{\"a\":1,}",
          "[]",
          "{} {}",
          "{\"a\":tru}",
          "{\"a\":01}",
          "{a:1}",
          "{\"a\":\"\u0001\"}",
          "{\"a\":1 \"b\":2}",
          "  ",
          "{\"a\":\"\\x\"}",
          "{\"a\":-}",
          "{\"a\":{\"b\":1,\"b\":2}}",
          "null",
          "{\"__metadata__\":{},\"__metadata__\":{}}"
        }) {
      Path p = headerFile(bad, 0);
      SafetensorsException e =
          assertThrows(SafetensorsException.class, () -> SafetensorsFile.open(p).close(), bad);
      assertTrue(
          e.getMessage().contains("JSON") || e.getMessage().contains("header"),
          bad + " -> " + e.getMessage());
    }
    rejects(headerFile("{\"a\":{\"b\":1,\"b\":2}}", 0), "duplicate key");
    // Deep nesting: a clear message, not a StackOverflowError.
    String deep = "{\"a\":" + "[".repeat(100_000) + "]".repeat(100_000) + "}";
    rejects(headerFile(deep, 0), "nested deeper");
    // Invalid UTF-8.
    byte[] h = {'{', '"', (byte) 0xff, '"', ':', '1', '}', ' '};
    rejects(rawFile("u.safetensors", h.length, h, 0), "UTF-8");
    // Padding with spaces (as the reference writer does) is fine; an empty object is a valid file.
    try (SafetensorsFile s = SafetensorsFile.open(headerFile("{}      ", 0))) {
      assertTrue(s.names().isEmpty());
    }
  }

  @Test
  void randomCorruptionGivesOnlySafetensorsExceptions() throws IOException {
    byte[] good = validFile();
    Random r = new Random(42);
    Path p = dir.resolve("fuzz.safetensors");
    int opened = 0;
    for (int iter = 0; iter < 3000; iter++) {
      byte[] b = good.clone();
      int flips = 1 + r.nextInt(3);
      for (int k = 0; k < flips; k++) {
        int at = r.nextInt(b.length);
        b[at] =
            r.nextInt(4) == 0
                ? (byte) r.nextInt(256)
                : (byte) "0123456789[]{},:\"-eE.".charAt(r.nextInt(21));
      }
      Files.write(p, b);
      try (SafetensorsFile s = SafetensorsFile.open(p)) {
        opened++;
        for (TensorInfo t : s.tensors()) {
          try {
            if (t.dtype().isConvertible()) {
              s.floats(t.name());
            }
            s.buffer(t.name());
          } catch (SafetensorsException e) {
            // converting an odd dtype: fine
          }
        }
      } catch (SafetensorsException e) {
        assertTrue(e.getMessage().startsWith(p.toString()), e.getMessage());
      } catch (RuntimeException | Error e) {
        fail("corrupt file #" + iter + " gave " + e, e);
      }
    }
    assertTrue(opened > 0, "some flips (e.g. in data bytes) leave a valid file");
    assertFalse(opened == 3000);
  }

  // ---------------------------------------------------------------- huge input, short messages

  private static void shortMessage(Exception e, String want) {
    String m = e.getMessage();
    String start = m.substring(0, Math.min(m.length(), 600));
    assertTrue(m.length() < 600, "message of " + m.length() + " characters: " + start);
    assertTrue(m.contains(want), "'" + start + "' lacks '" + want + "'");
  }

  @Test
  void hugeNamesKeysAndValuesGiveShortMessages() throws IOException {
    String huge = "n".repeat(3_000_000);
    // a tensor with a huge name whose shape does not fit its bytes
    Path p =
        headerFile(
            "{\"" + huge + "\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,4]}}", 4);
    SafetensorsException named = rejects(p, "needs 8 bytes");
    shortMessage(named, "tensor 'nnnn");
    shortMessage(named, "...' (3000000 characters)");
    // a huge dtype, a huge metadata key with a non-string value, a huge duplicate key, a huge shape
    shortMessage(
        rejects(
            headerFile(
                "{\"a\":{\"dtype\":\"" + huge + "\",\"shape\":[],\"data_offsets\":[0,0]}}", 0),
            "unknown dtype"),
        "(3000000 characters)");
    shortMessage(
        rejects(headerFile("{\"__metadata__\":{\"" + huge + "\":1}}", 0), "must be a string"),
        "nnn");
    shortMessage(
        rejects(headerFile("{\"" + huge + "\":{},\"" + huge + "\":{}}", 0), "duplicate key"),
        "(3000000 characters)");
    String ones = String.join(",", java.util.Collections.nCopies(500_000, "1"));
    shortMessage(
        rejects(
            headerFile(
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[" + ones + "],\"data_offsets\":[0,0]}}", 0),
            "needs 4 bytes"),
        "characters)");
    // asking a file of 100000 tensors for one it lacks lists a few of them
    StringBuilder h = new StringBuilder("{");
    for (int i = 0; i < 100_000; i++) {
      h.append(i == 0 ? "" : ",")
          .append("\"t")
          .append(i)
          .append("\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]}");
    }
    try (SafetensorsFile f = SafetensorsFile.open(headerFile(h.append('}').toString(), 0))) {
      shortMessage(assertThrows(SafetensorsException.class, () -> f.info(huge)), "(100000 in all)");
    }
    // the writer quotes a huge name short too
    shortMessage(
        assertThrows(
            JrnnException.class, () -> new SafetensorsWriter().putFloats(huge, new float[3], 2)),
        "(3000000 characters)");
  }

  @Test
  void aDirectoryIsNamedAsOne() throws IOException {
    Path d = Files.createDirectory(dir.resolve("weights.safetensors"));
    // a path that cannot be read is an I/O failure, not bad content: IOException, same wording
    IOException e = assertThrows(IOException.class, () -> SafetensorsFile.open(d).close());
    assertEquals(d + ": is a directory, not a safetensors file", e.getMessage());
  }

  @Test
  void aMissingFileIsAnIoFailureAndBadContentAJrnnException() throws IOException {
    Path missing = dir.resolve("missing.safetensors");
    IOException io = assertThrows(IOException.class, () -> SafetensorsFile.open(missing).close());
    assertTrue(io.getMessage().startsWith(missing + ": "), io.getMessage());
    Path bad = Files.write(dir.resolve("bad.safetensors"), new byte[] {1, 2, 3});
    JrnnException content =
        assertThrows(JrnnException.class, () -> SafetensorsFile.open(bad).close());
    assertTrue(content instanceof SafetensorsException, content.toString());
  }

  @Test
  void writeErrorsNameTheTargetNotTheTempFile() throws IOException {
    Path notAFolder = Files.writeString(dir.resolve("plain.txt"), "x");
    SafetensorsWriter w = new SafetensorsWriter().putFloats("a", new float[] {1}, 1);
    for (Path target :
        List.of(notAFolder.resolve("out.safetensors"), dir.resolve("none/out.safetensors"))) {
      java.nio.file.FileSystemException e =
          assertThrows(java.nio.file.FileSystemException.class, () -> w.write(target));
      assertEquals(target.toString(), e.getFile(), e.getMessage());
      assertFalse(e.getMessage().contains(".tmp"), e.getMessage());
    }
  }
}
