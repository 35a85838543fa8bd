// One labelled text, as read from a TSV, JSONL or JSON array file.
package org.jrnn.data;

/**
 * A text with its class label (as a string; map labels to ids with {@link LabelIndex}).
 *
 * @param text  the text
 * @param label the label, e.g. "1" or "positive"
 */
public record LabelledExample(String text, String label) {
}
