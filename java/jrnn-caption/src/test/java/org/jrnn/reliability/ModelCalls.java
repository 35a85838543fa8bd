/*
 * ModelCalls: fuzz calls of the models (SequenceClassifier, LanguageModel, SequenceTagger,
 * Seq2Seq, ConditionedLanguageModel: configs, training steps, prediction, generation, evaluation,
 * model files) and of the decoders (DecodeOptions, Decoders over a small Captioner).
 */
package org.jrnn.reliability;

import static org.jrnn.reliability.Call.Ctx.check;
import static org.jrnn.reliability.Call.Ctx.checkFinite;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jrnn.Cell;
import org.jrnn.Device;
import org.jrnn.caption.Captioner;
import org.jrnn.data.LmBatches;
import org.jrnn.data.PaddedBatch;
import org.jrnn.data.Vocabulary;
import org.jrnn.decode.DecodeOptions;
import org.jrnn.decode.Decoded;
import org.jrnn.decode.Decoders;
import org.jrnn.decode.Hypothesis;
import org.jrnn.decode.LengthPenalty;
import org.jrnn.models.ClassificationBatch;
import org.jrnn.models.ConditionedBatch;
import org.jrnn.models.ConditionedLanguageModel;
import org.jrnn.models.LanguageModel;
import org.jrnn.models.Model;
import org.jrnn.models.ModelFiles;
import org.jrnn.models.Seq2Seq;
import org.jrnn.models.Seq2SeqBatch;
import org.jrnn.models.SequenceClassifier;
import org.jrnn.models.SequenceTagger;
import org.jrnn.models.TaggingBatch;
import org.jrnn.nn.Parameter;
import org.jrnn.nn.RecurrentInit;
import org.jrnn.train.Task.StepResult;

/** Generators for the models and decode families. */
final class ModelCalls {
  private ModelCalls() {}

  // ------------------------------------------------------------------ inputs

