/*
 * TaggingBatch: padded token ids of N sentences and one tag per token (-1 at padding).
 */
package org.jrnn.models;

import java.util.List;
import org.jrnn.JrnnException;
import org.jrnn.data.PaddedBatch;
import org.jrnn.internal.Arguments;

/**
 * The input of {@link SequenceTagger}.
 *
 * @param tokens ids {@code [T, N]} time-major with each sentence's length
 * @param tags tag ids {@code [T, N]} time-major, -1 past each sentence's length
 */
public record TaggingBatch(PaddedBatch tokens, int[] tags) {
  /**
   * Checks the parts agree.
   *
   * @throws JrnnException if either is null or there is not one tag per padded position
   */
  public TaggingBatch {
    Arguments.notNull("tokens", tokens);
    Arguments.notNull("tags", tags);
    if (tags.length != tokens.ids().length) {
      throw new JrnnException(
          "tags has " + tags.length + " entries but tokens has " + tokens.ids().length);
    }
  }

  /** The sentences {@code indices} of parallel token and tag lists, padded (tags with -1). */
  public static TaggingBatch of(List<int[]> tokens, List<int[]> tags, int[] indices) {
    Arguments.notNull("tokens", tokens);
    Arguments.notNull("tags", tags);
    Arguments.notNull("indices", indices);
    if (tokens.size() != tags.size()) {
      throw new JrnnException(tokens.size() + " token lists but " + tags.size() + " tag lists");
    }
    for (int i : indices) {
      if (i < 0 || i >= tokens.size()) {
        throw new JrnnException(
            "index " + i + " is outside 0.." + (tokens.size() - 1) + " (the sentences)");
      }
      Arguments.notNull("tokens " + i, tokens.get(i));
      Arguments.notNull("tags " + i, tags.get(i));
      if (tokens.get(i).length != tags.get(i).length) {
        throw new JrnnException(
            "sentence "
                + i
                + " has "
                + tokens.get(i).length
                + " tokens but "
                + tags.get(i).length
                + " tags");
      }
    }
    return new TaggingBatch(
        PaddedBatch.of(tokens, indices), PaddedBatch.of(tags, indices, -1).ids());
  }

  /** N, the number of sentences. */
  public int size() {
    return tokens.size();
  }
}
