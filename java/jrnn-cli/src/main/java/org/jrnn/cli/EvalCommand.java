// EvalCommand: `jrnn eval`, evaluates a saved model on a data file and prints its metrics as one
// JSON object.
//   scripts/jrnn eval --model sentiment.safetensors --data test.tsv
package org.jrnn.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jrnn.Device;
import org.jrnn.JrnnException;
import org.jrnn.cli.Command.UsageException;
import org.jrnn.data.CharTokenizer;
import org.jrnn.data.DigitImage;
import org.jrnn.data.LabelledExample;
import org.jrnn.data.TaggedSentence;
import org.jrnn.data.TextPair;
import org.jrnn.data.Tokenizer;
import org.jrnn.decode.DecodeOptions;
import org.jrnn.internal.Quote;
import org.jrnn.io.Json;
import org.jrnn.models.ClassificationBatches;
import org.jrnn.models.ConditionedLanguageModel;
import org.jrnn.models.LanguageModel;
import org.jrnn.models.LanguageModelTask;
import org.jrnn.models.LmWindows;
import org.jrnn.models.ModelFiles;
import org.jrnn.models.Seq2Seq;
import org.jrnn.models.SequenceClassifier;
import org.jrnn.models.SequenceTagger;

/** {@code jrnn eval}: see {@link #usage()}. */
public final class EvalCommand implements Command {
  @Override
  public String name() {
    return "eval";
  }

  @Override
  public String summary() {
    return "evaluate a model file from jrnn train on a data file (metrics as JSON)";
  }

  @Override
  public String usage() {
    return String.join(
        "\n",
        "usage: jrnn eval --model MODEL.safetensors --data PATH [--format F] [--batch N]",
        "                 [--seq-len T] [--max-length N] [--beam K] [--device cpu|cuda:N]",
        "",
        "Evaluates a model saved by jrnn train on labelled data of its kind and prints one JSON",
        "object: the model, its kind, the data, the number of examples and the metrics, e.g.",
        "  {\"model\":\"m.safetensors\",\"kind\":\"sequence-classifier\",\"data\":\"test.tsv\",",
        "   \"examples\":600,\"loss\":0.45,\"accuracy\":0.83}",
        "",
        "  --model FILE     the model file",
        "  --data PATH      data in the format its task was trained on (see jrnn train --help):",
        "                   classifier tsv/jsonl/uci-json, language model text, tagger conll,",
        "                   seq2seq pairs, digit speller csv",
        "  --format F       tsv, jsonl, uci-json, text, conll, pairs or csv (default: from the model",
        "                   kind and the file name)",
        "  --batch N        examples per batch (language model: parallel streams; default 32)",
        "  --seq-len T      language model window (default 100)",
        "  --max-length N   seq2seq/digits: longest decoded output (default 50/10)",
        "seq2seq/digits decoding for the metrics of the decoded outputs (default greedy):",
        DecodeFlags.SEARCH_HELP,
        "  --token-column N, --tag-column N   CoNLL columns (default 0 and the last)",
        "  --device D       cpu (default) or cuda:N",
        "",
        "Metrics: classifier loss, accuracy; tagger loss, accuracy, accuracy_known and",
        "accuracy_unknown (on tokens the model knows / maps to <unk>; each left out when there are",
        "none), unknown_rate; language model loss, bits_per_token, perplexity; digits loss,",
        "exact_match; seq2seq loss, exact_match, wer, per, bleu: per is the error rate over the",
        "model's target tokens (edit distance / reference tokens: phonemes where the targets are",
        "space-separated symbols, characters with char tokens), wer the same over the words of",
        "the decoded text, bleu corpus BLEU-4 over those words in 0..1 (as jrnn caption's bleu4).",
        "For G2P, the literature's \"word error rate\" (words with any error) is 1 - exact_match.",
        "Fit: unknown_rate, the share of the data's tokens (tagger: words) not in the model's",
        "vocabulary (seq2seq: of the source; target_unknown_rate of the target). Data with more",
        "than 80% of its tokens unknown, or with labels or tags the model does not know, is refused",
        "(exit 1), as is data in another format than the model's task reads.",
        "");
  }

