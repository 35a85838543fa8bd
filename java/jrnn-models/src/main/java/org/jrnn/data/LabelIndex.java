// Maps string labels to class ids 0..K-1 deterministically (numeric order if all are integers,
// else code point order); saved as JSON with a model.
package org.jrnn.data;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.jrnn.JrnnException;
import org.jrnn.internal.Arguments;
import org.jrnn.internal.Quote;
import org.jrnn.io.Json;

/**
 * The class labels of a data set and their ids. Ids follow the sorted order of the distinct labels:
 * numeric if every label is an integer ("2" before "10"), otherwise by Unicode code points.
 * Mirrored by {@code label_ids()} in scripts/lib_torch_common.py.
 */
public final class LabelIndex {
  private final List<String> labels;
  private final Map<String, Integer> ids = new HashMap<>();

  private LabelIndex(List<String> labels) {
    this.labels = List.copyOf(labels);
    for (int i = 0; i < labels.size(); i++) {
      if (ids.put(labels.get(i), i) != null) {
        throw new JrnnException("duplicate label " + Quote.quote(labels.get(i)));
      }
    }
  }

  /** The index of the distinct labels among {@code labels}, sorted as described above. */
  public static LabelIndex of(Collection<String> labels) {
    Arguments.noNulls("labels", labels);
    TreeSet<String> distinct = new TreeSet<>(Vocabulary::compareCodePoints);
    distinct.addAll(labels);
    List<String> sorted = new ArrayList<>(distinct);
    if (sorted.stream().allMatch(LabelIndex::isInteger)) {
      sorted.sort((a, b) -> new java.math.BigInteger(a).compareTo(new java.math.BigInteger(b)));
    }
    return new LabelIndex(sorted);
  }

  /** The index of the labels of {@code examples}. */
  public static LabelIndex ofExamples(Collection<LabelledExample> examples) {
    Arguments.noNulls("examples", examples);
    List<String> labels = new ArrayList<>(examples.size());
    examples.forEach(e -> labels.add(e.label()));
    return of(labels);
  }

  private static boolean isInteger(String s) {
    return s.matches("[+-]?[0-9]+");
  }

  /** The number of classes. */
  public int size() {
    return labels.size();
  }

  /**
   * The id of {@code label}.
   *
   * @throws JrnnException for a label not in the index
   */
  public int id(String label) {
    Integer id = ids.get(label);
    if (id == null) {
      throw new JrnnException(
          "unknown label " + Quote.quote(label) + " (known: " + "[" + Quote.list(labels) + "])");
    }
    return id;
  }

  /** The label of class {@code id}. */
  public String label(int id) {
    if (id < 0 || id >= labels.size()) {
      throw new JrnnException("class id " + id + " is outside 0.." + (labels.size() - 1));
    }
    return labels.get(id);
  }

  /** The labels in id order. */
  public List<String> labels() {
    return labels;
  }

  /** The class ids of {@code examples}, in order. */
  public int[] ids(List<LabelledExample> examples) {
    Arguments.noNulls("examples", examples);
    int[] out = new int[examples.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = id(examples.get(i).label());
    }
    return out;
  }

  /** {@code {"labels":["neg","pos"]}}. */
  public String toJson() {
    return Json.write(Map.of("labels", labels));
  }

  /**
   * Restores an index saved by {@link #toJson()} (ids as saved).
   *
   * @throws JrnnException if {@code json} is not a saved label index
   */
  public static LabelIndex fromJson(String json) {
    Arguments.notNull("label index JSON", json);
    Json.Fields o;
    try {
      o = Json.parseFields(json, "saved label index");
    } catch (JrnnException e) {
      throw new JrnnException("not a saved label index: " + Quote.reason(e), e);
    }
    return new LabelIndex(o.strings("labels"));
  }
}
