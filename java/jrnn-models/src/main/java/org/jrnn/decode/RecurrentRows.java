/*
 * RecurrentRows: a recurrent state (h, c of a unidirectional stack) as rows that can be copied,
 * forked, reordered, compacted, joined, saved and moved between devices; the StepState of the
 * recurrent step models.
 */
package org.jrnn.decode;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import org.jrnn.Device;
import org.jrnn.JrnnException;
import org.jrnn.Ops;
import org.jrnn.Recurrent;
import org.jrnn.RecurrentState;
import org.jrnn.Scope;
import org.jrnn.Tensor;
import org.jrnn.internal.Arguments;
import org.jrnn.io.SafetensorsException;
import org.jrnn.io.SafetensorsFile;
import org.jrnn.io.SafetensorsWriter;
import org.jrnn.io.TensorInfo;

/**
 * The state of N sequences of a recurrent stack: {@code h} {@code [L, N, H]}, {@code c} of the same
 * shape for an LSTM (else null), and optionally a per-row host context {@code [N, F]} (e.g. the
 * feature vector a conditioned language model appends to every step's input) that follows the rows.
 *
 * <p>Row operations gather on the state's device with one native row gather per tensor ({@link
 * Ops#embedding} over {@code h} seen as an {@code [L*N, H]} table): {@link #select(int[])}
 * (reorder, fork beams, drop finished rows) and {@link #fork(int[])} (the same into a new object).
 * {@link #append} concatenates rows (inputs joining a running batch). This object owns its tensors:
 * {@link #close()} frees them; {@link #state()} is a non-owning {@link RecurrentState} over them
 * for {@link Recurrent#step}, valid until the next row operation.
 */
@SuppressWarnings("try") // scopes opened only to free their tensors
public final class RecurrentRows implements StepState {
  private Tensor h;
  private Tensor c;
  private float[] context;
  private final int contextSize;
  private final int layers;
  private final int hidden;
  private final Device device;
  private int rows;
  private boolean closed;

  private RecurrentRows(Tensor h, Tensor c, float[] context, int contextSize) {
    this.h = h;
    this.c = c;
    this.layers = (int) h.dim(0);
    this.rows = (int) h.dim(1);
    this.hidden = (int) h.dim(2);
    this.device = h.device();
    this.contextSize = contextSize;
    this.context = context;
  }

  /** A zero state for {@code n} rows of {@code layer} (unidirectional). */
  public static RecurrentRows zeros(Recurrent layer, int n) {
    if (Arguments.notNull("layer", layer).directions() != 1) {
      throw new JrnnException("RecurrentRows needs a unidirectional layer");
    }
    if (n < 0) {
      throw new JrnnException("n must be >= 0 but is " + n);
    }
    long[] shape = {layer.layers(), n, layer.hiddenSize()};
    try (Scope s = Scope.open()) {
      Tensor h = Tensor.zeros(layer.device(), shape).keep();
      Tensor c = layer.cell().hasCellState() ? Tensor.zeros(layer.device(), shape).keep() : null;
      return new RecurrentRows(h, c, null, 0);
    }
  }

  /**
   * Takes ownership of {@code h} and {@code c} (detaching them from any scope).
   *
   * @param h {@code [L, N, H]}
   * @param c {@code [L, N, H]} on the same device, or null
   * @param context {@code [N * contextSize]} host values that follow the rows, or null. Not copied:
   *     do not modify it afterwards.
   * @param contextSize F (0 without context)
   */
  public static RecurrentRows own(Tensor h, Tensor c, float[] context, int contextSize) {
    if (h == null || h.rank() != 3) {
      throw new JrnnException(
          "h must be [L, N, H] but is " + (h == null ? "null" : Arrays.toString(h.shape())));
    }
    if (c != null && (!Arrays.equals(c.shape(), h.shape()) || !c.device().equals(h.device()))) {
      throw new JrnnException("c must be " + Arrays.toString(h.shape()) + " on " + h.device());
    }
    int n = (int) h.dim(1);
    if (contextSize < 0
        || (context == null) != (contextSize == 0)
        || (context != null && context.length != (long) n * contextSize)) {
      throw new JrnnException("context must hold N = " + n + " rows of " + contextSize + " values");
    }
    h.keep();
    if (c != null) {
      c.keep();
    }
    return new RecurrentRows(h, c, context, contextSize);
  }

