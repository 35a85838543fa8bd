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
import org.jrnn.internal.Arguments;
import org.jrnn.train.TrainResult;
import org.jrnn.train.Trainer;

/**
 * Reads the images named in a captions file (relative to the image folder), builds a word tokenizer
 * on the training captions, and trains a {@link Captioner} with the built-in image encoder through
 * {@link CaptionTask} (validation: greedy BLEU-4 and exact match on a seeded split, or on a second
 * captions file).
 *
 * <pre>{@code
 * CaptionTraining.Options o =
 *     CaptionTraining.Options.builder().images(Path.of("imgs")).captions(Path.of("captions.tsv")).build();
 * try (Trainer t = Trainer.builder().optimizer(Adam.builder().lr(2e-3)::build).epochs(30).seed(42).build();
 *     CaptionTraining.Result r = CaptionTraining.train(o, t, System.out)) {
 *   CaptionModels.save(Path.of("captioner.safetensors"), r.model(), r.tokenizer());
 * }
 * }</pre>
 */
public final class CaptionTraining {
  private CaptionTraining() {}

  /** What to train on and the model (read-only); made by {@link #builder()}. */
  public static final class Options {
    private final Path images;
    private final Path captions;
    private final Path valid;
    private final double validFraction;
    private final long seed;
    private final int imageSize;
    private final ImagePixels.Mode pixels;
    private final int projectionSize;
    private final int embeddingSize;
    private final int hiddenSize;
    private final int layers;
    private final Cell cell;
    private final boolean concatFeatures;
    private final Augment augment;
    private final int batchSize;
    private final int maxLength;
    private final int minFrequency;
    private final Device device;

    private Options(Builder b) {
      this.images = b.images;
      this.captions = b.captions;
      this.valid = b.valid;
      this.validFraction = b.validFraction;
      this.seed = b.seed;
      this.imageSize = b.imageSize;
      this.pixels = b.pixels;
      this.projectionSize = b.projectionSize;
      this.embeddingSize = b.embeddingSize;
      this.hiddenSize = b.hiddenSize;
      this.layers = b.layers;
      this.cell = b.cell;
      this.concatFeatures = b.concatFeatures;
      this.augment = b.augment;
      this.batchSize = b.batchSize;
      this.maxLength = b.maxLength;
      this.minFrequency = b.minFrequency;
      this.device = b.device;
    }

    /**
     * A builder: {@code Options.builder().images(dir).captions(file).build()}; {@code images} and
     * {@code captions} are required, the rest default to 16 x 16 images, projection 256, embedding
     * 64, GRU 256, batch 32, 10% validation, seed 42.
     */
    public static Builder builder() {
      return new Builder();
    }

    /** The image folder. */
    public Path images() {
      return images;
    }

    /** The captions file (TSV or JSON lines; see {@link CaptionData#readCaptions}). */
    public Path captions() {
      return captions;
    }

    /** A validation captions file (images in the same folder), or null. */
    public Path valid() {
      return valid;
    }

    /** Held out of {@code captions} (by image) when {@code valid} is null, in [0, 1); 0: none. */
    public double validFraction() {
      return validFraction;
    }

    /** Seed of the split, the model's initialisation and the augmentation. */
    public long seed() {
      return seed;
    }

    /** S of the built-in encoder (images resized to S x S, {@code >= 1}). */
    public int imageSize() {
      return imageSize;
    }

    /** What its features hold. */
    public ImagePixels.Mode pixels() {
      return pixels;
    }

    /** P ({@code >= 0}; 0: none). */
    public int projectionSize() {
      return projectionSize;
    }

    /** E ({@code >= 1}). */
    public int embeddingSize() {
      return embeddingSize;
    }

    /** H ({@code >= 1}). */
    public int hiddenSize() {
      return hiddenSize;
    }

    /** L ({@code >= 1}). */
    public int layers() {
      return layers;
    }

    /** The recurrent cell. */
    public Cell cell() {
      return cell;
    }

    /** Append the projected image to every step input. */
    public boolean concatFeatures() {
      return concatFeatures;
    }

    /** Training image augmentation. */
    public Augment augment() {
      return augment;
    }

    /** Images per batch ({@code >= 1}). */
    public int batchSize() {
      return batchSize;
    }

    /** The longest caption decoded in validation ({@code >= 1}). */
    public int maxLength() {
      return maxLength;
    }

    /** Least count of a word to get an id ({@code >= 1}). */
    public int minFrequency() {
      return minFrequency;
    }

    /** Where to train. */
    public Device device() {
      return device;
    }

    /**
     * Settings of {@link Options}; each setter checks its value, {@link #build()} the required
     * ones.
     */
    public static final class Builder {
      private Path images;
      private Path captions;
      private Path valid;
      private double validFraction = 0.1;
      private long seed = 42;
      private int imageSize = 16;
      private ImagePixels.Mode pixels = ImagePixels.Mode.RGB;
      private int projectionSize = 256;
      private int embeddingSize = 64;
      private int hiddenSize = 256;
      private int layers = 1;
      private Cell cell = Cell.GRU;
      private boolean concatFeatures;
      private Augment augment = Augment.NONE;
      private int batchSize = 32;
      private int maxLength = 20;
      private int minFrequency = 1;
      private Device device = Device.cpu();

