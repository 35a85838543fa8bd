/*
 * RecurrentLayer: the Trainable face of org.jrnn.Recurrent (named parameters and gradients over its
 * flat buffers), with the initialisation options of RecurrentInit.
 */
package org.jrnn.nn;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.jrnn.Cell;
import org.jrnn.Device;
import org.jrnn.JrnnException;
import org.jrnn.Recurrent;
import org.jrnn.RecurrentGradients;
import org.jrnn.RecurrentOutput;
import org.jrnn.RecurrentState;
import org.jrnn.SequenceBatch;
import org.jrnn.Tensor;
import org.jrnn.internal.Arguments;
import org.jrnn.internal.SplitMix64;

/**
 * A stack of recurrent layers as a {@link Trainable}: parameters {@code weight_ih_l0}, {@code
 * weight_hh_l0}, {@code bias_ih_l0}, {@code bias_hh_l0}, ... ({@code _reverse} for the backward
 * direction) in PyTorch's order, views of {@link Recurrent#weights()}; gradients are views of
 * {@link Recurrent#gradientBuffer()}. The passes are those of {@link #recurrent()}; this class only
 * adds the naming, the initialisation and ownership. {@link #close()} frees the layer.
 */
public final class RecurrentLayer implements Trainable {
  private final Recurrent rnn;
  private final RecurrentInit init;
  private final List<Parameter> parameters;

  /**
   * A builder: {@code RecurrentLayer.builder().cell(Cell.LSTM).inputSize(C).hiddenSize(H).build()};
   * {@code cell}, {@code inputSize} and {@code hiddenSize} are required (as for {@link
   * Recurrent#builder()}), the rest have defaults.
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Settings of a {@link RecurrentLayer}; each setter checks its value, {@link #build()} the rest.
   */
  public static final class Builder {
    private Cell cell;
    private int inputSize;
    private int hiddenSize;
    private int layers = 1;
    private boolean bidirectional;
    private RecurrentInit init = RecurrentInit.PYTORCH;
    private long seed;
    private Device device = Device.cpu();

    private Builder() {}

    /** Required: the cell kind. */
    public Builder cell(Cell cell) {
      this.cell = Arguments.notNull("cell", cell);
      return this;
    }

    /** Required: C, features per input step ({@code >= 1}). */
    public Builder inputSize(int inputSize) {
      this.inputSize = Arguments.atLeast("inputSize", inputSize, 1);
      return this;
    }

    /** Required: H, hidden units per direction ({@code >= 1}). */
    public Builder hiddenSize(int hiddenSize) {
      this.hiddenSize = Arguments.atLeast("hiddenSize", hiddenSize, 1);
      return this;
    }

    /** L, stacked layers ({@code >= 1}); default 1. */
    public Builder layers(int layers) {
      this.layers = Arguments.atLeast("layers", layers, 1);
      return this;
    }

    /** Whether each layer also runs backwards in time (D = 2); default false. */
    public Builder bidirectional(boolean bidirectional) {
      this.bidirectional = bidirectional;
      return this;
    }

    /** How to draw the initial weights; default {@link RecurrentInit#PYTORCH}. */
    public Builder init(RecurrentInit init) {
      this.init = Arguments.notNull("init", init);
      return this;
    }

    /** Seed of the initial weights (reproducible bit for bit); default 0. */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /** Where the weights live; default {@link Device#cpu()}. */
    public Builder device(Device device) {
      this.device = Arguments.notNull("device", device);
      return this;
    }

    /**
     * Allocates and initialises the stack.
     *
     * @throws JrnnException when a required setting is missing, or {@code init} needs an LSTM
     */
    public RecurrentLayer build() {
      Arguments.required("cell", cell == null);
      Arguments.required("inputSize", inputSize == 0);
      Arguments.required("hiddenSize", hiddenSize == 0);
      if (init.forgetBiasOne() && cell != Cell.LSTM) {
        throw new JrnnException("init " + init.id() + " needs an LSTM but the cell is " + cell);
      }
      return new RecurrentLayer(this);
    }
  }

