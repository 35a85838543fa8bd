// TorchRnn: PyTorch interop for jrnn's Recurrent: build one from a torch.nn.RNN/LSTM/GRU config,
// load a state dict into it, export it back (load_state_dict accepts the result and computes the
// same function), and save/load jrnn model files (safetensors with the config in __metadata__).
//   Recurrent lstm = TorchRnn.load(RnnConfig.read(cfg), StateDict.read(weights), Device.cpu());
//   TorchRnn.save(lstm, Path.of("model.safetensors"));   // torch: load_file() + load_state_dict()
package org.jrnn.interop;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jrnn.Device;
import org.jrnn.JrnnException;
import org.jrnn.Recurrent;
import org.jrnn.Tensor;
import org.jrnn.internal.Quote;
import org.jrnn.io.SafetensorsException;
import org.jrnn.io.SafetensorsFile;

/**
 * Conversions between jrnn's {@link Recurrent} and PyTorch's recurrent modules. jrnn's weights are
 * PyTorch's ({@code weight_ih_l0}, {@code weight_hh_l0_reverse}, {@code bias_ih_l1}, ...; same
 * shapes, same gate order, GRU with the reset gate after the recurrent product), so import and
 * export copy values and change nothing.
 */
public final class TorchRnn {
  /** The {@code __metadata__} key that marks a jrnn model file (value: format version). */
  public static final String FORMAT_KEY = "jrnn_format";

  private TorchRnn() {}

  /** A new Recurrent for {@code config} on {@code device} (weights drawn with {@code seed}). */
  public static Recurrent create(RnnConfig config, Device device, long seed) {
    if (config.inputSize() > Integer.MAX_VALUE || config.hiddenSize() > Integer.MAX_VALUE) {
      throw new InteropException(
          "bad RNN config: sizes above " + Integer.MAX_VALUE + " are not supported");
    }
    return Recurrent.builder()
        .cell(config.mode())
        .inputSize((int) config.inputSize())
        .hiddenSize((int) config.hiddenSize())
        .layers(config.numLayers())
        .bidirectional(config.bidirectional())
        .bias(config.bias())
        .device(device)
        .seed(seed)
        .build();
  }

  /** The configuration of an existing Recurrent. */
  public static RnnConfig configOf(Recurrent r) {
    return new RnnConfig(
        r.cell(), r.inputSize(), r.hiddenSize(), r.layers(), r.isBidirectional(), r.hasBias());
  }

  /**
   * Copies a state dict into {@code r}'s weights after checking that it holds exactly {@code r}'s
   * parameters with their shapes (else one {@link InteropException} naming every problem).
   */
  public static void loadInto(Recurrent r, StateDict state) {
    state.check(configOf(r));
    LinkedHashMap<String, Tensor> params = r.parameters();
    for (Map.Entry<String, Tensor> p : params.entrySet()) {
      StateDict.Entry e = state.get(p.getKey());
      if (!Arrays.equals(e.shape(), p.getValue().shape())) {
        // parameterShapes() and the native layout disagree: a bug, not a user error
        throw new JrnnException(
            JrnnException.Status.INTERNAL,
            p.getKey()
                + ": native view is "
                + Arrays.toString(p.getValue().shape())
                + " but the config says "
                + Arrays.toString(e.shape()));
      }
      p.getValue().copyFrom(e.values());
    }
  }

  /** A new Recurrent on {@code device} with {@code config}'s shape and {@code state}'s weights. */
  public static Recurrent load(RnnConfig config, StateDict state, Device device) {
    state.check(config); // before allocating anything
    Recurrent r = create(config, device, 0);
    try {
      loadInto(r, state);
      return r;
    } catch (RuntimeException e) {
      r.close();
      throw e;
    }
  }

  /**
   * {@code r}'s weights as a state dict in PyTorch order (copies, F32), with the config as
   * metadata.
   */
  public static StateDict export(Recurrent r) {
    StateDict sd = new StateDict();
    for (Map.Entry<String, Tensor> p : r.parameters().entrySet()) {
      sd.put(p.getKey(), p.getValue().shape(), p.getValue().toArray());
    }
    sd.metadata().put("format", "pt");
    sd.metadata().put(FORMAT_KEY, "1");
    sd.metadata().putAll(configOf(r).toMetadata());
    return sd;
  }

  /** {@code r}'s gradients as a state dict (same names and shapes as {@link #export}). */
  public static StateDict exportGradients(Recurrent r) {
    StateDict sd = new StateDict();
    for (Map.Entry<String, Tensor> p : r.gradients().entrySet()) {
      sd.put(p.getKey(), p.getValue().shape(), p.getValue().toArray());
    }
    return sd;
  }

  /**
   * Saves a jrnn model file: the state dict (F32, PyTorch names) plus the config in {@code
   * __metadata__} ({@code "mode": "LSTM", "input_size": "8", ...}). PyTorch reads it with {@code
   * safetensors.torch.load_file} and {@code module.load_state_dict}. Atomic.
   */
  public static void save(Recurrent r, Path file) throws IOException {
    export(r).write(file);
  }

  /** Loads a jrnn model file (config from {@code __metadata__}) onto {@code device}. */
  public static Recurrent loadModel(Path file, Device device) throws IOException {
    try (SafetensorsFile f = SafetensorsFile.open(file)) {
      if (!RnnConfig.inMetadata(f.metadata())) {
        throw new SafetensorsException(
            file, "no model configuration in __metadata__ (a bare state dict needs a config file)");
      }
      RnnConfig config;
      try {
        config = RnnConfig.fromMetadata(f.metadata());
      } catch (InteropException e) {
        throw new InteropException(Quote.path(file) + ": " + e.getMessage(), e);
      }
      StateDict sd = StateDict.from(f, "");
      return load(config, sd, device);
    }
  }
}
