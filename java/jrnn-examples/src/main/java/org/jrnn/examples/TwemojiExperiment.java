/*
 * TwemojiExperiment: trains a Captioner on Twemoji base images and evaluates it (greedy and beam
 * search; BLEU-4 and exact match) on the held-out skin-tone variants and on a seeded held-out split
 * of base images, against the nearest-neighbour-caption baseline; writes a JSON report.
 *   java -cp ... org.jrnn.examples.TwemojiExperiment --data target/twemoji --epochs 40 \
 *        --model target/caption/twemoji.safetensors --report bench/caption/twemoji-results.json
 */
package org.jrnn.examples;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jrnn.Cell;
import org.jrnn.Device;
import org.jrnn.JrnnException;
import org.jrnn.caption.Augment;
import org.jrnn.caption.CaptionBatches;
import org.jrnn.caption.CaptionModels;
import org.jrnn.caption.CaptionTask;
import org.jrnn.caption.Captioner;
import org.jrnn.caption.ImagePixels;
import org.jrnn.caption.NearestNeighbour;
import org.jrnn.data.SeededSplit;
import org.jrnn.data.Tokenizer;
import org.jrnn.data.WordTokenizer;
import org.jrnn.decode.DecodeOptions;
import org.jrnn.decode.Decoded;
import org.jrnn.decode.Decoders;
import org.jrnn.decode.LengthPenalty;
import org.jrnn.io.Json;
import org.jrnn.metrics.Bleu;
import org.jrnn.optim.Adam;
import org.jrnn.optim.GradientClipping;
import org.jrnn.optim.LrSchedule;
import org.jrnn.train.TrainResult;
import org.jrnn.train.Trainer;

/** The Twemoji captioning experiment of bench/caption/RESULTS.md. */
public final class TwemojiExperiment {
  private TwemojiExperiment() {}

  /** A labelled image set. */
  record Set_(String name, List<Twemoji.Entry> entries, List<ImagePixels.Rgb> images) {}

