// PredictCommand: `jrnn predict`, runs a saved model on text lines from files or stdin and prints
// one JSON object per line (classifier: label and probability).
//   echo "what a great film" | scripts/jrnn predict --model sentiment.safetensors
package org.jrnn.cli;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jrnn.Device;
import org.jrnn.JrnnException;
import org.jrnn.cli.Command.UsageException;
import org.jrnn.data.PaddedBatch;
import org.jrnn.data.Tokenizer;
import org.jrnn.internal.Quote;
import org.jrnn.io.Json;
import org.jrnn.models.ConditionedLanguageModel;
import org.jrnn.models.ModelFiles;
import org.jrnn.models.Seq2Seq;
import org.jrnn.models.SequenceClassifier;
import org.jrnn.models.SequenceTagger;

/** {@code jrnn predict}: see {@link #usage()}. */
public final class PredictCommand implements Command {
  /** Lines per forward pass. */
  static final int CHUNK = 256;

  private final InputStream stdin;

  /** Reads standard input ({@code System.in} at the time of the run) when no files are given. */
  public PredictCommand() {
    this(null);
  }

  /** Reads {@code stdin} when no files are given (tests). */
  PredictCommand(InputStream stdin) {
    this.stdin = stdin;
  }

  @Override
  public String name() {
    return "predict";
  }

  @Override
  public String summary() {
    return "run a model file on text lines from files or stdin (one JSON object per line)";
  }

  @Override
  public String usage() {
    return String.join(
        "\n",
        "usage: jrnn predict --model MODEL.safetensors [--device cpu|cuda:N] [--max-length N] [FILES...]",
        "",
        "Reads text lines from the FILES (or standard input, also as '-') and prints one JSON object",
        "per line, in order:",
        "  classifier   {\"text\": ..., \"label\": \"pos\", \"probability\": 0.97,",
        "                \"probabilities\": {\"neg\": 0.03, \"pos\": 0.97}}",
        "  tagger       {\"text\": ..., \"tokens\": [...], \"tags\": [...]} (tokens split at white space)",
        "  seq2seq      {\"text\": ..., \"output\": ...} (greedy decoding)",
        "  digits       {\"text\": ..., \"output\": \"seven\"} for a line of 64 comma-separated pixels 0..16",
        "A line that yields no tokens gives {\"text\": ..., \"error\": ...}. Language models: see jrnn generate.",
        "The other objects (not the digit speller's) have \"unknown\": the number of the line's tokens",
        "not in the model's vocabulary, and when there are any, \"unknown_tokens\": the first 20 of",
        "them (tagger also \"unknown_at\": their 0-based positions in \"tokens\"); if any line had",
        "unknown tokens, one warning line on stderr says how many at the end.",
        "",
        "  --model FILE     a model file from jrnn train",
        "  --max-length N   seq2seq/digits: longest output (default 50/10)",
        "  --device D       cpu (default) or cuda:N",
        "");
  }

  @Override
  public int run(List<String> args, PrintStream out, PrintStream err) throws Exception {
    return CliErrors.run(() -> execute(args, out, err));
  }

  private int execute(List<String> args, PrintStream out, PrintStream err) throws Exception {
    CliOptions o = CliOptions.parse(args, Set.of("model", "device", "max-length"), Set.of(), true);
    Path modelPath = o.requiredPath("model");
    Device device;
    try {
      device = Device.parse(o.string("device", "cpu"));
    } catch (RuntimeException e) {
      throw new UsageException("--device: " + Quote.cut(e.getMessage()));
    }
    int maxLength = o.integer("max-length", 50, 1, 1 << 16);
    CliErrors.input(modelPath);
    List<Path> files = new ArrayList<>();
    for (String f : o.positional()) {
      files.add(f.equals("-") ? null : CliErrors.input(CliOptions.toPath("input file", f)));
    }
    if (files.isEmpty()) {
      files.add(null);
    }
    try (ModelFiles.Contents c = CliData.model(modelPath, device)) {
      String task = EvalCommand.taskOf(c.model().kind());
      if (task.equals("lm")) {
        throw new JrnnException(Quote.path(modelPath) + " is a language model: use jrnn generate");
      }
      Tokenizer tokenizer = EvalCommand.required(c.tokenizer(), modelPath);
      if (!o.has("max-length") && task.equals("digits")) {
        maxLength = 10;
      }
      List<String> chunk = new ArrayList<>(CHUNK);
      long inputs = 0;
      long withUnknown = 0;
      for (Path source : files) {
        try (InputStream in =
            source == null
                ? new BufferedInputStream(stdin != null ? stdin : System.in)
                : new BufferedInputStream(Files.newInputStream(source))) {
          Utf8Lines lines =
              new Utf8Lines(in, source == null ? "standard input" : Quote.path(source));
          String line;
          while ((line = lines.next()) != null) {
            chunk.add(line);
            inputs++;
            if (chunk.size() == CHUNK) {
              withUnknown += predict(c, task, tokenizer, maxLength, chunk, out);
              chunk.clear();
            }
          }
        }
      }
      if (!chunk.isEmpty()) {
        withUnknown += predict(c, task, tokenizer, maxLength, chunk, out);
      }
      if (withUnknown > 0) {
        err.printf(
            Locale.ROOT,
            "warning: %,d of %,d inputs had tokens unknown to the model (see \"unknown\" in the"
                + " output)%n",
            withUnknown,
            inputs);
        err.flush();
      }
    }
    return 0;
  }

  /** The lines of a UTF-8 stream; a line that is not UTF-8 is an error naming its number. */
  static final class Utf8Lines {
    private final InputStream in;
    private final String name;
    private final CharsetDecoder decoder =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private long number;

