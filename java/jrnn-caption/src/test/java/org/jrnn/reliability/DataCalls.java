/*
 * DataCalls: fuzz calls of the tokenizers and vocabularies, the small data helpers (labels,
 * splits, batching) and the safetensors writer and reader API on random names, shapes and dtypes.
 */
package org.jrnn.reliability;

import static org.jrnn.reliability.Call.Ctx.check;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jrnn.data.Batches;
import org.jrnn.data.CharTokenizer;
import org.jrnn.data.LabelIndex;
import org.jrnn.data.LmBatches;
import org.jrnn.data.PaddedBatch;
import org.jrnn.data.SeededSplit;
import org.jrnn.data.Tokenizer;
import org.jrnn.data.Vocabulary;
import org.jrnn.data.WordTokenizer;
import org.jrnn.io.DType;
import org.jrnn.io.SafetensorsFile;
import org.jrnn.io.SafetensorsWriter;

/** Generators for the tokenizer and safetensors families. */
final class DataCalls {
  private DataCalls() {}

  // ------------------------------------------------------------------ tokenizers and data helpers

  static Call tokenizer(Gen g) {
    int kind = g.between(0, 9);
    String text = g.text(80);
    switch (kind) {
      case 0:
        {
          int minFrequency = g.pick(1, 1, 2);
          int maxSize = g.pick(0, 0, 4, 6, 100);
          return Call.good(
              "tokenizer",
              "CharTokenizer.build(" + Gen.brief(text) + ", " + minFrequency + ", " + maxSize + ")",
              c -> {
                CharTokenizer t = CharTokenizer.build(text, minFrequency, maxSize);
                checkTokenizer(t, text, minFrequency == 1 && maxSize == 0);
                CharTokenizer back = CharTokenizer.fromJson(t.toJson());
                check(back.vocabulary().equals(t.vocabulary()), "fromJson(toJson) differs");
                check(
                    Tokenizer.fromJson(t.toJson()).vocabulary().equals(t.vocabulary()),
                    "Tokenizer.fromJson");
              });
        }
      case 1:
        {
          List<String> texts = g.listOf(g.between(0, 4), () -> g.text(40));
          boolean lower = g.coin();
          String pattern = g.pick(WordTokenizer.DEFAULT_PATTERN, "\\S+", "[a-z]+", ".");
          return Call.good(
              "tokenizer",
              "WordTokenizer("
                  + lower
                  + ", "
                  + Gen.brief(pattern)
                  + ").build("
                  + texts.size()
                  + " texts)",
              c -> {
                WordTokenizer t =
                    WordTokenizer.builder().lowercase(lower).pattern(pattern).build(texts);
                for (String s : texts) {
                  int[] ids = t.encode(s);
                  check(ids.length == t.tokenize(s).size(), "one id per token");
                  for (int id : ids) {
                    check(
                        id >= 0 && id < t.vocabSize() && id != Vocabulary.UNK_ID,
                        "id " + id + " for a known word");
                  }
                  check(
                      t.decode(ids).equals(String.join(" ", t.tokenize(s))),
                      "decode(encode) differs");
                }
                check(
                    WordTokenizer.fromJson(t.toJson()).vocabulary().equals(t.vocabulary()),
                    "round trip");
              });
        }
      case 2:
        {
          int variant = g.between(0, 5);
          String bad = g.pick("(", "[a-", "*", "\\", null);
          return Call.bad(
              "tokenizer",
              "WordTokenizer.builder() variant " + variant + " " + Gen.brief(bad),
              c -> {
                switch (variant) {
                  case 0 -> WordTokenizer.builder().pattern(bad);
                  case 1 -> WordTokenizer.builder().minFrequency(g.pick(0, -1));
                  case 2 ->
                      WordTokenizer.builder().maxSize(g.pick(1, 3, -1)).build(List.of("a b c"));
                  case 3 -> CharTokenizer.build("abc", 1, g.pick(1, 2, 3, -5));
                  case 4 ->
                      CharTokenizer.build("abc")
                          .decode(new int[] {g.pick(-1, 99, Integer.MAX_VALUE)});
                  default ->
                      WordTokenizer.builder().build(List.of("x")).decode(new int[] {g.pick(-2, 7)});
                }
              });
        }
      case 3:
        {
          List<String> tokens = new ArrayList<>(Vocabulary.SPECIALS);
          int v = g.between(0, 3);
          switch (v) {
            case 0 -> tokens.add("<pad>");
            case 1 -> tokens.remove(0);
            case 2 -> tokens.addAll(List.of("a", "b", "a"));
            default -> tokens = new ArrayList<>(List.of("a"));
          }
          List<String> in = tokens;
          return Call.bad("tokenizer", "Vocabulary.of(" + in + ")", c -> Vocabulary.of(in));
        }
      case 4:
        {
          List<String> labels =
              g.listOf(g.between(1, 5), () -> g.pick("pos", "neg", "1", "10", "-2", g.word()));
          return Call.good(
              "tokenizer",
              "LabelIndex.of(" + labels + ")",
              c -> {
                LabelIndex li = LabelIndex.of(labels);
                for (String l : labels) {
                  check(li.label(li.id(l)).equals(l), "label(id(" + l + "))");
                }
                check(LabelIndex.fromJson(li.toJson()).labels().equals(li.labels()), "round trip");
              });
        }
      case 5:
        {
          int id = g.pick(-1, 2, Integer.MAX_VALUE);
          boolean byLabel = g.coin();
          return Call.bad(
              "tokenizer",
              "LabelIndex of [a, b]: " + (byLabel ? "id(\"zz\")" : "label(" + id + ")"),
              c -> {
                LabelIndex li = LabelIndex.of(List.of("a", "b"));
                if (byLabel) {
                  li.id("zz");
                } else {
                  li.label(id);
                }
              });
        }
      case 6:
        {
          int n = g.pick(0, 1, 5, 20, -1);
          double fraction = g.pick(0.0, 0.5, 0.8, 1.0, -0.1, 1.5, Double.NaN);
          boolean bad = n < 0 || !(fraction >= 0 && fraction <= 1);
          long seed = g.nextLong();
          return Call.of(
              "tokenizer",
              bad,
              "SeededSplit.of(" + n + ", " + fraction + ")",
              c -> {
                SeededSplit s = SeededSplit.of(n, fraction, seed);
                check(s.train().length + s.test().length == n, "split sizes");
                int[] all = new int[n];
                System.arraycopy(s.train(), 0, all, 0, s.train().length);
                System.arraycopy(s.test(), 0, all, s.train().length, s.test().length);
                Arrays.sort(all);
                for (int i = 0; i < n; i++) {
                  check(all[i] == i, "not a partition of 0..n-1");
                }
              });
        }
      case 7:
        {
          int size = g.pick(0, 1, 7, -1);
          int batch = g.pick(1, 3, 0, -2);
          boolean bad = size < 0 || batch < 1;
          return Call.of(
              "tokenizer",
              bad,
              "Batches.builder(" + size + ", " + batch + ")",
              c -> {
                Batches b = Batches.builder(size, batch).build();
                int total = 0;
                for (int[] idx : b.epoch(0)) {
                  check(idx.length >= 1 && idx.length <= batch, "batch of " + idx.length);
                  total += idx.length;
                }
                check(total == size, "an epoch covers " + total + " of " + size);
              });
        }
      case 8:
        {
          int n = g.between(0, 12);
          int streams = g.pick(1, 2, 0, -1, 50);
          int window = g.pick(1, 3, 0);
          int stride = g.pick(1, 2, 5, 0);
          boolean bad =
              streams < 1 || window < 1 || n < streams + 1 || stride < 1 || stride > window;
          int[] tokens = g.ints(n, 0, 9);
          return Call.of(
              "tokenizer",
              bad,
              "new LmBatches(" + n + " tokens, " + streams + ", " + window + ", " + stride + ")",
              c -> {
                LmBatches b = new LmBatches(tokens, streams, window, stride);
                for (LmBatches.Window w : b) {
                  check(w.inputs().length == w.streams() * w.length(), "window inputs");
                }
              });
        }
      default:
        {
          List<int[]> seqs = ModelCalls.sequences(g, g.between(1, 3), 5, 4);
          int[] indices =
              g.pick(
                  new int[] {seqs.size()},
                  new int[] {-1},
                  new int[] {0, Integer.MIN_VALUE},
                  new int[0],
                  ModelCalls.range(seqs.size()));
          boolean bad = Arrays.stream(indices).anyMatch(i -> i < 0 || i >= seqs.size());
          return Call.of(
              "tokenizer",
              bad,
              "PaddedBatch.of(" + seqs.size() + " sequences, " + Arrays.toString(indices) + ")",
              c -> {
                PaddedBatch p = PaddedBatch.of(seqs, indices);
                check(p.size() == indices.length, "size");
              });
        }
    }
  }

