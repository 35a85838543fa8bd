// One source/target pair, e.g. a sentence and its translation.
package org.jrnn.data;

import org.jrnn.internal.Arguments;

/**
 * A source text and its target text.
 *
 * @param source the input side (not null)
 * @param target the output side (not null)
 */
public record TextPair(String source, String target) {
  /** Checks neither side is null. */
  public TextPair {
    Arguments.notNull("source", source);
    Arguments.notNull("target", target);
  }
}
