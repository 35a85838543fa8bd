// FixtureParityTest: every PyTorch fixture through the public Java API: import the state dict, run
// forward (and forwardTrain + backward when the fixture has dy), compare y, hn, cn, dx, dh0, dc0
// and
// every weight gradient with PyTorch's float64 results (relative error of norms < 1e-5).
package org.jrnn.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.jrnn.Device;
import org.jrnn.Recurrent;
import org.jrnn.RecurrentGradients;
import org.jrnn.RecurrentOutput;
import org.jrnn.RecurrentState;
import org.jrnn.Scope;
import org.jrnn.SequenceBatch;
import org.jrnn.Tensor;
import org.jrnn.io.SafetensorsFile;
import org.jrnn.io.TensorInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class FixtureParityTest {
  static Stream<String> cases() {
    return Fixtures.cases().stream();
  }

  @Test
  void fixturesCoverEveryModeDirectionBiasAndDepth() {
    Set<String> seen = new HashSet<>();
    for (String c : Fixtures.cases()) {
      try {
        RnnConfig cfg = RnnConfig.read(Fixtures.dir(c).resolve("config.json"));
        seen.add(cfg.mode() + "/" + cfg.bidirectional() + "/" + cfg.bias());
        seen.add("layers" + cfg.numLayers());
      } catch (IOException e) {
        throw new AssertionError(e);
      }
    }
    for (String mode : List.of("RNN_TANH", "RNN_RELU", "LSTM", "GRU")) {
      for (String bi : List.of("true", "false")) {
        for (String bias : List.of("true", "false")) {
          assertTrue(seen.contains(mode + "/" + bi + "/" + bias), mode + "/" + bi + "/" + bias);
        }
      }
    }
    assertTrue(seen.containsAll(List.of("layers1", "layers2", "layers3")));
    assertTrue(Fixtures.cases().contains("lstm_bi_l2_long200"));
  }

  private static Tensor optional(SafetensorsFile f, String name) throws IOException {
    if (!f.contains(name)) {
      return null;
    }
    return Tensor.of(f.floats(name), f.info(name).shape());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void publicApiMatchesPyTorch(String name) throws IOException {
    Path dir = Fixtures.dir(name);
    RnnConfig config = RnnConfig.read(dir.resolve("config.json"));
    StateDict state = StateDict.read(dir.resolve("state.safetensors"));
    try (SafetensorsFile in = SafetensorsFile.open(dir.resolve("in.safetensors"));
        SafetensorsFile exp = SafetensorsFile.open(dir.resolve("expected.safetensors"));
        Recurrent rnn = TorchRnn.load(config, state, Device.cpu());
        Scope scope = Scope.open()) {
      TensorInfo xi = in.info("x");
      int steps = (int) xi.dim(0);
      int batch = (int) xi.dim(1);
      int[] lengths = in.contains("lengths") ? in.ints("lengths") : null;
      Tensor x = Tensor.of(in.floats("x"), xi.shape());
      SequenceBatch seq = SequenceBatch.of(x, lengths);
      Tensor h0 = optional(in, "h0");
      Tensor c0 = optional(in, "c0");
      RecurrentState initial = h0 == null ? null : RecurrentState.of(h0, c0);
      boolean grads = in.contains("dy");
      RecurrentOutput out = grads ? rnn.forwardTrain(seq, initial) : rnn.forward(seq, initial);

      check(exp, "y", out.output());
      check(exp, "hn", out.hn());
      if (config.mode().hasCellState()) {
        check(exp, "cn", out.cn());
      }
      // y is exactly zero past each sequence's length.
      float[] y = out.output().toArray();
      int width = rnn.outputSize();
      for (int n = 0; n < batch; n++) {
        int len = lengths == null ? steps : lengths[n];
        for (int t = len; t < steps; t++) {
          for (int k = 0; k < width; k++) {
            assertEquals(0f, y[(t * batch + n) * width + k], "y past length at t=" + t + " n=" + n);
          }
        }
      }
      if (!grads) {
        assertFalse(exp.contains("dx"));
        return;
      }
      rnn.zeroGradients();
      RecurrentGradients g =
          rnn.backward(out, optional(in, "dy"), optional(in, "dhn"), optional(in, "dcn"));
      check(exp, "dx", g.dx());
      check(exp, "dh0", g.dh0());
      if (config.mode().hasCellState()) {
        check(exp, "dc0", g.dc0());
      }
      Map<String, Tensor> grad = rnn.gradients();
      int count = 0;
      for (String key : exp.names()) {
        if (key.startsWith("grad.")) {
          Tensor t = grad.get(key.substring(5));
          assertNotNull(t, key);
          check(exp, key, t);
          count++;
        }
      }
      assertEquals(config.parameterShapes().size(), count, "one grad.* per parameter");
    }
  }

  private static void check(SafetensorsFile exp, String key, Tensor actual) throws IOException {
    Fixtures.assertClose(
        key, exp.info(key).shape(), exp.floats(key), actual.shape(), actual.toArray());
  }
}
