// A batch of token-id sequences padded to the longest one, time-major like org.jrnn.SequenceBatch.
package org.jrnn.data;

import java.util.List;

/**
 * Token ids of {@code size} sequences padded to {@code maxLength} steps, stored time-major
 * ({@code ids[t * size + n]}, the layout of {@code org.jrnn.SequenceBatch}), with each sequence's length.
 *
 * @param ids       the padded ids, time-major
 * @param lengths   the real length of each sequence
 * @param size      N, the number of sequences
 * @param maxLength T, the longest length
 */
public record PaddedBatch(int[] ids, int[] lengths, int size, int maxLength) {

    /**
     * Pads {@code sequences.get(i)} for each {@code i} of {@code indices} (e.g. one batch from {@link Batches}),
     * in that order, with {@link Vocabulary#PAD_ID}.
     */
    public static PaddedBatch of(List<int[]> sequences, int[] indices) {
        return of(sequences, indices, Vocabulary.PAD_ID);
    }

    /** As {@link #of(List, int[])} with another padding id. */
    public static PaddedBatch of(List<int[]> sequences, int[] indices, int padId) {
        int n = indices.length;
        int[] lengths = new int[n];
        int t = 0;
        for (int k = 0; k < n; k++) {
            lengths[k] = sequences.get(indices[k]).length;
            t = Math.max(t, lengths[k]);
        }
        int[] ids = new int[t * n];
        java.util.Arrays.fill(ids, padId);
        for (int k = 0; k < n; k++) {
            int[] s = sequences.get(indices[k]);
            for (int step = 0; step < s.length; step++) {
                ids[step * n + k] = s[step];
            }
        }
        return new PaddedBatch(ids, lengths, n, t);
    }

    /** The id at step {@code t} of sequence {@code n} (padding past its length). */
    public int id(int t, int n) {
        return ids[t * size + n];
    }

    /** The ids batch-first ({@code [n * maxLength + t]}). */
    public int[] batchFirst() {
        int[] out = new int[ids.length];
        for (int n = 0; n < size; n++) {
            for (int t = 0; t < maxLength; t++) {
                out[n * maxLength + t] = ids[t * size + n];
            }
        }
        return out;
    }
}