      private Builder() {}

      /** Required: the image folder. */
      public Builder images(Path images) {
        this.images = Arguments.notNull("images", images);
        return this;
      }

      /** Required: the captions file (TSV or JSON lines; see {@link CaptionData#readCaptions}). */
      public Builder captions(Path captions) {
        this.captions = Arguments.notNull("captions", captions);
        return this;
      }

      /** A validation captions file (images in the same folder), or null; default null. */
      public Builder valid(Path valid) {
        this.valid = valid;
        return this;
      }

      /**
       * Held out of {@code captions} (by image) when {@code valid} is null, in [0, 1); 0: none;
       * default 0.1.
       */
      public Builder validFraction(double validFraction) {
        this.validFraction = fraction("validFraction", validFraction);
        return this;
      }

      /** Seed of the split, the model's initialisation and the augmentation; default 42. */
      public Builder seed(long seed) {
        this.seed = seed;
        return this;
      }

      /** S of the built-in encoder (images resized to S x S, {@code >= 1}); default 16. */
      public Builder imageSize(int imageSize) {
        this.imageSize = Arguments.atLeast("imageSize", imageSize, 1);
        return this;
      }

      /** What its features hold; default RGB. */
      public Builder pixels(ImagePixels.Mode pixels) {
        this.pixels = Arguments.notNull("pixels", pixels);
        return this;
      }

      /** P ({@code >= 0}; 0: none); default 256. */
      public Builder projectionSize(int projectionSize) {
        this.projectionSize = Arguments.atLeast("projectionSize", projectionSize, 0);
        return this;
      }

      /** E ({@code >= 1}); default 64. */
      public Builder embeddingSize(int embeddingSize) {
        this.embeddingSize = Arguments.atLeast("embeddingSize", embeddingSize, 1);
        return this;
      }

      /** H ({@code >= 1}); default 256. */
      public Builder hiddenSize(int hiddenSize) {
        this.hiddenSize = Arguments.atLeast("hiddenSize", hiddenSize, 1);
        return this;
      }

      /** L ({@code >= 1}); default 1. */
      public Builder layers(int layers) {
        this.layers = Arguments.atLeast("layers", layers, 1);
        return this;
      }

      /** The recurrent cell; default GRU. */
      public Builder cell(Cell cell) {
        this.cell = Arguments.notNull("cell", cell);
        return this;
      }

      /** Append the projected image to every step input; default false. */
      public Builder concatFeatures(boolean concatFeatures) {
        this.concatFeatures = concatFeatures;
        return this;
      }

      /** Training image augmentation; default none. */
      public Builder augment(Augment augment) {
        this.augment = Arguments.notNull("augment", augment);
        return this;
      }

      /** Images per batch ({@code >= 1}); default 32. */
      public Builder batchSize(int batchSize) {
        this.batchSize = Arguments.atLeast("batchSize", batchSize, 1);
        return this;
      }

      /** The longest caption decoded in validation ({@code >= 1}); default 20. */
      public Builder maxLength(int maxLength) {
        this.maxLength = Arguments.atLeast("maxLength", maxLength, 1);
        return this;
      }

      /** Least count of a word to get an id ({@code >= 1}); default 1. */
      public Builder minFrequency(int minFrequency) {
        this.minFrequency = Arguments.atLeast("minFrequency", minFrequency, 1);
        return this;
      }

      /** Where to train; default the CPU. */
      public Builder device(Device device) {
        this.device = Arguments.notNull("device", device);
        return this;
      }

      /** The options. @throws JrnnException when {@code images} or {@code captions} is missing */
      public Options build() {
        Arguments.required("images", images == null);
        Arguments.required("captions", captions == null);
        return new Options(this);
      }

      private static double fraction(String name, double v) {
        if (!(v >= 0 && v < 1)) {
          throw new JrnnException(name + " must be in [0, 1) but is " + v);
        }
        return v;
      }
    }
  }

  /**
   * The trained model.
   *
   * @param model the captioner (the caller closes it)
   * @param tokenizer its caption tokenizer
   * @param train the trainer's report
   */
  public record Result(Captioner model, Tokenizer tokenizer, TrainResult train)
      implements AutoCloseable {
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
        throw new JrnnException(
            "too few images ("
                + names.size()
                + ") to hold out "
                + o.validFraction()
                + " for validation; give a validation file or fraction 0");
      }
    } else {
      train = all;
      valid = List.of();
    }
    Loaded tr = load(o.images(), train);
    Loaded va = load(o.images(), valid);
    WordTokenizer tokenizer =
        WordTokenizer.builder().lowercase(true).minFrequency(o.minFrequency()).build(tr.captions());
    List<int[]> trIds = tr.captions().stream().map(tokenizer::encode).toList();
    List<int[]> vaIds = va.captions().stream().map(tokenizer::encode).toList();
    if (log != null) {
      log.printf(
          Locale.ROOT,
          "data   %d training captions (%d images), %d validation captions; %d words%n",
          train.size(),
          tr.names().stream().distinct().count(),
          valid.size(),
          tokenizer.vocabSize());
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
      CaptionBatches trainBatches =
          CaptionBatches.ofImages(tr.images(), encoder, o.augment(), trIds, o.batchSize());
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
