// The common face of CharTokenizer and WordTokenizer; fromJson() restores either from its saved
// JSON.
package org.jrnn.data;

import java.util.List;
import org.jrnn.JrnnException;
import org.jrnn.internal.Arguments;
import org.jrnn.internal.Quote;
import org.jrnn.io.Json;

/**
 * Turns text into token ids and back. Ids {@code 0..3} are always the special tokens {@code <pad>},
 * {@code <unk>}, {@code <bos>}, {@code <eos>} (see {@link Vocabulary}).
 */
public interface Tokenizer {
  /**
   * The tokens of {@code text} as strings, in order, after any case folding: {@code
   * encode(text)[i]} is the id of {@code tokenize(text).get(i)}, {@link Vocabulary#UNK_ID} when the
   * vocabulary does not hold it.
   */
  List<String> tokenize(String text);

  /** The ids of {@code text} (unknown tokens map to {@link Vocabulary#UNK_ID}). */
  int[] encode(String text);

  /**
   * The ids of {@code text}, with {@code <bos>} in front and/or {@code <eos>} at the end if asked.
   */
  default int[] encode(String text, boolean addBos, boolean addEos) {
    int[] core = encode(Arguments.notNull("text", text));
    int[] out = new int[core.length + (addBos ? 1 : 0) + (addEos ? 1 : 0)];
    int k = 0;
    if (addBos) {
      out[k++] = Vocabulary.BOS_ID;
    }
    System.arraycopy(core, 0, out, k, core.length);
    if (addEos) {
      out[out.length - 1] = Vocabulary.EOS_ID;
    }
    return out;
  }

  /** The text of {@code ids}; {@code <pad>}, {@code <bos>} and {@code <eos>} are left out. */
  String decode(int[] ids);

  /** The vocabulary, specials included. */
  Vocabulary vocabulary();

  /** The number of ids, specials included. */
  default int vocabSize() {
    return vocabulary().size();
  }

  /**
   * The recipe of this tokenizer (split, case folding, vocabulary limits), as saved in its JSON;
   * e.g. {@code spec().describe()} to print it.
   *
   * @throws JrnnException if this tokenizer has none (only other implementations than jrnn's)
   */
  default TokenizerSpec spec() {
    throw new JrnnException("this tokenizer has no recipe (TokenizerSpec)");
  }

  /** This tokenizer as a JSON string (to store with a model, e.g. in safetensors metadata). */
  String toJson();

  /**
   * Restores a tokenizer from {@link #toJson()} output, whichever kind it is.
   *
   * @throws JrnnException if the JSON is not a saved tokenizer
   */
  static Tokenizer fromJson(String json) {
    Arguments.notNull("tokenizer JSON", json);
    Object found;
    try {
      found = Json.parseObject(json).get("type");
    } catch (JrnnException e) {
      throw new JrnnException("not a tokenizer JSON object: " + Quote.reason(e), e);
    }
    String type = found == null ? "" : found instanceof String s ? s : Json.write(found);
    return switch (type) {
      case CharTokenizer.TYPE -> CharTokenizer.fromJson(json);
      case WordTokenizer.TYPE -> WordTokenizer.fromJson(json);
      default ->
          throw new JrnnException(
              "unknown tokenizer type "
                  + Quote.quote(type)
                  + " (known: "
                  + CharTokenizer.TYPE
                  + ", "
                  + WordTokenizer.TYPE
                  + ")");
    };
  }
}
