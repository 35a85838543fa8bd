/*
 * TextTable: plain-text tables and counts for the toString of layers and models and for the
 * notebook display (one format for both).
 */
package org.jrnn.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Plain-text tables (space-aligned columns) and thousands-separated counts. */
public final class TextTable {
  private TextTable() {}

  /** {@code n} with thousands separators ({@code 1,234,567}). */
  public static String count(long n) {
    return String.format(Locale.ROOT, "%,d", n);
  }

  /**
   * A table: a header row and {@code rows}, each column as wide as its widest cell, right-aligned
   * where {@code right[c]}; one line per row, no trailing spaces.
   */
  public static String table(String[] head, List<String[]> rows, boolean[] right) {
    int[] w = new int[head.length];
    for (int c = 0; c < head.length; c++) {
      w[c] = head[c].length();
      for (String[] r : rows) {
        w[c] = Math.max(w[c], r[c].length());
      }
    }
    StringBuilder sb = new StringBuilder();
    List<String[]> all = new ArrayList<>();
    all.add(head);
    all.addAll(rows);
    for (String[] r : all) {
      sb.append(' ');
      for (int c = 0; c < head.length; c++) {
        String cell = r[c];
        String pad = " ".repeat(w[c] - cell.length());
        sb.append(' ').append(right[c] ? pad + cell : cell + pad).append(' ');
      }
      sb.setLength(sb.length() - 1);
      sb.append('\n');
    }
    return sb.toString().replaceAll(" +\n", "\n");
  }
}
