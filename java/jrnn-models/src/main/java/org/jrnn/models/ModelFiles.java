/*
 * ModelFiles: one safetensors file per model — the parameters under their PyTorch-style names,
 * and in __metadata__ the model kind, its config JSON, the tokenizer(s) and the label names.
 */
package org.jrnn.models;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import org.jrnn.Device;
import org.jrnn.JrnnException;
import org.jrnn.data.LabelIndex;
import org.jrnn.data.Tokenizer;
import org.jrnn.internal.Arguments;
import org.jrnn.internal.Quote;
import org.jrnn.io.SafetensorsException;
import org.jrnn.io.SafetensorsFile;
import org.jrnn.io.SafetensorsWriter;
import org.jrnn.io.TensorInfo;
import org.jrnn.nn.Parameter;

/**
 * Saves and loads any {@link Model} of this package as one safetensors file:
 *
 * <ul>
 *   <li>tensors: every parameter as F32 under its name ({@code "embedding.weight"}, {@code
 *       "rnn.weight_ih_l0"}, {@code "linear.bias"}, ...), loadable with {@code
 *       safetensors.torch.load_file};
 *   <li>{@code __metadata__}: {@code "format": "pt"}, {@value #MODEL_KEY} (the {@link
 *       Model#kind()}), {@value #CONFIG_KEY} (the config JSON), and when given {@value
 *       #TOKENIZER_KEY} and {@value #TARGET_TOKENIZER_KEY} ({@link Tokenizer#toJson()}) and {@value
 *       #LABELS_KEY} ({@link LabelIndex#toJson()}).
 * </ul>
 *
 * Writing is atomic (a temp file renamed over the target). Loading rebuilds the model from its
 * config and copies every tensor in, so the loaded model computes exactly what the saved one did; a
 * missing, extra, misshapen or non-float tensor, or bad metadata, gives a {@link
 * SafetensorsException} naming the file and the key.
 */
public final class ModelFiles {
  /** Metadata key of the model kind. */
  public static final String MODEL_KEY = "jrnn.model";

  /** Metadata key of the config JSON. */
  public static final String CONFIG_KEY = "jrnn.config";

  /** Metadata key of the (source) tokenizer JSON. */
  public static final String TOKENIZER_KEY = "jrnn.tokenizer";

  /** Metadata key of the target-side tokenizer JSON (sequence-to-sequence models). */
  public static final String TARGET_TOKENIZER_KEY = "jrnn.target_tokenizer";

  /** Metadata key of the label names JSON. */
  public static final String LABELS_KEY = "jrnn.labels";

  private ModelFiles() {}

  /**
   * A model and what it needs to read and write text.
   *
   * @param model the model (owned by whoever loaded it; close it)
   * @param tokenizer the input tokenizer, or null
   * @param targetTokenizer the output-side tokenizer (sequence-to-sequence), or null
   * @param labels class or tag names, or null
   * @param metadata the file's whole {@code __metadata__} (empty when saving)
   */
  public record Contents(
      Model model,
      Tokenizer tokenizer,
      Tokenizer targetTokenizer,
      LabelIndex labels,
      Map<String, String> metadata)
      implements AutoCloseable {
    /** Checks there is a model; copies the metadata. */
    public Contents {
      Arguments.notNull("model", model);
      if (metadata != null) {
        metadata.forEach(
            (k, v) -> {
              if (k == null || v == null) {
                throw new JrnnException(
                    "metadata has a null "
                        + (k == null ? "key" : "value for " + Quote.doubleQuote(k)));
              }
            });
      }
      metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
    }

    /** The model as {@code type}. @throws JrnnException if it is another kind */
    public <M extends Model> M model(Class<M> type) {
      if (!Arguments.notNull("type", type).isInstance(model)) {
        throw new JrnnException(
            "the file holds a " + model.kind() + " model, not a " + type.getSimpleName());
      }
      return type.cast(model);
    }

    /** Closes the model. */
    @Override
    public void close() {
      model.close();
    }
  }

  /** Saves a model with its tokenizer and labels (each may be null). */
  public static void save(Path path, Model model, Tokenizer tokenizer, LabelIndex labels)
      throws IOException {
    save(path, new Contents(model, tokenizer, null, labels, null));
  }

  /** Saves everything in {@code contents} (its metadata map is not written). Atomic. */
  public static void save(Path path, Contents contents) throws IOException {
    Arguments.notNull("path", path);
    Model model = Arguments.notNull("contents", contents).model();
    SafetensorsWriter w = new SafetensorsWriter();
    w.metadata("format", "pt");
    w.metadata(MODEL_KEY, model.kind());
    w.metadata(CONFIG_KEY, model.configJson());
    if (contents.tokenizer() != null) {
      w.metadata(TOKENIZER_KEY, contents.tokenizer().toJson());
    }
    if (contents.targetTokenizer() != null) {
      w.metadata(TARGET_TOKENIZER_KEY, contents.targetTokenizer().toJson());
    }
    if (contents.labels() != null) {
      w.metadata(LABELS_KEY, contents.labels().toJson());
    }
    for (Parameter p : model.parameters()) {
      w.putFloats(p.name(), p.value().toArray(), p.value().shape());
    }
    w.write(path);
  }

