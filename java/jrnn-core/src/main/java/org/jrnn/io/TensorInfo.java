// TensorInfo: one tensor's entry in a safetensors header (name, dtype, shape, byte range).
package org.jrnn.io;

import java.util.Arrays;
import org.jrnn.JrnnException;
import org.jrnn.internal.Quote;

/**
 * One tensor of a safetensors file: its name, element type, shape and byte range in the data area.
 */
public final class TensorInfo {
  private final String name;
  private final DType dtype;
  private final long[] shape;
  private final long begin;
  private final long end;

  TensorInfo(String name, DType dtype, long[] shape, long begin, long end) {
    this.name = name;
    this.dtype = dtype;
    this.shape = shape.clone();
    this.begin = begin;
    this.end = end;
  }

  public String name() {
    return name;
  }

  public DType dtype() {
    return dtype;
  }

  /** The shape (a copy); empty for a scalar. */
  public long[] shape() {
    return shape.clone();
  }

  /** Number of dimensions. */
  public int rank() {
    return shape.length;
  }

  /**
   * Size of dimension {@code i}.
   *
   * @throws JrnnException when {@code i} is outside {@code 0..rank-1}
   */
  public long dim(int i) {
    if (i < 0 || i >= shape.length) {
      throw new JrnnException(
          "tensor "
              + Quote.quote(name)
              + " of shape "
              + shapeString(shape)
              + " has no dimension "
              + i
              + " (rank "
              + shape.length
              + ")");
    }
    return shape[i];
  }

  /** Number of elements (1 for a scalar). */
  public long numel() {
    long n = 1;
    for (long d : shape) {
      n *= d; // validated not to overflow when the file was opened
    }
    return n;
  }

  /** Start of the tensor's bytes, relative to the data area. */
  public long begin() {
    return begin;
  }

  /** End (exclusive) of the tensor's bytes, relative to the data area. */
  public long end() {
    return end;
  }

  public long byteSize() {
    return end - begin;
  }

  /** Shape as text, e.g. {@code [2, 3]} (cut when absurdly long, see {@link Quote#cut}). */
  public static String shapeString(long[] shape) {
    return Quote.cut(Arrays.toString(shape));
  }

  @Override
  public String toString() {
    return Quote.cut(name) + " " + dtype + " " + shapeString(shape);
  }
}
