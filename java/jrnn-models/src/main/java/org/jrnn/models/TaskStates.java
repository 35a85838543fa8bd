/*
 * TaskStates: reading the values of a ResumableTask.State with messages that name the key.
 */
package org.jrnn.models;

import org.jrnn.JrnnException;
import org.jrnn.internal.Quote;
import org.jrnn.train.ResumableTask;

final class TaskStates {
  private TaskStates() {}

  static long longValue(ResumableTask.State state, String key) {
    String v = state.values().get(key);
    if (v == null) {
      throw new JrnnException("training state has no \"" + key + "\"");
    }
    try {
      return Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw new JrnnException(
          "training state \"" + key + "\" is not an integer: " + Quote.quote(v), e);
    }
  }
}