  private static Map<String, String> parse(String[] args) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      if (!args[i].startsWith("--") || i + 1 >= args.length) {
        throw new JrnnException("expected --key value pairs, got " + args[i]);
      }
      m.put(args[i].substring(2), args[++i]);
    }
    return m;
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> a = parse(args);
    Path data = Path.of(a.getOrDefault("data", "target/twemoji"));
    int size = Integer.parseInt(a.getOrDefault("image-size", "16"));
    ImagePixels.Mode pixels = ImagePixels.Mode.parse(a.getOrDefault("pixels", "rgb"));
    int proj = Integer.parseInt(a.getOrDefault("projection", "256"));
    int emb = Integer.parseInt(a.getOrDefault("embedding", "64"));
    int hidden = Integer.parseInt(a.getOrDefault("hidden", "256"));
    int layers = Integer.parseInt(a.getOrDefault("layers", "1"));
    Cell cell = Cell.valueOf(a.getOrDefault("cell", "gru").toUpperCase(Locale.ROOT));
    boolean concat = Boolean.parseBoolean(a.getOrDefault("concat", "false"));
    int epochs = Integer.parseInt(a.getOrDefault("epochs", "40"));
    int batch = Integer.parseInt(a.getOrDefault("batch", "32"));
    double lr = Double.parseDouble(a.getOrDefault("lr", "2e-3"));
    double weightDecay = Double.parseDouble(a.getOrDefault("weight-decay", "0"));
    long seed = Long.parseLong(a.getOrDefault("seed", "42"));
    double heldOut = Double.parseDouble(a.getOrDefault("held-out", "0.1"));
    Augment augment = Augment.parse(a.getOrDefault("augment", "none"));
    int beam = Integer.parseInt(a.getOrDefault("beam", "5"));
    int maxLen = Integer.parseInt(a.getOrDefault("max-len", "20"));
    Path modelPath = a.containsKey("model") ? Path.of(a.get("model")) : null;
    Path load = a.containsKey("load") ? Path.of(a.get("load")) : null;
    Path report = a.containsKey("report") ? Path.of(a.get("report")) : null;
    PrintStream out = System.out;

    Twemoji.Data d = Twemoji.read(data);
    SeededSplit split = SeededSplit.of(d.bases().size(), 1 - heldOut, seed);
    Set<Integer> trainBases = new HashSet<>();
    for (int i : split.train()) {
      trainBases.add(i);
    }
    List<Twemoji.Entry> train = new ArrayList<>();
    for (int i : split.train()) {
      train.add(d.bases().get(i));
    }
    List<Twemoji.Entry> testBases = new ArrayList<>();
    for (int i : split.test()) {
      testBases.add(d.bases().get(i));
    }
    List<Twemoji.Entry> variants =
        d.variants().stream().filter(e -> trainBases.contains(e.base())).toList();
    List<Twemoji.Entry> variantsOfHeld =
        d.variants().stream().filter(e -> !trainBases.contains(e.base())).toList();
    out.printf(
        Locale.ROOT,
        "data   %d base images: %d train, %d held out; %d skin-tone variants of training bases"
            + " (+%d of held-out bases, not scored)%n",
        d.bases().size(),
        train.size(),
        testBases.size(),
        variants.size(),
        variantsOfHeld.size());

    Set_ trainSet = load(d, "train bases", train);
    Set_ variantSet = load(d, "held-out skin-tone variants", variants);
    // the variants split by base emoji (seeded): a development half (to compare settings on) and a
    // test half
    List<Integer> variantBases =
        variants.stream().map(Twemoji.Entry::base).distinct().sorted().toList();
    SeededSplit vs = SeededSplit.of(variantBases.size(), 0.5, seed + 1);
    Set<Integer> devBases = new HashSet<>();
    for (int i : vs.train()) {
      devBases.add(variantBases.get(i));
    }
    Set_ variantDev =
        part(variantSet, "held-out variants, dev half", e -> devBases.contains(e.base()));
    Set_ variantTest =
        part(variantSet, "held-out variants, test half", e -> !devBases.contains(e.base()));
    Set_ baseSet = load(d, "held-out base images", testBases);
    List<String> trainCaptions = train.stream().map(Twemoji.Entry::caption).toList();

    Map<String, Object> rep = new LinkedHashMap<>();
    Captioner model;
    Tokenizer tokenizer;
    long t0 = System.nanoTime();
    if (load != null) {
      CaptionModels.Loaded l = CaptionModels.load(load, Device.cpu());
      model = l.model();
      tokenizer = l.tokenizer();
      size = model.config().imageSize();
      pixels = model.config().pixels();
    } else {
      tokenizer = WordTokenizer.builder().lowercase(true).build(trainCaptions);
      model =
          Captioner.builder()
              .imageSize(size)
              .pixels(pixels)
              .projectionSize(proj)
              .vocabSize(tokenizer.vocabSize())
              .embeddingSize(emb)
              .cell(cell)
              .hiddenSize(hidden)
              .layers(layers)
              .concatFeatures(concat)
              .seed(seed)
              .build();
      Captioner.Config config = model.config();
      out.printf(
          Locale.ROOT, "model  %s (%,d parameters)%n", config.toJson(), model.parameterCount());
      List<int[]> ids = trainCaptions.stream().map(tokenizer::encode).toList();
      CaptionBatches batches =
          CaptionBatches.ofImages(trainSet.images(), config.imageEncoder(), augment, ids, batch);
      // validation: greedy on 200 training images (memorisation), to watch the run
      List<float[]> vf = new ArrayList<>();
      List<int[]> vi = new ArrayList<>();
      for (int i = 0; i < Math.min(200, train.size()); i++) {
        vf.add(config.imageEncoder().features(trainSet.images().get(i)));
        vi.add(ids.get(i));
      }
      CaptionBatches valid = CaptionBatches.inOrder(vf, vi, 200);
      final double lrFinal = lr;
      try (Trainer trainer =
          Trainer.builder()
              .optimizer(ps -> Adam.builder().lr(lrFinal).weightDecay(weightDecay).build(ps))
              .schedule(LrSchedule.cosine(0.05))
              .clipping(GradientClipping.byNorm(1.0))
              .epochs(epochs)
              .seed(seed)
              .validateEvery(
                  Math.max(1, (long) batches.batchesPerEpoch() * Math.max(1, epochs / 8)))
              .log(out)
              .build()) {
        TrainResult r = trainer.fit(new CaptionTask(model, tokenizer, maxLen), batches, valid);
        rep.put("train_seconds", r.trainSeconds());
        rep.put("train_steps", r.steps());
        rep.put("last_train_loss", r.lastTrainLoss());
      }
      if (modelPath != null) {
        Files.createDirectories(modelPath.toAbsolutePath().getParent());
        CaptionModels.save(modelPath, model, tokenizer);
        out.println("saved  " + modelPath);
      }
    }
    rep.put("config", model.config().toJson());
    rep.put("augment", augment.toString());
    rep.put("epochs", epochs);
    rep.put("lr", lr);
    rep.put("weight_decay", weightDecay);
    rep.put("batch", batch);
    rep.put("seed", seed);
    rep.put(
        "counts",
        Map.of(
            "train_bases",
            train.size(),
            "held_out_bases",
            testBases.size(),
            "held_out_variants",
            variants.size(),
            "variants_dev",
            variantDev.entries().size(),
            "variants_test",
            variantTest.entries().size()));

    // baseline: caption of the nearest training image in pixel space (64x64 RGB over white)
    NearestNeighbour nn =
        new NearestNeighbour(
            trainSet.images().stream().map(ImagePixels.Rgb::rgb).toList(), trainCaptions);
    Map<String, Object> results = new LinkedHashMap<>();
    for (Set_ s : List.of(variantSet, variantDev, variantTest, baseSet, subset(trainSet, 300))) {
      Map<String, Object> r = new LinkedHashMap<>();
      List<float[]> feats = new ArrayList<>();
      for (ImagePixels.Rgb img : s.images()) {
        feats.add(model.config().imageEncoder().features(img));
      }
      List<List<String>> refs =
          s.entries().stream().map(e -> words(tokenizer, e.caption())).toList();
      if (!s.name().startsWith("train")) {
        List<List<String>> nnCands =
            s.images().stream().map(img -> words(tokenizer, nn.caption(img.rgb()))).toList();
        r.put("nearest_neighbour", scores(nnCands, refs));
      }
      for (DecodeOptions o :
          List.of(
              DecodeOptions.builder()
                  .maxLength(maxLen)
                  .maxActive(256)
                  .suppress(Captioner.NEVER)
                  .build(),
              DecodeOptions.builder()
                  .beamSize(beam)
                  .maxLength(maxLen)
                  .maxActive(256)
                  .suppress(Captioner.NEVER)
                  .build(),
              DecodeOptions.builder()
                  .beamSize(beam)
                  .maxLength(maxLen)
                  .maxActive(256)
                  .suppress(Captioner.NEVER)
                  .lengthPenalty(LengthPenalty.gnmt(0.6))
                  .build(),
              DecodeOptions.builder()
                  .beamSize(beam)
                  .maxLength(maxLen)
                  .maxActive(256)
                  .suppress(Captioner.NEVER)
                  .lengthPenalty(LengthPenalty.AVERAGE)
                  .build())) {
        long start = System.nanoTime();
        List<Decoded> got = Decoders.decode(model, feats, o);
        double secs = (System.nanoTime() - start) / 1e9;
        List<List<String>> cands = got.stream().map(g -> ids(tokenizer, g.tokens())).toList();
        Map<String, Object> sc = scores(cands, refs);
        sc.put("seconds", secs);
        String key =
            o.beamSize() == 1
                ? "greedy"
                : "beam"
                    + o.beamSize()
                    + (o.lengthPenalty().equals(LengthPenalty.NONE) ? "" : "_" + o.lengthPenalty());
        r.put(key, sc);
        if (key.equals("greedy") && s == variantSet) {
          List<String> examples = new ArrayList<>();
          for (int i = 0; i < Math.min(12, got.size()); i++) {
            int k = (int) ((long) i * got.size() / 12);
            examples.add(
                s.entries().get(k).image()
                    + " | "
                    + s.entries().get(k).caption()
                    + " | "
                    + String.join(" ", cands.get(k))
                    + " | nn: "
                    + nn.caption(s.images().get(k).rgb()));
          }
          rep.put("variant_examples", examples);
        }
      }
      results.put(s.name(), r);
      out.println(s.name() + ": " + r);
    }
    rep.put("results", results);
    rep.put("total_seconds", (System.nanoTime() - t0) / 1e9);
    if (report != null) {
      Files.createDirectories(report.toAbsolutePath().getParent());
      Files.writeString(report, Json.writePretty(rep) + "\n", StandardCharsets.UTF_8);
      out.println("report " + report);
    }
    model.close();
  }

  private static Set_ part(Set_ s, String name, java.util.function.Predicate<Twemoji.Entry> keep) {
    List<Twemoji.Entry> es = new ArrayList<>();
    List<ImagePixels.Rgb> imgs = new ArrayList<>();
    for (int i = 0; i < s.entries().size(); i++) {
      if (keep.test(s.entries().get(i))) {
        es.add(s.entries().get(i));
        imgs.add(s.images().get(i));
      }
    }
    return new Set_(name, es, imgs);
  }

  private static Set_ subset(Set_ s, int n) {
    int m = Math.min(n, s.entries().size());
    return new Set_(
        "train bases (first " + m + ")", s.entries().subList(0, m), s.images().subList(0, m));
  }

  private static Set_ load(Twemoji.Data d, String name, List<Twemoji.Entry> entries)
      throws IOException {
    List<ImagePixels.Rgb> imgs = new ArrayList<>();
    for (Twemoji.Entry e : entries) {
      imgs.add(ImagePixels.rgb(ImagePixels.read(d.file(e))));
    }
    return new Set_(name, entries, imgs);
  }

  static List<String> words(Tokenizer t, String caption) {
    return t instanceof WordTokenizer w ? w.tokenize(caption) : List.of(caption.split("\\s+"));
  }

  static List<String> ids(Tokenizer t, int[] ids) {
    List<String> out = new ArrayList<>();
    for (int id : ids) {
      out.add(t.vocabulary().token(id));
    }
    return out;
  }

  static Map<String, Object> scores(List<List<String>> cands, List<List<String>> refs) {
    Map<String, Object> m = new LinkedHashMap<>();
    long exact = 0;
    for (int i = 0; i < cands.size(); i++) {
      exact += cands.get(i).equals(refs.get(i)) ? 1 : 0;
    }
    Bleu.Result b = Bleu.corpus(cands, refs.stream().map(List::of).toList(), 4);
    m.put("bleu4", b.bleu());
    m.put("exact_match", cands.isEmpty() ? 0 : (double) exact / cands.size());
    m.put("brevity_penalty", b.brevityPenalty());
    m.put("p1", b.precision(1));
    m.put("p4", b.precision(4));
    return m;
  }
}
