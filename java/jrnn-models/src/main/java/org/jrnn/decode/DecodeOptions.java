/*
 * DecodeOptions: how the decoders of org.jrnn.decode pick tokens (greedy, sampling, beam search)
 * and the limits and constraints they apply.
 */
package org.jrnn.decode;

import org.jrnn.JrnnException;
import org.jrnn.data.Vocabulary;

/**
 * Settings of {@link Decoders#decode}. The strategy follows from the settings: {@code beamSize > 1}
 * is beam search; else {@code temperature > 0} is sampling; else greedy (argmax, the lowest id on a
 * tie). Build with {@link #builder()}; every setter checks its value.
 *
 * <ul>
 *   <li>{@code maxLength}: the most tokens per sequence, the end token not counted; a sequence that
 *       reaches it stops there ({@link Hypothesis#ended()} false). Default 20.
 *   <li>{@code minLength}: the end token is forbidden before this many tokens. Default 0.
 *   <li>{@code noRepeatNgram}: n &gt; 0 forbids any token that would repeat an n-gram already in
 *       the sequence. Default 0 (off).
 *   <li>{@code startToken}/{@code endToken}: defaults {@code <bos>}/{@code <eos>}; the end token
 *       can be given per input too ({@link Decoders#decode(StepModel, java.util.List, int[],
 *       DecodeOptions, java.util.function.Consumer)}).
 *   <li>{@code suppress}: tokens never generated (e.g. {@code <pad>} and {@code <bos>}). Default
 *       none.
 *   <li>{@code maxActive}: the most inputs decoded together (a batch); when one finishes the next
 *       waiting input joins. 0: all at once. Default 0.
 *   <li>beam search: {@code beamSize} (at most {@link #MAX_BEAM_SIZE}), {@code nBest} (hypotheses
 *       returned, {@code <= beamSize}), {@code lengthPenalty}, {@code earlyStopping} (stop an input
 *       once it has {@code beamSize} finished hypotheses, as Hugging Face's {@code
 *       early_stopping=True}; default off: stop when no live beam can still beat the {@code nBest}
 *       kept, which gives the exact best under the penalty when the beam is wide enough, and
 *       usually few extra steps without a penalty).
 *   <li>sampling: {@code temperature}, {@code topK} (0: all), {@code topP} (1: all), {@code seed}.
 *       Input i draws from its own generator seeded by {@code (seed, i)}, so its sample does not
 *       depend on the batch.
 * </ul>
 */
public final class DecodeOptions {
  /** The strategies. */
  public enum Strategy {
    GREEDY,
    SAMPLE,
    BEAM
  }

  /** The widest beam {@link Builder#beamSize} accepts. */
  public static final int MAX_BEAM_SIZE = 1000;

  final int maxLength;
  final int minLength;
  final int beamSize;
  final int nBest;
  final LengthPenalty lengthPenalty;
  final boolean earlyStopping;
  final int noRepeatNgram;
  final int startToken;
  final int endToken;
  final int maxActive;
  final int[] suppress;
  final double temperature;
  final int topK;
  final double topP;
  final long seed;

  private DecodeOptions(Builder b) {
    maxLength = b.maxLength;
    minLength = b.minLength;
    beamSize = b.beamSize;
    nBest = b.nBest;
    lengthPenalty = b.lengthPenalty;
    earlyStopping = b.earlyStopping;
    noRepeatNgram = b.noRepeatNgram;
    startToken = b.startToken;
    endToken = b.endToken;
    maxActive = b.maxActive;
    suppress = b.suppress.clone();
    temperature = b.temperature;
    topK = b.topK;
    topP = b.topP;
    seed = b.seed;
  }

  /** Greedy decoding with the defaults. */
  public static DecodeOptions greedy() {
    return builder().build();
  }

  /** Beam search of width {@code beamSize} with the defaults. */
  public static DecodeOptions beam(int beamSize) {
    return builder().beamSize(beamSize).build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding these settings. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.maxLength = maxLength;
    b.minLength = minLength;
    b.beamSize = beamSize;
    b.nBest = nBest;
    b.lengthPenalty = lengthPenalty;
    b.earlyStopping = earlyStopping;
    b.noRepeatNgram = noRepeatNgram;
    b.startToken = startToken;
    b.endToken = endToken;
    b.maxActive = maxActive;
    b.suppress = suppress.clone();
    b.temperature = temperature;
    b.topK = topK;
    b.topP = topP;
    b.seed = seed;
    return b;
  }

  /** The strategy these settings select. */
  public Strategy strategy() {
    if (beamSize > 1) {
      return Strategy.BEAM;
    }
    return temperature > 0 ? Strategy.SAMPLE : Strategy.GREEDY;
  }

  public int maxLength() {
    return maxLength;
  }

  public int minLength() {
    return minLength;
  }

  public int beamSize() {
    return beamSize;
  }

  public int nBest() {
    return nBest;
  }

  public LengthPenalty lengthPenalty() {
    return lengthPenalty;
  }

  public boolean earlyStopping() {
    return earlyStopping;
  }

  public int noRepeatNgram() {
    return noRepeatNgram;
  }

  public int startToken() {
    return startToken;
  }

  public int endToken() {
    return endToken;
  }

  public int maxActive() {
    return maxActive;
  }

  /** The tokens never generated (a copy). */
  public int[] suppress() {
    return suppress.clone();
  }

  public double temperature() {
    return temperature;
  }

