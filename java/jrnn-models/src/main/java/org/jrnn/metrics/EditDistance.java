/*
 * EditDistance: the Levenshtein distance between two token sequences (insertions, deletions and
 * substitutions, each costing 1), the numerator of word, character and phoneme error rates.
 */
package org.jrnn.metrics;

import java.util.List;
import java.util.Objects;
import org.jrnn.internal.Arguments;

/**
 * Levenshtein distance: the least number of single-token insertions, deletions and substitutions
 * that turn one sequence into the other. Tokens are compared with {@link Objects#equals}; O(n m)
 * time and O(min(n, m)) memory.
 */
public final class EditDistance {
  private EditDistance() {}

  /**
   * The edit distance between two token lists.
   *
   * @throws org.jrnn.JrnnException if either list is null
   */
  public static int levenshtein(List<?> reference, List<?> hypothesis) {
    Arguments.notNull("reference", reference);
    Arguments.notNull("hypothesis", hypothesis);
    List<?> a = reference.size() >= hypothesis.size() ? reference : hypothesis;
    List<?> b = a == reference ? hypothesis : reference;
    // one row over the shorter sequence b: row[j] = distance(a[0..i), b[0..j))
    int[] row = new int[b.size() + 1];
    for (int j = 0; j <= b.size(); j++) {
      row[j] = j;
    }
    for (int i = 1; i <= a.size(); i++) {
      Object x = a.get(i - 1);
      int diagonal = row[0];
      row[0] = i;
      for (int j = 1; j <= b.size(); j++) {
        int above = row[j];
        int substitute = diagonal + (Objects.equals(x, b.get(j - 1)) ? 0 : 1);
        row[j] = Math.min(substitute, Math.min(above, row[j - 1]) + 1);
        diagonal = above;
      }
    }
    return row[b.size()];
  }

  /**
   * The edit distance between two id sequences.
   *
   * @throws org.jrnn.JrnnException if either array is null
   */
  public static int levenshtein(int[] reference, int[] hypothesis) {
    Arguments.notNull("reference", reference);
    Arguments.notNull("hypothesis", hypothesis);
    int[] a = reference.length >= hypothesis.length ? reference : hypothesis;
    int[] b = a == reference ? hypothesis : reference;
    int[] row = new int[b.length + 1];
    for (int j = 0; j <= b.length; j++) {
      row[j] = j;
    }
    for (int i = 1; i <= a.length; i++) {
      int x = a[i - 1];
      int diagonal = row[0];
      row[0] = i;
      for (int j = 1; j <= b.length; j++) {
        int above = row[j];
        int substitute = diagonal + (x == b[j - 1] ? 0 : 1);
        row[j] = Math.min(substitute, Math.min(above, row[j - 1]) + 1);
        diagonal = above;
      }
    }
    return row[b.length];
  }
}