  /** n sequences of ids in 0..v-1, lengths 1..maxLen. */
  static List<int[]> sequences(Gen g, int n, int v, int maxLen) {
    List<int[]> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(g.ints(g.between(1, maxLen), 0, v - 1));
    }
    return out;
  }

  static int[] range(int n) {
    int[] a = new int[n];
    for (int i = 0; i < n; i++) {
      a[i] = i;
    }
    return a;
  }

  static PaddedBatch padded(List<int[]> seqs) {
    return PaddedBatch.of(seqs, range(seqs.size()));
  }

  /**
   * A padded batch broken in one of several ways (variant 0..4). Variants 2 to 4 break the batch's
   * own shape rules, so its constructor refuses them: call this inside a call's body.
   */
  static PaddedBatch brokenBatch(Gen g, List<int[]> seqs, int v, int variant) {
    PaddedBatch p = padded(seqs);
    int[] ids = p.ids().clone();
    int[] lengths = p.lengths().clone();
    return switch (variant) {
      case 0 -> { // an id outside 0..V-1 inside a sequence
        ids[0] = g.pick(v, -5, Integer.MAX_VALUE, Integer.MIN_VALUE);
        yield new PaddedBatch(ids, lengths, p.size(), p.maxLength());
      }
      case 1 -> { // a zero length
        lengths[lengths.length - 1] = 0;
        yield new PaddedBatch(ids, lengths, p.size(), p.maxLength());
      }
      case 2 -> { // a length past maxLength
        lengths[0] = p.maxLength() + 1;
        yield new PaddedBatch(ids, lengths, p.size(), p.maxLength());
      }
      case 3 ->
          new PaddedBatch(Arrays.copyOf(ids, ids.length - 1), lengths, p.size(), p.maxLength());
      default ->
          new PaddedBatch(ids, Arrays.copyOf(lengths, lengths.length + 1), p.size(), p.maxLength());
    };
  }

  /** A kind of PaddedBatch damage for {@link #brokenBatch}. */
  static int brokenVariant(Gen g) {
    return g.between(0, 4);
  }

  static DecodeOptions sampling(Gen g) {
    return g.coin()
        ? DecodeOptions.greedy()
        : DecodeOptions.builder()
            .temperature(g.nextDouble() * 2 + 0.1)
            .topK(g.between(0, 4))
            .seed(g.nextLong())
            .build();
  }

  /** Makes the end token the only likely one: logits = bias with bias[EOS] = 1000. */
  static void forceEos(Model m) {
    for (Parameter p : m.parameters()) {
      if (p.name().equals("linear.weight")) {
        p.value().zero();
      }
      if (p.name().equals("linear.bias")) {
        float[] b = new float[(int) p.value().numel()];
        b[Vocabulary.EOS_ID] = 1000f;
        p.value().copyFrom(b);
      }
    }
  }

  static void checkIds(int[] ids, int v, String what) {
    for (int id : ids) {
      check(id >= 0 && id < v, what + " holds id " + id + " outside 0.." + (v - 1));
    }
  }

  static void checkStep(StepResult r, Model m) {
    check(
        Double.isFinite(r.lossSum()) && r.lossSum() >= 0 && r.count() > 0,
        "training step gave " + r);
    for (Parameter p : m.parameters()) {
      checkFinite(p.grad().toArray(), "gradient of " + p.name());
    }
  }

  static void checkMetrics(Map<String, Double> m, String... keys) {
    for (String k : keys) {
      Double v = m.get(k);
      check(v != null && Double.isFinite(v), "metric " + k + " = " + v);
    }
  }

  // ------------------------------------------------------------------ models

  static Call models(Gen g) {
    return switch (g.between(0, 6)) {
      case 0 -> classifier(g);
      case 1 -> languageModel(g);
      case 2 -> tagger(g);
      case 3 -> seq2seq(g);
      case 4 -> conditioned(g);
      case 5 -> badConfig(g);
      default -> modelFile(g);
    };
  }

  static SequenceClassifier.Config classifierConfig(Gen g) {
    int v = g.between(2, 10);
    return SequenceClassifier.builder()
        .vocabSize(v)
        .numClasses(g.between(2, 4))
        .embeddingSize(g.between(1, 4))
        .hiddenSize(g.between(1, 4))
        .layers(g.between(1, 2))
        .cell(g.pick(Cell.values()))
        .bidirectional(g.coin())
        .dropout(g.coin() ? 0f : 0.3f)
        .paddingIndex(g.between(-1, v - 1))
        .seed(g.nextLong())
        .config();
  }

  private static Call classifier(Gen g) {
    SequenceClassifier.Config cfg0 = classifierConfig(g);
    SequenceClassifier.Config cfg =
        cfg0.numClasses() == 2 && g.chance(0.3)
            ? cfg0.toBuilder().binaryLogistic(true).config()
            : cfg0;
    int n = g.between(1, 4);
    List<int[]> seqs = sequences(g, n, cfg.vocabSize(), 5);
    int[] labels = g.ints(n, 0, cfg.numClasses() - 1);
    int op = g.between(0, 2);
    boolean bad = g.chance(0.4);
    int variant = brokenVariant(g);
    boolean badLabels = g.coin();
    boolean broken = bad && !(op == 1 && badLabels);
    int[] lab = bad && op == 1 && badLabels ? new int[] {cfg.numClasses()} : labels;
    if (bad && op == 1 && badLabels) {
      int[] l = labels.clone();
      l[0] = g.pick(cfg.numClasses(), -1);
      lab = l;
    }
    int[] finalLabels = lab;
    String desc =
        "SequenceClassifier "
            + cfg.toJson()
            + " op "
            + op
            + (bad ? broken ? " bad batch " + variant : " bad labels" : "")
            + " lengths="
            + Arrays.toString(padded(seqs).lengths())
            + " labels="
            + Arrays.toString(lab);
    return Call.of(
        "models",
        bad,
        desc,
        c -> {
          SequenceClassifier m = c.own(cfg.toBuilder().device(Device.cpu()).build());
          PaddedBatch tokens =
              broken ? brokenBatch(g, seqs, cfg.vocabSize(), variant) : padded(seqs);
          switch (op) {
            case 0 -> {
              float[][] p = m.predictProbabilities(tokens);
              check(p.length == tokens.size(), "rows");
              for (float[] row : p) {
                checkFinite(row, "probabilities");
                double s = 0;
                for (float x : row) {
                  s += x;
                }
                check(
                    row.length == cfg.numClasses() && Math.abs(s - 1) < 1e-4, "a row sums to " + s);
              }
              checkIds(m.predict(tokens), cfg.numClasses(), "predict");
            }
            case 1 -> checkStep(m.trainStep(new ClassificationBatch(tokens, finalLabels)), m);
            default -> {
              Map<String, Double> r =
                  m.evaluate(List.of(new ClassificationBatch(tokens, finalLabels)));
              checkMetrics(r, "loss", "accuracy");
              check(r.get("accuracy") >= 0 && r.get("accuracy") <= 1, "accuracy " + r);
            }
          }
        });
  }

  private static Call languageModel(Gen g) {
    int v = g.between(4, 10);
    LanguageModel.Config cfg =
        LanguageModel.builder()
            .vocabSize(v)
            .embeddingSize(g.between(1, 4))
            .hiddenSize(g.between(1, 4))
            .layers(g.between(1, 2))
            .cell(g.pick(Cell.values()))
            .dropout(g.coin() ? 0f : 0.2f)
            .seed(g.nextLong())
            .config();
    int op = g.between(0, 4);
    int[] tokens = g.ints(g.between(6, 30), 0, v - 1);
    int streams = g.between(1, 3);
    int window = g.between(1, 5);
    int[] prompt = g.ints(g.between(1, 4), 0, v - 1);
    int maxTokens = g.between(1, 8);
    DecodeOptions sampling = sampling(g);
    String desc = "LanguageModel " + cfg.toJson() + " op " + op;
    switch (op) {
      case 0:
        return Call.good(
            "models",
            desc + " generate(" + Gen.brief(prompt) + ", " + maxTokens + ", " + sampling + ")",
            c -> {
              LanguageModel m = c.own(cfg.toBuilder().device(Device.cpu()).build());
              int[] out = m.generate(prompt, sampling.toBuilder().maxLength(maxTokens).build());
              check(out.length <= maxTokens, "generated " + out.length + " > " + maxTokens);
              checkIds(out, v, "generate");
              for (int i = 0; i + 1 < out.length; i++) {
                check(out[i] != Vocabulary.EOS_ID, "generation went on after <eos>");
              }
            });
      case 1:
        {
          int variant = g.between(0, 4);
          int[] p =
              switch (variant) {
                case 0 -> new int[0];
                case 1 -> null;
                case 2 -> new int[] {v};
                case 3 -> new int[] {-1};
                default -> prompt;
              };
          int max = variant == 4 ? g.pick(-1, Integer.MIN_VALUE) : maxTokens;
          return Call.bad(
              "models",
              desc + " generate(" + Gen.brief(p) + ", " + max + ")",
              c -> {
                LanguageModel m = c.own(cfg.toBuilder().device(Device.cpu()).build());
                m.generate(p, sampling.toBuilder().maxLength(max).build());
              });
        }
      case 2:
        {
          // the output grows with the tokens drawn: a huge limit must cost nothing
          int huge = g.pick(Integer.MAX_VALUE, 1 << 28, 100_000_000, 100_000);
          return Call.good(
              "models",
              desc + " generate with <eos> forced, maxTokens " + huge,
              c -> {
                LanguageModel m = c.own(cfg.toBuilder().device(Device.cpu()).build());
                forceEos(m);
                int[] out = m.generate(prompt, sampling.toBuilder().maxLength(huge).build());
                check(
                    Arrays.equals(out, new int[] {Vocabulary.EOS_ID}),
                    "generated " + Gen.brief(out));
              });
        }
      case 3:
        return Call.good(
            "models",
            desc
                + " trainStep/evaluate on "
                + tokens.length
                + " tokens, "
                + streams
                + " streams, window "
                + window,
            c -> {
              LanguageModel m = c.own(cfg.toBuilder().device(Device.cpu()).build());
              LmBatches b = new LmBatches(tokens, streams, window);
              for (LmBatches.Window w : b) {
                checkStep(m.trainStep(w), m);
              }
              checkMetrics(m.evaluate(b), "loss", "bits_per_token", "perplexity");
            });
      default:
        {
          int variant = g.between(0, 2);
          return Call.bad(
              "models",
              desc + " trainStep bad window variant " + variant,
              c -> {
                LanguageModel m = c.own(cfg.toBuilder().device(Device.cpu()).build());
                int[] in = {0, 1};
                int[] tg = {1, 2};
                switch (variant) {
                  case 0 -> in = new int[] {0, v};
                  case 1 -> tg = new int[] {1, -2};
                  default -> tg = new int[] {1, v};
                }
                m.trainStep(new LmBatches.Window(0, 1, 2, in, tg));
              });
        }
    }
  }

  private static Call tagger(Gen g) {
    int v = g.between(2, 10);
    SequenceTagger.Config cfg =
        SequenceTagger.builder()
            .vocabSize(v)
            .numTags(g.between(2, 4))
            .embeddingSize(g.between(1, 4))
            .hiddenSize(g.between(1, 4))
            .layers(g.between(1, 2))
            .cell(g.pick(Cell.values()))
            .bidirectional(g.coin())
            .seed(g.nextLong())
            .config();
    int n = g.between(1, 4);
    List<int[]> seqs = sequences(g, n, v, 5);
    List<int[]> tags = new ArrayList<>();
    for (int[] s : seqs) {
      tags.add(g.ints(s.length, 0, cfg.numTags() - 1));
    }
    int op = g.between(0, 2);
    boolean bad = g.chance(0.4);
    int variant = brokenVariant(g);
    boolean badTags = op > 0 && g.coin();
    if (bad && badTags) {
      tags.get(0)[0] = g.pick(cfg.numTags(), -2);
    }
    String desc =
        "SequenceTagger "
            + cfg.toJson()
            + " op "
            + op
            + (bad ? badTags ? " bad tags" : " bad batch " + variant : "");
    return Call.of(
        "models",
        bad,
        desc,
        c -> {
          SequenceTagger m = c.own(cfg.toBuilder().device(Device.cpu()).build());
          PaddedBatch tokens = bad && !badTags ? brokenBatch(g, seqs, v, variant) : padded(seqs);
          switch (op) {
            case 0 -> {
              int[][] out = m.predict(tokens);
              check(out.length == n, "rows");
              for (int i = 0; i < n; i++) {
                check(out[i].length == seqs.get(i).length, "tags for sentence " + i);
                checkIds(out[i], cfg.numTags(), "predict");
              }
            }
            case 1 ->
                checkStep(
                    m.trainStep(
                        bad && !badTags
                            ? new TaggingBatch(tokens, new int[tokens.ids().length])
                            : TaggingBatch.of(seqs, tags, range(n))),
                    m);
            default ->
                checkMetrics(
                    m.evaluate(
                        List.of(
                            bad && !badTags
                                ? new TaggingBatch(tokens, new int[tokens.ids().length])
                                : TaggingBatch.of(seqs, tags, range(n)))),
                    "loss",
                    "accuracy");
          }
        });
  }

  private static Call seq2seq(Gen g) {
    int vs = g.between(2, 8);
    int vt = g.between(5, 9);
    Seq2Seq.Config cfg =
        Seq2Seq.builder()
            .sourceVocabSize(vs)
            .targetVocabSize(vt)
            .embeddingSize(g.between(1, 4))
            .hiddenSize(g.between(1, 4))
            .layers(g.between(1, 2))
            .cell(g.pick(Cell.values()))
            .seed(g.nextLong())
            .config();
    int n = g.between(1, 3);
    List<int[]> src = sequences(g, n, vs, 4);
    List<int[]> tgt = sequences(g, n, vt, 4);
    int op = g.between(0, 4);
    int maxLength = g.between(1, 6);
    DecodeOptions sampling = sampling(g);
    String desc = "Seq2Seq " + cfg.toJson() + " op " + op;
    switch (op) {
      case 0:
        return Call.good(
            "models",
            desc + " generate maxLength " + maxLength,
            c -> {
              Seq2Seq m = c.own(cfg.toBuilder().device(Device.cpu()).build());
              int[][] out =
                  m.generate(padded(src), sampling.toBuilder().maxLength(maxLength).build());
              check(out.length == n, "rows");
              for (int[] s : out) {
                check(s.length <= maxLength, "too long");
                checkIds(s, vt, "generate");
                check(
                    Arrays.stream(s).noneMatch(t -> t == Vocabulary.EOS_ID),
                    "<eos> inside a result");
              }
            });
      case 1:
        return Call.good(
            "models",
            desc + " trainStep/evaluate",
            c -> {
              Seq2Seq m = c.own(cfg.toBuilder().device(Device.cpu()).build());
              Seq2SeqBatch b = Seq2SeqBatch.of(src, tgt, range(n));
              checkStep(m.trainStep(b), m);
              checkMetrics(m.evaluate(List.of(b), maxLength), "loss", "exact_match");
            });
      case 2:
        {
          int variant = brokenVariant(g);
          int max = g.coin() ? g.pick(0, -1, Integer.MIN_VALUE) : maxLength;
          return Call.bad(
              "models",
              desc + " generate, bad batch " + variant + ", maxLength " + max,
              c -> {
                Seq2Seq m = c.own(cfg.toBuilder().device(Device.cpu()).build());
                m.generate(
                    max < 1 ? padded(src) : brokenBatch(g, src, vs, variant),
                    sampling.toBuilder().maxLength(max).build());
              });
        }
      case 3:
        {
          // the outputs grow with the tokens drawn: a huge limit must cost nothing
          int huge = g.pick(Integer.MAX_VALUE, 1 << 28, 100_000);
          return Call.good(
              "models",
              desc + " generate with <eos> forced, maxLength " + huge,
              c -> {
                Seq2Seq m = c.own(cfg.toBuilder().device(Device.cpu()).build());
                forceEos(m);
                int[][] out = m.generate(padded(src), sampling.toBuilder().maxLength(huge).build());
                for (int[] s : out) {
                  check(s.length == 0, "generated " + Gen.brief(s));
                }
              });
        }
      default:
        {
          List<int[]> badTgt = new ArrayList<>(tgt);
          badTgt.set(0, new int[] {g.pick(vt, -2)});
          return Call.bad(
              "models",
              desc + " trainStep with a target id outside the vocabulary",
              c -> {
                Seq2Seq m = c.own(cfg.toBuilder().device(Device.cpu()).build());
                m.trainStep(Seq2SeqBatch.of(src, badTgt, range(n)));
              });
        }
    }
  }

  private static Call conditioned(Gen g) {
    int f = g.between(1, 4);
    int v = g.between(5, 9);
    ConditionedLanguageModel.Config cfg =
        ConditionedLanguageModel.builder()
            .featureSize(f)
            .vocabSize(v)
            .embeddingSize(g.between(1, 4))
            .hiddenSize(g.between(1, 4))
            .layers(g.between(1, 2))
            .cell(g.pick(Cell.values()))
            .concatFeatures(g.coin())
            .seed(g.nextLong())
            .config();
    int n = g.between(1, 3);
    List<float[]> feats = g.listOf(n, () -> g.floats(f));
    List<int[]> seqs = sequences(g, n, v, 4);
    float[] flat = new float[n * f];
    for (int i = 0; i < n; i++) {
      System.arraycopy(feats.get(i), 0, flat, i * f, f);
    }
    int op = g.between(0, 3);
    int maxLength = g.between(1, 6);
    DecodeOptions sampling = sampling(g);
    String desc = "ConditionedLanguageModel " + cfg.toJson() + " op " + op;
    switch (op) {
      case 0:
        return Call.good(
            "models",
            desc + " generate maxLength " + maxLength,
            c -> {
              ConditionedLanguageModel m = c.own(cfg.toBuilder().device(Device.cpu()).build());
              int[][] out = m.generate(flat, n, sampling.toBuilder().maxLength(maxLength).build());
              check(out.length == n, "rows");
              for (int[] s : out) {
                check(s.length <= maxLength, "too long");
                checkIds(s, v, "generate");
              }
            });
      case 1:
        return Call.good(
            "models",
            desc + " trainStep/evaluate",
            c -> {
              ConditionedLanguageModel m = c.own(cfg.toBuilder().device(Device.cpu()).build());
              ConditionedBatch b = ConditionedBatch.of(feats, seqs, range(n));
              checkStep(m.trainStep(b), m);
              checkMetrics(m.evaluate(List.of(b), maxLength), "loss", "exact_match");
            });
      case 2:
        {
          int variant = g.between(0, 3);
          return Call.bad(
              "models",
              desc + " generate bad variant " + variant,
              c -> {
                ConditionedLanguageModel m = c.own(cfg.toBuilder().device(Device.cpu()).build());
                switch (variant) {
                  case 0 ->
                      m.generate(
                          new float[n * f + 1],
                          n,
                          sampling.toBuilder().maxLength(maxLength).build());
                  case 1 -> m.generate(flat, 0, sampling.toBuilder().maxLength(maxLength).build());
                  case 2 ->
                      m.generate(flat, n, sampling.toBuilder().maxLength(g.pick(0, -1)).build());
                  default ->
                      m.trainStep(
                          ConditionedBatch.of(List.of(new float[f + 1]), seqs, new int[] {0}));
                }
              });
        }
      default:
        {
          int huge = g.pick(Integer.MAX_VALUE, 1 << 28, 100_000); // see seq2seq
          return Call.good(
              "models",
              desc + " generate with <eos> forced, maxLength " + huge,
              c -> {
                ConditionedLanguageModel m = c.own(cfg.toBuilder().device(Device.cpu()).build());
                forceEos(m);
                for (int[] s : m.generate(flat, n, sampling.toBuilder().maxLength(huge).build())) {
                  check(s.length == 0, "generated " + Gen.brief(s));
                }
              });
        }
    }
  }

  private static Call badConfig(Gen g) {
    int which = g.between(0, 8);
    int bad = g.pick(0, -1, Integer.MIN_VALUE);
    float badF = g.pick(1f, -0.1f, Float.NaN, Float.POSITIVE_INFINITY);
    return Call.bad(
        "models",
        "bad config variant " + which + " (" + bad + ", " + badF + ")",
        c -> {
          switch (which) {
            case 0 -> SequenceClassifier.builder().vocabSize(bad).numClasses(2).config();
            case 1 ->
                SequenceClassifier.builder().vocabSize(5).numClasses(g.pick(1, 0, -1)).config();
            case 2 ->
                SequenceClassifier.builder()
                    .vocabSize(5)
                    .numClasses(3)
                    .binaryLogistic(true)
                    .config();
            case 3 ->
                SequenceClassifier.builder().vocabSize(5).numClasses(2).dropout(badF).config();
            case 4 ->
                SequenceClassifier.builder()
                    .vocabSize(5)
                    .numClasses(2)
                    .labelSmoothing(badF)
                    .config();
            case 5 -> LanguageModel.builder().vocabSize(5).hiddenSize(bad).config();
            case 6 ->
                Seq2Seq.builder().sourceVocabSize(5).targetVocabSize(g.pick(3, 0, -1)).config();
            case 7 -> ConditionedLanguageModel.builder().featureSize(bad).vocabSize(8).config();
            default -> SequenceTagger.builder().vocabSize(5).numTags(3).dropout(badF).config();
          }
        });
  }

  private static Call modelFile(Gen g) {
    int kind = g.between(0, 3);
    String garbage =
        g.pick(
            "{}",
            "[]",
            "null",
            "{\"vocabSize\": -1}",
            g.text(30),
            "{\"vocabSize\": 1e99}",
            "{\"cell\": \"NOPE\"}",
            "{\"vocabSize\": 5, \"numClasses\": 2, \"unknownKey\": 1}");
    switch (kind) {
      case 0:
        { // save and load back
          SequenceClassifier.Config cfg = classifierConfig(g);
          return Call.good(
                  "models",
                  "ModelFiles save/load " + cfg.toJson(),
                  c -> {
                    SequenceClassifier m = c.own(cfg.toBuilder().device(Device.cpu()).build());
                    Path p = c.dir().resolve("m.safetensors");
                    ModelFiles.save(p, m, null, null);
                    ModelFiles.Contents back = c.own(ModelFiles.load(p, Device.cpu()));
                    SequenceClassifier m2 = back.model(SequenceClassifier.class);
                    check(m2.config().equals(cfg), "config differs after load");
                    for (int i = 0; i < m.parameters().size(); i++) {
                      check(
                          Arrays.equals(
                              m.parameters().get(i).value().toArray(),
                              m2.parameters().get(i).value().toArray()),
                          "parameter " + i + " differs after load");
                    }
                  })
              .readsFile();
        }
      case 1:
        return Call.bad(
            "models",
            "Config.fromJson(" + Gen.brief(garbage) + ")",
            c -> {
              switch (g.between(0, 4)) {
                case 0 -> SequenceClassifier.Config.fromJson(garbage);
                case 1 -> LanguageModel.Config.fromJson(garbage);
                case 2 -> SequenceTagger.Config.fromJson(garbage);
                case 3 -> Seq2Seq.Config.fromJson(garbage);
                default -> ConditionedLanguageModel.Config.fromJson(garbage);
              }
            });
      case 2:
        {
          SequenceClassifier.Config cfg = classifierConfig(g);
          return Call.good(
              "models",
              "Config round trip " + cfg.toJson(),
              c -> {
                check(
                    SequenceClassifier.Config.fromJson(cfg.toJson()).equals(cfg),
                    "fromJson(toJson) differs");
                LanguageModel.Config lm =
                    LanguageModel.builder()
                        .vocabSize(cfg.vocabSize() + 3)
                        .init(g.pick(RecurrentInit.PYTORCH, RecurrentInit.ORTHOGONAL))
                        .config();
                check(
                    LanguageModel.Config.fromJson(lm.toJson()).equals(lm),
                    "LanguageModel config round trip");
              });
        }
      default:
        {
          int variant = g.between(0, 3);
          return Call.bad(
              "models",
              "use a closed model, variant " + variant,
              c -> {
                SequenceClassifier m = classifierConfig(g).toBuilder().device(Device.cpu()).build();
                m.close();
                PaddedBatch b = padded(List.of(new int[] {0}));
                switch (variant) {
                  case 0 -> m.predict(b);
                  case 1 -> m.trainStep(new ClassificationBatch(b, new int[] {0}));
                  case 2 -> m.evaluate(List.of(new ClassificationBatch(b, new int[] {0})));
                  default -> ModelFiles.save(c.dir().resolve("closed.safetensors"), m, null, null);
                }
              });
        }
    }
  }

  // ------------------------------------------------------------------ decode

  static Captioner.Config captionerConfig(Gen g, int f, int v) {
    return Captioner.builder()
        .featureSize(f)
        .imageSize(0)
        .projectionSize(g.pick(0, 3))
        .vocabSize(v)
        .embeddingSize(g.between(1, 3))
        .cell(g.pick(Cell.values()))
        .hiddenSize(g.between(1, 4))
        .layers(g.between(1, 2))
        .concatFeatures(g.coin())
        .seed(g.nextLong())
        .config();
  }

  static Call decode(Gen g) {
    int f = g.between(1, 3);
    int v = g.between(5, 9);
    Captioner.Config cfg = captionerConfig(g, f, v);
    int n = g.between(0, 4);
    List<float[]> inputs = g.listOf(n, () -> g.floats(f));
    boolean beam = g.coin();
    boolean sample = !beam && g.coin();
    int beamSize = beam ? g.between(1, 4) : 1;
    int maxLength = g.between(1, 6);
    DecodeOptions.Builder b =
        DecodeOptions.builder()
            .maxLength(maxLength)
            .beamSize(beamSize)
            .nBest(g.between(1, beamSize))
            .maxActive(g.between(0, 3))
            .seed(g.nextLong())
            .earlyStopping(g.coin())
            .noRepeatNgram(g.pick(0, 0, 1, 2))
            .lengthPenalty(
                g.pick(LengthPenalty.NONE, LengthPenalty.AVERAGE, LengthPenalty.gnmt(0.6)));
    if (sample) {
      b.temperature(g.nextDouble() + 0.2).topK(g.between(0, 3)).topP(g.pick(1.0, 0.9, 0.5));
    }
    b.suppress(g.coin() ? Captioner.NEVER : new int[] {g.between(4, v - 1)});
    b.minLength(Math.min(g.between(0, 3), maxLength));
    int kind = g.between(0, 5);
    if (kind == 0) {
      return decodeOptionsBad(g);
    }
    boolean bad = kind >= 3;
    int variant = g.between(0, 5);
    if (bad) {
      switch (variant) {
        case 0 -> b.endToken(g.pick(v, v + 5, Integer.MAX_VALUE));
        case 1 -> b.suppress(v);
        case 2 -> b.startToken(g.pick(v, Integer.MAX_VALUE));
        default -> {}
      }
    }
    DecodeOptions options = b.build();
    int[] endTokens =
        bad && variant == 3
            ? new int[n + 1]
            : bad && variant == 4 ? filledInts(n, g.pick(v, -1)) : null;
    List<float[]> in = bad && variant == 5 ? List.of(new float[f + 1]) : inputs;
    // decoding nothing must give nothing rather than an error; a suppressed id outside the
    // vocabulary is ignored by design (such a token is never generated anyway)
    boolean reallyBad = bad && variant != 1 && (n > 0 || variant == 3 || variant == 5);
    String desc =
        "Decoders.decode"
            + (bad ? " bad variant " + variant : "")
            + "(Captioner F="
            + f
            + " V="
            + v
            + " P="
            + cfg.projectionSize()
            + " "
            + cfg.cell()
            + " H="
            + cfg.hiddenSize()
            + " L="
            + cfg.layers()
            + ", "
            + n
            + " inputs, endTokens="
            + Gen.brief(endTokens)
            + ", "
            + options
            + ")";
    Call.Expect expect = reallyBad ? Call.Expect.BAD : bad ? Call.Expect.EITHER : Call.Expect.GOOD;
    return new Call(
        "decode",
        expect,
        desc,
        c -> {
          Captioner m = c.own(cfg.toBuilder().device(Device.cpu()).build());
          List<Decoded> out = Decoders.decode(m, in, endTokens, options);
          check(out.size() == in.size(), out.size() + " results for " + in.size() + " inputs");
          Set<Integer> suppressed = new HashSet<>();
          for (int s : options.suppress()) {
            suppressed.add(s);
          }
          for (int i = 0; i < out.size(); i++) {
            Decoded d = out.get(i);
            check(d.input() == i, "result " + i + " is for input " + d.input());
            int expected = options.beamSize() > 1 ? options.nBest() : 1;
            // empty only when the constraints forbid every continuation (documented on Decoded)
            check(d.nbest().size() <= expected, d.nbest().size() + " hypotheses");
            double prev = Double.POSITIVE_INFINITY;
            for (Hypothesis h : d.nbest()) {
              int[] t = h.tokens();
              check(t.length <= options.maxLength(), "longer than maxLength: " + h);
              check(h.ended() || t.length == options.maxLength(), "cut before maxLength: " + h);
              check(!h.ended() || t.length >= options.minLength(), "ended before minLength: " + h);
              checkIds(t, v, "hypothesis");
              int end = endTokens == null ? options.endToken() : endTokens[i];
              for (int tok : t) {
                check(!suppressed.contains(tok), "suppressed token " + tok + " in " + h);
                check(tok != end, "end token inside " + h);
              }
              check(h.logProb() <= 1e-6 && !Double.isNaN(h.score()), "log-probability " + h);
              check(h.score() <= prev, "n-best not sorted by score");
              prev = h.score();
              int k = options.noRepeatNgram();
              if (k > 0) {
                Set<String> seen = new HashSet<>();
                for (int s = 0; s + k <= t.length; s++) {
                  check(
                      seen.add(Arrays.toString(Arrays.copyOfRange(t, s, s + k))),
                      "a repeated " + k + "-gram in " + h);
                }
              }
            }
          }
          if (options.strategy() != DecodeOptions.Strategy.SAMPLE) {
            List<Decoded> again = Decoders.decode(m, in, endTokens, options);
            for (int i = 0; i < out.size(); i++) {
              check(Arrays.equals(again.get(i).tokens(), out.get(i).tokens()), "not deterministic");
            }
          }
        },
        false);
  }

  private static int[] filledInts(int n, int value) {
    int[] a = new int[n];
    Arrays.fill(a, value);
    return a;
  }

  private static Call decodeOptionsBad(Gen g) {
    int variant = g.between(0, 11);
    return Call.bad(
        "decode",
        "DecodeOptions.builder() variant " + variant,
        c -> {
          DecodeOptions.Builder b = DecodeOptions.builder();
          switch (variant) {
            case 0 -> b.beamSize(g.pick(0, -1, Integer.MIN_VALUE));
            case 1 -> b.maxLength(g.pick(0, -1));
            case 2 -> b.minLength(5).maxLength(2);
            case 3 -> b.beamSize(2).nBest(3);
            case 4 -> b.beamSize(3).temperature(1.0);
            case 5 -> b.temperature(g.pick(-1.0, Double.NaN, Double.POSITIVE_INFINITY));
            case 6 -> b.topP(g.pick(0.0, -0.5, 1.5, Double.NaN));
            case 7 -> b.suppress(-1);
            case 8 -> b.endToken(-3);
            case 9 -> b.lengthPenalty(null);
            case 10 -> b.topK(-1);
            default -> b.noRepeatNgram(-2);
          }
          b.build();
        });
  }
}
