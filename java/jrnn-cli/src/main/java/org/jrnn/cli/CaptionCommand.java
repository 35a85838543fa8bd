// CaptionCommand: `jrnn caption`: batch caption generation with a trained captioning model, from an
// image folder, a list of image files or precomputed feature vectors, to JSON lines.
//   scripts/jrnn caption --model M.safetensors --images DIR --beam 5 --batch 64 --out
// captions.jsonl
package org.jrnn.cli;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.LongConsumer;
import org.jrnn.Device;
import org.jrnn.JrnnException;
import org.jrnn.caption.BatchCaptioner;
import org.jrnn.caption.CaptionData;
import org.jrnn.caption.CaptionModels;
import org.jrnn.caption.Captioner;
import org.jrnn.caption.FeatureFiles;
import org.jrnn.caption.ImagePixels;
import org.jrnn.decode.DecodeOptions;
import org.jrnn.internal.Quote;
import org.jrnn.train.ProgressBar;

/** {@code jrnn caption}: see {@link #usage()}. */
public final class CaptionCommand implements Command {
  static final Set<String> VALUED =
      DecodeFlags.with(
          Set.of(
              "model",
              "images",
              "list",
              "features",
              "batch",
              "max-len",
              "nbest",
              "device",
              "out",
              "threads"),
          DecodeFlags.SEARCH,
          DecodeFlags.SAMPLING);
  static final Set<String> FLAGS = Set.of("resume", "quiet", "progress");

  @Override
  public String name() {
    return "caption";
  }

  @Override
  public String summary() {
    return "caption images (or feature vectors) in batches with a trained captioning model";
  }

  @Override
  public String usage() {
    return String.join(
        "\n",
        "usage: jrnn caption --model M.safetensors (--images DIR | --list FILE | --features F)",
        "                    [--beam 5] [--batch 64] [--max-len 20] [--device cpu|cuda:0]",
        "                    [--out captions.jsonl [--resume]] [decoding options]",
        "",
        "Writes one JSON object per input, in input order:",
        "  {\"image\": ..., \"caption\": ..., \"score\": ..., \"nbest\": [{\"caption\": ..., \"score\": ...}, ...]}",
        "or {\"image\": ..., \"error\": ...} for an image that cannot be read (the run goes on).",
        "",
        "inputs (one of):",
        "  --images DIR        every image file under DIR (png, jpg, jpeg, gif, bmp), sorted by path",
        "  --list FILE         one image path per line (relative paths: from FILE's folder)",
        "  --features F        precomputed feature vectors, one row per image: .safetensors (tensor",
        "                      \"features\" or the only 2-D one; metadata \"names\": JSON array), .npy",
        "                      (float32/64, N x F) or .csv (optional leading name column)",
        "",
        "decoding:",
        "  --beam K            beam width (default 1: greedy)",
        "  --nbest N           hypotheses listed in \"nbest\" (default K)",
        "  --length-penalty P  none (default), average, gnmt:ALPHA (beam search ranking)",
        "  --max-len N         most words per caption (default 20);  --min-len N (default 0)",
        "  --no-repeat-ngram N forbid repeating any N-gram (default 0: off)",
        "  --temperature T     sample instead (T > 0, greedy only) with --top-k K, --top-p P, --seed S",
        "  --batch N           images decoded together (default 64): larger is faster",
        "",
        "output:",
        "  --out FILE          write here (default: standard output)",
        "  --resume            keep FILE's lines and caption only the inputs not in it",
        "  --progress          a progress line on stderr even when it is not a terminal; --quiet: none",
        "  --device D          cpu (default) or cuda:N;  --threads N  CPU threads",
        "",
        "Exit status 0 when every input was captioned; 1 when some could not be read (their lines",
        "have an \"error\") or the run failed; 2 for a bad command line.",
        "");
  }

  @Override
  public int run(List<String> args, PrintStream out, PrintStream err) throws Exception {
    return CliErrors.run(() -> execute(args, out, err));
  }

