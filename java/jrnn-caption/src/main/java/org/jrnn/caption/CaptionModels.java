/*
 * CaptionModels: a captioning model file (one safetensors file: parameters, kind, config,
 * tokenizer) saved and loaded; loading also takes a ConditionedLanguageModel file (kind
 * "conditioned-decoder") as a captioner without projection.
 */
package org.jrnn.caption;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.jrnn.Device;
import org.jrnn.JrnnException;
import org.jrnn.data.Tokenizer;
import org.jrnn.internal.Quote;
import org.jrnn.io.SafetensorsException;
import org.jrnn.io.SafetensorsFile;
import org.jrnn.io.TensorInfo;
import org.jrnn.models.ConditionedLanguageModel;
import org.jrnn.models.ModelFiles;
import org.jrnn.nn.Parameter;

/**
 * Model files of {@link Captioner}s, in the format of {@link ModelFiles} (tensors under their
 * PyTorch-style names; metadata {@code jrnn.model}, {@code jrnn.config}, {@code jrnn.tokenizer}).
 */
public final class CaptionModels {
  private CaptionModels() {}

  /**
   * A loaded captioner and its tokenizer.
   *
   * @param model the model (the caller closes it)
   * @param tokenizer the caption tokenizer
   */
  public record Loaded(Captioner model, Tokenizer tokenizer) implements AutoCloseable {
    @Override
    public void close() {
      model.close();
    }
  }

  /** Saves {@code model} with its tokenizer (atomic). */
  public static void save(Path path, Captioner model, Tokenizer tokenizer) throws IOException {
    ModelFiles.save(path, model, tokenizer, null);
  }

  /**
   * Loads a {@link Captioner#KIND} file, or a {@code conditioned-decoder} file (a {@link
   * ConditionedLanguageModel}: the same parameters without projection), onto {@code device}.
   *
   * @throws SafetensorsException naming the file and the key for anything missing or wrong
   */
  public static Loaded load(Path path, Device device) throws IOException {
    try (SafetensorsFile file = SafetensorsFile.open(path)) {
      Map<String, String> meta = file.metadata();
      String kind = meta.get(ModelFiles.MODEL_KEY);
      String json = meta.get(ModelFiles.CONFIG_KEY);
      if (kind == null || json == null) {
        throw new SafetensorsException(
            path,
            "no metadata \""
                + ModelFiles.MODEL_KEY
                + "\"/\""
                + ModelFiles.CONFIG_KEY
                + "\": not a jrnn model file");
      }
      if (!kind.equals(Captioner.KIND) && !kind.equals(ConditionedLanguageModel.KIND)) {
        throw new SafetensorsException(
            path,
            "holds a " + Quote.quote(kind) + " model, not a captioner (or conditioned-decoder)");
      }
      Captioner.Config config;
      try {
        config =
            kind.equals(Captioner.KIND)
                ? Captioner.Config.fromJson(json)
                : fromConditionedLanguageModel(json);
      } catch (IllegalArgumentException | JrnnException e) {
        throw new SafetensorsException(
            path, "metadata \"" + ModelFiles.CONFIG_KEY + "\": " + Quote.reason(e), e);
      }
      String tok = meta.get(ModelFiles.TOKENIZER_KEY);
      if (tok == null) {
        throw new SafetensorsException(
            path,
            "no metadata \""
                + ModelFiles.TOKENIZER_KEY
                + "\": a captioning model needs its tokenizer");
      }
      Tokenizer tokenizer;
      try {
        tokenizer = Tokenizer.fromJson(tok);
      } catch (IllegalArgumentException | JrnnException e) {
        throw new SafetensorsException(
            path, "metadata \"" + ModelFiles.TOKENIZER_KEY + "\": " + Quote.reason(e), e);
      }
      Captioner model = config.toBuilder().device(device).build();
      try {
        copyParameters(file, model);
      } catch (IOException | RuntimeException e) {
        model.close();
        throw e;
      }
      return new Loaded(model, tokenizer);
    }
  }

  /**
   * ConditionedLanguageModel's config JSON (read as strictly as {@link ModelFiles} reads it) as a
   * captioner without projection.
   */
  static Captioner.Config fromConditionedLanguageModel(String json) {
    ConditionedLanguageModel.Config c = ConditionedLanguageModel.Config.fromJson(json);
    return Captioner.builder()
        .featureSize(c.featureSize())
        .projectionSize(0)
        .vocabSize(c.vocabSize())
        .embeddingSize(c.embeddingSize())
        .cell(c.cell())
        .hiddenSize(c.hiddenSize())
        .layers(c.layers())
        .concatFeatures(c.concatFeatures())
        .seed(c.seed())
        .config();
  }

  private static void copyParameters(SafetensorsFile file, Captioner model) throws IOException {
    Set<String> expected = new HashSet<>();
    for (Parameter p : model.parameters()) {
      expected.add(p.name());
      TensorInfo info = file.info(p.name());
      long[] want = p.value().shape();
      if (!info.dtype().isFloatingPoint()) {
        throw new SafetensorsException(
            file.path(),
            "tensor '"
                + p.name()
                + "' is "
                + info.dtype()
                + " but a parameter must be floating point");
      }
      if (!Arrays.equals(info.shape(), want)) {
        throw new SafetensorsException(
            file.path(),
            "tensor '"
                + p.name()
                + "' has shape "
                + TensorInfo.shapeString(info.shape())
                + " but the captioner needs "
                + TensorInfo.shapeString(want));
      }
      p.value().copyFrom(file.floats(p.name()));
    }
    for (String name : file.names()) {
      if (!expected.contains(name)) {
        throw new SafetensorsException(
            file.path(),
            "tensor "
                + Quote.quote(name)
                + " is not a parameter of the captioner its config describes");
      }
    }
  }
}
