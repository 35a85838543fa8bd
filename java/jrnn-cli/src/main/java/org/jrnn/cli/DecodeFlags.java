// DecodeFlags: the decoding options of the commands that generate (caption, generate, eval): beam
// width, n-best, length penalty, minimum length, n-gram blocking and sampling, read into one
// DecodeOptions builder so that every command checks them the same way.
package org.jrnn.cli;

import java.util.HashSet;
import java.util.Set;
import org.jrnn.JrnnException;
import org.jrnn.cli.Command.UsageException;
import org.jrnn.decode.DecodeOptions;
import org.jrnn.decode.LengthPenalty;
import org.jrnn.internal.Quote;

/**
 * Reads {@code --beam}, {@code --nbest}, {@code --length-penalty}, ... into {@link DecodeOptions}.
 */
final class DecodeFlags {
  /** Beam search and constraints: every generating command takes these. */
  static final Set<String> SEARCH = Set.of("beam", "length-penalty", "min-len", "no-repeat-ngram");

  /** Sampling: the commands that print generated text take these. */
  static final Set<String> SAMPLING = Set.of("temperature", "top-k", "top-p", "seed");

  /** The help lines of {@link #SEARCH}. */
  static final String SEARCH_HELP =
      String.join(
          "\n",
          "  --beam K            beam width (default 1: greedy, or sampling where T > 0)",
          "  --length-penalty P  none (default), average, gnmt:ALPHA (beam search ranking)",
          "  --min-len N         the end token is forbidden before N tokens (default 0)",
          "  --no-repeat-ngram N forbid repeating any N-gram (default 0: off)");

  private DecodeFlags() {}

  /** {@code own} with the given option sets added. */
  @SafeVarargs
  static Set<String> with(Set<String> own, Set<String>... more) {
    Set<String> all = new HashSet<>(own);
    for (Set<String> m : more) {
      all.addAll(m);
    }
    return Set.copyOf(all);
  }

  /**
   * What a command samples with when its user names no option: {@code temperature} 0 for greedy
   * (then {@code --top-k}, {@code --top-p} and {@code --seed} need {@code --temperature}), or
   * {@code > 0} to sample by default (then {@code --temperature 0} is greedy).
   *
   * @param temperature the default temperature
   * @param seed the default seed of the draws
   * @param nBest whether the command takes {@code --nbest} (default: the beam width K)
   */
  record Defaults(double temperature, long seed, boolean nBest) {}

  /**
   * The decoding settings of a command line. The caller sets what it names otherwise (the length
   * limit, suppressed tokens) on the returned builder, then calls {@link #build}.
   *
   * @throws UsageException naming the option: a value out of range, sampling with a beam, sampling
   *     options without sampling, an unknown length penalty
   */
  static DecodeOptions.Builder read(CliOptions o, Defaults d) {
    int beam = o.integer("beam", 1, 1, DecodeOptions.MAX_BEAM_SIZE);
    DecodeOptions.Builder b =
        DecodeOptions.builder()
            .beamSize(beam)
            .minLength(o.integer("min-len", 0, 0, 10_000))
            .noRepeatNgram(o.integer("no-repeat-ngram", 0, 0, 100));
    if (d.nBest()) {
      b.nBest(o.integer("nbest", beam, 1, beam));
    }
    try {
      b.lengthPenalty(LengthPenalty.parse(o.string("length-penalty", "none")));
    } catch (JrnnException e) {
      throw new UsageException("--length-penalty: " + Quote.cut(e.getMessage()));
    }
    double temperature = d.temperature();
    if (o.has("temperature")) {
      if (beam > 1) {
        throw new UsageException("--temperature samples; it does not combine with --beam");
      }
      double min = d.temperature() > 0 ? 0 : Double.MIN_VALUE;
      temperature = o.number("temperature", 1, min, 1e6);
    }
    boolean sampling = beam == 1 && temperature > 0;
    if (sampling) {
      b.temperature(temperature)
          .topK(o.integer("top-k", 0, 0, Integer.MAX_VALUE))
          .topP(o.number("top-p", 1, Double.MIN_VALUE, 1))
          .seed(o.longValue("seed", d.seed(), Long.MIN_VALUE));
    } else if (o.has("top-k") || o.has("top-p") || o.has("seed")) {
      throw new UsageException(
          beam > 1
              ? "--top-k, --top-p and --seed sample; they do not combine with --beam"
              : "--top-k, --top-p and --seed need --temperature");
    }
    return b;
  }

  /**
   * Builds, turning a conflict between the settings (e.g. minLength above maxLength) into a usage
   * error.
   */
  static DecodeOptions build(DecodeOptions.Builder b) {
    try {
      return b.build();
    } catch (JrnnException e) {
      throw new UsageException(Quote.cut(e.getMessage()));
    }
  }
}
