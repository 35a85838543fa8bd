// RnnConfig: the configuration of a torch.nn.RNN / LSTM / GRU (torch.nn.RNNBase), as JSON or as the
// __metadata__ of a jrnn model file, with validation that names every problem at once.
//   RnnConfig c = RnnConfig.fromJson("{\"mode\":\"LSTM\",\"input_size\":8,\"hidden_size\":16}");
package org.jrnn.interop;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jrnn.Cell;
import org.jrnn.internal.Quote;
import org.jrnn.io.Json;

/**
 * A recurrent stack as {@code torch.nn.RNNBase} describes it: {@code mode} ({@code "LSTM"}, {@code
 * "GRU"}, {@code "RNN_TANH"}, {@code "RNN_RELU"}), {@code input_size}, {@code hidden_size}, {@code
 * num_layers}, {@code bidirectional}, {@code bias}. JSON form:
 *
 * <pre>
 * {"mode":"LSTM","input_size":8,"hidden_size":16,"num_layers":2,"bidirectional":true,"bias":true}
 * </pre>
 *
 * <p>Reading JSON follows PyTorch's defaults ({@code num_layers} 1, {@code bidirectional} false,
 * {@code bias} true) and also accepts the other {@code RNNBase} arguments where jrnn computes the
 * same function: {@code "batch_first"} (either; jrnn's files are always time-major), {@code
 * "dropout"} (0 &lt;= p &lt; 1; dropout only acts in training, so inference is unaffected), {@code
 * "proj_size"} (0 only), {@code "nonlinearity"} ({@code "tanh"} / {@code "relu"}, with mode {@code
 * "RNN"} or agreeing with {@code RNN_TANH} / {@code RNN_RELU}). Any other key is an error (a typo
 * should not pass silently).
 */