  private int execute(List<String> args, PrintStream out, PrintStream err) throws Exception {
    CliOptions o = CliOptions.parse(args, VALUED, FLAGS, false);
    Path modelPath = o.requiredPath("model");
    int sources = (o.has("images") ? 1 : 0) + (o.has("list") ? 1 : 0) + (o.has("features") ? 1 : 0);
    if (sources != 1) {
      throw new UsageException("give exactly one of --images, --list and --features");
    }
    if (o.flag("resume") && !o.has("out")) {
      throw new UsageException("--resume needs --out FILE");
    }
    int threads = o.integer("threads", 0, 1, 1024);
    DecodeOptions decoding = decoding(o);
    int batch = o.integer("batch", 64, 1, 1 << 16);
    Device device;
    try {
      device = Device.parse(o.string("device", "cpu"));
    } catch (RuntimeException e) {
      throw new UsageException("--device: " + Quote.cut(e.getMessage()));
    }
    CliErrors.input(modelPath);
    if (o.has("images")) {
      CliErrors.inputDirectory(o.path("images"));
    } else {
      CliErrors.input(o.has("list") ? o.path("list") : o.path("features"));
    }
    if (o.has("out")) {
      CliErrors.output(o.path("out"));
    }
    if (threads > 0) {
      System.setProperty("jrnn.cpu.threads", Integer.toString(threads));
    }
    try (CaptionModels.Loaded loaded = CaptionModels.load(modelPath, device)) {
      Captioner model = loaded.model();
      List<BatchCaptioner.Input> inputs = inputs(o, model);
      Path outPath = o.path("out");
      Set<String> done = o.flag("resume") ? BatchCaptioner.done(outPath) : Set.of();
      List<BatchCaptioner.Input> todo = new ArrayList<>();
      for (BatchCaptioner.Input in : inputs) {
        if (!done.contains(in.name())) {
          todo.add(in);
        }
      }
      boolean quiet = o.flag("quiet");
      boolean interactive = System.console() != null;
      ProgressBar bar =
          !quiet && (interactive || o.flag("progress"))
              ? new ProgressBar("caption", todo.size(), err, interactive)
              : null;
      LongConsumer progress = bar == null ? null : bar::set;
      BatchCaptioner captioner = new BatchCaptioner(model, loaded.tokenizer(), decoding, batch);
      BatchCaptioner.Summary s;
      if (outPath != null) {
        StandardOpenOption mode =
            o.flag("resume") ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING;
        try (Writer w =
            Files.newBufferedWriter(
                outPath,
                StandardCharsets.UTF_8,
                StandardOpenOption.CREATE,
                StandardOpenOption.WRITE,
                mode)) {
          s = captioner.run(todo, w, progress);
        }
      } else {
        Writer w = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8));
        s = captioner.run(todo, w, progress);
        w.flush();
      }
      if (bar != null) {
        bar.close();
      }
      if (!quiet) {
        err.printf(
            Locale.ROOT,
            "caption: %d captioned, %d failed%s in %.1f s (%.1f captions/s)%n",
            s.captioned(),
            s.failed(),
            done.isEmpty() ? "" : ", " + (inputs.size() - todo.size()) + " already done",
            s.seconds(),
            s.seconds() > 0 ? s.captioned() / s.seconds() : 0.0);
      }
      return s.failed() > 0 ? Main.EXIT_FAILURE : 0;
    }
  }

  /**
   * {@code jrnn train --task caption --data CAPTIONS --images DIR ...}: trains a captioner with the
   * built-in image encoder (options {@code --image-size S} (default 16), {@code --pixels
   * rgb|rgb+std}, {@code --projection P} (256; 0: none), {@code --embedding}, {@code --hidden},
   * {@code --layers}, {@code --cell}, {@code --augment} (see {@link
   * org.jrnn.caption.Augment#parse}), {@code --min-freq}, {@code --valid}); the training options
   * are {@code TrainCommand}'s. TrainCommand calls this for the task and saves the result.
   */
  static TrainCommand.Trained train(CliOptions o, TrainSettings s, Path data, PrintStream log)
      throws IOException {
    org.jrnn.caption.CaptionTraining.Options opts =
        org.jrnn.caption.CaptionTraining.Options.builder()
            .images(o.requiredPath("images"))
            .captions(data)
            .valid(o.path("valid"))
            .validFraction(s.validFraction())
            .seed(s.seed())
            .imageSize(o.integer("image-size", 16, 1, 512))
            .pixels(pixels(o.string("pixels", "rgb")))
            .projectionSize(o.integer("projection", 256, 0, 1 << 16))
            .embeddingSize(o.integer("embedding", 64, 1, 1 << 16))
            .hiddenSize(o.integer("hidden", 256, 1, 1 << 16))
            .layers(o.integer("layers", 1, 1, 64))
            .cell(TrainCommand.cell(o, org.jrnn.Cell.GRU))
            .augment(augment(o.string("augment", "none")))
            .batchSize(s.batch())
            .minFrequency(o.integer("min-freq", 1, 1, Integer.MAX_VALUE))
            .device(s.device())
            .build();
    try (org.jrnn.train.Trainer trainer = s.trainer(log)) {
      org.jrnn.caption.CaptionTraining.Result r =
          org.jrnn.caption.CaptionTraining.train(opts, trainer, log);
      return new TrainCommand.Trained(
          new org.jrnn.models.ModelFiles.Contents(r.model(), r.tokenizer(), null, null, null),
          r.train());
    }
  }

  private static ImagePixels.Mode pixels(String text) {
    try {
      return ImagePixels.Mode.parse(text);
    } catch (IllegalArgumentException | JrnnException e) {
      throw new UsageException("--pixels: " + Quote.cut(e.getMessage()));
    }
  }

  private static org.jrnn.caption.Augment augment(String text) {
    try {
      return org.jrnn.caption.Augment.parse(text);
    } catch (IllegalArgumentException | JrnnException e) {
      throw new UsageException("--augment: " + Quote.cut(e.getMessage()));
    }
  }

  static DecodeOptions decoding(CliOptions o) {
    DecodeOptions.Builder b =
        DecodeFlags.read(o, new DecodeFlags.Defaults(0, 0, true))
            .maxLength(o.integer("max-len", 20, 1, 10_000))
            .suppress(Captioner.NEVER);
    return DecodeFlags.build(b);
  }

  private static List<BatchCaptioner.Input> inputs(CliOptions o, Captioner model)
      throws IOException {
    List<BatchCaptioner.Input> out = new ArrayList<>();
    ImagePixels.Encoder encoder = model.config().imageEncoder();
    if (o.has("features")) {
      FeatureFiles.Features f;
      try {
        f = FeatureFiles.read(o.path("features"));
      } catch (CharacterCodingException e) {
        throw new JrnnException(Quote.path(o.path("features")) + ": not valid UTF-8 text");
      }
      if (f.featureSize() != model.config().featureSize()) {
        throw new JrnnException(
            Quote.path(o.path("features"))
                + ": rows have "
                + f.featureSize()
                + " values but the model takes "
                + model.config().featureSize());
      }
      for (int i = 0; i < f.rows().size(); i++) {
        float[] row = f.rows().get(i);
        out.add(new BatchCaptioner.Input(f.names().get(i), () -> row));
      }
      return out;
    }
    if (encoder == null) {
      throw new JrnnException(
          "the model takes precomputed features of size "
              + model.config().featureSize()
              + " (use --features), not images");
    }
    if (o.has("images")) {
      for (Path p : CaptionData.listImages(o.path("images"))) {
        out.add(new BatchCaptioner.Input(p.toString(), () -> encoder.features(p)));
      }
    } else {
      Path list = o.path("list");
      Path base = list.toAbsolutePath().getParent();
      List<String> lines;
      try {
        lines = Files.readAllLines(list, StandardCharsets.UTF_8);
      } catch (CharacterCodingException e) {
        throw new JrnnException(Quote.path(list) + ": not valid UTF-8 text");
      }
      for (String line : lines) {
        String t = line.strip();
        if (t.isEmpty() || t.startsWith("#")) {
          continue;
        }
        Path given;
        try {
          given = Path.of(t);
        } catch (InvalidPathException e) {
          throw new JrnnException(
              Quote.path(list) + ": " + Quote.quote(t) + " is not a valid path");
        }
        Path p = given.isAbsolute() || base == null ? given : base.resolve(given);
        out.add(new BatchCaptioner.Input(t, () -> encoder.features(p)));
      }
    }
    if (out.isEmpty()) {
      throw new JrnnException("no images to caption");
    }
    return out;
  }
}
