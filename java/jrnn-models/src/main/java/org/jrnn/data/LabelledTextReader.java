// Readers for labelled text: TSV (text<TAB>label), JSON Lines ({"text":..,"label":..}) and a JSON array of
// such objects (the bundled UCI sentiment files use "class" for the label).
package org.jrnn.data;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jrnn.internal.Arguments;
import org.jrnn.internal.Quote;

/**
 * Reads labelled text. In JSON forms the label is the field {@code "label"} or, failing that, {@code "class"};
 * it may be a string or a number (kept as written: {@code 1} gives "1"). A record with empty text and a null
 * label (the end marker of the UCI sentiment files) is skipped; any other record without text or label is an
 * error. Blank lines are skipped in TSV and JSONL.
 */
public final class LabelledTextReader {
    private static final Pattern JSON_LINE = Pattern.compile("at line (\\d+)");

    private LabelledTextReader() {
    }

    /**
     * Reads by file name: ".tsv" or ".txt" as TSV, ".jsonl" as JSON Lines, ".json" as a JSON array if it starts
     * with {@code [}, else as JSON Lines.
     */
    public static List<LabelledExample> read(Path file) throws IOException {
        Arguments.notNull("file", file);
        Path fileName = file.getFileName();
        String name = fileName == null ? "" : fileName.toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".gz")) {
            name = name.substring(0, name.length() - 3);
        }
        if (name.endsWith(".tsv") || name.endsWith(".txt")) {
            return readTsv(file);
        }
        if (name.endsWith(".jsonl")) {
            return readJsonl(file);
        }
        if (name.endsWith(".json")) {
            String text = TextFiles.readString(file).stripLeading();
            return text.startsWith("[") ? readJsonArray(file) : readJsonl(file);
        }
        throw new DataFormatException(file, 0, "unknown labelled-text format (expected .tsv, .txt, .jsonl or .json)");
    }

    /**
     * Reads {@code text<TAB>label} lines; the label is what follows the last tab, trimmed.
     *
     * @throws DataFormatException naming the line, for a line without a tab or with an empty label
     */
    public static List<LabelledExample> readTsv(Path file) throws IOException {
        List<String> lines = TextFiles.readLines(file);
        List<LabelledExample> out = new ArrayList<>(lines.size());
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank()) {
                continue;
            }
            int tab = line.lastIndexOf('\t');
            if (tab < 0) {
                throw new DataFormatException(file, i + 1, "expected text<TAB>label, found no tab");
            }
            String label = line.substring(tab + 1).strip();
            if (label.isEmpty()) {
                throw new DataFormatException(file, i + 1, "empty label");
            }
            out.add(new LabelledExample(line.substring(0, tab), label));
        }
        return out;
    }

    /**
     * Reads one JSON object per line.
     *
     * @throws DataFormatException naming the line, for invalid JSON or a record without text or label
     */
    public static List<LabelledExample> readJsonl(Path file) throws IOException {
        List<String> lines = TextFiles.readLines(file);
        List<LabelledExample> out = new ArrayList<>(lines.size());
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank()) {
                continue;
            }
            JsonElement e;
            try {
                e = JsonParser.parseString(line);
            } catch (JsonParseException ex) {
                throw new DataFormatException(file, i + 1, "invalid JSON: " + rootMessage(ex), ex);
            }
            LabelledExample ex = toExample(file, i + 1, e);
            if (ex != null) {
                out.add(ex);
            }
        }
        return out;
    }

    /**
     * Reads a JSON array of objects (e.g. {@code data/sentiment/imdb.json}).
     *
     * @throws DataFormatException naming the line where the bad record starts
     */
    public static List<LabelledExample> readJsonArray(Path file) throws IOException {
        String text = TextFiles.readString(file);
        List<LabelledExample> out = new ArrayList<>();
        try (JsonReader reader = new JsonReader(new StringReader(text))) {
            if (reader.peek() != JsonToken.BEGIN_ARRAY) {
                throw new DataFormatException(file, lineOf(reader), "expected a JSON array, found " + reader.peek());
            }
            reader.beginArray();
            while (reader.hasNext()) {
                long line = lineOf(reader);
                JsonElement e = JsonParser.parseReader(reader);
                LabelledExample ex = toExample(file, line, e);
                if (ex != null) {
                    out.add(ex);
                }
            }
            reader.endArray();
            if (reader.peek() != JsonToken.END_DOCUMENT) {
                throw new DataFormatException(file, lineOf(reader), "unexpected data after the JSON array");
            }
        } catch (JsonParseException | IOException e) {
            if (e instanceof DataFormatException d) {
                throw d;
            }
            throw new DataFormatException(file, lineIn(e.getMessage()), "invalid JSON: " + rootMessage(e), e);
        }
        return out;
    }

    private static LabelledExample toExample(Path file, long line, JsonElement e) throws DataFormatException {
        if (!e.isJsonObject()) {
            throw new DataFormatException(file, line, "expected a JSON object, found " + Quote.cut(e));
        }
        JsonObject o = e.getAsJsonObject();
        JsonElement text = o.get("text");
        JsonElement label = o.has("label") ? o.get("label") : o.get("class");
        boolean noLabel = label == null || label.isJsonNull();
        if (text != null && text.isJsonPrimitive() && text.getAsString().isEmpty() && noLabel) {
            return null; // the UCI files' end marker {"text":"","class":null}
        }
        if (text == null || !text.isJsonPrimitive() || !text.getAsJsonPrimitive().isString()) {
            throw new DataFormatException(file, line, "record has no string \"text\" field");
        }
        if (noLabel) {
            throw new DataFormatException(file, line, "record has no \"label\" (or \"class\") field");
        }
        if (!label.isJsonPrimitive()) {
            throw new DataFormatException(file, line, "label must be a string or number, found "
                    + Quote.cut(label));
        }
        return new LabelledExample(text.getAsString(), label.getAsString());
    }

    private static long lineOf(JsonReader reader) {
        return lineIn(reader.toString());
    }

    private static long lineIn(String message) {
        Matcher m = JSON_LINE.matcher(message == null ? "" : message);
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    private static String rootMessage(Throwable t) {
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String m = t.getMessage();
        int see = m == null ? -1 : m.indexOf("\nSee https://");
        return see >= 0 ? Quote.withoutClassNames(Quote.cut(m.substring(0, see))) : Quote.reason(t);
    }
}