  /** The task name of a model kind (for the data format). */
  static String taskOf(String kind) {
    return switch (kind) {
      case SequenceClassifier.KIND -> "classify";
      case LanguageModel.KIND -> "lm";
      case SequenceTagger.KIND -> "tag";
      case Seq2Seq.KIND -> "seq2seq";
      case ConditionedLanguageModel.KIND -> "digits";
      default ->
          throw new JrnnException(
              "no eval for a model of kind "
                  + Quote.quote(kind)
                  + " (eval takes classifiers, language models, taggers, seq2seq and digit spellers)");
    };
  }

  static Tokenizer required(Tokenizer t, Path model) {
    if (t == null) {
      throw new JrnnException(
          Quote.path(model) + ": the model file has no tokenizer (jrnn.tokenizer)");
    }
    return t;
  }

  @Override
  public int run(List<String> args, PrintStream out, PrintStream err) throws Exception {
    return CliErrors.run(() -> execute(args, out, err));
  }

  private int execute(List<String> args, PrintStream out, PrintStream err) throws Exception {
    CliOptions o =
        CliOptions.parse(
            args,
            DecodeFlags.with(
                Set.of(
                    "model",
                    "data",
                    "format",
                    "batch",
                    "seq-len",
                    "max-length",
                    "token-column",
                    "tag-column",
                    "device"),
                DecodeFlags.SEARCH),
            Set.of(),
            false);
    Path modelPath = o.requiredPath("model");
    Path data = o.requiredPath("data");
    int batch = o.integer("batch", 32, 1, 1 << 20);
    // every number is checked before the model is read, whether its task uses it or not
    int window = o.integer("seq-len", 100, 1, 1 << 20);
    Integer maxLength = o.has("max-length") ? o.integer("max-length", 0, 1, 1 << 16) : null;
    int tokenColumn = o.integer("token-column", 0, 0, 1000);
    int tagColumn = o.integer("tag-column", -1, 0, 1000);
    DecodeOptions.Builder decoding = DecodeFlags.read(o, new DecodeFlags.Defaults(0, 0, false));
    Device device;
    try {
      device = Device.parse(o.string("device", "cpu"));
    } catch (RuntimeException e) {
      throw new UsageException("--device: " + Quote.cut(e.getMessage()));
    }
    CliErrors.input(modelPath);
    CliErrors.input(data);
    try (ModelFiles.Contents c = CliData.model(modelPath, device)) {
      String task = taskOf(c.model().kind());
      if (!task.equals("seq2seq") && !task.equals("digits")) {
        for (String flag : DecodeFlags.SEARCH) {
          if (o.has(flag)) {
            throw new UsageException(
                "--" + flag + " decodes; a " + c.model().kind() + " model is not decoded");
          }
        }
      }
      String format = CliData.format(task, o.choice("format", null, CliData.FORMATS), data);
      long examples;
      Map<String, Double> metrics;
      Map<String, Object> fit = new LinkedHashMap<>(); // how well the data fits the model
      switch (task) {
        case "classify" -> {
          SequenceClassifier m = c.model(SequenceClassifier.class);
          List<LabelledExample> ex = CliData.labelled(data, format);
          if (c.labels() == null) {
            throw new JrnnException(
                Quote.path(modelPath) + ": the model file has no labels (jrnn.labels)");
          }
          UnknownTokens.requireLabels(
              ex.stream().map(LabelledExample::label).toList(),
              c.labels(),
              data,
              "examples",
              "labels");
          fit.put(
              "unknown_rate",
              UnknownTokens.require(
                  UnknownTokens.of(
                      required(c.tokenizer(), modelPath),
                      ex.stream().map(LabelledExample::text).toList()),
                  data,
                  "tokens"));
          List<int[]> x =
              CliData.encodeAll(
                  required(c.tokenizer(), modelPath),
                  ex.stream().map(LabelledExample::text).toList(),
                  "example");
          metrics =
              m.evaluate(
                  ClassificationBatches.inOrder(
                      x, CliData.labelIds(c.labels(), ex), Math.max(batch, 64)));
          examples = ex.size();
        }
        case "lm" -> {
          LanguageModel m = c.model(LanguageModel.class);
          String text = CliData.text(data);
          int[] ids = required(c.tokenizer(), modelPath).encode(text);
          UnknownTokens.Count unknown = new UnknownTokens.Count();
          unknown.add(c.tokenizer(), text, ids);
          fit.put("unknown_rate", UnknownTokens.require(unknown, data, "tokens"));
          if (ids.length < 2) {
            throw new JrnnException(Quote.path(data) + ": needs at least two tokens");
          }
          int streams = Math.max(1, Math.min(batch, (ids.length - 1) / window));
          metrics =
              new LanguageModelTask(m).evaluate(new LmWindows(ids, streams, window).epoch(0, 0));
          examples = ids.length - 1;
        }
        case "tag" -> {
          SequenceTagger m = c.model(SequenceTagger.class);
          List<TaggedSentence> ex = CliData.tagged(data, tokenColumn, tagColumn);
          if (c.labels() == null) {
            throw new JrnnException(
                Quote.path(modelPath) + ": the model file has no tags (jrnn.labels)");
          }
          UnknownTokens.requireLabels(
              ex.stream().flatMap(s -> s.tags().stream()).toList(),
              c.labels(),
              data,
              "words",
              "tags");
          fit.put(
              "unknown_rate",
              UnknownTokens.require(
                  UnknownTokens.ofWords(required(c.tokenizer(), modelPath), ex), data, "words"));
          metrics =
              m.evaluate(
                  TrainCommand.taggingBatches(
                          required(c.tokenizer(), modelPath),
                          c.labels(),
                          ex,
                          Math.max(batch, 64),
                          0)
                      .epoch(0, 0));
          examples = ex.size();
        }
        case "seq2seq" -> {
          Seq2Seq m = c.model(Seq2Seq.class);
          List<TextPair> ex = CliData.pairs(data);
          if (c.targetTokenizer() == null) {
            throw new JrnnException(
                Quote.path(modelPath) + ": the model file has no target tokenizer");
          }
          fit.put(
              "unknown_rate",
              UnknownTokens.require(
                  UnknownTokens.of(
                      required(c.tokenizer(), modelPath),
                      ex.stream().map(TextPair::source).toList()),
                  data,
                  "source tokens"));
          fit.put(
              "target_unknown_rate",
              UnknownTokens.require(
                  UnknownTokens.of(c.targetTokenizer(), ex.stream().map(TextPair::target).toList()),
                  data,
                  "target tokens"));
          metrics =
              m.evaluate(
                  TrainCommand.seq2seqBatches(
                          required(c.tokenizer(), modelPath),
                          c.targetTokenizer(),
                          ex,
                          Math.max(batch, 64),
                          0)
                      .epoch(0, 0),
                  DecodeFlags.build(decoding.maxLength(maxLength != null ? maxLength : 50)),
                  c.targetTokenizer());
          examples = ex.size();
        }
        default -> {
          ConditionedLanguageModel m = c.model(ConditionedLanguageModel.class);
          List<DigitImage> ex = CliData.digits(data);
          Tokenizer t = required(c.tokenizer(), modelPath);
          if (!(t instanceof CharTokenizer chars)) {
            throw new JrnnException(
                Quote.path(modelPath) + ": a digit speller needs a character tokenizer");
          }
          metrics =
              m.evaluate(
                  TrainCommand.digitBatches(chars, ex, Math.max(batch, 256)).epoch(0, 0),
                  DecodeFlags.build(decoding.maxLength(maxLength != null ? maxLength : 10)));
          examples = ex.size();
        }
      }
      Map<String, Object> result = new LinkedHashMap<>();
      result.put("model", modelPath.toString());
      result.put("kind", c.model().kind());
      result.put("data", data.toString());
      result.put(task.equals("lm") ? "tokens" : "examples", examples);
      result.putAll(metrics);
      result.putAll(fit);
      out.println(Json.write(result));
    }
    return 0;
  }
}