  /** A deep copy of {@code state} (and no context) as rows. */
  public static RecurrentRows copyOf(RecurrentState state) {
    Arguments.notNull("state", state);
    try (Scope s = Scope.open()) {
      Tensor h = state.h().copy();
      Tensor c = state.c() == null ? null : state.c().copy();
      return own(h, c, null, 0);
    }
  }

  // ------------------------------------------------------------------ facts

  @Override
  public int rows() {
    return rows;
  }

  /** L, the layers. */
  public int layers() {
    return layers;
  }

  /** H, the hidden size. */
  public int hiddenSize() {
    return hidden;
  }

  @Override
  public Device device() {
    return device;
  }

  /** {@code h} {@code [L, N, H]} (owned by this object). */
  public Tensor h() {
    checkOpen();
    return h;
  }

  /** {@code c} {@code [L, N, H]} (owned by this object), or null. */
  public Tensor c() {
    checkOpen();
    return c;
  }

  /** The per-row context {@code [N * F]} (shared, do not modify), or null. */
  public float[] context() {
    return context;
  }

  /** F, the context values per row (0: none). */
  public int contextSize() {
    return contextSize;
  }

  /** A non-owning view for {@link Recurrent#step}; valid until the next row operation or close. */
  public RecurrentState state() {
    checkOpen();
    return RecurrentState.of(h, c);
  }

  // ------------------------------------------------------------------ row operations

  @Override
  public void select(int[] order) {
    checkOpen();
    checkRows(order);
    Tensor h2 = gather(h, order);
    Tensor c2;
    try {
      c2 = c == null ? null : gather(c, order);
    } catch (RuntimeException e) {
      h2.close();
      throw e;
    }
    h.close();
    if (c != null) {
      c.close();
    }
    h = h2;
    c = c2;
    context = gatherContext(order);
    rows = order.length;
  }

  /** The rows {@code order} as a new object (this one is unchanged); see {@link #select}. */
  public RecurrentRows fork(int[] order) {
    checkOpen();
    checkRows(order);
    Tensor h2 = gather(h, order);
    Tensor c2;
    try {
      c2 = c == null ? null : gather(c, order);
    } catch (RuntimeException e) {
      h2.close();
      throw e;
    }
    return new RecurrentRows(h2, c2, gatherContext(order), contextSize);
  }

  private void checkRows(int[] order) {
    if (order == null) {
      throw new JrnnException("rows is null");
    }
    for (int i = 0; i < order.length; i++) {
      if (order[i] < 0 || order[i] >= rows) {
        throw new JrnnException(
            "row " + order[i] + " at position " + i + " is outside 0.." + (rows - 1));
      }
    }
  }

  /** Rows {@code order} of {@code t [L, N, H]} as a new kept tensor {@code [L, M, H]}. */
  private Tensor gather(Tensor t, int[] order) {
    int m = order.length;
    if (m == 0 || rows == 0) {
      try (Scope s = Scope.open()) {
        return Tensor.zeros(device, layers, m, hidden).keep();
      }
    }
    int[] ids = new int[layers * m];
    for (int l = 0; l < layers; l++) {
      for (int j = 0; j < m; j++) {
        ids[l * m + j] = l * rows + order[j];
      }
    }
    try (Scope s = Scope.open()) {
      Tensor table = t.view(0, (long) layers * rows, hidden);
      return Ops.embedding(table, ids, layers, m).keep();
    }
  }

  private float[] gatherContext(int[] order) {
    if (context == null) {
      return null;
    }
    float[] out = new float[order.length * contextSize];
    for (int j = 0; j < order.length; j++) {
      System.arraycopy(context, order[j] * contextSize, out, j * contextSize, contextSize);
    }
    return out;
  }

