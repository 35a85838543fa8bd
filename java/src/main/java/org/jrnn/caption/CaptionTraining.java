/*
 * CaptionTraining: trains a Captioner from an image folder and a captions file (the work behind
 * `jrnn train --task caption`), with the Trainer configured by the caller.
 */
package org.jrnn.caption;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jrnn.Cell;
import org.jrnn.Device;
import org.jrnn.JrnnException;
import org.jrnn.data.SeededSplit;
import org.jrnn.data.Tokenizer;
import org.jrnn.data.WordTokenizer;
import org.jrnn.train.TrainResult;
import org.jrnn.train.Trainer;

/**
 * Reads the images named in a captions file (relative to the image folder), builds a word
 * tokenizer on the training captions, and trains a {@link Captioner} with the built-in image
 * encoder through {@link CaptionTask} (validation: greedy BLEU-4 and exact match on a seeded
 * split, or on a second captions file).
 *
 * <pre>{@code
 * CaptionTraining.Options o = CaptionTraining.Options.defaults(Path.of("imgs"), Path.of("captions.tsv"));
 * try (Trainer t = Trainer.builder().optimizer(Adam.builder().lr(2e-3)::build).epochs(30).seed(42).build();
 *     CaptionTraining.Result r = CaptionTraining.train(o, t, System.out)) {
 *   CaptionModels.save(Path.of("captioner.safetensors"), r.model(), r.tokenizer());
 * }
 * }</pre>
 */
public final class CaptionTraining {
  private CaptionTraining() {}

  /**
   * What to train on and the model.
   *
   * @param images the image folder
   * @param captions the captions file (TSV or JSON lines; see {@link CaptionData#readCaptions})
   * @param valid a validation captions file (images in the same folder), or null
   * @param validFraction held out of {@code captions} (by image) when {@code valid} is null; 0: none
   * @param seed seed of the split, the model's initialisation and the augmentation
   * @param imageSize S of the built-in encoder (images resized to S x S)
   * @param pixels what its features hold
   * @param projectionSize P (0: none)
   * @param embeddingSize E
   * @param hiddenSize H
   * @param layers L
   * @param cell the decoder cell
   * @param concatFeatures append the projected image to every decoder input
   * @param augment training image augmentation
   * @param batchSize images per batch
   * @param maxLength the longest caption decoded in validation
   * @param minFrequency least count of a word to get an id
   * @param device where to train
   */
  public record Options(
      Path images,
      Path captions,
      Path valid,
      double validFraction,
      long seed,
      int imageSize,
      ImagePixels.Mode pixels,
      int projectionSize,
      int embeddingSize,
      int hiddenSize,
      int layers,
      Cell cell,
      boolean concatFeatures,
      Augment augment,
      int batchSize,
      int maxLength,
      int minFrequency,
      Device device) {

    /** 16 x 16 images, projection 256, embedding 64, GRU 256, batch 32, 10% validation, seed 42. */
    public static Options defaults(Path images, Path captions) {
      return new Options(images, captions, null, 0.1, 42, 16, ImagePixels.Mode.RGB, 256, 64, 256, 1, Cell.GRU, false,
          Augment.NONE, 32, 20, 1, Device.cpu());
    }
  }

  /**
   * The trained model.
   *
   * @param model the captioner (the caller closes it)
   * @param tokenizer its caption tokenizer
   * @param train the trainer's report
   */
  public record Result(Captioner model, Tokenizer tokenizer, TrainResult train) implements AutoCloseable {
    @Override
    public void close() {
      model.close();
    }
  }

  /** Loaded examples: images and their captions, in captions-file order. */
  private record Loaded(List<ImagePixels.Rgb> images, List<String> captions, List<String> names) {}

