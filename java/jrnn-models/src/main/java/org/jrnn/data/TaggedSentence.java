// One sentence of a tagging corpus: tokens with one tag each.
package org.jrnn.data;

import java.util.List;
import org.jrnn.JrnnException;
import org.jrnn.internal.Arguments;

/**
 * Tokens and their tags (same length).
 *
 * @param tokens the tokens in order
 * @param tags one tag per token
 */
public record TaggedSentence(List<String> tokens, List<String> tags) {
  /** Copies both lists; they must have the same length. */
  public TaggedSentence {
    tokens = List.copyOf(Arguments.noNulls("tokens", tokens));
    tags = List.copyOf(Arguments.noNulls("tags", tags));
    if (tokens.size() != tags.size()) {
      throw new JrnnException(tokens.size() + " tokens but " + tags.size() + " tags");
    }
  }

  /** The number of tokens. */
  public int size() {
    return tokens.size();
  }
}
