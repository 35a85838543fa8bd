// ForwardCommand: `jrnn forward`, a stable file-in/file-out contract for running a
// PyTorch-compatible
// recurrent stack (and its backward pass) on jrnn. Hidden checks depend on this: keep it stable.
//   scripts/jrnn forward --config C.json --weights STATE.safetensors --input IN.safetensors \
//                        --output OUT.safetensors [--device cpu|cuda:0]
package org.jrnn.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jrnn.Device;
import org.jrnn.Recurrent;
import org.jrnn.RecurrentGradients;
import org.jrnn.RecurrentOutput;
import org.jrnn.RecurrentState;
import org.jrnn.Scope;
import org.jrnn.SequenceBatch;
import org.jrnn.Tensor;
import org.jrnn.internal.Quote;
import org.jrnn.interop.InteropException;
import org.jrnn.interop.RnnConfig;
import org.jrnn.interop.StateDict;
import org.jrnn.interop.TorchRnn;
import org.jrnn.io.AtomicFiles;
import org.jrnn.io.DType;
import org.jrnn.io.SafetensorsException;
import org.jrnn.io.SafetensorsFile;
import org.jrnn.io.SafetensorsWriter;
import org.jrnn.io.TensorInfo;

/** {@code jrnn forward}: see {@link #usage()}. */
public final class ForwardCommand implements Command {
  private static final Set<String> INPUT_KEYS =
      Set.of("x", "lengths", "h0", "c0", "dy", "dhn", "dcn");

  @Override
  public String name() {
    return "forward";
  }

  @Override
  public String summary() {
    return "run a PyTorch RNN/LSTM/GRU state dict on inputs from a file (and its gradients)";
  }

  @Override
  public String usage() {
    return String.join(
        "\n",
        "usage: jrnn forward --config CONFIG.json --weights STATE.safetensors",
        "                    --input IN.safetensors --output OUT.safetensors [--device cpu|cuda:0]",
        "",
        "Runs a torch.nn.RNN / LSTM / GRU on jrnn, with PyTorch's semantics for",
        "pack_padded_sequence(x, lengths, enforce_sorted=False) and"
            + " pad_packed_sequence(total_length=T).",
        "",
        "  --config FILE    JSON: {\"mode\": \"LSTM\"|\"GRU\"|\"RNN_TANH\"|\"RNN_RELU\","
            + " \"input_size\": I,",
        "                   \"hidden_size\": H, \"num_layers\": L, \"bidirectional\": false,"
            + " \"bias\": true}",
        "                   (optional when --weights is a jrnn model file with the config in"
            + " __metadata__)",
        "  --weights FILE   the module's state_dict as safetensors (weight_ih_l0, weight_hh_l0,"
            + " bias_ih_l0,",
        "                   bias_hh_l0, ..._reverse); F32 (F64/F16/BF16 are converted)",
        "  --input FILE     safetensors with",
        "                     x        F32 [T, N, I], time-major",
        "                     lengths  I64 or I32 [N], each in 1..T (default: all T)",
        "                     h0       [L*D, N, H] (default zeros); c0 the same, LSTM only",
        "                     dy       [T, N, D*H]: when given (or dhn/dcn), also computes the"
            + " gradients of",
        "                              sum(y*dy) + sum(hn*dhn) + sum(cn*dcn)",
        "                     dhn      [L*D, N, H]; dcn the same, LSTM only (default zeros)",
        "                   (F64/F16/BF16 tensors are converted to F32)",
        "  --output FILE    safetensors (F32), written atomically:",
        "                     y [T, N, D*H] (zero past each length), hn [L*D, N, H], cn (LSTM);",
        "                     with gradients also dx [T, N, I], dh0, dc0 (LSTM) and grad.<name>"
            + " for",
        "                     every weight of the state dict (grad.weight_ih_l0, ...)",
        "  --device DEV     cpu (default) or cuda:N",
        "",
        "Exit status 0 on success; on bad input 1 and one line on stderr naming the problem,",
        "e.g. \"jrnn forward: lengths[2] = 9 is outside 1..T (T = 5)\"; 2 for a bad command line.",
        "");
  }

  /** Parses {@code --key value} / {@code --key=value} pairs; rejects unknown and repeated keys. */
  static Map<String, String> parseOptions(List<String> args, Set<String> known) {
    Map<String, String> opts = new LinkedHashMap<>();
    for (int i = 0; i < args.size(); i++) {
      String a = args.get(i);
      if (!a.startsWith("--")) {
        throw new UsageException("unexpected argument " + Quote.quote(a));
      }
      String key;
      String value;
      int eq = a.indexOf('=');
      if (eq >= 0) {
        key = a.substring(2, eq);
        value = a.substring(eq + 1);
      } else {
        key = a.substring(2);
        if (i + 1 >= args.size()) {
          throw new UsageException("--" + key + " needs a value");
        }
        value = args.get(++i);
      }
      if (!known.contains(key)) {
        throw new UsageException("unknown option --" + Quote.cut(key));
      }
      if (opts.containsKey(key)) {
        throw new UsageException("--" + key + " given twice");
      }
      opts.put(key, value);
    }
    return opts;
  }