  @Override
  public void append(StepState other) {
    checkOpen();
    Arguments.notNull("other", other);
    if (!(other instanceof RecurrentRows o)) {
      throw new JrnnException(
          "cannot append a " + other.getClass().getSimpleName() + " to RecurrentRows");
    }
    o.checkOpen();
    if (o.layers != layers
        || o.hidden != hidden
        || (o.c == null) != (c == null)
        || o.contextSize != contextSize
        || !o.device.equals(device)) {
      throw new JrnnException(
          "cannot append " + o + " to " + this + ": shapes, cell or device differ");
    }
    if (o.rows == 0) {
      return;
    }
    int total = rows + o.rows;
    Tensor h2 = concat(h, o.h, total);
    Tensor c2;
    try {
      c2 = c == null ? null : concat(c, o.c, total);
    } catch (RuntimeException e) {
      h2.close();
      throw e;
    }
    h.close();
    if (c != null) {
      c.close();
    }
    h = h2;
    c = c2;
    if (context != null) {
      float[] ctx = Arrays.copyOf(context, total * contextSize);
      System.arraycopy(o.context, 0, ctx, rows * contextSize, o.rows * contextSize);
      context = ctx;
    }
    rows = total;
  }

  private Tensor concat(Tensor a, Tensor b, int total) {
    long na = a.dim(1);
    long nb = b.dim(1);
    try (Scope s = Scope.open()) {
      Tensor out = Tensor.zeros(device, layers, total, hidden);
      for (int l = 0; l < layers; l++) {
        if (na > 0) {
          out.view((long) l * total * hidden, na * hidden)
              .copyFrom(a.view(l * na * hidden, na * hidden));
        }
        out.view(((long) l * total + na) * hidden, nb * hidden)
            .copyFrom(b.view(l * nb * hidden, nb * hidden));
      }
      return out.keep();
    }
  }

  @Override
  public RecurrentRows copy() {
    return to(device);
  }

  @Override
  public RecurrentRows to(Device target) {
    checkOpen();
    Arguments.notNull("device", target);
    try (Scope s = Scope.open()) {
      Tensor h2 = h.to(target);
      Tensor c2 = c == null ? null : c.to(target);
      return own(h2, c2, context == null ? null : context.clone(), contextSize);
    }
  }

  // ------------------------------------------------------------------ files

  /**
   * Saves h, c and the context as F32 tensors {@code "h"}, {@code "c"}, {@code "context"}. Atomic.
   */
  public void save(Path path) throws IOException {
    checkOpen();
    Arguments.notNull("path", path);
    SafetensorsWriter w = new SafetensorsWriter().metadata("format", "pt");
    w.putFloats("h", h.toArray(), h.shape());
    if (c != null) {
      w.putFloats("c", c.toArray(), c.shape());
    }
    if (context != null) {
      w.putFloats("context", context, rows, contextSize);
    }
    w.write(path);
  }

  /** Loads what {@link #save} wrote onto {@code device}. */
  public static RecurrentRows load(Path path, Device device) throws IOException {
    Arguments.notNull("path", path);
    Arguments.notNull("device", device);
    try (SafetensorsFile f = SafetensorsFile.open(path);
        Scope s = Scope.open()) {
      long[] shape = f.info("h").shape();
      Tensor h = Tensor.of(device, f.floats("h"), shape);
      Tensor c = f.contains("c") ? Tensor.of(device, f.floats("c"), f.info("c").shape()) : null;
      float[] ctx = null;
      int size = 0;
      if (f.contains("context")) {
        TensorInfo info = f.info("context");
        if (info.rank() != 2
            || shape.length == 3 && info.dim(0) != shape[1]
            || info.dim(1) > Integer.MAX_VALUE) {
          throw new SafetensorsException(
              path,
              "tensor 'context' must be [N, F] with N the rows of 'h' "
                  + TensorInfo.shapeString(shape)
                  + " but is "
                  + TensorInfo.shapeString(info.shape()));
        }
        ctx = f.floats("context");
        size = (int) info.dim(1);
      }
      return own(h, c, ctx, size);
    }
  }

  // ------------------------------------------------------------------ lifetime

  private void checkOpen() {
    if (closed) {
      throw new JrnnException(JrnnException.Status.CLOSED, "RecurrentRows is closed");
    }
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (c != null) {
      c.close();
    }
    h.close();
  }

  @Override
  public String toString() {
    return "RecurrentRows[L="
        + layers
        + ", N="
        + rows
        + ", H="
        + hidden
        + (c != null ? ", lstm" : "")
        + (contextSize > 0 ? ", context=" + contextSize : "")
        + "] on "
        + device
        + (closed ? " (closed)" : "");
  }
}