    Utf8Lines(InputStream in, String name) {
      this.in = in;
      this.name = name;
    }

    /** The next line without its terminator ({@code \n} or {@code \r\n}), or null at the end. */
    String next() throws IOException {
      line.reset();
      int b = in.read();
      if (b < 0) {
        return null;
      }
      while (b >= 0 && b != '\n') {
        line.write(b);
        b = in.read();
      }
      number++;
      byte[] bytes = line.toByteArray();
      int n = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
      try {
        return decoder.decode(ByteBuffer.wrap(bytes, 0, n)).toString();
      } catch (CharacterCodingException e) {
        throw new JrnnException(name + ":" + number + ": not valid UTF-8 text");
      }
    }
  }

  /** Predicts for {@code lines}, printing one object each; returns how many had unknown tokens. */
  private static int predict(
      ModelFiles.Contents c,
      String task,
      Tokenizer tokenizer,
      int maxLength,
      List<String> lines,
      PrintStream out) {
    List<Map<String, Object>> results = new ArrayList<>(lines.size());
    List<Map<String, Object>> unknowns = new ArrayList<>(lines.size());
    int withUnknown = 0;
    List<int[]> ids = new ArrayList<>();
    List<Integer> rows = new ArrayList<>();
    List<float[]> features = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("text", line);
      results.add(m);
      Map<String, Object> u = new LinkedHashMap<>();
      unknowns.add(u);
      if (task.equals("digits")) {
        String[] f = line.strip().split("\\s*,\\s*");
        if (f.length < 64) {
          m.put(
              "error",
              "expected 64 comma-separated pixel values 0..16, found "
                  + (line.isBlank() ? 0 : f.length));
          continue;
        }
        try {
          features.add(CliData.pixels(f, 64, Path.of("stdin"), i + 1));
        } catch (org.jrnn.data.DataFormatException e) {
          m.put("error", e.getMessage().replaceFirst("^stdin:\\d+: ", ""));
          continue;
        }
        rows.add(i);
        continue;
      }
      String text = task.equals("tag") ? String.join(" ", line.strip().split("\\s+")) : line;
      int[] x = text.isBlank() ? new int[0] : tokenizer.encode(text);
      List<Integer> at = UnknownTokens.positions(x);
      if (x.length > 0) {
        u.put("unknown", at.size());
      }
      if (!at.isEmpty()) {
        withUnknown++;
        List<String> words = task.equals("tag") ? List.of(text.split(" ")) : List.of();
        List<String> names = words.size() == x.length ? words : tokenizer.tokenize(text);
        u.put(
            "unknown_tokens",
            at.stream().limit(UnknownTokens.MAX_LISTED).map(k -> names.get(k)).toList());
        if (task.equals("tag")) {
          u.put("unknown_at", at);
        }
      }
      if (x.length == 0) {
        m.put("error", "no tokens");
        continue;
      }
      ids.add(x);
      rows.add(i);
    }
    if (!rows.isEmpty()) {
      int n = rows.size();
      int[] idx = new int[n];
      for (int k = 0; k < n; k++) {
        idx[k] = k;
      }
      switch (task) {
        case "classify" -> {
          SequenceClassifier m = c.model(SequenceClassifier.class);
          float[][] p = m.predictProbabilities(PaddedBatch.of(ids, idx));
          for (int k = 0; k < n; k++) {
            int best = 0;
            for (int j = 1; j < p[k].length; j++) {
              if (p[k][j] > p[k][best]) {
                best = j;
              }
            }
            Map<String, Object> r = results.get(rows.get(k));
            r.put("label", c.labels() == null ? String.valueOf(best) : c.labels().label(best));
            r.put("probability", (double) p[k][best]);
            Map<String, Object> all = new LinkedHashMap<>();
            for (int j = 0; j < p[k].length; j++) {
              all.put(
                  c.labels() == null ? String.valueOf(j) : c.labels().label(j), (double) p[k][j]);
            }
            r.put("probabilities", all);
          }
        }
        case "tag" -> {
          SequenceTagger m = c.model(SequenceTagger.class);
          int[][] tags = m.predict(PaddedBatch.of(ids, idx));
          for (int k = 0; k < n; k++) {
            Map<String, Object> r = results.get(rows.get(k));
            String line = lines.get(rows.get(k));
            r.put("tokens", List.of(line.strip().split("\\s+")));
            List<String> names = new ArrayList<>();
            for (int t : tags[k]) {
              names.add(c.labels() == null ? String.valueOf(t) : c.labels().label(t));
            }
            r.put("tags", names);
          }
        }
        case "seq2seq" -> {
          Seq2Seq m = c.model(Seq2Seq.class);
          int[][] outIds = m.generate(PaddedBatch.of(ids, idx), maxLength);
          for (int k = 0; k < n; k++) {
            results.get(rows.get(k)).put("output", c.targetTokenizer().decode(outIds[k]));
          }
        }
        default -> {
          ConditionedLanguageModel m = c.model(ConditionedLanguageModel.class);
          float[] flat = new float[n * 64];
          for (int k = 0; k < n; k++) {
            System.arraycopy(features.get(k), 0, flat, k * 64, 64);
          }
          int[][] outIds = m.generate(flat, n, maxLength);
          for (int k = 0; k < n; k++) {
            results.get(rows.get(k)).put("output", tokenizer.decode(outIds[k]));
          }
        }
      }
    }
    for (int i = 0; i < results.size(); i++) {
      Map<String, Object> r = results.get(i);
      r.putAll(unknowns.get(i));
      out.println(Json.write(r));
    }
    out.flush();
    return withUnknown;
  }
}