  @Override
  public int run(List<String> args, PrintStream out, PrintStream err) throws Exception {
    Map<String, String> opts =
        parseOptions(args, Set.of("config", "weights", "input", "output", "device"));
    for (String required : List.of("weights", "input", "output")) {
      if (!opts.containsKey(required)) {
        throw new UsageException("missing --" + required);
      }
    }
    Path weightsPath = CliErrors.input(CliOptions.toPath("--weights", opts.get("weights")));
    Path inputPath = CliErrors.input(CliOptions.toPath("--input", opts.get("input")));
    Path configPath =
        opts.containsKey("config")
            ? CliErrors.input(CliOptions.toPath("--config", opts.get("config")))
            : null;
    Path outputPath = CliErrors.output(CliOptions.toPath("--output", opts.get("output")));

    try (SafetensorsFile weights = SafetensorsFile.open(weightsPath);
        SafetensorsFile input = SafetensorsFile.open(inputPath)) {
      RnnConfig config;
      if (configPath != null) {
        config = RnnConfig.read(configPath);
      } else if (RnnConfig.inMetadata(weights.metadata())) {
        try {
          config = RnnConfig.fromMetadata(weights.metadata());
        } catch (InteropException e) {
          throw new InteropException(
              Quote.path(weightsPath) + ": __metadata__: " + e.getMessage(), e);
        }
      } else {
        throw new UsageException(
            "missing --config ("
                + Quote.path(weightsPath)
                + " has no configuration in its __metadata__)");
      }
      StateDict state = StateDict.from(weights, "");
      try {
        state.check(config);
      } catch (InteropException e) {
        throw new InteropException(Quote.path(weightsPath) + ": " + e.getMessage(), e);
      }
      Inputs in = Inputs.read(input, config);
      Device device = Device.parse(opts.getOrDefault("device", "cpu"));
      SafetensorsWriter result = compute(config, state, in, device);
      AtomicFiles.deleteStaleTemps(outputPath); // left by a run killed while writing
      result.write(outputPath);
      // Only after success: a failure prints exactly one line.
      for (String warning : in.warnings) {
        err.println("jrnn forward: warning: " + warning);
      }
    }
    return 0;
  }

  /** The validated contents of IN.safetensors. */
  static final class Inputs {
    int steps;
    int batch;
    float[] x;
    int[] lengths;
    float[] h0;
    float[] c0;
    float[] dy;
    float[] dhn;
    float[] dcn;
    final List<String> warnings = new ArrayList<>();

    boolean wantsGradients() {
      return dy != null || dhn != null || dcn != null;
    }

    static Inputs read(SafetensorsFile f, RnnConfig config) throws SafetensorsException {
      String file = Quote.path(f.path());
      Inputs in = new Inputs();
      for (String name : f.names()) {
        if (!INPUT_KEYS.contains(name)) {
          in.warnings.add(
              "ignoring tensor "
                  + Quote.quote(name)
                  + " in "
                  + file
                  + " (known: x, lengths, h0, c0, dy, dhn, dcn)");
        }
      }
      TensorInfo x = f.get("x");
      if (x == null) {
        throw new InteropException(file + ": no tensor 'x' (the input, F32 [T, N, I])");
      }
      floatType(f, x);
      long[] xs = x.shape();
      if (xs.length != 3) {
        throw new InteropException(
            file
                + ": x must be [T, N, I] (time-major) but has shape "
                + TensorInfo.shapeString(xs));
      }
      if (xs[0] < 1
          || xs[1] < 1
          || xs[2] < 1
          || xs[0] > Integer.MAX_VALUE
          || xs[1] > Integer.MAX_VALUE) {
        throw new InteropException(
            file + ": x has shape " + TensorInfo.shapeString(xs) + "; T, N and I must be >= 1");
      }
      if (xs[2] != config.inputSize()) {
        throw new InteropException(
            file
                + ": x has "
                + xs[2]
                + " features per step (shape "
                + TensorInfo.shapeString(xs)
                + ") but the config's input_size is "
                + config.inputSize());
      }
      in.steps = (int) xs[0];
      in.batch = (int) xs[1];
      long t = in.steps;
      long n = in.batch;
      long h = config.hiddenSize();
      long ld = (long) config.numLayers() * config.directions();
      boolean lstm = config.mode().hasCellState();
      in.x = f.floats("x");

      TensorInfo len = f.get("lengths");
      if (len == null) {
        in.lengths = new int[in.batch];
        Arrays.fill(in.lengths, in.steps);
      } else {
        if (len.rank() != 1 || len.dim(0) != n) {
          throw new InteropException(
              file
                  + ": lengths must be [N] = ["
                  + n
                  + "] but has shape "
                  + TensorInfo.shapeString(len.shape()));
        }
        double[] raw;
        if (len.dtype() == DType.I64 || len.dtype() == DType.I32) {
          long[] l = f.longs("lengths");
          raw = new double[l.length];
          for (int i = 0; i < l.length; i++) {
            raw[i] = l[i];
          }
        } else if (len.dtype().isFloatingPoint()) {
          raw = f.doubles("lengths");
        } else {
          throw new InteropException(file + ": lengths must be I64 or I32 but is " + len.dtype());
        }
        in.lengths = new int[in.batch];
        for (int i = 0; i < raw.length; i++) {
          double v = raw[i];
          if (v != Math.rint(v)) {
            throw new InteropException(file + ": lengths[" + i + "] = " + v + " is not an integer");
          }
          if (v < 1 || v > t) {
            throw new InteropException(
                "lengths[" + i + "] = " + (long) v + " is outside 1..T (T = " + t + ")");
          }
          in.lengths[i] = (int) v;
        }
      }
      long[] stateShape = {ld, n, h};
      in.h0 = optional(f, "h0", stateShape, "[L*D, N, H]");
      in.c0 = optional(f, "c0", stateShape, "[L*D, N, H]");
      in.dy = optional(f, "dy", new long[] {t, n, config.directions() * h}, "[T, N, D*H]");
      in.dhn = optional(f, "dhn", stateShape, "[L*D, N, H]");
      in.dcn = optional(f, "dcn", stateShape, "[L*D, N, H]");
      if (!lstm) {
        for (String k : List.of("c0", "dcn")) {
          if (f.contains(k)) {
            throw new InteropException(
                file
                    + ": "
                    + k
                    + " is given but "
                    + config.mode()
                    + " has no cell state (LSTM only)");
          }
        }
      }
      return in;
    }

