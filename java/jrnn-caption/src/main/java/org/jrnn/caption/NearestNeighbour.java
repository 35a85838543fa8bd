/*
 * NearestNeighbour: the pixel-space baseline captioner: each image gets the caption of the
 * training image nearest to it (squared Euclidean distance over the pixels).
 */
package org.jrnn.caption;

import java.util.List;
import org.jrnn.JrnnException;

/** Captions by copying the nearest training example's caption. */
public final class NearestNeighbour {
  private final List<float[]> train;
  private final List<String> captions;

  /**
   * @param train training vectors (e.g. composited RGB pixels), all of one length
   * @param captions their captions
   */
  public NearestNeighbour(List<float[]> train, List<String> captions) {
    if (train.size() != captions.size() || train.isEmpty()) {
      throw new JrnnException("need as many captions as training vectors, at least one");
    }
    this.train = train;
    this.captions = captions;
  }

  /** The index of the nearest training vector (the first on a tie). */
  public int nearest(float[] x) {
    int best = -1;
    double bestD = Double.POSITIVE_INFINITY;
    for (int i = 0; i < train.size(); i++) {
      float[] t = train.get(i);
      if (t.length != x.length) {
        throw new JrnnException(
            "vector of " + x.length + " values; training vectors have " + t.length);
      }
      double d = 0;
      for (int k = 0; k < t.length && d < bestD; k++) {
        double diff = t[k] - x[k];
        d += diff * diff;
      }
      if (d < bestD) {
        bestD = d;
        best = i;
      }
    }
    return best;
  }

  /** The caption of the nearest training vector. */
  public String caption(float[] x) {
    return captions.get(nearest(x));
  }
}