  public int topK() {
    return topK;
  }

  public double topP() {
    return topP;
  }

  public long seed() {
    return seed;
  }

  @Override
  public String toString() {
    return "DecodeOptions["
        + strategy()
        + ", maxLength="
        + maxLength
        + ", minLength="
        + minLength
        + ", beam="
        + beamSize
        + ", nBest="
        + nBest
        + ", penalty="
        + lengthPenalty
        + ", earlyStopping="
        + earlyStopping
        + ", noRepeatNgram="
        + noRepeatNgram
        + ", start="
        + startToken
        + ", end="
        + endToken
        + ", maxActive="
        + maxActive
        + ", suppress="
        + java.util.Arrays.toString(suppress)
        + ", temperature="
        + temperature
        + ", topK="
        + topK
        + ", topP="
        + topP
        + ", seed="
        + seed
        + "]";
  }

  /** Builds {@link DecodeOptions}; the defaults are those listed on the class. */
  public static final class Builder {
    private int maxLength = 20;
    private int minLength = 0;
    private int beamSize = 1;
    private int nBest = 1;
    private LengthPenalty lengthPenalty = LengthPenalty.NONE;
    private boolean earlyStopping = false;
    private int noRepeatNgram = 0;
    private int startToken = Vocabulary.BOS_ID;
    private int endToken = Vocabulary.EOS_ID;
    private int maxActive = 0;
    private int[] suppress = new int[0];
    private double temperature = 0;
    private int topK = 0;
    private double topP = 1.0;
    private long seed = 0;

    private Builder() {}

    private static int atLeast(String name, int v, int min) {
      if (v < min) {
        throw new JrnnException(name + " must be >= " + min + " but is " + v);
      }
      return v;
    }

    public Builder maxLength(int v) {
      maxLength = atLeast("maxLength", v, 1);
      return this;
    }

    public Builder minLength(int v) {
      minLength = atLeast("minLength", v, 0);
      return this;
    }

    /** The beam width, {@code 1..}{@link #MAX_BEAM_SIZE} (1: greedy or sampling). */
    public Builder beamSize(int v) {
      if (v < 1 || v > MAX_BEAM_SIZE) {
        throw new JrnnException("beamSize must be in 1.." + MAX_BEAM_SIZE + " but is " + v);
      }
      beamSize = v;
      return this;
    }

    /** The hypotheses returned per input, {@code 1..beamSize} (checked by {@link #build()}). */
    public Builder nBest(int v) {
      nBest = atLeast("nBest", v, 1);
      return this;
    }

    public Builder lengthPenalty(LengthPenalty v) {
      if (v == null) {
        throw new JrnnException("lengthPenalty is null");
      }
      lengthPenalty = v;
      return this;
    }

    public Builder earlyStopping(boolean v) {
      earlyStopping = v;
      return this;
    }

    public Builder noRepeatNgram(int v) {
      noRepeatNgram = atLeast("noRepeatNgram", v, 0);
      return this;
    }

    /**
     * The first token fed, an id {@code >= 0} below the model's vocabulary size (checked by the
     * decoder).
     */
    public Builder startToken(int v) {
      startToken = atLeast("startToken", v, 0);
      return this;
    }

    /**
     * The token that ends a sequence, an id {@code >= 0} below the model's vocabulary size (checked
     * by the decoder).
     */
    public Builder endToken(int v) {
      endToken = atLeast("endToken", v, 0);
      return this;
    }

    public Builder maxActive(int v) {
      maxActive = atLeast("maxActive", v, 0);
      return this;
    }

    /**
     * Tokens never generated (ids {@code >= 0} below the model's vocabulary size, checked by the
     * decoder).
     */
    public Builder suppress(int... tokens) {
      if (tokens == null) {
        throw new JrnnException("suppress is null (give no tokens for none)");
      }
      for (int i = 0; i < tokens.length; i++) {
        if (tokens[i] < 0) {
          throw new JrnnException(
              "suppress[" + i + "] = " + tokens[i] + " must be a token id >= 0");
        }
      }
      suppress = tokens.clone();
      return this;
    }

    public Builder temperature(double v) {
      if (!(v >= 0) || Double.isInfinite(v)) {
        throw new JrnnException("temperature must be finite and >= 0 (0: no sampling) but is " + v);
      }
      temperature = v;
      return this;
    }

    /** Sample among the {@code v} most likely tokens; 0 (the default) for all. */
    public Builder topK(int v) {
      if (v < 0) {
        throw new JrnnException("topK must be >= 0 (0: all tokens) but is " + v);
      }
      topK = v;
      return this;
    }

    public Builder topP(double v) {
      if (!(v > 0 && v <= 1)) {
        throw new JrnnException("topP must be in (0, 1] but is " + v);
      }
      topP = v;
      return this;
    }

    public Builder seed(long v) {
      seed = v;
      return this;
    }

    public DecodeOptions build() {
      if (minLength > maxLength) {
        throw new JrnnException(
            "minLength "
                + minLength
                + " exceeds maxLength "
                + maxLength
                + " (minLength must be in 0..maxLength)");
      }
      if (nBest > beamSize) {
        throw new JrnnException(
            "nBest " + nBest + " exceeds beamSize " + beamSize + " (nBest must be in 1..beamSize)");
      }
      if (beamSize > 1 && temperature > 0) {
        throw new JrnnException("beam search does not sample: leave temperature at 0");
      }
      return new DecodeOptions(this);
    }
  }
}
