// One source/target pair, e.g. a sentence and its translation.
package org.jrnn.data;

/**
 * A source text and its target text.
 *
 * @param source the input side
 * @param target the output side
 */
public record TextPair(String source, String target) {
}