public record RnnConfig(
    Cell mode,
    long inputSize,
    long hiddenSize,
    int numLayers,
    boolean bidirectional,
    boolean bias) {

  /** Validates the sizes (the message names each bad one). */
  public RnnConfig {
    List<String> problems = new ArrayList<>();
    if (mode == null) {
      problems.add("mode is missing");
    }
    if (inputSize < 1) {
      problems.add("input_size = " + inputSize + " must be >= 1");
    }
    if (hiddenSize < 1) {
      problems.add("hidden_size = " + hiddenSize + " must be >= 1");
    }
    if (numLayers < 1) {
      problems.add("num_layers = " + numLayers + " must be >= 1");
    }
    if (!problems.isEmpty()) {
      throw new InteropException("bad RNN config: " + joined(problems));
    }
  }

  /** Directions D: 2 when bidirectional, else 1. */
  public int directions() {
    return bidirectional ? 2 : 1;
  }

  /**
   * The PyTorch mode string ({@code "LSTM"}, {@code "GRU"}, {@code "RNN_TANH"}, {@code
   * "RNN_RELU"}).
   */
  public String modeName() {
    return mode.name();
  }

  /** The same configuration with another input size (e.g. for a model read elsewhere). */
  public RnnConfig withInputSize(long newInputSize) {
    return new RnnConfig(mode, newInputSize, hiddenSize, numLayers, bidirectional, bias);
  }

  /**
   * The state-dict entries of this configuration, in PyTorch's {@code _flat_weights} order (the
   * order of jrnn's flat weight buffer): per layer, per direction, {@code weight_ih_l{l}[_reverse]}
   * [G*H, C_l], {@code weight_hh_l{l}[_reverse]} [G*H, H], and with bias {@code
   * bias_ih_l{l}[_reverse]} [G*H] and {@code bias_hh_l{l}[_reverse]} [G*H].
   */
  public LinkedHashMap<String, long[]> parameterShapes() {
    LinkedHashMap<String, long[]> out = new LinkedHashMap<>();
    long gh = (long) mode.gatesPerCell() * hiddenSize;
    for (int l = 0; l < numLayers; l++) {
      long in = l == 0 ? inputSize : directions() * hiddenSize;
      for (int d = 0; d < directions(); d++) {
        String sfx = "_l" + l + (d == 1 ? "_reverse" : "");
        out.put("weight_ih" + sfx, new long[] {gh, in});
        out.put("weight_hh" + sfx, new long[] {gh, hiddenSize});
        if (bias) {
          out.put("bias_ih" + sfx, new long[] {gh});
          out.put("bias_hh" + sfx, new long[] {gh});
        }
      }
    }
    return out;
  }

  /** Total number of weights (floats) over {@link #parameterShapes()}. */
  public long parameterCount() {
    long n = 0;
    for (long[] s : parameterShapes().values()) {
      long k = 1;
      for (long d : s) {
        k *= d;
      }
      n += k;
    }
    return n;
  }

  // ---------------------------------------------------------------- JSON

  /** The JSON object, keys in the order above. */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("mode", mode.name());
    m.put("input_size", inputSize);
    m.put("hidden_size", hiddenSize);
    m.put("num_layers", numLayers);
    m.put("bidirectional", bidirectional);
    m.put("bias", bias);
    return m;
  }

  /** Compact JSON, e.g. {@code {"mode":"LSTM","input_size":8,...}}. */
  public String toJson() {
    return Json.write(toMap());
  }

  /** The config as PyTorch would print the module, e.g. {@code LSTM(8, 16, num_layers=2, ...)}. */
  @Override
  public String toString() {
    String cls = mode == Cell.LSTM ? "LSTM" : mode == Cell.GRU ? "GRU" : "RNN";
    StringBuilder b =
        new StringBuilder(cls).append('(').append(inputSize).append(", ").append(hiddenSize);
    if (mode == Cell.RNN_RELU) {
      b.append(", nonlinearity='relu'");
    }
    b.append(", num_layers=").append(numLayers);
    b.append(", bias=").append(bias ? "True" : "False");
    b.append(", bidirectional=").append(bidirectional ? "True" : "False");
    return b.append(')').toString();
  }

  /** The largest config file read (a config is a small JSON object). */
  static final long MAX_FILE_BYTES = 1 << 20;

  /** Reads a JSON config file; errors name the file. */
  public static RnnConfig read(Path file) throws IOException {
    String name = Quote.path(file);
    String text;
    try {
      if (Files.isDirectory(file)) {
        throw new InteropException(name + ": is a directory, not a JSON config file");
      }
      long size = Files.size(file);
      if (size > MAX_FILE_BYTES) {
        throw new InteropException(
            name
                + ": "
                + size
                + " bytes is too large for a JSON config (limit "
                + MAX_FILE_BYTES
                + ")");
      }
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new InteropException(name + ": " + Quote.reason(e), e);
    }
    try {
      return fromJson(text);
    } catch (InteropException e) {
      throw new InteropException(name + ": " + e.getMessage(), e);
    }
  }

  /** Problems joined by "; ", at most a few of them (a hostile config can have millions). */
  private static String joined(List<String> problems) {
    int shown = Math.min(problems.size(), 6);
    String s = String.join("; ", problems.subList(0, shown));
    return shown < problems.size() ? s + "; ... (" + problems.size() + " problems)" : s;
  }

  /** Parses a JSON config (see the class comment for the keys). */
  public static RnnConfig fromJson(String json) {
    Map<String, Object> m;
    try {
      m = Json.parseObject(json);
    } catch (Json.JsonException e) {
      throw new InteropException("config is not valid JSON: " + e.getMessage(), e);
    }
    return fromMap(m);
  }

  /** Builds a config from parsed JSON; collects every problem into one message. */
  public static RnnConfig fromMap(Map<String, ?> m) {
    List<String> problems = new ArrayList<>();
    for (String key : m.keySet()) {
      if (!List.of(
              "mode",
              "input_size",
              "hidden_size",
              "num_layers",
              "bidirectional",
              "bias",
              "batch_first",
              "dropout",
              "proj_size",
              "nonlinearity")
          .contains(key)) {
        problems.add("unknown key " + Quote.doubleQuote(key));
      }
    }
    Cell mode = null;
    Object modeValue = m.get("mode");
    String nonlinearity = null;
    if (m.containsKey("nonlinearity")) {
      Object nl = m.get("nonlinearity");
      if (nl instanceof String && (nl.equals("tanh") || nl.equals("relu"))) {
        nonlinearity = (String) nl;
      } else {
        problems.add(
            "nonlinearity = " + Quote.cut(Json.write(nl)) + " must be \"tanh\" or \"relu\"");
      }
    }
    if (modeValue == null) {
      problems.add("mode is missing (one of \"LSTM\", \"GRU\", \"RNN_TANH\", \"RNN_RELU\")");
    } else if (!(modeValue instanceof String)) {
      problems.add("mode must be a string, found " + Json.typeName(modeValue));
    } else {
      String s = ((String) modeValue).toUpperCase(Locale.ROOT);
      switch (s) {
        case "LSTM":
          mode = Cell.LSTM;
          break;
        case "GRU":
          mode = Cell.GRU;
          break;
        case "RNN_TANH":
          mode = Cell.RNN_TANH;
          break;
        case "RNN_RELU":
          mode = Cell.RNN_RELU;
          break;
        case "RNN":
          mode = "relu".equals(nonlinearity) ? Cell.RNN_RELU : Cell.RNN_TANH;
          break;
        default:
          problems.add(
              "mode "
                  + Quote.doubleQuote(modeValue)
                  + " is not one of \"LSTM\", \"GRU\", \"RNN_TANH\", \"RNN_RELU\"");
      }
      if (mode != null && nonlinearity != null && !s.equals("RNN")) {
        Cell implied = nonlinearity.equals("relu") ? Cell.RNN_RELU : Cell.RNN_TANH;
        if (mode != implied) {
          problems.add(
              "nonlinearity \""
                  + nonlinearity
                  + "\" contradicts mode "
                  + Quote.doubleQuote(modeValue));
        }
      }
    }
    long inputSize = integer(m, "input_size", null, problems);
    long hiddenSize = integer(m, "hidden_size", null, problems);
    long numLayers = integer(m, "num_layers", 1L, problems);
    boolean bidirectional = bool(m, "bidirectional", false, problems);
    boolean bias = bool(m, "bias", true, problems);
    bool(m, "batch_first", false, problems);
    if (m.containsKey("dropout")) {
      Object p = m.get("dropout");
      if (!(p instanceof Number)
          || !(((Number) p).doubleValue() >= 0)
          || ((Number) p).doubleValue() >= 1) {
        problems.add("dropout = " + Quote.cut(Json.write(p)) + " must be a number in [0, 1)");
      }
    }
    if (m.containsKey("proj_size")) {
      Object p = m.get("proj_size");
      if (!(p instanceof Long) || (Long) p != 0) {
        problems.add(
            "proj_size = "
                + Quote.cut(Json.write(p))
                + " is not supported (jrnn has no LSTM projections; use 0)");
      }
    }
    if (inputSize != Long.MIN_VALUE && inputSize < 1) {
      problems.add("input_size = " + inputSize + " must be >= 1");
    }
    if (hiddenSize != Long.MIN_VALUE && hiddenSize < 1) {
      problems.add("hidden_size = " + hiddenSize + " must be >= 1");
    }
    if (numLayers != Long.MIN_VALUE && (numLayers < 1 || numLayers > 1 << 16)) {
      problems.add("num_layers = " + numLayers + " must be in 1..65536");
    }
    if (!problems.isEmpty()) {
      throw new InteropException("bad RNN config: " + joined(problems));
    }
    return new RnnConfig(mode, inputSize, hiddenSize, (int) numLayers, bidirectional, bias);
  }

  private static long integer(Map<String, ?> m, String key, Long dflt, List<String> problems) {
    Object v = m.get(key);
    if (v == null) {
      if (dflt == null) {
        problems.add(key + " is missing");
        return Long.MIN_VALUE;
      }
      return dflt;
    }
    if (v instanceof Long) {
      return (Long) v;
    }
    if (v instanceof String) {
      try {
        return Long.parseLong(((String) v).trim()); // metadata values are strings
      } catch (NumberFormatException e) {
        // reported below
      }
    }
    problems.add(key + " = " + Quote.cut(Json.write(v)) + " must be an integer");
    return Long.MIN_VALUE;
  }

  private static boolean bool(Map<String, ?> m, String key, boolean dflt, List<String> problems) {
    Object v = m.get(key);
    if (v == null) {
      return dflt;
    }
    if (v instanceof Boolean) {
      return (Boolean) v;
    }
    if (v instanceof String) {
      String s = ((String) v).trim().toLowerCase(Locale.ROOT);
      if (s.equals("true")) {
        return true;
      }
      if (s.equals("false")) {
        return false;
      }
    }
    problems.add(key + " = " + Quote.cut(Json.write(v)) + " must be true or false");
    return dflt;
  }

  // ---------------------------------------------------------------- __metadata__

  /**
   * The config as safetensors {@code __metadata__} (strings only): the six keys above with their
   * JSON spelling ({@code "LSTM"}, {@code "8"}, {@code "true"}), so PyTorch users can read it with
   * {@code safe_open(...).metadata()}.
   */
  public Map<String, String> toMetadata() {
    Map<String, String> m = new LinkedHashMap<>();
    toMap().forEach((k, v) -> m.put(k, String.valueOf(v)));
    return m;
  }

  /** Whether {@code metadata} holds a config (has a {@code mode} key). */
  public static boolean inMetadata(Map<String, String> metadata) {
    return metadata.containsKey("mode");
  }

  /** Reads a config from {@code __metadata__}, ignoring keys that are not config keys. */
  public static RnnConfig fromMetadata(Map<String, String> metadata) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (String key :
        List.of(
            "mode",
            "input_size",
            "hidden_size",
            "num_layers",
            "bidirectional",
            "bias",
            "nonlinearity")) {
      if (metadata.containsKey(key)) {
        m.put(key, metadata.get(key));
      }
    }
    return fromMap(m);
  }
}
