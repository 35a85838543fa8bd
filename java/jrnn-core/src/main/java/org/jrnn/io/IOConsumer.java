// A consumer that may throw IOException (used by AtomicFiles.write).
package org.jrnn.io;

import java.io.IOException;

/**
 * Accepts a value and may fail with an {@link IOException}.
 *
 * @param <T> the type accepted
 */
@FunctionalInterface
public interface IOConsumer<T> {
  /** Consumes {@code value}. */
  void accept(T value) throws IOException;
}
