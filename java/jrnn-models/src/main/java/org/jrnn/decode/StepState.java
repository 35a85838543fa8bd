/*
 * StepState: the per-row state of a step model that Decoders reorders, forks, compacts and
 * extends between steps.
 */
package org.jrnn.decode;

import org.jrnn.Device;

/**
 * The state of {@link #rows()} independent sequences of a {@link StepModel}. Row operations work in
 * place so {@link Decoders} needs one gather per step whatever happened (beams reordered or forked,
 * sequences finished, inputs joining). Implementations own their memory: {@link #close()} frees it.
 */
public interface StepState extends AutoCloseable {

  /** The number of rows. */
  int rows();

  /**
   * Keeps the rows {@code rows} in that order: new row {@code j} is old row {@code rows[j]}. A row
   * may appear several times (forking beams) or not at all (finished sequences are compacted away).
   * An empty array leaves no rows.
   *
   * @param rows indices in {@code 0..rows()-1}. Not modified.
   */
  void select(int[] rows);

  /**
   * Appends the rows of {@code other} after this state's rows (sequences joining mid-batch).
   *
   * @param other a state of the same kind and device. Not modified; the caller still closes it.
   */
  void append(StepState other);

  /** A deep copy (owned by the caller). */
  StepState copy();

  /** A deep copy on {@code device} (owned by the caller). */
  StepState to(Device device);

  /** Where the state lives. */
  Device device();

  /** Frees the state. Idempotent. */
  @Override
  void close();
}
