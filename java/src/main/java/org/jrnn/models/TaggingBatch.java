/*
 * TaggingBatch: padded token ids of N sentences and one tag per token (-1 at padding).
 */
package org.jrnn.models;

import java.util.List;
import org.jrnn.JrnnException;
import org.jrnn.data.PaddedBatch;

/**
 * The input of {@link SequenceTagger}.
 *
 * @param tokens ids {@code [T, N]} time-major with each sentence's length
 * @param tags tag ids {@code [T, N]} time-major, -1 past each sentence's length
 */
public record TaggingBatch(PaddedBatch tokens, int[] tags) {
  public TaggingBatch {
    if (tags.length != tokens.ids().length) {
      throw new JrnnException(
          "tags has " + tags.length + " entries but tokens has " + tokens.ids().length);
    }
  }

  /** The sentences {@code indices} of parallel token and tag lists, padded (tags with -1). */
  public static TaggingBatch of(List<int[]> tokens, List<int[]> tags, int[] indices) {
    for (int i : indices) {
      if (tokens.get(i).length != tags.get(i).length) {
        throw new JrnnException("sentence " + i + " has " + tokens.get(i).length
            + " tokens but " + tags.get(i).length + " tags");
      }
    }
    return new TaggingBatch(PaddedBatch.of(tokens, indices), PaddedBatch.of(tags, indices, -1).ids());
  }

  /** N, the number of sentences. */
  public int size() {
    return tokens.size();
  }
}
