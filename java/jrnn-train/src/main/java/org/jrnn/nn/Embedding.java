/*
 * Embedding: a lookup table of token vectors with PyTorch's N(0, 1) initialisation and optional
 * padding index; id -1 always means "no token" (a zero vector that gets no gradient).
 */
package org.jrnn.nn;

import java.util.ArrayList;
import java.util.List;
import org.jrnn.Device;
import org.jrnn.JrnnException;
import org.jrnn.Ops;
import org.jrnn.Tensor;
import org.jrnn.internal.Arguments;

/**
 * {@code torch.nn.Embedding(V, E, padding_idx)}: a table {@code [V, E]} drawn from N(0, 1) with the
 * seed; the padding row (if any) starts at zero and never gets a gradient. Id -1 is a zero vector
 * too. The parameter is named {@code "weight"}. The layer owns its tensors; {@link #close()} frees
 * them.
 */
public final class Embedding implements Trainable {
  private final int vocabSize;
  private final int dim;
  private final int paddingIndex;
  private final Device device;
  private final Tensor weight;
  private final Tensor weightGrad;
  private final List<Parameter> parameters;

  /**
   * @param vocabSize V {@code >= 1}
   * @param dim E {@code >= 1}
   * @param paddingIndex an id in {@code 0..V-1} treated as padding (like -1), or -1 for none
   * @param seed seed of the initial values
   * @param device where the table lives
   */
  public Embedding(int vocabSize, int dim, int paddingIndex, long seed, Device device) {
    if (vocabSize < 1 || dim < 1) {
      throw new JrnnException("Embedding needs vocabSize and dim >= 1 but got " + vocabSize + ", " + dim);
    }
    if (paddingIndex < -1 || paddingIndex >= vocabSize) {
      throw new JrnnException(
          "paddingIndex " + paddingIndex + " is outside 0.." + (vocabSize - 1) + " (or -1 for none)");
    }
    int count = Arguments.arrayLength(
        "an Embedding of " + vocabSize + " x " + dim, (long) vocabSize * dim);
    this.vocabSize = vocabSize;
    this.dim = dim;
    this.paddingIndex = paddingIndex;
    this.device = Arguments.notNull("device", device);
    List<Tensor> made = new ArrayList<>();
    try {
      weight = Linear.keep(made, Tensor.zeros(device, vocabSize, dim));
      weightGrad = Linear.keep(made, Tensor.zeros(device, vocabSize, dim));
      float[] init = Init.normal(seed, count, 1.0);
      if (paddingIndex >= 0) {
        java.util.Arrays.fill(init, paddingIndex * dim, (paddingIndex + 1) * dim, 0f);
      }
      weight.copyFrom(init);
    } catch (RuntimeException e) {
      made.forEach(Tensor::close);
      throw e;
    }
    this.parameters = List.of(new Parameter("weight", weight, weightGrad));
  }

  /** V, the number of ids. */
  public int vocabSize() {
    return vocabSize;
  }

  /** E, the vector size. */
  public int dim() {
    return dim;
  }

  /** The padding id, or -1. */
  public int paddingIndex() {
    return paddingIndex;
  }

  /** The table {@code [V, E]} (owned by the layer). */
  public Tensor weight() {
    return weight;
  }

  /**
   * The vectors of {@code ids}.
   *
   * @param ids M ids in {@code 0..V-1} or -1 (a zero vector). Not modified.
   * @param shape the leading sizes of the result (product M), e.g. {@code T, N}; none: {@code [M]}
   * @return {@code [...shape, E]}, a new tensor (current scope)
   */
  public Tensor forward(int[] ids, long... shape) {
    Arguments.notNull("ids", ids);
    return Ops.embedding(weight, masked(ids), shape);
  }

  /**
   * Backward of {@link #forward}: ACCUMULATES {@code dy}'s rows into the table gradient at the ids
   * (skipping -1 and the padding id).
   *
   * @param ids as given to the forward. Not modified.
   * @param dy {@code [..., E]} with one row per id. Not modified.
   */
  public void backward(int[] ids, Tensor dy) {
    Arguments.notNull("ids", ids);
    Ops.embeddingBackward(weightGrad, masked(ids), dy);
  }

  private int[] masked(int[] ids) {
    if (paddingIndex < 0 || ids == null) {
      return ids;
    }
    int[] out = ids.clone();
    for (int i = 0; i < out.length; i++) {
      if (out[i] == paddingIndex) {
        out[i] = -1;
      }
    }
    return out;
  }

  @Override
  public List<Parameter> parameters() {
    return parameters;
  }

  @Override
  public Device device() {
    return device;
  }

  @Override
  public void close() {
    weightGrad.close();
    weight.close();
  }

  /**
   * A readable summary: class, device, parameter count, and each parameter's name, shape and
   * count ({@link ParameterTable}), so printing a model in a notebook or
   * a log shows its layers.
   */
  @Override
  public String toString() {
    return ParameterTable.describe(this, null);
  }
}