  /**
   * Loads a model file onto {@code device}.
   *
   * @throws SafetensorsException naming the file and the key for anything missing or wrong
   */
  public static Contents load(Path path, Device device) throws IOException {
    Arguments.notNull("path", path);
    Arguments.notNull("device", device);
    try (SafetensorsFile file = SafetensorsFile.open(path)) {
      Map<String, String> meta = file.metadata();
      String kind = required(file, MODEL_KEY);
      if (!types().containsKey(kind)) {
        throw new SafetensorsException(
            path, "metadata \"" + MODEL_KEY + "\": " + unknownKind(kind));
      }
      String config = required(file, CONFIG_KEY);
      Tokenizer tokenizer = tokenizer(file, TOKENIZER_KEY);
      Tokenizer target = tokenizer(file, TARGET_TOKENIZER_KEY);
      LabelIndex labels = null;
      if (meta.containsKey(LABELS_KEY)) {
        try {
          labels = LabelIndex.fromJson(meta.get(LABELS_KEY));
        } catch (IllegalArgumentException | JrnnException e) {
          throw new SafetensorsException(
              path, "metadata \"" + LABELS_KEY + "\": " + Quote.reason(e), e);
        }
      }
      Model model;
      try {
        model = create(kind, config, device);
      } catch (IllegalArgumentException | JrnnException e) {
        throw new SafetensorsException(
            path, "metadata \"" + CONFIG_KEY + "\": " + Quote.reason(e), e);
      }
      try {
        copyParameters(file, model);
      } catch (IOException | RuntimeException e) {
        model.close();
        throw e;
      }
      return new Contents(model, tokenizer, target, labels, meta);
    }
  }

  /** A new model of {@code kind} from its config JSON. */
  static Model create(String kind, String configJson, Device device) {
    ModelType type = types().get(kind);
    if (type == null) {
      throw new JrnnException(unknownKind(kind));
    }
    return type.create(configJson, device);
  }

  /** A built-in model type. */
  private record BuiltIn(String kind, java.util.function.BiFunction<String, Device, Model> factory)
      implements ModelType {
    @Override
    public Model create(String configJson, Device device) {
      return factory.apply(configJson, device);
    }
  }

  private static final List<ModelType> BUILT_IN =
      List.of(
          new BuiltIn(
              SequenceClassifier.KIND,
              (json, device) ->
                  SequenceClassifier.Config.fromJson(json).toBuilder().device(device).build()),
          new BuiltIn(
              LanguageModel.KIND,
              (json, device) ->
                  LanguageModel.Config.fromJson(json).toBuilder().device(device).build()),
          new BuiltIn(
              SequenceTagger.KIND,
              (json, device) ->
                  SequenceTagger.Config.fromJson(json).toBuilder().device(device).build()),
          new BuiltIn(
              ConditionedLanguageModel.KIND,
              (json, device) ->
                  ConditionedLanguageModel.Config.fromJson(json).toBuilder()
                      .device(device)
                      .build()),
          new BuiltIn(
              Seq2Seq.KIND,
              (json, device) -> Seq2Seq.Config.fromJson(json).toBuilder().device(device).build()));

  /**
   * The kinds {@link #load} knows: the built-in ones, then those on the class or module path
   * ({@link ServiceLoader}; a built-in kind is never replaced, a broken provider is skipped).
   */
  static Map<String, ModelType> types() {
    Map<String, ModelType> types = new LinkedHashMap<>();
    for (ModelType t : BUILT_IN) {
      types.put(t.kind(), t);
    }
    try {
      for (ModelType t : ServiceLoader.load(ModelType.class, ModelFiles.class.getClassLoader())) {
        if (t.kind() != null) {
          types.putIfAbsent(t.kind(), t);
        }
      }
    } catch (ServiceConfigurationError e) {
      // a broken plug-in must not break the built-in kinds
    }
    return types;
  }

  /** The model kinds {@link #load} can rebuild: the built-in ones and the plugged-in ones. */
  public static java.util.Set<String> knownKinds() {
    return java.util.Collections.unmodifiableSet(types().keySet());
  }

  private static String unknownKind(String kind) {
    return "unknown model kind "
        + Quote.doubleQuote(kind)
        + "; known: "
        + String.join(", ", types().keySet());
  }

  private static void copyParameters(SafetensorsFile file, Model model) throws IOException {
    Set<String> expected = new HashSet<>();
    for (Parameter p : model.parameters()) {
      expected.add(p.name());
      TensorInfo info = file.info(p.name()); // names the missing key and lists the present ones
      if (!info.dtype().isFloatingPoint()) {
        throw new SafetensorsException(
            file.path(),
            "tensor '"
                + p.name()
                + "' is "
                + info.dtype()
                + " but a parameter must be floating point");
      }
      long[] want = p.value().shape();
      if (!Arrays.equals(info.shape(), want)) {
        throw new SafetensorsException(
            file.path(),
            "tensor '"
                + p.name()
                + "' has shape "
                + TensorInfo.shapeString(info.shape())
                + " but the "
                + model.kind()
                + " needs "
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
                + " is not a parameter of the "
                + model.kind()
                + " its config describes");
      }
    }
  }

  private static String required(SafetensorsFile file, String key) throws SafetensorsException {
    String v = file.metadata().get(key);
    if (v == null) {
      throw new SafetensorsException(
          file.path(),
          "no metadata \""
              + key
              + "\": not a jrnn model file (metadata keys: "
              + Quote.list(file.metadata().keySet())
              + ")");
    }
    return v;
  }

  private static Tokenizer tokenizer(SafetensorsFile file, String key) throws SafetensorsException {
    String v = file.metadata().get(key);
    if (v == null) {
      return null;
    }
    try {
      return Tokenizer.fromJson(v);
    } catch (IllegalArgumentException | JrnnException e) {
      throw new SafetensorsException(
          file.path(), "metadata \"" + key + "\": " + Quote.reason(e), e);
    }
  }

  /** The metadata a file would get for {@code model} (kind and config), e.g. for checkpoints. */
  public static Map<String, String> describe(Model model) {
    Arguments.notNull("model", model);
    Map<String, String> m = new LinkedHashMap<>();
    m.put(MODEL_KEY, model.kind());
    m.put(CONFIG_KEY, model.configJson());
    return m;
  }
}
