/*
 * HostileFiles: generators of damaged, hostile and valid files for every jrnn loader
 * (safetensors, model files, checkpoints, tokenizer/label/config JSON, text readers, CONLL,
 * caption lists, feature files, images, interop files), each a fuzz call of ApiFuzzer's
 * "files-*" families. A damaged file must be refused with a JrnnException or the loader's declared
 * IOException, with a short message; never an Error, another exception, a hang or a crash. A valid
 * file must load and give back what was written.
 */
package org.jrnn.reliability;

import static org.jrnn.reliability.Call.Ctx.check;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;
import javax.imageio.ImageIO;
import org.jrnn.Cell;
import org.jrnn.Device;
import org.jrnn.Recurrent;
import org.jrnn.caption.CaptionData;
import org.jrnn.caption.FeatureFiles;
import org.jrnn.caption.ImagePixels;
import org.jrnn.data.CharTokenizer;
import org.jrnn.data.ConllReader;
import org.jrnn.data.LabelIndex;
import org.jrnn.data.LabelledExample;
import org.jrnn.data.LabelledTextReader;
import org.jrnn.data.TaggedSentence;
import org.jrnn.data.TextFiles;
import org.jrnn.data.TextPairReader;
import org.jrnn.data.Tokenizer;
import org.jrnn.data.WordTokenizer;
import org.jrnn.decode.RecurrentRows;
import org.jrnn.interop.RnnConfig;
import org.jrnn.interop.StateDict;
import org.jrnn.interop.TorchRnn;
import org.jrnn.io.DType;
import org.jrnn.io.Json;
import org.jrnn.io.SafetensorsFile;
import org.jrnn.io.SafetensorsWriter;
import org.jrnn.io.TensorInfo;
import org.jrnn.models.LanguageModel;
import org.jrnn.models.Model;
import org.jrnn.models.ModelFiles;
import org.jrnn.models.SequenceClassifier;
import org.jrnn.nn.Parameter;
import org.jrnn.optim.Adam;
import org.jrnn.train.Checkpoint;

/** Generators of hostile files, one per loader family. */
final class HostileFiles {
  private HostileFiles() {}

  /** The loader families, as ApiFuzzer family names. */
  static final List<String> FAMILIES =
      List.of(
          "files-safetensors",
          "files-model",
          "files-checkpoint",
          "files-json",
          "files-text",
          "files-conll",
          "files-captions",
          "files-features",
          "files-image",
          "files-interop");

  static Call generate(String family, Gen g) {
    return switch (family) {
      case "files-safetensors" -> safetensors(g);
      case "files-model" -> modelFile(g);
      case "files-checkpoint" -> checkpoint(g);
      case "files-json" -> json(g);
      case "files-text" -> text(g);
      case "files-conll" -> conll(g);
      case "files-captions" -> captions(g);
      case "files-features" -> features(g);
      case "files-image" -> image(g);
      default -> interop(g);
    };
  }

  // ------------------------------------------------------------------ helpers

  /** A call that writes {@code bytes} to {@code name} in the scratch directory and loads it. */
  interface Loader {
    void load(Path file) throws Exception;
  }

