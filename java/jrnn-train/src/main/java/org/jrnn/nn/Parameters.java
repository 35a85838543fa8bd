/*
 * Parameters: helpers to name and combine the parameter lists of nested modules.
 */
package org.jrnn.nn;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jrnn.internal.Arguments;

/** Builds a model's parameter list from its parts' lists. */
public final class Parameters {
  private Parameters() {}

  /** The module's parameters renamed {@code prefix + "." + name} (same tensors). */
  public static List<Parameter> prefixed(String prefix, Trainable module) {
    Arguments.notNull("prefix", prefix);
    Arguments.notNull("module", module);
    List<Parameter> out = new ArrayList<>();
    for (Parameter p : module.parameters()) {
      out.add(new Parameter(prefix + "." + p.name(), p.value(), p.grad()));
    }
    return out;
  }

  /** The parameters by name, in order. */
  public static Map<String, Parameter> byName(Trainable module) {
    Arguments.notNull("module", module);
    Map<String, Parameter> out = new LinkedHashMap<>();
    for (Parameter p : module.parameters()) {
      out.put(p.name(), p);
    }
    return out;
  }
}
