/*
 * ParameterTable: the plain-text summary of a layer's or model's parameters that their toString
 * prints (and the notebook display shows).
 */
package org.jrnn.nn;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jrnn.internal.TextTable;

/** The parameters of a {@link Trainable} as a plain-text table. */
public final class ParameterTable {
  private ParameterTable() {}

  /**
   * {@code Name (kind) on device: N parameters in M tensors} followed by one row per parameter
   * (module, parameter, shape, count, the module's total).
   *
   * @param kind shown in parentheses after the class name, or null for none
   */
  public static String describe(Trainable m, String kind) {
    StringBuilder sb = new StringBuilder(m.getClass().getSimpleName());
    if (kind != null) {
      sb.append(" (").append(kind).append(')');
    }
    List<Parameter> ps = m.parameters();
    sb.append(" on ")
        .append(m.device())
        .append(": ")
        .append(TextTable.count(m.parameterCount()))
        .append(" parameters in ")
        .append(ps.size())
        .append(ps.size() == 1 ? " tensor\n" : " tensors\n");
    Map<String, Long> perModule = new LinkedHashMap<>();
    for (Parameter p : ps) {
      perModule.merge(module(p), p.value().numel(), Long::sum);
    }
    List<String[]> rows = new ArrayList<>();
    String last = null;
    for (Parameter p : ps) {
      String mod = module(p);
      int dot = p.name().indexOf('.');
      String leaf = dot < 0 ? p.name() : p.name().substring(dot + 1);
      boolean first = !mod.equals(last);
      rows.add(
          new String[] {
            first ? mod : "",
            leaf,
            Arrays.toString(p.value().shape()),
            TextTable.count(p.value().numel()),
            first ? TextTable.count(perModule.get(mod)) : ""
          });
      last = mod;
    }
    sb.append(
        TextTable.table(
            new String[] {"module", "parameter", "shape", "count", "module total"},
            rows,
            new boolean[] {false, false, false, true, true}));
    return sb.toString().stripTrailing();
  }

  private static String module(Parameter p) {
    int dot = p.name().indexOf('.');
    return dot < 0 ? "" : p.name().substring(0, dot);
  }
}