  private static Loaded load(Path dir, List<CaptionData.Example> examples) throws IOException {
    Map<String, ImagePixels.Rgb> cache = new HashMap<>();
    List<ImagePixels.Rgb> imgs = new ArrayList<>();
    List<String> caps = new ArrayList<>();
    List<String> names = new ArrayList<>();
    for (CaptionData.Example e : examples) {
      ImagePixels.Rgb img = cache.get(e.image());
      if (img == null) {
        img = ImagePixels.rgb(ImagePixels.read(dir.resolve(e.image())));
        cache.put(e.image(), img);
      }
      imgs.add(img);
      caps.add(e.caption());
      names.add(e.image());
    }
    return new Loaded(imgs, caps, names);
  }

  /**
   * Trains a captioner.
   *
   * @param o data and model options
   * @param trainer the configured trainer (optimiser, epochs, schedule, checkpoints, ...)
   * @param log where to print the data and model lines, or null
   * @throws IOException when the captions file or an image cannot be read (naming it)
   */
  public static Result train(Options o, Trainer trainer, PrintStream log) throws IOException {
    List<CaptionData.Example> all = CaptionData.readCaptions(o.captions());
    List<CaptionData.Example> train;
    List<CaptionData.Example> valid;
    if (o.valid() != null) {
      train = all;
      valid = CaptionData.readCaptions(o.valid());
    } else if (o.validFraction() > 0) {
      // split by image, so no image is in both parts
      List<String> names = all.stream().map(CaptionData.Example::image).distinct().toList();
      SeededSplit split = SeededSplit.of(names.size(), 1 - o.validFraction(), o.seed());
      java.util.Set<String> held = new java.util.HashSet<>(split.testOf(names));
      train = all.stream().filter(e -> !held.contains(e.image())).toList();
      valid = all.stream().filter(e -> held.contains(e.image())).toList();
      if (train.isEmpty() || valid.isEmpty()) {
        throw new JrnnException("too few images (" + names.size() + ") to hold out "
            + o.validFraction() + " for validation; give a validation file or fraction 0");
      }
    } else {
      train = all;
      valid = List.of();
    }
    Loaded tr = load(o.images(), train);
    Loaded va = load(o.images(), valid);
    WordTokenizer tokenizer = WordTokenizer.builder().lowercase(true).minFrequency(o.minFrequency()).build(tr.captions());
    List<int[]> trIds = tr.captions().stream().map(tokenizer::encode).toList();
    List<int[]> vaIds = va.captions().stream().map(tokenizer::encode).toList();
    if (log != null) {
      log.printf(Locale.ROOT, "data   %d training captions (%d images), %d validation captions; %d words%n",
          train.size(), tr.names().stream().distinct().count(), valid.size(), tokenizer.vocabSize());
    }
    ImagePixels.Encoder encoder = new ImagePixels.Encoder(o.imageSize(), o.pixels());
    Captioner model =
        Captioner.builder()
            .imageSize(o.imageSize())
            .pixels(o.pixels())
            .projectionSize(o.projectionSize())
            .vocabSize(tokenizer.vocabSize())
            .embeddingSize(o.embeddingSize())
            .cell(o.cell())
            .hiddenSize(o.hiddenSize())
            .layers(o.layers())
            .concatFeatures(o.concatFeatures())
            .seed(o.seed())
            .device(o.device())
            .build();
    try {
      CaptionTask task = new CaptionTask(model, tokenizer, o.maxLength());
      CaptionBatches trainBatches = CaptionBatches.ofImages(tr.images(), encoder, o.augment(), trIds, o.batchSize());
      CaptionBatches validBatches = null;
      if (!valid.isEmpty()) {
        List<float[]> vf = new ArrayList<>();
        for (ImagePixels.Rgb img : va.images()) {
          vf.add(encoder.features(img));
        }
        validBatches = CaptionBatches.inOrder(vf, vaIds, Math.max(o.batchSize(), 64));
      }
      if (log != null) {
        log.printf(
            Locale.ROOT,
            "model  captioner %s (%,d parameters)%n",
            model.config().toJson(),
            model.parameterCount());
      }
      TrainResult r = trainer.fit(task, trainBatches, validBatches);
      return new Result(model, tokenizer, r);
    } catch (RuntimeException e) {
      model.close();
      throw e;
    }
  }
}
