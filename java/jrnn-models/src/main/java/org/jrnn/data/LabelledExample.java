// One labelled text, as read from a TSV, JSONL or JSON array file.
package org.jrnn.data;

import org.jrnn.internal.Arguments;

/**
 * A text with its class label (as a string; map labels to ids with {@link LabelIndex}).
 *
 * @param text the text (not null)
 * @param label the label, e.g. "1" or "positive" (not null)
 */
public record LabelledExample(String text, String label) {
  /** Checks neither part is null. */
  public LabelledExample {
    Arguments.notNull("text", text);
    Arguments.notNull("label", label);
  }
}
