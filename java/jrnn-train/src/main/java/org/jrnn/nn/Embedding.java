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
   * A builder: {@code Embedding.builder().vocabSize(V).dim(E).build()}; {@code vocabSize} and
   * {@code dim} are required, the rest have defaults.
   */
  public static Builder builder() {
    return new Builder();
  }

  /** Settings of an {@link Embedding}; each setter checks its value, {@link #build()} the rest. */
  public static final class Builder {
    private int vocabSize;
    private int dim;
    private int paddingIndex = -1;
    private long seed;
    private Device device = Device.cpu();

    private Builder() {}

    /** Required: V, the number of ids ({@code >= 1}). */
    public Builder vocabSize(int vocabSize) {
      this.vocabSize = Arguments.atLeast("vocabSize", vocabSize, 1);
      return this;
    }

    /** Required: E, the vector size ({@code >= 1}). */
    public Builder dim(int dim) {
      this.dim = Arguments.atLeast("dim", dim, 1);
      return this;
    }

    /**
     * An id in {@code 0..V-1} treated as padding (a zero row without gradient, like id -1), or -1
     * for none (PyTorch's {@code padding_idx}); default -1.
     */
    public Builder paddingIndex(int paddingIndex) {
      this.paddingIndex = Arguments.atLeast("paddingIndex", paddingIndex, -1);
      return this;
    }

    /** Seed of the initial values; default 0. */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /** Where the table lives; default {@link Device#cpu()}. */
    public Builder device(Device device) {
      this.device = Arguments.notNull("device", device);
      return this;
    }

    /**
     * Allocates and initialises the table.
     *
     * @throws JrnnException when a required setting is missing, the padding id is not below V or
     *     the table is too large
     */
    public Embedding build() {
      Arguments.required("vocabSize", vocabSize == 0);
      Arguments.required("dim", dim == 0);
      if (paddingIndex >= vocabSize) {
        throw new JrnnException(
            "paddingIndex "
                + paddingIndex
                + " is outside 0.."
                + (vocabSize - 1)
                + " (or -1 for none)");
      }
      return new Embedding(vocabSize, dim, paddingIndex, seed, device);
    }
  }

  private Embedding(int vocabSize, int dim, int paddingIndex, long seed, Device device) {
    int count =
        Arguments.arrayLength("an Embedding of " + vocabSize + " x " + dim, (long) vocabSize * dim);
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
   * A readable summary: class, device, parameter count, and each parameter's name, shape and count
   * ({@link ParameterTable}), so printing a model in a notebook or a log shows its layers.
   */
  @Override
  public String toString() {
    return ParameterTable.describe(this, null);
  }
}