    private static void floatType(SafetensorsFile f, TensorInfo t) throws SafetensorsException {
      if (!t.dtype().isFloatingPoint()) {
        throw new InteropException(
            Quote.path(f.path())
                + ": "
                + t.name()
                + " must be F32 (or F64/F16/BF16) but is "
                + t.dtype());
      }
    }

    private static float[] optional(SafetensorsFile f, String name, long[] shape, String what)
        throws SafetensorsException {
      TensorInfo t = f.get(name);
      if (t == null) {
        return null;
      }
      floatType(f, t);
      if (!Arrays.equals(t.shape(), shape)) {
        throw new InteropException(
            Quote.path(f.path())
                + ": "
                + name
                + " must be "
                + what
                + " = "
                + Arrays.toString(shape)
                + " but has shape "
                + TensorInfo.shapeString(t.shape()));
      }
      return f.floats(name);
    }
  }

  /** Runs forward (and backward when asked) and collects the outputs, all F32. */
  static SafetensorsWriter compute(RnnConfig config, StateDict state, Inputs in, Device device) {
    SafetensorsWriter w = new SafetensorsWriter();
    long t = in.steps;
    long n = in.batch;
    long h = config.hiddenSize();
    long ld = (long) config.numLayers() * config.directions();
    boolean lstm = config.mode().hasCellState();
    try (Recurrent rnn = TorchRnn.load(config, state, device);
        Scope scope = Scope.open()) {
      Tensor x = Tensor.of(device, in.x, t, n, config.inputSize());
      SequenceBatch batch = SequenceBatch.of(x, in.lengths);
      RecurrentState initial = null;
      if (in.h0 != null || in.c0 != null) {
        Tensor h0 =
            in.h0 != null ? Tensor.of(device, in.h0, ld, n, h) : Tensor.zeros(device, ld, n, h);
        Tensor c0 =
            lstm
                ? (in.c0 != null
                    ? Tensor.of(device, in.c0, ld, n, h)
                    : Tensor.zeros(device, ld, n, h))
                : null;
        initial = RecurrentState.of(h0, c0);
      }
      RecurrentOutput out =
          in.wantsGradients() ? rnn.forwardTrain(batch, initial) : rnn.forward(batch, initial);
      w.putFloats("y", out.output().toArray(), t, n, (long) config.directions() * h);
      w.putFloats("hn", out.hn().toArray(), ld, n, h);
      if (lstm) {
        w.putFloats("cn", out.cn().toArray(), ld, n, h);
      }
      if (in.wantsGradients()) {
        Tensor dy =
            in.dy == null ? null : Tensor.of(device, in.dy, t, n, (long) config.directions() * h);
        Tensor dhn = in.dhn == null ? null : Tensor.of(device, in.dhn, ld, n, h);
        Tensor dcn = in.dcn == null ? null : Tensor.of(device, in.dcn, ld, n, h);
        rnn.zeroGradients();
        RecurrentGradients g = rnn.backward(out, dy, dhn, dcn);
        w.putFloats("dx", g.dx().toArray(), t, n, config.inputSize());
        w.putFloats("dh0", g.dh0().toArray(), ld, n, h);
        if (lstm) {
          w.putFloats("dc0", g.dc0().toArray(), ld, n, h);
        }
        for (Map.Entry<String, Tensor> e : rnn.gradients().entrySet()) {
          w.putFloats("grad." + e.getKey(), e.getValue().toArray(), e.getValue().shape());
        }
      }
    }
    return w;
  }
}
