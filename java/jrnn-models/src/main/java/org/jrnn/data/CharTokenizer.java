// Character (Unicode code point) tokenizer with the four specials first; saved as a small JSON string.
package org.jrnn.data;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jrnn.JrnnException;
import org.jrnn.internal.Arguments;
import org.jrnn.internal.Quote;

/**
 * One token per Unicode code point. Ids 0..3 are the specials of {@link Vocabulary}; the characters follow,
 * most frequent first (ties by code point). A character without an id encodes as {@code <unk>} and decodes
 * as U+FFFD. Mirrored by {@code CharVocab} in scripts/lib_torch_common.py.
 */
public final class CharTokenizer implements Tokenizer {
    /** The {@code "type"} field of the saved JSON. */
    public static final String TYPE = "char";
    /** What {@code <unk>} decodes to. */
    public static final int REPLACEMENT_CHAR = 0xFFFD;

    private final Vocabulary vocabulary;
    private final Map<Integer, Integer> idOfCodePoint;
    private final int[] codePointOfId;

    private CharTokenizer(Vocabulary vocabulary) {
        this.vocabulary = vocabulary;
        this.idOfCodePoint = new HashMap<>(vocabulary.size() * 2);
        this.codePointOfId = new int[vocabulary.size()];
        for (int id = Vocabulary.SPECIALS.size(); id < vocabulary.size(); id++) {
            String t = vocabulary.token(id);
            if (t.codePointCount(0, t.length()) != 1) {
                throw new JrnnException("char token " + id + " is not one character: " + Quote.quote(t));
            }
            int cp = t.codePointAt(0);
            idOfCodePoint.put(cp, id);
            codePointOfId[id] = cp;
        }
    }

    /** A tokenizer with an id for every character of {@code text}. */
    public static CharTokenizer build(CharSequence text) {
        return build(text, 1, 0);
    }

    /**
     * A tokenizer for the characters of {@code text} seen at least {@code minFrequency} times, at most
     * {@code maxSize} ids in all (0: no limit).
     */
    public static CharTokenizer build(CharSequence text, int minFrequency, int maxSize) {
        Arguments.notNull("text", text);
        Map<String, Long> counts = new HashMap<>();
        text.codePoints().forEach(cp -> counts.merge(new String(Character.toChars(cp)), 1L, Long::sum));
        return new CharTokenizer(Vocabulary.fromCounts(counts, minFrequency, maxSize));
    }

    @Override
    public int[] encode(String text) {
        return Arguments.notNull("text", text).codePoints()
                .map(cp -> idOfCodePoint.getOrDefault(cp, Vocabulary.UNK_ID)).toArray();
    }

    @Override
    public String decode(int[] ids) {
        Arguments.notNull("ids", ids);
        StringBuilder sb = new StringBuilder(ids.length);
        for (int id : ids) {
            if (id == Vocabulary.UNK_ID) {
                sb.appendCodePoint(REPLACEMENT_CHAR);
            } else if (!Vocabulary.isSpecial(id)) {
                vocabulary.token(id); // range check
                sb.appendCodePoint(codePointOfId[id]);
            }
        }
        return sb.toString();
    }

    /** The id of one character (code point), {@link Vocabulary#UNK_ID} if it has none. */
    public int id(int codePoint) {
        return idOfCodePoint.getOrDefault(codePoint, Vocabulary.UNK_ID);
    }

    @Override
    public Vocabulary vocabulary() {
        return vocabulary;
    }

    /** {@code {"type":"char","version":1,"vocab":["<pad>","<unk>","<bos>","<eos>","e",...]}}. */
    @Override
    public String toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("type", TYPE);
        o.addProperty("version", 1);
        JsonArray vocab = new JsonArray();
        vocabulary.tokens().forEach(vocab::add);
        o.add("vocab", vocab);
        return new Gson().toJson(o);
    }

    /**
     * Restores a tokenizer saved by {@link #toJson()}.
     *
     * @throws JrnnException if {@code json} is not a saved char tokenizer
     */
    public static CharTokenizer fromJson(String json) {
        Arguments.notNull("tokenizer JSON", json);
        JsonObject o = parseSaved(json, TYPE);
        return new CharTokenizer(Vocabulary.of(vocabList(o)));
    }

    static JsonObject parseSaved(String json, String type) {
        try {
            JsonObject o = JsonParser.parseString(json).getAsJsonObject();
            String found = o.has("type") ? o.get("type").getAsString() : null;
            if (!type.equals(found)) {
                throw new JrnnException("expected a '" + type + "' tokenizer, found "
                        + (found == null ? "no type" : "type " + Quote.cut(found)));
            }
            if (!o.has("version") || o.get("version").getAsInt() != 1) {
                throw new JrnnException("unsupported " + type + " tokenizer version " + Quote.cut(o.get("version")));
            }
            return o;
        } catch (JsonParseException | IllegalStateException | UnsupportedOperationException
                 | NumberFormatException e) {
            throw new JrnnException("not a saved " + type + " tokenizer: " + Quote.reason(e), e);
        }
    }

    static List<String> vocabList(JsonObject o) {
        JsonElement v = o.get("vocab");
        if (v == null || !v.isJsonArray()) {
            throw new JrnnException("saved tokenizer has no \"vocab\" array");
        }
        List<String> tokens = new ArrayList<>();
        for (JsonElement e : v.getAsJsonArray()) {
            if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
                throw new JrnnException("vocab entry " + tokens.size() + " is not a string: "
                        + Quote.cut(e));
            }
            tokens.add(e.getAsString());
        }
        return tokens;
    }
}