  private static void checkTokenizer(CharTokenizer t, String text, boolean everyChar) {
    List<String> vocab = t.vocabulary().tokens();
    check(vocab.subList(0, 4).equals(Vocabulary.SPECIALS), "the specials do not come first");
    int[] ids = t.encode(text);
    check(ids.length == text.codePointCount(0, text.length()), "one id per character");
    for (int id : ids) {
      check(id >= 0 && id < t.vocabSize(), "id " + id);
    }
    if (everyChar) {
      check(t.decode(ids).equals(text), "decode(encode(text)) differs");
    }
  }

  // ------------------------------------------------------------------ safetensors API

  static Call safetensors(Gen g) {
    int kind = g.between(0, 4);
    long seed = g.nextLong();
    switch (kind) {
      case 0:
      case 1:
        {
          boolean toFile = kind == 1;
          return Call.good(
                  "safetensors",
                  "SafetensorsWriter round trip" + (toFile ? " through a file" : ""),
                  c -> {
                    Gen own = new Gen(seed);
                    Map<String, double[]> values = new LinkedHashMap<>();
                    Map<String, DType> types = new LinkedHashMap<>();
                    SafetensorsWriter w = HostileFiles.validWriter(own, values, types);
                    String odd =
                        "~"
                            + own.pick(
                                "",
                                "\u0000",
                                "\"quoted\"",
                                "back\\slash",
                                "\uD83D\uDE00",
                                "tab\there")
                            + own.word(); // "~" keeps it apart from the writer's other names
                    float[] extra = own.floats(own.between(0, 4));
                    w.putFloats(odd, extra, extra.length);
                    SafetensorsFile f;
                    if (toFile) {
                      Path p = c.dir().resolve("w.safetensors");
                      w.write(p);
                      f = c.own(SafetensorsFile.open(p));
                    } else {
                      f =
                          c.own(
                              SafetensorsFile.fromBuffer(
                                  ByteBuffer.wrap(w.toByteArray()), Path.of("memory")));
                    }
                    check(
                        Arrays.equals(f.floats(odd), extra),
                        "tensor " + Gen.brief(odd) + " read back differs");
                    for (Map.Entry<String, double[]> e : values.entrySet()) {
                      DType d = types.get(e.getKey());
                      double[] got =
                          d == DType.I64 || d == DType.I32
                              ? Arrays.stream(f.longs(e.getKey())).asDoubleStream().toArray()
                              : f.doubles(e.getKey());
                      check(
                          Arrays.equals(got, e.getValue()),
                          "tensor " + e.getKey() + " read back differs");
                      check(f.get(e.getKey()).dtype() == d, "dtype");
                    }
                  })
              .readsFile();
        }
      case 2:
        {
          int variant = g.between(0, 8);
          return Call.bad(
              "safetensors",
              "SafetensorsWriter variant " + variant,
              c -> {
                SafetensorsWriter w = new SafetensorsWriter();
                switch (variant) {
                  case 0 -> w.putFloats(g.pick(null, "", "__metadata__"), new float[1], 1);
                  case 1 -> w.putFloats("a", new float[1], 1).putFloats("a", new float[1], 1);
                  case 2 -> w.putFloats("a", new float[2], 3);
                  case 3 -> w.putFloats("a", new float[0], -1, 0);
                  case 4 -> w.metadata(g.pick(null, "k"), null);
                  case 5 -> w.putFloats("a", new float[0], 1L << 40, 1L << 40);
                  case 6 -> w.putFloats("a", null, 1);
                  case 7 -> w.putRaw("a", DType.F32, null, 1);
                  default -> w.putRaw("a", DType.F32, ByteBuffer.wrap(new byte[5]), 1);
                }
              });
        }
      case 3:
        {
          int v = g.between(0, 3);
          return Call.bad(
                  "safetensors",
                  "SafetensorsFile misuse variant " + v,
                  c -> {
                    SafetensorsWriter w =
                        new SafetensorsWriter().putFloats("a", new float[] {1, 2}, 2);
                    SafetensorsFile f =
                        c.own(
                            SafetensorsFile.fromBuffer(
                                ByteBuffer.wrap(w.toByteArray()), Path.of("m")));
                    switch (v) {
                      case 0 -> f.info("missing");
                      case 1 -> f.floats("b");
                      case 2 -> {
                        f.close();
                        f.floats("a");
                      }
                      default -> f.buffer("nope");
                    }
                  })
              .readsFile();
        }
      default:
        {
          byte[] bytes = new byte[g.between(0, 16)];
          for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) g.between(0, 255);
          }
          return Call.either(
                  "safetensors",
                  "SafetensorsFile.fromBuffer(" + bytes.length + " random bytes)",
                  c -> c.own(SafetensorsFile.fromBuffer(ByteBuffer.wrap(bytes), null)))
              .readsFile();
        }
    }
  }
}