  static Call file(
      String api,
      Call.Expect expect,
      String what,
      String name,
      byte[] bytes,
      boolean plainIo,
      Loader loader) {
    Call.Body body =
        c -> {
          Path p = c.dir().resolve(name);
          Files.write(p, bytes);
          loader.load(p);
        };
    Call call =
        new Call(api, expect, what + " (" + bytes.length + " bytes as " + name + ")", body, true);
    return plainIo ? call.readsFileAnyIo() : call;
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  /**
   * Invalid UTF-8: a lone continuation byte, a truncated sequence, an overlong form, a surrogate.
   */
  static byte[] badUtf8(Gen g) {
    return g.pick(
        new byte[] {(byte) 0x80},
        new byte[] {(byte) 0xC3},
        new byte[] {(byte) 0xC0, (byte) 0xAF},
        new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
        new byte[] {(byte) 0xFF, (byte) 0xFE},
        new byte[] {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80});
  }

  /** {@code [[[[...]]]]} nested {@code depth} deep. */
  static String deepJson(int depth) {
    return "[".repeat(depth) + "]".repeat(depth);
  }

  /** A header-length field followed by the header and data: a safetensors file by hand. */
  static byte[] safetensorsBytes(String header, byte[] data) {
    byte[] h = utf8(header);
    ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(h.length).put(h).put(data);
    return b.array();
  }

  static void flip(byte[] b, Gen g, int from) {
    if (b.length > from) {
      int at = g.between(from, b.length - 1);
      b[at] ^= (byte) (1 << g.between(0, 7));
    }
  }

  // ------------------------------------------------------------------ safetensors

  /** A valid writer with 1-3 tensors of random names, dtypes and shapes, and what each holds. */
  static SafetensorsWriter validWriter(
      Gen g, Map<String, double[]> values, Map<String, DType> types) {
    SafetensorsWriter w = new SafetensorsWriter();
    int n = g.between(1, 3);
    for (int i = 0; i < n; i++) {
      String name = g.pick(g.word(), "layer." + i + ".weight", "ünï" + i, "a/b:" + i, "\u4e2d" + i);
      if (values.containsKey(name)) {
        continue;
      }
      long[] shape = g.shape(g.between(0, 3), 3);
      int count = (int) Arrays.stream(shape).reduce(1, (a, b) -> a * b);
      DType dtype = g.pick(DType.F32, DType.F64, DType.F16, DType.BF16, DType.I64, DType.I32);
      double[] v = new double[count];
      for (int k = 0; k < count; k++) {
        v[k] = g.between(-8, 8) * 0.5; // exact in every float type
      }
      switch (dtype) {
        case I64 ->
            w.putLongs(
                name,
                dtype,
                Arrays.stream(v).mapToLong(x -> (long) Math.floor(x)).toArray(),
                shape);
        case I32 ->
            w.putInts(
                name, dtype, Arrays.stream(v).mapToInt(x -> (int) Math.floor(x)).toArray(), shape);
        default -> w.putDoubles(name, dtype, v, shape);
      }
      if (dtype == DType.I64 || dtype == DType.I32) {
        v = Arrays.stream(v).map(Math::floor).toArray();
      }
      values.put(name, v);
      types.put(name, dtype);
    }
    if (g.coin()) {
      w.metadata("format", "pt").metadata(g.word(), g.text(20));
    }
    return w;
  }

  /** Opens a safetensors file and reads every tensor as floats, doubles, longs or ints. */
  static void readAll(Path p, Gen g) throws IOException {
    try (SafetensorsFile f = SafetensorsFile.open(p)) {
      for (TensorInfo t : f.tensors()) {
        check(f.info(t.name()).numel() == t.numel(), "info");
        switch (g.between(0, 3)) {
          case 0 -> check(f.floats(t.name()).length == t.numel(), "floats length");
          case 1 -> check(f.doubles(t.name()).length == t.numel(), "doubles length");
          case 2 -> check(f.longs(t.name()).length == t.numel(), "longs length");
          default -> check(f.ints(t.name()).length == t.numel(), "ints length");
        }
      }
    }
  }

  static Call safetensors(Gen g) {
    String api = "files-safetensors";
    Map<String, double[]> values = new LinkedHashMap<>();
    Map<String, DType> types = new LinkedHashMap<>();
    byte[] valid = validWriter(g, values, types).toByteArray();
    long headerLen = ByteBuffer.wrap(valid).order(ByteOrder.LITTLE_ENDIAN).getLong();
    int kind = g.between(0, 17);
    long seed = g.nextLong();
    Loader readAll = p -> readAll(p, new Gen(seed));
    switch (kind) {
      case 0:
        return file(
            api,
            Call.Expect.GOOD,
            "valid safetensors " + values.keySet(),
            "t.safetensors",
            valid,
            false,
            p -> {
              try (SafetensorsFile f = SafetensorsFile.open(p)) {
                check(f.names().equals(values.keySet()), "names " + f.names());
                for (Map.Entry<String, double[]> e : values.entrySet()) {
                  boolean ints =
                      types.get(e.getKey()) == DType.I64 || types.get(e.getKey()) == DType.I32;
                  double[] got =
                      ints
                          ? Arrays.stream(f.longs(e.getKey())).asDoubleStream().toArray()
                          : f.doubles(e.getKey());
                  check(
                      Arrays.equals(got, e.getValue()),
                      "tensor " + e.getKey() + " read back differs");
                }
              }
            });
      case 1:
        {
          int cut = g.between(0, valid.length - 1);
          return file(
              api,
              Call.Expect.BAD,
              "safetensors truncated at " + cut,
              "t.safetensors",
              Arrays.copyOf(valid, cut),
              false,
              readAll);
        }
      case 2:
        {
          long len =
              g.pick(
                  -1L,
                  Long.MIN_VALUE,
                  1L << 62,
                  0L,
                  1L,
                  (long) valid.length,
                  headerLen + 1,
                  SafetensorsFile.MAX_HEADER_BYTES + 1,
                  0xFFFFFFFFL);
          byte[] b = valid.clone();
          ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(0, len);
          return file(
              api,
              Call.Expect.BAD,
              "safetensors header length " + len,
              "t.safetensors",
              b,
              false,
              readAll);
        }
      case 3:
        {
          String header =
              g.pick(
                  "x" + g.text(40),
                  "{",
                  "{\"a\":",
                  "null",
                  "[]",
                  "\"str\"",
                  "{} trailing",
                  "{\"t\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4]}}}");
          return file(
              api,
              Call.Expect.BAD,
              "safetensors header " + Gen.brief(header),
              "t.safetensors",
              safetensorsBytes(header, new byte[4]),
              false,
              readAll);
        }
      case 4:
        {
          byte[] h = concat(utf8("{\"t\": \""), badUtf8(g), utf8("\"}"));
          ByteBuffer b = ByteBuffer.allocate(8 + h.length).order(ByteOrder.LITTLE_ENDIAN);
          b.putLong(h.length).put(h);
          return file(
              api,
              Call.Expect.BAD,
              "safetensors header with invalid UTF-8",
              "t.safetensors",
              b.array(),
              false,
              readAll);
        }
      case 5:
        {
          int depth = g.pick(65, 1000, 100_000);
          return file(
              api,
              Call.Expect.BAD,
              "safetensors header nested " + depth + " deep",
              "t.safetensors",
              safetensorsBytes("{\"a\": " + deepJson(depth) + "}", new byte[0]),
              false,
              readAll);
        }
      case 6:
        {
          String offsets =
              g.pick(
                  "[0, 1000000000000]",
                  "[4, 0]",
                  "[-4, 0]",
                  "[0, 9223372036854775807]",
                  "[0]",
                  "[0, 4, 8]",
                  "\"0-4\"",
                  "[0.5, 4]",
                  "[0, 1e400]",
                  "[1, 5]");
          return file(
              api,
              Call.Expect.BAD,
              "safetensors data_offsets " + offsets,
              "t.safetensors",
              safetensorsBytes(
                  "{\"t\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": "
                      + offsets
                      + "}}",
                  new byte[4]),
              false,
              readAll);
        }
      case 7:
        { // two tensors over the same bytes, or with a gap
          String second = g.pick("[0, 4]", "[2, 6]", "[8, 12]");
          return file(
              api,
              Call.Expect.BAD,
              "safetensors overlapping/gapped tensors " + second,
              "t.safetensors",
              safetensorsBytes(
                  "{\"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4]},"
                      + " \"b\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": "
                      + second
                      + "}}",
                  new byte[second.equals("[8, 12]") ? 12 : 8]),
              false,
              readAll);
        }
      case 8:
        {
          String dtype =
              g.pick("\"F128\"", "\"\"", "\"f32\"", "123", "null", "[\"F32\"]", "\"F32 \"");
          return file(
              api,
              Call.Expect.BAD,
              "safetensors dtype " + dtype,
              "t.safetensors",
              safetensorsBytes(
                  "{\"t\": {\"dtype\": " + dtype + ", \"shape\": [1], \"data_offsets\": [0, 4]}}",
                  new byte[4]),
              false,
              readAll);
        }
      case 9:
        {
          String shape =
              g.pick(
                  "[1099511627776, 1099511627776]",
                  "[-1]",
                  "[4294967296, 4294967296, 4]",
                  "[1.5]",
                  "[\"4\"]",
                  "4",
                  "[9223372036854775807, 2]",
                  "[1e3]",
                  "[null]");
          return file(
              api,
              Call.Expect.BAD,
              "safetensors shape " + shape,
              "t.safetensors",
              safetensorsBytes(
                  "{\"t\": {\"dtype\": \"F32\", \"shape\": "
                      + shape
                      + ", \"data_offsets\": [0, 4]}}",
                  new byte[4]),
              false,
              readAll);
        }
      case 10:
        { // a huge tensor name, with a broken entry so the loader must quote it in a message
          int length = g.chance(0.05) ? 50 << 20 : g.pick(100_000, 1 << 20);
          String name = "n".repeat(length);
          boolean broken = g.chance(0.7);
          String entry =
              broken
                  ? "{\"dtype\": \"BAD\", \"shape\": [1], \"data_offsets\": [0, 4]}"
                  : "{\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4]}";
          return file(
              api,
              broken ? Call.Expect.BAD : Call.Expect.GOOD,
              "safetensors with a "
                  + length
                  + "-character tensor name"
                  + (broken ? " and a bad dtype" : ""),
              "t.safetensors",
              safetensorsBytes("{\"" + name + "\": " + entry + "}", new byte[4]),
              false,
              p -> {
                try (SafetensorsFile f = SafetensorsFile.open(p)) {
                  check(f.floats(name).length == 1, "read back");
                }
              });
        }
      case 11:
        { // non-finite values are data, not an error
          float weird = g.weirdFloat();
          byte[] data =
              ByteBuffer.allocate(8)
                  .order(ByteOrder.LITTLE_ENDIAN)
                  .putFloat(1f)
                  .putFloat(weird)
                  .array();
          return file(
              api,
              Call.Expect.GOOD,
              "safetensors holding " + weird,
              "t.safetensors",
              safetensorsBytes(
                  "{\"t\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 8]}}", data),
              false,
              p -> {
                try (SafetensorsFile f = SafetensorsFile.open(p)) {
                  float[] v = f.floats("t");
                  check(
                      v[0] == 1f && Float.compare(v[1], weird) == 0,
                      "values " + Arrays.toString(v));
                }
              });
        }
      case 12: // a duplicate key: JSON allows it, a tensor file must not
        return file(
            api,
            Call.Expect.BAD,
            "safetensors with a duplicate tensor name",
            "t.safetensors",
            safetensorsBytes(
                "{\"t\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4]},"
                    + " \"t\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [4, 8]}}",
                new byte[8]),
            false,
            readAll);
      case 13:
        {
          String meta =
              g.pick("[]", "\"x\"", "{\"a\": 1}", "{\"a\": null}", "{\"a\": {\"b\": \"c\"}}", "7");
          return file(
              api,
              Call.Expect.BAD,
              "safetensors __metadata__ " + meta,
              "t.safetensors",
              safetensorsBytes("{\"__metadata__\": " + meta + "}", new byte[0]),
              false,
              readAll);
        }
      case 14:
        {
          byte[] b = valid.clone();
          int flips = g.between(1, 3);
          for (int i = 0; i < flips; i++) {
            flip(b, g, 8);
          }
          return file(
              api,
              Call.Expect.EITHER,
              "safetensors with " + flips + " flipped bits",
              "t.safetensors",
              b,
              false,
              readAll);
        }
      case 15:
        {
          byte[] b = new byte[g.between(0, 64)];
          for (int i = 0; i < b.length; i++) {
            b[i] = (byte) g.between(0, 255);
          }
          return file(api, Call.Expect.EITHER, "random bytes", "t.safetensors", b, false, readAll);
        }
      case 16:
        return file(
            api,
            Call.Expect.BAD,
            "safetensors with trailing bytes",
            "t.safetensors",
            concat(valid, new byte[g.between(1, 9)]),
            false,
            readAll);
      default:
        { // asking for a tensor the file lacks, or a conversion it cannot do
          return file(
              api,
              Call.Expect.BAD,
              "safetensors: read a missing tensor",
              "t.safetensors",
              valid,
              false,
              p -> {
                try (SafetensorsFile f = SafetensorsFile.open(p)) {
                  f.floats("no such tensor " + g.text(5));
                }
              });
        }
    }
  }

  // ------------------------------------------------------------------ model files

  /** A saved model file rebuilt with one change, as bytes. */
  static byte[] modelBytes(
      Model m, Map<String, String> meta, Map<String, float[]> tensors, Map<String, long[]> shapes) {
    SafetensorsWriter w = new SafetensorsWriter();
    meta.forEach(w::metadata);
    tensors.forEach((name, v) -> w.putFloats(name, v, shapes.get(name)));
    return w.toByteArray();
  }

  static Call modelFile(Gen g) {
    String api = "files-model";
    boolean lm = g.coin();
    long seed = g.nextLong();
    int kind = g.between(0, 10);
    String garbageConfig =
        g.pick(
            "{}",
            "null",
            g.text(30),
            "{\"vocabSize\": -1}",
            "{\"vocabSize\": 1073741824, \"embeddingSize\": 64}",
            deepJson(200),
            "[1, 2]");
    // a 5000-character type: the message must quote it short
    String longType = g.pick("x", "x".repeat(5000));
    String garbageTokenizer =
        g.pick(
            "{}",
            "{\"type\": \"char\"}",
            "{\"type\": \"" + longType + "\"}",
            "{\"type\": \"word\", \"pattern\": \"(\"}",
            "not json",
            deepJson(1000),
            "{\"type\": \"char\", \"tokens\": 5}");
    return new Call(
        api,
        kind == 0 ? Call.Expect.GOOD : Call.Expect.BAD,
        "model file (" + (lm ? "language model" : "classifier") + ") variant " + kind,
        c -> {
          Gen own = new Gen(seed);
          Model m =
              c.own(
                  lm
                      ? LanguageModel.builder()
                          .vocabSize(own.between(4, 8))
                          .embeddingSize(2)
                          .hiddenSize(3)
                          .layers(1)
                          .seed(seed)
                          .device(Device.cpu())
                          .build()
                      : ModelCalls.classifierConfig(own).toBuilder().device(Device.cpu()).build());
          Map<String, String> meta = new LinkedHashMap<>(ModelFiles.describe(m));
          Map<String, float[]> tensors = new LinkedHashMap<>();
          Map<String, long[]> shapes = new LinkedHashMap<>();
          for (Parameter p : m.parameters()) {
            tensors.put(p.name(), p.value().toArray());
            shapes.put(p.name(), p.value().shape());
          }
          String first = tensors.keySet().iterator().next();
          switch (kind) {
            case 1 ->
                meta.put(ModelFiles.MODEL_KEY, own.pick("captioner", "nope", "", g.text(300)));
            case 2 -> meta.put(ModelFiles.CONFIG_KEY, garbageConfig);
            case 3 -> tensors.remove(first);
            case 4 -> {
              tensors.put("extra", new float[] {1});
              shapes.put("extra", new long[] {1});
            }
            case 5 -> {
              float[] v = tensors.get(first);
              tensors.put(first, Arrays.copyOf(v, v.length + 1));
              shapes.put(first, new long[] {v.length + 1});
            }
            case 6 -> meta.put(ModelFiles.TOKENIZER_KEY, garbageTokenizer);
            case 7 ->
                meta.put(
                    ModelFiles.LABELS_KEY, own.pick("[]", "{}", "[1, 2]", "[\"a\", \"a\"]", "x"));
            case 8 -> meta.remove(ModelFiles.MODEL_KEY);
            case 9 ->
                meta.put(ModelFiles.CONFIG_KEY, m.configJson().replace("}", ", \"unknown\": 1}"));
            case 10 -> meta.put(ModelFiles.TARGET_TOKENIZER_KEY, garbageTokenizer);
            default -> {}
          }
          Path p = c.dir().resolve("model.safetensors");
          Files.write(p, modelBytes(m, meta, tensors, shapes));
          ModelFiles.Contents back = c.own(ModelFiles.load(p, Device.cpu()));
          check(back.model().kind().equals(m.kind()), "kind");
          for (int i = 0; i < m.parameters().size(); i++) {
            check(
                Arrays.equals(
                    back.model().parameters().get(i).value().toArray(),
                    m.parameters().get(i).value().toArray()),
                "parameter " + i + " differs after load");
          }
        },
        true);
  }

  // ------------------------------------------------------------------ checkpoints

  static Call checkpoint(Gen g) {
    String api = "files-checkpoint";
    int kind = g.between(0, 9);
    long seed = g.nextLong();
    // optimizer and trainer metadata with missing or mistyped fields among the garbage
    String garbage =
        g.pick(
            "{}",
            "null",
            "[]",
            "x",
            "{\"epoch\": \"a\"}",
            deepJson(500),
            "{\"name\": 5, \"steps\": 3}",
            "{\"name\": \"adam\", \"learning_rate\": \"x\", \"steps\": {\"a\": \"b\"}}",
            "{\"name\": \"adam\", \"learning_rate\": 0.1}");
    // any JSON object is a valid task state (6); a flipped bit may land in padding (9)
    return new Call(
            api,
            kind == 0
                ? Call.Expect.GOOD
                : kind == 9 || kind == 6 && garbage.startsWith("{")
                    ? Call.Expect.EITHER
                    : Call.Expect.BAD,
            "checkpoint variant " + kind + " garbage " + Gen.brief(garbage),
            c -> {
              Gen own = new Gen(seed);
              Model m =
                  c.own(ModelCalls.classifierConfig(own).toBuilder().device(Device.cpu()).build());
              Adam opt = c.own(Adam.builder().lr(0.01).build(m.parameters()));
              opt.step();
              Path p = c.dir().resolve("ckpt.safetensors");
              Checkpoint.write(
                  p,
                  m,
                  opt,
                  new Checkpoint.TrainerState(
                      1, 2, 3, 4, 5.0, 6.0, 7, Double.NaN, -1, 0, List.of(), 0.0, 0, null),
                  null,
                  null);
              if (kind > 0) {
                byte[] bytes = Files.readAllBytes(p);
                Map<String, String> meta;
                try (SafetensorsFile f = SafetensorsFile.open(p)) {
                  meta = new LinkedHashMap<>(f.metadata());
                }
                switch (kind) {
                  case 1 -> bytes = Arrays.copyOf(bytes, own.between(0, bytes.length - 1));
                  case 2 -> meta.put("trainer", garbage);
                  case 3 -> meta.put("optimizer", garbage);
                  case 4 -> meta.remove("format");
                  case 5 -> meta.put("version", own.pick("99", "", "1.0x"));
                  case 6 -> meta.put("task", garbage.equals("{}") ? "[]" : garbage);
                  case 7 -> meta.remove("trainer");
                  case 8 -> meta.remove("optimizer");
                  default -> flip(bytes, own, 8); // anywhere past the header length
                }
                if (kind >= 2 && kind <= 8) {
                  SafetensorsWriter w = new SafetensorsWriter();
                  meta.forEach(w::metadata);
                  try (SafetensorsFile f = SafetensorsFile.open(p)) {
                    for (TensorInfo t : f.tensors()) {
                      w.putFloats(t.name(), f.floats(t.name()), t.shape());
                    }
                  }
                  bytes = w.toByteArray();
                }
                Files.write(p, bytes);
              }
              Checkpoint back = Checkpoint.read(p);
              back.restoreModel(m);
              // a flip (9) may turn one valid value into another: nothing checks the metadata
              check(
                  kind == 9
                      || back.trainer().step() == 3 && back.optimizer().optimizer().equals("adam"),
                  "read back");
            },
            true)
        .readsFileAnyIo();
  }

  // ------------------------------------------------------------------ JSON strings

  static Call json(Gen g) {
    String api = "files-json";
    String s =
        g.pick(
            g.text(40),
            "{}",
            "[]",
            "null",
            "{\"type\": \"char\", \"tokens\": [\"<pad>\"]}",
            "{\"type\": \"word\", \"lowercase\": true, \"pattern\": \"[\", \"tokens\": []}",
            "{\"type\": " + "\"" + "q".repeat(g.pick(10, 5000)) + "\"}",
            deepJson(g.pick(100, 5000)),
            "{\"type\": \"char\", \"tokens\": [\"<pad>\", \"<unk>\", \"<bos>\", \"<eos>\","
                + " \"ab\"]}",
            "{\"type\": \"char\", \"tokens\": [\"<pad>\", \"<unk>\", \"<bos>\", \"<eos>\", \"a\","
                + " \"a\"]}",
            "[\"a\", \"b\", \"a\"]",
            "[1, 2]",
            "{\"labels\": [\"x\"]}",
            "\"" + "\\u00".repeat(3) + "\"");
    int which = g.between(0, 6);
    String[] names = {
      "Tokenizer.fromJson",
      "CharTokenizer.fromJson",
      "WordTokenizer.fromJson",
      "LabelIndex.fromJson",
      "Json.parse",
      "SequenceClassifier.Config.fromJson",
      "RnnConfig.fromJson"
    };
    return Call.either(
        api,
        names[which] + "(" + Gen.brief(s) + ")",
        c -> {
          switch (which) {
            case 0 -> {
              Tokenizer t = Tokenizer.fromJson(s);
              check(
                  Tokenizer.fromJson(t.toJson()).vocabulary().equals(t.vocabulary()), "round trip");
            }
            case 1 -> CharTokenizer.fromJson(s).vocabSize();
            case 2 -> WordTokenizer.fromJson(s).vocabSize();
            case 3 -> LabelIndex.fromJson(s).size();
            case 4 -> Json.parse(s);
            case 5 -> SequenceClassifier.Config.fromJson(s);
            default -> RnnConfig.fromJson(s);
          }
        });
  }

  // ------------------------------------------------------------------ text readers

  /** Text bytes with hostile pieces: invalid UTF-8, NUL, CR, a BOM, a long line. */
  static byte[] hostileText(Gen g, String base) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    if (g.chance(0.2)) {
      out.writeBytes(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF});
    }
    for (String line : base.split("\n", -1)) {
      out.writeBytes(utf8(line));
      int r = g.between(0, 9);
      switch (r) {
        case 0 -> out.writeBytes(badUtf8(g));
        case 1 -> out.write(0);
        case 2 -> out.writeBytes(utf8("\r"));
        case 3 -> out.writeBytes(utf8("\r\n"));
        default -> {}
      }
      out.writeBytes(utf8("\n"));
    }
    if (g.chance(0.02)) {
      out.writeBytes(utf8("x".repeat(5 << 20))); // a 5 MB line
    }
    return out.toByteArray();
  }

  static byte[] gzip(byte[] b) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream z = new GZIPOutputStream(out)) {
      z.write(b);
    }
    return out.toByteArray();
  }

  static Call text(Gen g) {
    String api = "files-text";
    int n = g.between(0, 5);
    List<LabelledExample> examples = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      examples.add(new LabelledExample(g.word() + " " + g.word(), g.pick("pos", "neg", "neutral")));
    }
    StringBuilder tsv = new StringBuilder();
    StringBuilder jsonl = new StringBuilder();
    for (LabelledExample e : examples) {
      tsv.append(e.text()).append('\t').append(e.label()).append('\n');
      jsonl
          .append("{\"text\": \"")
          .append(e.text())
          .append("\", \"label\": \"")
          .append(e.label())
          .append("\"}\n");
    }
    int kind = g.between(0, 8);
    switch (kind) {
      case 0:
        return file(
            api,
            Call.Expect.GOOD,
            "valid TSV of " + n + " examples",
            "d.tsv",
            utf8(tsv.toString()),
            false,
            p -> check(LabelledTextReader.read(p).equals(examples), "examples read back differ"));
      case 1:
        return file(
            api,
            Call.Expect.GOOD,
            "valid JSONL of " + n + " examples",
            "d.jsonl",
            utf8(jsonl.toString()),
            false,
            p -> check(LabelledTextReader.read(p).equals(examples), "examples read back differ"));
      case 2:
        {
          byte[] gz;
          try {
            gz = gzip(utf8(tsv.toString()));
          } catch (IOException e) {
            throw new IllegalStateException(e);
          }
          return file(
              api,
              Call.Expect.GOOD,
              "valid gzipped TSV",
              "d.tsv.gz",
              gz,
              false,
              p -> check(LabelledTextReader.read(p).equals(examples), "examples read back differ"));
        }
      case 3:
        {
          String name = g.pick("d.tsv", "d.jsonl", "d.json", "d.txt", "d.tsv.gz", "d.csv");
          String base =
              g.pick(
                  tsv.toString(),
                  jsonl.toString(),
                  g.text(200),
                  "[" + jsonl + "]",
                  deepJson(g.pick(300, 100_000)),
                  "{\"text\": 5, \"label\": []}\n",
                  "\t\t\t\n",
                  "");
          return file(
              api,
              Call.Expect.EITHER,
              "hostile labelled text",
              name,
              hostileText(g, base),
              false,
              p -> LabelledTextReader.read(p));
        }
      case 4:
        {
          String base = g.text(300);
          return file(
              api,
              Call.Expect.EITHER,
              "hostile text",
              g.pick("t.txt", "t.txt.gz"),
              hostileText(g, base),
              false,
              p -> {
                String s = TextFiles.readString(p);
                check(s.indexOf('\r') < 0, "a CR survived readString");
                List<String> lines = TextFiles.readLines(p);
                check(
                    String.join("\n", lines).length() <= s.length(),
                    "readLines longer than the text");
              });
        }
      case 5:
        {
          String base = g.text(200);
          return file(
              api,
              Call.Expect.EITHER,
              "hostile pairs TSV",
              "p.tsv",
              hostileText(g, base),
              false,
              p -> TextPairReader.readTsv(p));
        }
      case 6: // the exact text a reader must give back
        return file(
            api,
            Call.Expect.GOOD,
            "CRLF, lone CR and BOM text",
            "t.txt",
            concat(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}, utf8("a\r\nb\rc\n\u00e9\n")),
            false,
            p ->
                check(
                    TextFiles.readLines(p).equals(List.of("a", "b", "c", "\u00e9")),
                    "lines " + TextFiles.readLines(p)));
      case 7:
        return file(
            api,
            Call.Expect.BAD,
            "invalid UTF-8 text",
            "t.txt",
            concat(utf8("ok\n"), badUtf8(g), utf8("\n")),
            false,
            p -> TextFiles.readString(p));
      default:
        return file(
            api,
            Call.Expect.BAD,
            "a .gz that is not gzip",
            "t.txt.gz",
            utf8(g.text(50) + "x"),
            false,
            p -> TextFiles.readString(p));
    }
  }

  static Call conll(Gen g) {
    String api = "files-conll";
    int sentences = g.between(0, 3);
    List<TaggedSentence> want = new ArrayList<>();
    StringBuilder b = new StringBuilder("-DOCSTART- O\n\n");
    for (int s = 0; s < sentences; s++) {
      List<String> tokens = new ArrayList<>();
      List<String> tags = new ArrayList<>();
      int len = g.between(1, 4);
      for (int i = 0; i < len; i++) {
        tokens.add(g.word());
        tags.add(g.pick("O", "B-PER", "I-LOC"));
        String sep =
            g.coin() ? "\t" : " "; // columns split on tabs when a line has one, else on spaces
        b.append(tokens.get(i))
            .append(sep)
            .append("NN")
            .append(sep)
            .append(tags.get(i))
            .append('\n');
      }
      b.append('\n');
      want.add(new TaggedSentence(tokens, tags));
    }
    if (g.coin()) {
      return file(
          api,
          Call.Expect.GOOD,
          "valid CONLL of " + sentences + " sentences",
          "d.conll",
          utf8(b.toString()),
          false,
          p -> check(ConllReader.read(p, 0, 2).equals(want), "sentences differ"));
    }
    int tokenColumn = g.pick(0, 0, 5, -1);
    int tagColumn = g.pick(2, 1, 100, Integer.MAX_VALUE);
    return file(
        api,
        Call.Expect.EITHER,
        "hostile CONLL, columns " + tokenColumn + ", " + tagColumn,
        "d.conll",
        hostileText(g, g.coin() ? b.toString() : g.text(200)),
        false,
        p -> ConllReader.read(p, tokenColumn, tagColumn, g.pick(null, "#", "")));
  }

  static Call captions(Gen g) {
    String api = "files-captions";
    String name = g.pick("c.tsv", "c.jsonl", "c.json", "list.txt");
    String base =
        g.pick(
            "img.png\ta cat\n",
            "{\"image\": \"a.png\", \"caption\": \"x\"}\n",
            "{\"image\": 5, \"caption\": [1]}\n",
            "[1]\n",
            deepJson(g.pick(300, 100_000)) + "\n",
            "a.png\n/abs/b.jpg\n# comment\n",
            g.text(100),
            "\tno image\n",
            "x\u0000y.png\n");
    boolean list = name.equals("list.txt");
    return file(
        api,
        Call.Expect.EITHER,
        (list ? "CaptionData.readList " : "CaptionData.readCaptions ") + Gen.brief(base),
        name,
        hostileText(g, base),
        true,
        p -> {
          if (list) {
            CaptionData.readList(p);
          } else {
            for (CaptionData.Example e : CaptionData.readCaptions(p)) {
              check(e.image() != null && e.caption() != null, "null field");
            }
          }
        });
  }

  // ------------------------------------------------------------------ feature files and images

  /** An NPY file with the given header dictionary text and data. */
  static byte[] npy(int major, String dict, byte[] data) {
    byte[] h =
        (dict + " ".repeat(Math.max(0, 64 - (dict.length() + 11) % 64)) + "\n")
            .getBytes(StandardCharsets.ISO_8859_1);
    int pre = major == 1 ? 10 : 12;
    ByteBuffer b = ByteBuffer.allocate(pre + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
    b.put((byte) 0x93)
        .put("NUMPY".getBytes(StandardCharsets.ISO_8859_1))
        .put((byte) major)
        .put((byte) 0);
    if (major == 1) {
      b.putShort((short) h.length);
    } else {
      b.putInt(h.length);
    }
    return b.put(h).put(data).array();
  }

  static Call features(Gen g) {
    String api = "files-features";
    int kind = g.between(0, 5);
    int n = g.between(1, 3);
    int f = g.between(1, 4);
    float[] flat = g.floats(n * f);
    ByteBuffer data = ByteBuffer.allocate(4 * flat.length).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : flat) {
      data.putFloat(v);
    }
    switch (kind) {
      case 0:
        return file(
            api,
            Call.Expect.GOOD,
            "valid NPY [" + n + ", " + f + "]",
            "f.npy",
            npy(
                1,
                "{'descr': '<f4', 'fortran_order': False, 'shape': (" + n + ", " + f + "), }",
                data.array()),
            true,
            p -> {
              FeatureFiles.Features got = FeatureFiles.read(p);
              check(got.rows().size() == n && got.featureSize() == f, "features shape");
              for (int i = 0; i < n; i++) {
                check(
                    Arrays.equals(got.rows().get(i), Arrays.copyOfRange(flat, i * f, (i + 1) * f)),
                    "row " + i);
              }
            });
      case 1:
        {
          String shape =
              g.pick(
                  "(1099511627776, 1099511627776)",
                  "(-1, -4)",
                  "(2147483648, 2)",
                  "(a, b)",
                  "(1, 2, 3)",
                  "()",
                  "(0, 4)",
                  "(-1, 4)",
                  "(99999999999999999999, 1)",
                  "(1000000000, 0)");
          String descr = g.pick("<f4", "<f4", "|u1", "<f2", "'" + "x".repeat(3000));
          String dict =
              "{'descr': '"
                  + descr
                  + "', 'fortran_order': "
                  + g.pick("False", "True")
                  + ", 'shape': "
                  + shape
                  + ", }";
          int major = g.pick(1, 2, 3, 9);
          return file(
              api,
              Call.Expect.EITHER,
              "hostile NPY v" + major + " " + Gen.brief(dict),
              "f.npy",
              npy(major == 9 ? 1 : major, dict, data.array()),
              true,
              p -> FeatureFiles.read(p));
        }
      case 2:
        { // an NPY header that runs past the file or claims a huge length
          byte[] b =
              npy(2, "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 1), }", new byte[4]);
          int len = g.pick(-1, Integer.MAX_VALUE, b.length);
          ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(8, len);
          return file(
              api,
              Call.Expect.BAD,
              "NPY with a bad header length",
              "f.npy",
              b,
              true,
              p -> FeatureFiles.read(p));
        }
      case 3:
        {
          String csv =
              g.pick(
                  "1,2\n3,4\n",
                  "1,2\n3\n",
                  "a,b\n",
                  "",
                  "NaN,1e999\n",
                  "1;2\n",
                  ",,,\n",
                  g.text(80),
                  "1," + "9".repeat(400) + "\n");
          return file(
              api,
              Call.Expect.EITHER,
              "CSV features " + Gen.brief(csv),
              "f.csv",
              hostileText(g, csv),
              true,
              p -> FeatureFiles.read(p));
        }
      case 4:
        {
          SafetensorsWriter w = new SafetensorsWriter();
          int v = g.between(0, 4);
          switch (v) {
            case 0 -> w.putFloats("features", flat, n, f);
            case 1 -> w.putFloats("features", flat, flat.length);
            case 2 -> w.putFloats("a", flat, n, f).putFloats("b", flat, f, n);
            case 3 ->
                w.putFloats("features", flat, n, f)
                    .metadata("names", g.pick("[1]", "x", "[\"a\"]", "{}"));
            default -> w.putLongs("features", DType.I64, new long[n * f], n, f);
          }
          return file(
              api,
              v == 0 ? Call.Expect.GOOD : Call.Expect.EITHER,
              "safetensors features variant " + v,
              "f.safetensors",
              w.toByteArray(),
              true,
              p -> {
                FeatureFiles.Features got = FeatureFiles.read(p);
                check(got.names().size() == got.rows().size(), "names and rows");
              });
        }
      default:
        {
          byte[] b = new byte[g.between(0, 40)];
          for (int i = 0; i < b.length; i++) {
            b[i] = (byte) g.between(0, 255);
          }
          return file(
              api,
              Call.Expect.EITHER,
              "random bytes",
              g.pick("f.npy", "f.csv", "f.safetensors"),
              b,
              true,
              p -> FeatureFiles.read(p));
        }
    }
  }

  /** A PNG chunk: length, type, data, CRC. */
  static byte[] pngChunk(String type, byte[] data) {
    ByteBuffer b = ByteBuffer.allocate(12 + data.length);
    b.putInt(data.length).put(type.getBytes(StandardCharsets.US_ASCII)).put(data);
    CRC32 crc = new CRC32();
    crc.update(type.getBytes(StandardCharsets.US_ASCII));
    crc.update(data);
    return b.putInt((int) crc.getValue()).array();
  }

  /**
   * A PNG whose header claims {@code width x height} RGB pixels. With {@code complete} the pixel
   * data is there too (all black, deflated to about a thousandth of its size): a valid image, a
   * decompression bomb; without it the data stops after a few rows.
   */
  static byte[] pngClaiming(int width, int height, boolean complete) {
    byte[] ihdr =
        ByteBuffer.allocate(13)
            .putInt(width)
            .putInt(height)
            .put((byte) 8)
            .put((byte) 2)
            .put((byte) 0)
            .put((byte) 0)
            .put((byte) 0)
            .array();
    Deflater d = new Deflater(Deflater.BEST_COMPRESSION);
    ByteArrayOutputStream idat = new ByteArrayOutputStream();
    byte[] buf = new byte[1 << 16];
    byte[] row = new byte[complete ? 1 + 3 * width : 4096];
    long rows = complete ? height : 1;
    for (long r = 0; r < rows; r++) {
      d.setInput(row);
      while (!d.needsInput()) {
        idat.write(buf, 0, d.deflate(buf));
      }
    }
    d.finish();
    while (!d.finished()) {
      idat.write(buf, 0, d.deflate(buf));
    }
    d.end();
    return concat(
        new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'},
        pngChunk("IHDR", ihdr),
        pngChunk("IDAT", idat.toByteArray()),
        pngChunk("IEND", new byte[0]));
  }

  private static byte[] bomb;

  /** A complete 12000 x 12000 black PNG (made once: deflating 432 MB takes a while). */
  static synchronized byte[] bomb() {
    if (bomb == null) {
      bomb = pngClaiming(12_000, 12_000, true);
    }
    return bomb;
  }

  static byte[] realImage(Gen g, String format) {
    BufferedImage img =
        new BufferedImage(g.between(1, 6), g.between(1, 6), BufferedImage.TYPE_INT_RGB);
    img.setRGB(0, 0, 0xff8800);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      ImageIO.write(img, format, out);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return out.toByteArray();
  }

  static Call image(Gen g) {
    String api = "files-image";
    int kind = g.between(0, 5);
    int size = g.between(1, 4);
    String format = g.pick("png", "bmp", "gif");
    byte[] real = realImage(g, format);
    Loader load =
        p -> {
          float[] f = ImagePixels.features(p, size);
          check(f.length == 3 * size * size, "features length " + f.length);
          for (float v : f) {
            // the area weights are summed in float: a large image may overshoot by a little
            check(v >= -1.001f && v <= 1.001f, "feature " + v + " outside [-1, 1]");
          }
        };
    switch (kind) {
      case 0:
        return file(api, Call.Expect.GOOD, "valid " + format, "i." + format, real, true, load);
      case 1:
        return file(
            api,
            Call.Expect.EITHER,
            "truncated " + format,
            "i." + format,
            Arrays.copyOf(real, g.between(0, real.length - 1)),
            true,
            load);
      case 2:
        {
          byte[] b = real.clone();
          for (int i = 0; i < 3; i++) {
            flip(b, g, 0);
          }
          return file(
              api, Call.Expect.EITHER, "bit-flipped " + format, "i." + format, b, true, load);
        }
      case 3:
        {
          // a header claiming far too many pixels, with the data cut short: refused without
          // decoding
          int w = g.pick(0, -1, 100_000, Integer.MAX_VALUE, 8_000);
          int h = g.pick(1, 8_000, 65_535);
          return file(
              api,
              Call.Expect.BAD,
              "PNG claiming " + w + " x " + h + " pixels",
              "bomb.png",
              pngClaiming(w, h, false),
              true,
              load);
        }
      case 5:
        {
          // a valid but huge image (a 12000 x 12000 PNG of about 0.5 MB): decoded whole it needs
          // 19 bytes a pixel, so it must be refused by the size in its header
          boolean huge = g.coin();
          int side = huge ? 12_000 : 64;
          return file(
              api,
              huge ? Call.Expect.BAD : Call.Expect.GOOD,
              "complete black PNG of " + side + " x " + side,
              "bomb.png",
              huge ? bomb() : pngClaiming(side, side, true),
              true,
              load);
        }
      default:
        {
          byte[] b = new byte[g.between(0, 50)];
          for (int i = 0; i < b.length; i++) {
            b[i] = (byte) g.between(0, 255);
          }
          return file(
              api,
              Call.Expect.EITHER,
              "random bytes",
              g.pick("i.png", "i.jpg", "i.gif", "i.bmp"),
              b,
              true,
              load);
        }
    }
  }

  // ------------------------------------------------------------------ interop files

  static Call interop(Gen g) {
    String api = "files-interop";
    int kind = g.between(0, 4);
    long seed = g.nextLong();
    int variant = g.between(0, 4);
    String configJson =
        g.pick(
            "{}",
            "{\"mode\": \"LSTM\", \"input_size\": 3, \"hidden_size\": -1}",
            "{\"mode\": \"GRU\", \"input_size\": 1e30, \"hidden_size\": 2}",
            deepJson(300),
            "x",
            "{\"mode\": \"LSTM\", \"input_size\": 3, \"hidden_size\": 4, \"proj_size\": 2}",
            "{\"mode\": \"" + "M".repeat(g.pick(3, 3000)) + "\"}");
    switch (kind) {
      case 0:
        return file(
            api,
            Call.Expect.EITHER,
            "RnnConfig.read " + Gen.brief(configJson),
            "rnn.json",
            hostileText(g, configJson),
            false,
            p -> RnnConfig.read(p));
      case 1:
        return new Call(
            api,
            variant == 0 ? Call.Expect.GOOD : Call.Expect.BAD,
            "TorchRnn.loadModel, variant " + variant,
            c -> {
              Recurrent r =
                  c.own(
                      Recurrent.builder()
                          .cell(Cell.LSTM)
                          .inputSize(2)
                          .hiddenSize(3)
                          .seed(seed)
                          .build());
              StateDict sd = TorchRnn.export(r);
              Path p = c.dir().resolve("rnn.safetensors");
              SafetensorsWriter w = sd.addTo(new SafetensorsWriter(), "");
              Map<String, String> meta = new LinkedHashMap<>(sd.metadata());
              switch (variant) {
                case 1 -> meta.put("hidden_size", g.pick("4", "-1", "x", "99999999999"));
                case 2 -> meta.remove("mode");
                case 3 -> w = new SafetensorsWriter().putFloats("weight_ih_l0", new float[1], 1);
                case 4 -> meta.put("mode", "GRU");
                default -> {}
              }
              if (variant != 3) {
                meta.forEach(w::metadata);
              } else {
                sd.metadata().forEach(w::metadata);
              }
              w.write(p);
              Recurrent back = c.own(TorchRnn.loadModel(p, Device.cpu()));
              check(
                  Arrays.equals(back.weights().toArray(), r.weights().toArray()), "weights differ");
            },
            true);
      case 2:
        int rowsVariant = variant; // 3: a rank-1 "context"
        return new Call(
            api,
            rowsVariant == 0 ? Call.Expect.GOOD : Call.Expect.BAD,
            "RecurrentRows.load, variant " + rowsVariant,
            c -> {
              Path p = c.dir().resolve("rows.safetensors");
              SafetensorsWriter w = new SafetensorsWriter();
              switch (rowsVariant) {
                case 0 ->
                    w.putFloats("h", new float[6], 1, 2, 3)
                        .putFloats("context", new float[4], 2, 2);
                case 1 -> w.putFloats("h", new float[6], 6);
                case 2 -> w.putFloats("c", new float[6], 1, 2, 3);
                case 3 ->
                    w.putFloats("h", new float[6], 1, 2, 3).putFloats("context", new float[4], 4);
                default ->
                    w.putFloats("h", new float[6], 1, 2, 3).putFloats("c", new float[4], 1, 2, 2);
              }
              w.write(p);
              RecurrentRows rows = c.own(RecurrentRows.load(p, Device.cpu()));
              check(rows.rows() == 2 && rows.hiddenSize() == 3, "rows " + rows);
              check(!rows.h().isClosed(), "the loaded state is already closed");
            },
            true);
      default:
        {
          Map<String, double[]> values = new LinkedHashMap<>();
          byte[] valid = validWriter(g, values, new LinkedHashMap<>()).toByteArray();
          byte[] b = valid.clone();
          if (kind == 4) {
            flip(b, g, 8);
          }
          return file(
              api,
              kind == 3 ? Call.Expect.GOOD : Call.Expect.EITHER,
              "StateDict.read",
              "sd.safetensors",
              b,
              false,
              p -> {
                StateDict sd = StateDict.read(p);
                check(kind == 4 || sd.names().equals(values.keySet()), "names");
              });
        }
    }
  }
}
