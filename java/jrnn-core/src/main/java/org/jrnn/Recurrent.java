/*
 * Recurrent: a stack of recurrent layers (RNN/LSTM/GRU, optionally bidirectional) over padded
 * ragged batches, with its flat weight and gradient buffers and PyTorch-named parameter views.
 * Each pass is one native call (jrnn_rnn_forward / _backward / _step).
 */
package org.jrnn;

import java.lang.ref.Cleaner;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A stack of {@code L} recurrent layers of one {@link Cell} kind, unidirectional ({@code D = 1}) or
 * bidirectional ({@code D = 2}), with PyTorch's semantics for padded ragged batches: for {@code t
 * >= lengths[n]} the output is zero and the state carries through, so the final state is the state
 * at each sequence's own length; the reverse direction starts at {@code lengths[n]-1}.
 *
 * <pre>{@code
 * try (Recurrent lstm = Recurrent.builder().cell(Cell.LSTM).inputSize(8).hiddenSize(16).seed(1).build();
 *     Scope scope = Scope.open()) {
 *   RecurrentOutput out = lstm.forward(SequenceBatch.fromList(sequences));
 *   float[] y = out.output().toArray();                       // [T, N, 16]
 * }
 * }</pre>
 *
 * <p>Sizes: T time steps, N sequences, C = {@link #inputSize()}, H = {@link #hiddenSize()}, L =
 * {@link #layers()}, D = {@link #directions()}, G = {@link Cell#gatesPerCell()}.
 *
 * <p>Parameters live in one flat weight buffer ({@link #weights()}) in PyTorch's {@code
 * _flat_weights} order; {@link #parameters()} names views of it ({@code weight_ih_l0} {@code [G*H,
 * C]}, {@code weight_hh_l0} {@code [G*H, H]}, {@code bias_ih_l0}, {@code bias_hh_l0} {@code [G*H]},
 * then {@code ..._reverse}, then layer 1 with {@code C_1 = D*H} ...). Gradients live in a flat
 * buffer of the same layout ({@link #gradientBuffer()}, {@link #gradients()}); {@link #backward}
 * accumulates into it.
 *
 * <p>The layer owns its buffers (they belong to no scope); {@link #close()} frees them. Tensors the
 * passes return belong to the current scope, or to the caller when no scope is open. Passes only
 * read the weights, so several threads may run passes on one layer (they take turns on the device);
 * do not change the weights or run backward into the same gradients concurrently. Closing the layer
 * while other threads run passes on it is safe: each pass either fails with a {@link JrnnException}
 * (CLOSED) or completes as if the layer were open, and the weights and the native descriptor are
 * freed when the last pass in flight returns.
 */
public final class Recurrent implements AutoCloseable {
  private static final Cleaner DESC_CLEANER = Cleaner.create();

  private final Cell cell;
  private final int inputSize;
  private final int hiddenSize;
  private final int layers;
  private final int directions;
  private final boolean bias;
  private final Device device;
  private final Descriptor desc;
  private final Cleaner.Cleanable descCleanable;
  private final Tensor weights;
  private final Tensor grads;
  private final Map<String, Tensor> params;
  private final Map<String, Tensor> gradViews;
  private volatile boolean closed;

  /**
   * The native descriptor, destroyed once closed (by {@link #close()} or the Cleaner, whose action
   * this is: it refers to no Recurrent) and no pass uses it.
   */
  private static final class Descriptor extends NativeResource implements Runnable {
    final long handle;

    Descriptor(long handle) {
      this.handle = handle;
    }

    @Override
    public void run() {
      close();
    }

    @Override
    void dispose() {
      Native.rnnDescDestroy(handle);
    }
  }

  private Recurrent(Builder b) {
    this.cell = b.cell;
    this.inputSize = b.inputSize;
    this.hiddenSize = b.hiddenSize;
    this.layers = b.layers;
    this.directions = b.bidirectional ? 2 : 1;
    this.bias = b.bias;
    this.device = b.device;
    device.context(); // fail early (and before allocating) when the device cannot be used
    long d =
        Native.rnnDescCreate(
            cell.nativeValue(), inputSize, hiddenSize, layers, b.bidirectional, bias);
    this.desc = new Descriptor(d);
    this.descCleanable = DESC_CLEANER.register(this, desc);
    Tensor w = null;
    Tensor g = null;
    try {
      long count = Native.rnnWeightsCount(d);
      w = Tensor.allocate(device, new long[] {count}, false);
      g = Tensor.allocate(device, new long[] {count}, false);
      Map<String, Tensor> p = new LinkedHashMap<>();
      Map<String, Tensor> gv = new LinkedHashMap<>();
      int n = Native.rnnParamCount(d);
      for (int i = 0; i < n; i++) {
        Native.ParamInfo info = Native.rnnParam(d, i);
        long[] shape =
            info.cols() == 1 && info.name().startsWith("bias")
                ? new long[] {info.rows()}
                : new long[] {info.rows(), info.cols()};
        p.put(info.name(), w.view(info.offset(), shape, false));
        gv.put(info.name(), g.view(info.offset(), shape, false));
      }
      this.params = Collections.unmodifiableMap(p);
      this.gradViews = Collections.unmodifiableMap(gv);
    } catch (RuntimeException e) {
      if (w != null) {
        w.close();
      }
      if (g != null) {
        g.close();
      }
      descCleanable.clean();
      throw e;
    }
    this.weights = w;
    this.grads = g;
    resetParameters(b.seed != null ? b.seed : new SplittableRandom().nextLong());
  }

  /** A builder; {@code cell}, {@code inputSize} and {@code hiddenSize} are required. */
  public static Builder builder() {
    return new Builder();
  }

  /** Builds a {@link Recurrent}: required settings first, then optional ones with defaults. */
  public static final class Builder {
    private Cell cell;
    private int inputSize = -1;
    private int hiddenSize = -1;
    private int layers = 1;
    private boolean bidirectional;
    private boolean bias = true;
    private Device device = Device.cpu();
    private Long seed;

    private Builder() {}

    /** Required: the cell kind. */
    public Builder cell(Cell cell) {
      this.cell = cell;
      return this;
    }

    /** Required: C, features per input step ({@code >= 1}). */
    public Builder inputSize(int inputSize) {
      this.inputSize = inputSize;
      return this;
    }

    /** Required: H, hidden units per direction ({@code >= 1}). */
    public Builder hiddenSize(int hiddenSize) {
      this.hiddenSize = hiddenSize;
      return this;
    }

    /** L, stacked layers ({@code >= 1}); default 1. */
    public Builder layers(int layers) {
      this.layers = layers;
      return this;
    }

    /** Whether each layer also runs backwards in time (D = 2); default false. */
    public Builder bidirectional(boolean bidirectional) {
      this.bidirectional = bidirectional;
      return this;
    }

    /** Whether the layers have the biases b_ih and b_hh; default true. */
    public Builder bias(boolean bias) {
      this.bias = bias;
      return this;
    }

    /** Where the weights live and the passes run; default {@link Device#cpu()}. */
    public Builder device(Device device) {
      this.device = device;
      return this;
    }

    /**
     * Seed of the initial weights, drawn uniformly from {@code [-1/sqrt(H), 1/sqrt(H))} like
     * PyTorch (the same seed gives the same weights bit for bit). Default: a random seed.
     */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /**
     * Validates the settings and allocates the layer (weights initialised, gradients zero).
     *
     * @throws JrnnException naming the first missing or invalid setting
     */
    public Recurrent build() {
      if (cell == null) {
        throw new JrnnException("cell is required (Cell.RNN_TANH, RNN_RELU, LSTM or GRU)");
      }
      if (inputSize == -1) {
        throw new JrnnException("inputSize is required");
      }
      if (hiddenSize == -1) {
        throw new JrnnException("hiddenSize is required");
      }
      Checks.positive("inputSize", inputSize);
      Checks.positive("hiddenSize", hiddenSize);
      Checks.positive("layers", layers);
      if (device == null) {
        throw new JrnnException("device is null");
      }
      return new Recurrent(this);
    }
  }

  // ------------------------------------------------------------------ facts

  /** The cell kind. */
  public Cell cell() {
    return cell;
  }

  /** C: features per input step. */
  public int inputSize() {
    return inputSize;
  }

  /** H: hidden units per direction. */
  public int hiddenSize() {
    return hiddenSize;
  }

  /** L: stacked layers. */
  public int layers() {
    return layers;
  }

  /** D: 1, or 2 when bidirectional. */
  public int directions() {
    return directions;
  }

  /** Whether the layer is bidirectional. */
  public boolean isBidirectional() {
    return directions == 2;
  }

  /** Whether the layers have biases. */
  public boolean hasBias() {
    return bias;
  }

  /** Where the weights live and the passes run. */
  public Device device() {
    return device;
  }

  /** D*H: features per output step. */
  public int outputSize() {
    return directions * hiddenSize;
  }

  /** Number of floats in the flat weight buffer. */
  public long parameterCount() {
    checkOpen();
    return weights.numel();
  }

  // ------------------------------------------------------------------ parameters

  /**
   * The named parameters, in buffer (PyTorch) order: views of {@link #weights()}, shapes {@code
   * [G*H, C_l]}, {@code [G*H, H]} and {@code [G*H]}. Writing into a view changes the layer. The
   * views stay owned by the layer (do not close them); the map is a new copy each call.
   */
  public LinkedHashMap<String, Tensor> parameters() {
    checkOpen();
    return new LinkedHashMap<>(params);
  }

  /**
   * The named gradients, same names and shapes as {@link #parameters()}, views of the gradient
   * buffer.
   */
  public LinkedHashMap<String, Tensor> gradients() {
    checkOpen();
    return new LinkedHashMap<>(gradViews);
  }

  /** The flat weight buffer {@code [parameterCount()]}, owned by the layer. */
  public Tensor weights() {
    checkOpen();
    return weights;
  }

  /**
   * The flat gradient buffer {@code [parameterCount()]}, owned by the layer; backward adds into it.
   */
  public Tensor gradientBuffer() {
    checkOpen();
    return grads;
  }

  /** Sets every gradient to zero (once per optimisation step: backward accumulates). */
  public void zeroGradients() {
    checkOpen();
    grads.zero();
  }

  /**
   * Re-draws every weight and bias uniformly from {@code [-1/sqrt(H), 1/sqrt(H))} with {@code seed}
   * (PyTorch's default initialisation; reproducible bit for bit for a given seed).
   */
  public void resetParameters(long seed) {
    checkOpen();
    long count = weights.numel();
    if (count > Integer.MAX_VALUE - 8) {
      throw new JrnnException("layer has too many parameters to initialise from Java: " + count);
    }
    SplittableRandom rng = new SplittableRandom(seed);
    double k = 1.0 / Math.sqrt(hiddenSize);
    float[] w = new float[(int) count];
    for (int i = 0; i < w.length; i++) {
      w[i] = (float) ((2.0 * rng.nextDouble() - 1.0) * k);
    }
    weights.copyFrom(w);
  }

  // ------------------------------------------------------------------ passes

  /**
   * Inference over a batch from a zero initial state; see {@link #forward(SequenceBatch,
   * RecurrentState)}.
   */
  public RecurrentOutput forward(SequenceBatch input) {
    return forward(input, null);
  }

  /**
   * Inference: runs the whole stack over a padded batch in one native call.
   *
   * @param input {@code [T, N, C]} with lengths, on this layer's device. Not modified.
   * @param initial h0 (and c0 for the LSTM) {@code [L*D, N, H]}, or null for zeros; an LSTM state
   *     may have {@code c == null} for zeros. Not modified.
   * @return output {@code [T, N, D*H]}, hn and cn {@code [L*D, N, H]}, new tensors in the current
   *     scope
   * @throws JrnnException on a closed layer or tensor, a wrong shape or device, or a native error
   */
  public RecurrentOutput forward(SequenceBatch input, RecurrentState initial) {
    return run(input, initial, false);
  }

  /**
   * Training forward: like {@link #forward(SequenceBatch, RecurrentState)}, and the result keeps
   * the native reserve for {@link #backward}. The input data and the initial state must stay open
   * (and unchanged) until backward.
   *
   * @param input {@code [T, N, C]} with lengths. Not modified.
   * @param initial {@code [L*D, N, H]} state or null for zeros. Not modified.
   */
  public RecurrentOutput forwardTrain(SequenceBatch input, RecurrentState initial) {
    return run(input, initial, true);
  }

  private RecurrentOutput run(SequenceBatch input, RecurrentState initial, boolean training) {
    long d = acquireDescriptor();
    try {
      return pass(d, input, initial, training);
    } finally {
      desc.release();
    }
  }

  private RecurrentOutput pass(
      long desc, SequenceBatch input, RecurrentState initial, boolean training) {
    if (input == null) {
      throw new JrnnException("input is null");
    }
    Tensor x = Checks.open("input", input.data());
    Checks.sameDevice("input", x.device(), "the layer", device);
    if (x.dim(2) != inputSize) {
      throw new JrnnException(
          "input feature size " + x.dim(2) + " does not match the layer's inputSize " + inputSize);
    }
    long t = x.dim(0);
    long n = x.dim(1);
    int[] lengths = input.lengths();
    Checks.lengths(lengths, (int) n, t);
    long[] stateShape = {(long) layers * directions, n, hiddenSize};
    Tensor h0 = null;
    Tensor c0 = null;
    if (initial != null) {
      h0 = checkState("h0", initial.h(), stateShape);
      c0 = initial.c();
      if (c0 != null) {
        if (!cell.hasCellState()) {
          throw new JrnnException("c0 is given but a " + cell + " layer has no cell state");
        }
        checkState("c0", c0, stateShape);
      }
    }
    NativeContext ctx = device.context();
    Tensor y = null;
    Tensor hy = null;
    Tensor cy = null;
    Tensor reserve = null;
    try {
      y = Tensor.empty(device, t, n, outputSize());
      hy = Tensor.empty(device, stateShape);
      if (cell.hasCellState()) {
        cy = Tensor.empty(device, stateShape);
      }
      if (training) {
        long bytes = Native.rnnReserveBytes(ctx, desc, t, n);
        reserve = Tensor.empty(device, Math.max(1, (bytes + Float.BYTES - 1) / Float.BYTES));
      }
      int pass = training ? Native.PASS_TRAINING_FORWARD : Native.PASS_INFERENCE;
      // y, hy, cy and reserve are this call's own (no other thread can close them yet)
      Tensor[] use = Tensor.acquireAll(x, h0, c0, weights);
      try {
        NativeMemory scratch = scratch(ctx, desc, t, n, pass);
        try {
          Native.rnnForward(
              ctx,
              desc,
              t,
              n,
              raggedOrNull(lengths, t),
              ptr(x),
              ptr(h0),
              ptr(c0),
              ptr(weights),
              ptr(y),
              ptr(hy),
              ptr(cy),
              ptr(reserve),
              scratch.address);
        } finally {
          scratch.free();
        }
      } finally {
        Tensor.releaseAll(use);
      }
      if (!training) {
        return new RecurrentOutput(this, y, hy, cy, lengths, null, null, null, null);
      }
      return new RecurrentOutput(this, y, hy, cy, lengths, reserve, x, h0, c0);
    } catch (RuntimeException e) {
      closeAll(reserve, cy, hy, y);
      throw e;
    }
  }

  /**
   * Backpropagation through time for an output of {@link #forwardTrain}: computes the gradients of
   * {@code sum(output*dy) + sum(hn*dhn) + sum(cn*dcn)}, returns those of the input and the initial
   * state, and ACCUMULATES (+=) the weight gradients into {@link #gradients()}.
   *
   * @param trained the result of {@link #forwardTrain} on this layer, still open. Not modified.
   * @param dy {@code [T, N, D*H]} or null (zeros); entries past each length are ignored. Not
   *     modified.
   * @param dhn {@code [L*D, N, H]} or null (zeros). Not modified.
   * @param dcn {@code [L*D, N, H]} (LSTM only) or null (zeros). Not modified.
   * @return dx {@code [T, N, C]}, dh0 and dc0 {@code [L*D, N, H]}, new tensors in the current
   *     scope. Modified: {@link #gradientBuffer()}.
   */
  public RecurrentGradients backward(RecurrentOutput trained, Tensor dy, Tensor dhn, Tensor dcn) {
    return backward(trained, dy, dhn, dcn, true);
  }

  /**
   * As {@link #backward(RecurrentOutput, Tensor, Tensor, Tensor)}, computing the input gradient
   * only when {@code inputGradient} is true. Without it (the input is data, not the output of
   * something trained, as PyTorch skips inputs that do not require grad) a training step does about
   * a sixth less work when C = H; the returned {@link RecurrentGradients#dx()} is then null.
   */
  public RecurrentGradients backward(
      RecurrentOutput trained, Tensor dy, Tensor dhn, Tensor dcn, boolean inputGradient) {
    long d = acquireDescriptor();
    try {
      return backwardPass(d, trained, dy, dhn, dcn, inputGradient);
    } finally {
      desc.release();
    }
  }

  private RecurrentGradients backwardPass(
      long desc,
      RecurrentOutput trained,
      Tensor dy,
      Tensor dhn,
      Tensor dcn,
      boolean inputGradient) {
    if (trained == null) {
      throw new JrnnException("trained is null");
    }
    if (trained.layer != this) {
      throw new JrnnException("trained is the output of another layer, not of this one");
    }
    if (!trained.isTraining()) {
      throw new JrnnException(
          "backward needs the output of forwardTrain, but trained came from forward (inference)");
    }
    if (trained.isClosed()) {
      throw new JrnnException(
          JrnnException.Status.CLOSED,
          "trained (the output of forwardTrain) was closed before backward");
    }
    Tensor x = trained.x;
    if (x.isClosed()) {
      throw new JrnnException(
          JrnnException.Status.CLOSED,
          "the input given to forwardTrain was closed before backward");
    }
    if (trained.h0 != null && trained.h0.isClosed()) {
      throw new JrnnException(
          JrnnException.Status.CLOSED, "the h0 given to forwardTrain was closed before backward");
    }
    if (trained.c0 != null && trained.c0.isClosed()) {
      throw new JrnnException(
          JrnnException.Status.CLOSED, "the c0 given to forwardTrain was closed before backward");
    }
    long t = x.dim(0);
    long n = x.dim(1);
    long[] stateShape = {(long) layers * directions, n, hiddenSize};
    if (dy != null) {
      checkState("dy", dy, new long[] {t, n, outputSize()});
    }
    if (dhn != null) {
      checkState("dhn", dhn, stateShape);
    }
    if (dcn != null) {
      if (!cell.hasCellState()) {
        throw new JrnnException("dcn is given but a " + cell + " layer has no cell state");
      }
      checkState("dcn", dcn, stateShape);
    }
    int[] lengths = trained.lengths();
    NativeContext ctx = device.context();
    Tensor dx = null;
    Tensor dh0 = null;
    Tensor dc0 = null;
    try {
      if (inputGradient) {
        dx = Tensor.empty(device, t, n, inputSize);
      }
      dh0 = Tensor.empty(device, stateShape);
      if (cell.hasCellState()) {
        dc0 = Tensor.empty(device, stateShape);
      }
      // dx, dh0 and dc0 are this call's own (no other thread can close them yet)
      Tensor[] use =
          Tensor.acquireAll(
              x, trained.h0, trained.c0, weights, dy, dhn, dcn, grads, trained.reserve);
      try {
        NativeMemory scratch = scratch(ctx, desc, t, n, Native.PASS_BACKWARD);
        try {
          Native.rnnBackward(
              ctx,
              desc,
              t,
              n,
              raggedOrNull(lengths, t),
              ptr(x),
              ptr(trained.h0),
              ptr(trained.c0),
              ptr(weights),
              ptr(dy),
              ptr(dhn),
              ptr(dcn),
              ptr(dx),
              ptr(dh0),
              ptr(dc0),
              ptr(grads),
              ptr(trained.reserve),
              scratch.address);
        } finally {
          scratch.free();
        }
      } finally {
        Tensor.releaseAll(use);
      }
      return new RecurrentGradients(dx, dh0, dc0);
    } catch (RuntimeException e) {
      closeAll(dc0, dh0, dx);
      throw e;
    }
  }

  /**
   * One time step for N sequences with carried state (generation, streaming); unidirectional layers
   * only. Running {@code step} T times over a batch of full-length sequences gives the same outputs
   * and state as {@link #forward}.
   *
   * @param x {@code [N, C]} on the layer's device. Not modified.
   * @param state h {@code [L, N, H]} (and c for the LSTM, required). Modified: updated in place to
   *     the state after the step.
   * @return y {@code [N, H]}, the last layer's output, a new tensor in the current scope
   */
  public Tensor step(Tensor x, RecurrentState state) {
    long d = acquireDescriptor();
    try {
      return stepPass(d, x, state);
    } finally {
      desc.release();
    }
  }

  private Tensor stepPass(long desc, Tensor x, RecurrentState state) {
    if (directions != 1) {
      throw new JrnnException(
          JrnnException.Status.NOT_SUPPORTED,
          "step needs a unidirectional layer, but this one is bidirectional");
    }
    Checks.open("x", x);
    Checks.sameDevice("x", x.device(), "the layer", device);
    if (x.rank() != 2) {
      throw new JrnnException("x must be [N, " + inputSize + "] but is " + x.shapeString());
    }
    if (x.dim(1) != inputSize) {
      throw new JrnnException(
          "x feature size " + x.dim(1) + " does not match the layer's inputSize " + inputSize);
    }
    long n = x.dim(0);
    if (n < 1) {
      throw new JrnnException("x must hold at least one sequence but is " + x.shapeString());
    }
    if (state == null) {
      throw new JrnnException("state is null (use RecurrentState.zeros(layer, batch))");
    }
    long[] stateShape = {layers, n, hiddenSize};
    Tensor h = checkState("state.h", state.h(), stateShape);
    Tensor c = state.c();
    if (cell.hasCellState()) {
      if (c == null) {
        throw new JrnnException("state.c is null but an LSTM layer needs a cell state");
      }
      checkState("state.c", c, stateShape);
    } else if (c != null) {
      throw new JrnnException("state.c is given but a " + cell + " layer has no cell state");
    }
    NativeContext ctx = device.context();
    Tensor y = Tensor.empty(device, n, hiddenSize);
    try {
      Tensor[] use = Tensor.acquireAll(x, h, c, weights); // y is this call's own
      try {
        NativeMemory scratch = scratch(ctx, desc, 1, n, Native.PASS_STEP);
        try {
          Native.rnnStep(
              ctx,
              desc,
              n,
              ptr(x),
              ptr(h),
              ptr(c),
              ptr(weights),
              ptr(y),
              ptr(h),
              ptr(c),
              scratch.address);
        } finally {
          scratch.free();
        }
      } finally {
        Tensor.releaseAll(use);
      }
      return y;
    } catch (RuntimeException e) {
      y.close();
      throw e;
    }
  }

  // ------------------------------------------------------------------ helpers

  private Tensor checkState(String name, Tensor t, long[] shape) {
    Checks.open(name, t);
    Checks.sameDevice(name, t.device(), "the layer", device);
    Checks.shape(name, t, shape);
    return t;
  }

  private NativeMemory scratch(NativeContext ctx, long desc, long t, long n, int pass) {
    long bytes = Native.rnnScratchBytes(ctx, desc, t, n, pass);
    return new NativeMemory(device, bytes, false, () -> "scratch");
  }

  /**
   * The lengths for the native call, or null when every sequence is T long: the same result, and
   * the kernels then skip the per-row length masks (a few % of a forward).
   */
  private static int[] raggedOrNull(int[] lengths, long t) {
    for (int len : lengths) {
      if (len != t) {
        return lengths;
      }
    }
    return null;
  }

  /** The address of a tensor acquired for the call or made by it, or 0 (NULL) for null. */
  private static long ptr(Tensor t) {
    return Tensor.acquiredOrNull(t);
  }

  private static void closeAll(Tensor... ts) {
    for (Tensor t : ts) {
      if (t != null) {
        t.close();
      }
    }
  }

  private void checkOpen() {
    if (closed) {
      throw closedException();
    }
  }

  private JrnnException closedException() {
    return new JrnnException(JrnnException.Status.CLOSED, this + " is closed");
  }

  /**
   * Keeps the descriptor (and so the layer's native state) for one pass, until {@code
   * desc.release()} in a finally block.
   *
   * @return the native descriptor
   * @throws JrnnException (CLOSED) when the layer is closed
   */
  private long acquireDescriptor() {
    if (closed || !desc.acquire()) {
      throw closedException();
    }
    return desc.handle;
  }

  /** Whether {@link #close()} was called. */
  public boolean isClosed() {
    return closed;
  }

  /**
   * Frees the weights, the gradients and the native descriptor (once the passes other threads run
   * on this layer return; passes that start later fail with CLOSED). Idempotent.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    grads.close();
    weights.close();
    descCleanable.clean();
  }

  /** E.g. {@code Recurrent[LSTM, inputSize=8, hiddenSize=16, layers=1, D=1, bias] on cpu}. */
  @Override
  public String toString() {
    return "Recurrent["
        + cell
        + ", inputSize="
        + inputSize
        + ", hiddenSize="
        + hiddenSize
        + ", layers="
        + layers
        + (directions == 2 ? ", bidirectional" : "")
        + (bias ? "" : ", no bias")
        + "] on "
        + device;
  }
}