  private RecurrentLayer(Builder b) {
    this.init = b.init;
    long seed = b.seed;
    this.rnn =
        Recurrent.builder()
            .cell(b.cell)
            .inputSize(b.inputSize)
            .hiddenSize(b.hiddenSize)
            .layers(b.layers)
            .bidirectional(b.bidirectional)
            .device(b.device)
            .seed(seed)
            .build();
    try {
      applyInit(SplitMix64.deriveSeed(seed, 1));
      List<Parameter> p = new ArrayList<>();
      Map<String, Tensor> grads = rnn.gradients();
      rnn.parameters().forEach((name, value) -> p.add(new Parameter(name, value, grads.get(name))));
      this.parameters = Collections.unmodifiableList(p);
    } catch (RuntimeException e) {
      rnn.close();
      throw e;
    }
  }

  private void applyInit(long seed) {
    int h = rnn.hiddenSize();
    int gates = rnn.cell().gatesPerCell();
    if (init.forgetBiasOne() && rnn.cell() != Cell.LSTM) {
      throw new JrnnException("forgetBiasOne needs an LSTM but the cell is " + rnn.cell());
    }
    long stream = 0;
    for (Map.Entry<String, Tensor> e : rnn.parameters().entrySet()) {
      String name = e.getKey();
      Tensor value = e.getValue();
      if (init.orthogonalRecurrent() && name.startsWith("weight_hh")) {
        float[] w = new float[gates * h * h];
        for (int g = 0; g < gates; g++) {
          float[] q = Init.orthogonal(SplitMix64.deriveSeed(seed, stream++), h);
          System.arraycopy(q, 0, w, g * h * h, h * h);
        }
        value.copyFrom(w);
      }
      if (init.forgetBiasOne() && name.startsWith("bias_")) {
        float[] b = value.toArray();
        java.util.Arrays.fill(b, h, 2 * h, name.startsWith("bias_ih") ? 1f : 0f); // gate f
        value.copyFrom(b);
      }
    }
  }

  /** The wrapped stack (its passes, sizes and flat buffers). */
  public Recurrent recurrent() {
    return rnn;
  }

  /** How the weights were initialised. */
  public RecurrentInit init() {
    return init;
  }

  /** D*H, the features of each output step. */
  public int outputSize() {
    return rnn.outputSize();
  }

  /** See {@link Recurrent#forward(SequenceBatch, RecurrentState)} (inference). */
  public RecurrentOutput forward(SequenceBatch input, RecurrentState initial) {
    return rnn.forward(input, initial);
  }

  /** See {@link Recurrent#forwardTrain(SequenceBatch, RecurrentState)}. */
  public RecurrentOutput forwardTrain(SequenceBatch input, RecurrentState initial) {
    return rnn.forwardTrain(input, initial);
  }

  /** See {@link Recurrent#backward}: ACCUMULATES into this module's gradients. */
  public RecurrentGradients backward(RecurrentOutput trained, Tensor dy, Tensor dhn, Tensor dcn) {
    return rnn.backward(trained, dy, dhn, dcn);
  }

  /** See {@link Recurrent#backward(RecurrentOutput, Tensor, Tensor, Tensor, boolean)}. */
  public RecurrentGradients backward(
      RecurrentOutput trained, Tensor dy, Tensor dhn, Tensor dcn, boolean inputGradient) {
    return rnn.backward(trained, dy, dhn, dcn, inputGradient);
  }

  /** See {@link Recurrent#step(Tensor, RecurrentState)}. Modified: state. */
  public Tensor step(Tensor x, RecurrentState state) {
    return rnn.step(x, state);
  }

  @Override
  public List<Parameter> parameters() {
    return parameters;
  }

  @Override
  public Device device() {
    return rnn.device();
  }

  @Override
  public void zeroGradients() {
    rnn.zeroGradients();
  }

  @Override
  public void close() {
    rnn.close();
  }

  /**
   * A readable summary: class, device, parameter count, and each parameter's name, shape and count
   * ({@link ParameterTable}), so printing a model in a notebook or a log shows its layers.
   */
  @Override
  public String toString() {
    return ParameterTable.describe(this, null);
  }
}
