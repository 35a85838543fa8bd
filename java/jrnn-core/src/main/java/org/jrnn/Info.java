/*
 * Info: prints what this jrnn build is and can use, and with --check runs a tiny LSTM forward pass
 * to prove the native libraries load and compute (scripts/test-jar.sh runs it from the bare jar).
 *
 *   java -cp jrnn.jar:javacpp.jar:... org.jrnn.Info [--check]
 */
package org.jrnn;

import java.util.Arrays;
import java.util.List;
import org.bytedeco.javacpp.Loader;

/** Build and device information; {@code --check} also runs a small LSTM and exits 1 on failure. */
public final class Info {
  private Info() {}

  /** The native library's version string (from {@code jrnn_version()}). */
  public static String nativeVersion() {
    return Native.version();
  }

  /** Whether the native library was built with its CUDA backend. */
  public static boolean hasCudaBackend() {
    return Native.hasCuda();
  }

  /**
   * Runs an LSTM (C=3, H=4) over two sequences of lengths 3 and 2 and checks the output: shape [3,
   * 2, 4], finite, zero past the second sequence's length, not all zero, and hn equal to the output
   * at each sequence's last step.
   *
   * @return null when all is well, else what is wrong
   */
  public static String selfCheck(Device device) {
    try (Scope scope = Scope.open();
        Recurrent lstm =
            Recurrent.builder()
                .cell(Cell.LSTM)
                .inputSize(3)
                .hiddenSize(4)
                .device(device)
                .seed(7)
                .build()) {
      SequenceBatch batch =
          SequenceBatch.fromList(
              device,
              List.of(
                  new float[][] {{1, 0, -1}, {0.5f, 0.5f, 0.5f}, {-1, 2, 0}},
                  new float[][] {{0, 1, 0}, {1, 1, 1}}));
      RecurrentOutput out = lstm.forward(batch);
      long[] shape = out.output().shape();
      if (!Arrays.equals(shape, new long[] {3, 2, 4})) {
        return "output shape is " + Arrays.toString(shape) + ", expected [3, 2, 4]";
      }
      float[] y = out.output().toArray();
      float[] hn = out.hn().toArray();
      boolean nonZero = false;
      for (float v : y) {
        if (!Float.isFinite(v)) {
          return "output has a non-finite value: " + Arrays.toString(y);
        }
        nonZero |= v != 0;
      }
      if (!nonZero) {
        return "output is all zero";
      }
      for (int k = 0; k < 4; k++) {
        if (y[(2 * 2 + 1) * 4 + k] != 0) {
          return "output past the length of sequence 1 is not zero: " + Arrays.toString(y);
        }
        if (hn[k] != y[(2 * 2) * 4 + k] || hn[4 + k] != y[(1 * 2 + 1) * 4 + k]) {
          return "hn is not the output at each sequence's last step";
        }
      }
      return null;
    } catch (RuntimeException | LinkageError e) {
      return e.toString();
    }
  }

  /** Prints versions and devices; with {@code --check} runs {@link #selfCheck} on each device. */
  public static void main(String[] args) {
    boolean check = Arrays.asList(args).contains("--check");
    System.out.println("jrnn native " + nativeVersion() + " on " + Loader.getPlatform());
    System.out.println(
        "CUDA backend: "
            + (hasCudaBackend() ? "yes" : "no")
            + ", CUDA devices: "
            + Device.cudaDeviceCount());
    if (!check) {
      return;
    }
    int failures = 0;
    int gpus = Device.cudaDeviceCount();
    for (int i = -1; i < gpus; i++) {
      Device d = i < 0 ? Device.cpu() : Device.cuda(i);
      String problem = selfCheck(d);
      System.out.println(
          "LSTM forward on " + d + ": " + (problem == null ? "ok" : "FAILED: " + problem));
      if (problem != null) {
        failures++;
      }
    }
    if (Tensor.liveAllocations() != 0) {
      System.out.println("FAILED: " + Tensor.liveAllocations() + " native allocations leaked");
      failures++;
    }
    if (failures > 0) {
      System.exit(1);
    }
  }
}
