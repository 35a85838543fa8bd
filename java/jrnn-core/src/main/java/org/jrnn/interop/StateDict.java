// StateDict: named float tensors as in a PyTorch state_dict, read from / written to safetensors,
// and
// checked against an RnnConfig (every missing, unexpected and mis-shaped key in one message).
package org.jrnn.interop;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jrnn.internal.Quote;
import org.jrnn.io.DType;
import org.jrnn.io.SafetensorsException;
import org.jrnn.io.SafetensorsFile;
import org.jrnn.io.SafetensorsWriter;
import org.jrnn.io.TensorInfo;

/** An ordered map from names to float tensors (shape + row-major values), as a state dict holds. */
public final class StateDict {
  /** One tensor: its shape, its values (row-major) and the dtype it was stored as. */
  public record Entry(long[] shape, float[] values, DType storedAs) {
    public Entry {
      shape = shape.clone();
    }

    @Override
    public long[] shape() {
      return shape.clone();
    }
  }

  private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>();
  private final Map<String, String> metadata = new LinkedHashMap<>();

  /** Adds or replaces an entry (the array is kept, not copied). */
  public StateDict put(String name, long[] shape, float[] values) {
    long n = 1;
    for (long d : shape) {
      if (d < 0) {
        n = -1;
        break;
      }
      n = d == 0 || n <= Long.MAX_VALUE / d ? n * d : -1;
    }
    if (n != values.length) {
      throw new InteropException(
          Quote.quote(name)
              + ": shape "
              + TensorInfo.shapeString(shape)
              + " needs "
              + n
              + " values, got "
              + values.length);
    }
    entries.put(name, new Entry(shape, values, DType.F32));
    return this;
  }

  public Entry get(String name) {
    return entries.get(name);
  }

  public boolean contains(String name) {
    return entries.containsKey(name);
  }

  /** Names in insertion (file) order. */
  public Set<String> names() {
    return Collections.unmodifiableSet(entries.keySet());
  }

  public int size() {
    return entries.size();
  }

  /** The {@code __metadata__} read with the file (or to write with it); modifiable. */
  public Map<String, String> metadata() {
    return metadata;
  }

  // ---------------------------------------------------------------- reading

  /**
   * Reads every tensor of a safetensors file (F32 as is, F64/F16/BF16 converted) and its metadata.
   */
  public static StateDict read(Path file) throws IOException {
    try (SafetensorsFile f = SafetensorsFile.open(file)) {
      return from(f, "");
    }
  }

  /**
   * The tensors of {@code f} whose names start with {@code prefix} (e.g. {@code "encoder.rnn."}),
   * with the prefix removed. Floating-point tensors are converted to float; integer tensors are
   * kept (converted) but {@link #check} reports them, as a state dict of a recurrent stack has
   * none.
   */
  public static StateDict from(SafetensorsFile f, String prefix) throws SafetensorsException {
    StateDict sd = new StateDict();
    sd.metadata.putAll(f.metadata());
    for (TensorInfo t : f.tensors()) {
      if (!t.name().startsWith(prefix)) {
        continue;
      }
      String name = t.name().substring(prefix.length());
      if (!t.dtype().isConvertible()) {
        sd.entries.put(name, new Entry(t.shape(), new float[0], t.dtype()));
        continue;
      }
      sd.entries.put(name, new Entry(t.shape(), f.floats(t.name()), t.dtype()));
    }
    return sd;
  }

  // ---------------------------------------------------------------- checking

  /**
   * Checks that the entries are exactly {@code config}'s parameters with their shapes. Throws one
   * {@link InteropException} naming every missing, unexpected, mis-shaped or non-float entry, e.g.
   * {@code state dict does not fit LSTM(3, 4, ...): missing weight_hh_l0; unexpected weight_ih_l1;
   * bias_ih_l0 has shape [12], expected [16]}.
   */
  public void check(RnnConfig config) {
    LinkedHashMap<String, long[]> want = config.parameterShapes();
    List<String> missing = new ArrayList<>();
    List<String> unexpected = new ArrayList<>();
    List<String> wrong = new ArrayList<>();
    for (Map.Entry<String, long[]> w : want.entrySet()) {
      Entry e = entries.get(w.getKey());
      if (e == null) {
        missing.add(w.getKey());
      } else if (!Arrays.equals(e.shape, w.getValue())) {
        wrong.add(
            w.getKey()
                + " has shape "
                + TensorInfo.shapeString(e.shape)
                + ", expected "
                + Arrays.toString(w.getValue()));
      } else if (!e.storedAs.isFloatingPoint()) {
        wrong.add(w.getKey() + " is " + e.storedAs + ", expected a floating-point tensor");
      }
    }
    for (String name : entries.keySet()) {
      if (!want.containsKey(name)) {
        unexpected.add(name);
      }
    }
    if (missing.isEmpty() && unexpected.isEmpty() && wrong.isEmpty()) {
      return;
    }
    List<String> parts = new ArrayList<>();
    if (!missing.isEmpty()) {
      parts.add("missing " + Quote.list(missing));
    }
    if (!unexpected.isEmpty()) {
      parts.add("unexpected " + Quote.list(unexpected));
    }
    parts.addAll(wrong.subList(0, Math.min(wrong.size(), 4)));
    if (wrong.size() > 4) {
      parts.add("... (" + wrong.size() + " mis-shaped or mistyped)");
    }
    throw new InteropException(
        "state dict does not fit " + config + ": " + String.join("; ", parts));
  }

  // ---------------------------------------------------------------- writing

  /** Adds every entry (as F32, names prefixed with {@code prefix}) to {@code w}. */
  public SafetensorsWriter addTo(SafetensorsWriter w, String prefix) {
    for (Map.Entry<String, Entry> e : entries.entrySet()) {
      w.putFloats(prefix + e.getKey(), e.getValue().values(), e.getValue().shape);
    }
    return w;
  }

  /** Writes the entries (F32) and {@link #metadata()} to {@code file}, atomically. */
  public void write(Path file) throws IOException {
    SafetensorsWriter w = new SafetensorsWriter().metadata(metadata);
    addTo(w, "").write(file);
  }
}
