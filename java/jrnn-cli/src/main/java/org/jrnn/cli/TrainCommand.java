// TrainCommand: `jrnn train`, trains one of the five kinds of model on a data file and saves it as
// one safetensors model file (parameters + config + tokenizer + labels).
//   scripts/jrnn train --task classify --data reviews.tsv --out sentiment.safetensors
//   scripts/jrnn train --task lm --data book.txt --time-budget 10m --out lm.safetensors
package org.jrnn.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jrnn.Cell;
import org.jrnn.JrnnException;
import org.jrnn.cli.Command.UsageException;
import org.jrnn.data.CharTokenizer;
import org.jrnn.data.DigitImage;
import org.jrnn.data.LabelIndex;
import org.jrnn.data.LabelledExample;
import org.jrnn.data.SeededSplit;
import org.jrnn.data.TaggedSentence;
import org.jrnn.data.TextPair;
import org.jrnn.data.Tokenizer;
import org.jrnn.data.TokenizerSpec;
import org.jrnn.data.Vocabulary;
import org.jrnn.internal.Quote;
import org.jrnn.io.AtomicFiles;
import org.jrnn.models.ClassificationBatches;
import org.jrnn.models.ClassifierTask;
import org.jrnn.models.ConditionedBatches;
import org.jrnn.models.ConditionedLanguageModel;
import org.jrnn.models.ConditionedLanguageModelTask;
import org.jrnn.models.LanguageModel;
import org.jrnn.models.LanguageModelTask;
import org.jrnn.models.LmWindows;
import org.jrnn.models.Model;
import org.jrnn.models.ModelFiles;
import org.jrnn.models.Seq2Seq;
import org.jrnn.models.Seq2SeqBatches;
import org.jrnn.models.Seq2SeqTask;
import org.jrnn.models.SequenceClassifier;
import org.jrnn.models.SequenceTagger;
import org.jrnn.models.TaggerTask;
import org.jrnn.models.TaggingBatches;
import org.jrnn.train.BatchSource;
import org.jrnn.train.Task;
import org.jrnn.train.TrainResult;
import org.jrnn.train.Trainer;

/** {@code jrnn train}: see {@link #usage()}. */
public final class TrainCommand implements Command {
  static final Set<String> VALUED =
      Set.of(
          "task",
          "data",
          "valid",
          "format",
          "out",
          "cell",
          "hidden",
          "layers",
          "embedding",
          "dropout",
          "optimizer",
          "lr",
          "momentum",
          "weight-decay",
          "batch",
          "epochs",
          "max-steps",
          "time-budget",
          "clip",
          "clip-value",
          "seed",
          "schedule",
          "warmup",
          "valid-fraction",
          "patience",
          "validate-every",
          "checkpoint",
          "checkpoint-every",
          "metrics",
          "tokens",
          "min-freq",
          "max-vocab",
          "seq-len",
          "tbptt-k1",
          "max-length",
          "token-column",
          "tag-column",
          "device",
          "threads",
          "images",
          "image-size",
          "pixels",
          "projection",
          "augment"); // the last five: --task caption
  static final Set<String> FLAGS =
      Set.of("bidirectional", "nesterov", "resume", "quiet", "lowercase", "keep-case");

  @Override
  public String name() {
    return "train";
  }

  @Override
  public String summary() {
    return "train a classifier, language model, tagger, seq2seq or digit speller on a data file";
  }

  @Override
  public String usage() {
    return String.join(
        "\n",
        "usage: jrnn train --task classify|lm|tag|seq2seq|digits --data PATH --out MODEL.safetensors",
        "                  [--valid PATH] [--format F] [model options] [training options]",
        "",
        "Trains a recurrent model on the CPU (or --device cuda:0) and saves it as one safetensors file",
        "(parameters under PyTorch names; config, tokenizer and labels in the metadata) for jrnn eval,",
        "predict and generate.",
        "",
        "tasks and data formats (--format; guessed from the task and file name when left out):",
        "  classify  many-to-one text classification. tsv: text<TAB>label per line; jsonl:",
        "            {\"text\": ..., \"label\": ...} per line; uci-json: a JSON array of such objects",
        "            (\"class\" may stand for \"label\"). Metric: accuracy",
        "  lm        many-to-many next-token language model. text: a UTF-8 text file. Metric: bits",
        "            per token (bits per character with --tokens char)",
        "  tag       many-to-many sequence tagging. conll: a token and a tag column per line, a blank",
        "            line between sentences. Metric: token accuracy",
        "  seq2seq   encoder-decoder. pairs: source<TAB>target per line. Metric: exact match",
        "  digits    one-to-many: UCI 8x8 digit images -> the digit's spelled name. csv: 64 pixel",
        "            values 0..16 and the digit per line (data/digits.csv.gz). Metric: exact match",
        "  caption   one-to-many image captioning: --data is a captions file (tsv: image<TAB>caption;",
        "            jsonl: {\"image\": ..., \"caption\": ...}), --images DIR the image folder; options",
        "            --image-size S (16), --pixels rgb|rgb+std, --projection P (256), --augment",
        "            (e.g. shift=2,recolor=0.5). Metric: greedy BLEU-4 (see jrnn caption)",
        "",
        "data:",
        "  --data PATH           training data",
        "  --valid PATH          validation data (same format); without it a seeded split of --data",
        "  --valid-fraction F    held out of --data for validation when there is no --valid (default",
        "                        0.1; lm: the last F of the text, which scores better than a",
        "                        separate text would: give --valid for that; 0: no validation)",
        "  --tokens char|word|whitespace|regex:PATTERN   how text splits into tokens: char: one per",
        "                        character; word: words and single punctuation marks; whitespace:",
        "                        every run of non-space characters; regex: every match of a Java",
        "                        regular expression. Word, whitespace and regex tokens decode joined",
        "                        by single spaces. Defaults: classify word; lm char; tag whitespace",
        "                        (the only one for CoNLL); seq2seq per side: whitespace where the",
        "                        training texts are space-separated symbols (as 'k ae t': most lines",
        "                        hold spaces, tokens 3 characters or shorter on average, at most 200",
        "                        distinct), else char. The data line shows the choice; the model",
        "                        file keeps it with the tokenizer",
        "  --lowercase, --keep-case   fold text to lower case first, or not. Defaults: classify",
        "                        lower-case (labels are about meaning, not case); lm, tag and seq2seq",
        "                        keep case (case is a part-of-speech cue and part of the output)",
        "  --min-freq N          least count of a token to get an id (default 1)",
        "  --max-vocab N         only the N most frequent tokens get ids, besides the 4 specials",
        "                        (<pad> <unk> <bos> <eos>); the rest read as <unk> (default 0: all)",
        "  --token-column N, --tag-column N   CoNLL columns, 0-based (default 0 and the last)",
        "",
        "model (defaults depend on the task; see the printed model line):",
        "  --cell lstm|gru|rnn_tanh|rnn_relu   --hidden H   --layers L   --embedding E",
        "  --bidirectional (classify, tag)     --dropout P (classify, lm, tag)",
        "",
        "training:",
        "  --optimizer adam|adamw|sgd|rmsprop  (default adam)",
        "  --lr R                learning rate (default: adam/adamw 2e-3, sgd 0.1, rmsprop 1e-3)",
        "  --momentum M          sgd/rmsprop momentum (default 0); --nesterov for sgd",
        "  --weight-decay W      (default 0; adamw 0.01)",
        "  --batch N             examples per batch (lm: parallel streams) (default 32)",
        "  --seq-len T           lm: truncated-BPTT window (default 100)",
        "  --tbptt-k1 K          lm: TBPTT(k1, k2 = T): a window of the last T steps every K new",
        "                        steps, each target counted once (default T: windows don't overlap)",
        "  --epochs N            (default 10, or no limit with --max-steps or --time-budget;",
        "                        0: no limit, give --max-steps or --time-budget)",
        "  --max-steps N         stop after N updates",
        "  --time-budget D       stop after D of training, e.g. 90s, 10m, 1h",
        "  --clip C              clip the global gradient norm to C (default 1.0; 0: off)",
        "  --clip-value V        clip each gradient element to [-V, V] instead",
        "  --schedule S          constant (default), cosine, cosine:MIN, step:EVERY:GAMMA",
        "  --warmup N            linear warm-up over the first N updates (default 0)",
        "  --seed N              seed of the split, batches, initialisation, dropout (default 42)",
        "  --patience N          early stopping after N validations without improvement; the best",
        "                        model is kept (default 0: off)",
        "  --validate-every N    validate every N updates (default: after each epoch)",
        "  --max-length N        seq2seq/digits: longest output when decoding (default 50/10)",
        "  --checkpoint FILE     write a resumable checkpoint each epoch (atomically)",
        "  --checkpoint-every N  ... and every N updates",
        "  --resume              continue from --checkpoint if it exists (bit for bit on the CPU)",
        "  --metrics FILE        metrics per N updates and per validation, .csv or .jsonl",
        "  --device D            cpu (default) or cuda:N;  --threads N   CPU threads",
        "  --quiet               no progress bar or epoch lines",
        "",
        "Exit status 0 on success; 1 and one line on stderr for bad data; 2 for a bad command line.",
        "");
  }

  @Override
  public int run(List<String> args, PrintStream out, PrintStream err) throws Exception {
    return CliErrors.run(() -> execute(args, out, err));
  }

  private int execute(List<String> args, PrintStream out, PrintStream err) throws Exception {
    CliOptions o = CliOptions.parse(args, VALUED, FLAGS, false);
    String task = o.choice("task", null, CliData.TASKS);
    if (task == null) {
      throw new UsageException("missing --task (classify, lm, tag, seq2seq or digits)");
    }
    Path data = o.requiredPath("data");
    Path outPath = o.requiredPath("out");
    int threads = o.integer("threads", 0, 1, 1024);
    String format = CliData.format(task, o.choice("format", null, CliData.FORMATS), data);
    TrainSettings s = TrainSettings.of(o, task, err);
    checkTaskOptions(task, o);
    checkFiles(o, task, s, data, outPath);
    if (threads > 0) {
      System.setProperty("jrnn.cpu.threads", Integer.toString(threads));
    }
    PrintStream log = o.flag("quiet") ? null : out;
    Trained t =
        switch (task) {
          case "classify" -> classify(o, s, data, format, log);
          case "lm" -> languageModel(o, s, data, log);
          case "tag" -> tag(o, s, data, log);
          case "seq2seq" -> seq2seq(o, s, data, log);
          case "caption" -> CaptionCommand.train(o, s, data, log);
          default -> digits(o, s, data, log);
        };
    try (Model model = t.contents().model()) {
      // a run killed while saving leaves .NAME.<hex>.tmp next to --out; this run owns --out
      AtomicFiles.deleteStaleTemps(outPath);
      ModelFiles.save(outPath, t.contents());
      StringBuilder line = new StringBuilder();
      line.append(
          String.format(
              Locale.ROOT,
              "saved %s (%s, %,d parameters) after %d updates in %.1f s (%s)",
              outPath,
              model.kind(),
              model.parameterCount(),
              t.result().steps(),
              t.result().trainSeconds(),
              t.result().stopReason().name().toLowerCase(Locale.ROOT).replace('_', ' ')));
      Map<String, Double> v =
          t.result().restoredBest() ? t.result().bestValidation() : t.result().lastValidation();
      if (!v.isEmpty()) {
        line.append(t.result().restoredBest() ? "; best validation" : "; validation");
        v.forEach((k, x) -> line.append(String.format(Locale.ROOT, " %s %.4f", k, x)));
      }
      out.println(line);
    }
    return 0;
  }

  /**
   * Checks every file before any work: the inputs can be read, and every output (the model, the
   * checkpoint, the metrics log) can be written, so that a run never fails only after training.
   */
  static void checkFiles(CliOptions o, String task, TrainSettings s, Path data, Path out)
      throws IOException {
    CliErrors.input(data);
    if (o.has("valid")) {
      CliErrors.input(o.path("valid"));
    }
    if (task.equals("caption")) {
      CliErrors.inputDirectory(o.requiredPath("images"));
    }
    CliErrors.output(out);
    if (s.checkpoint() != null) {
      CliErrors.output(s.checkpoint());
    }
    if (s.metrics() != null) {
      CliErrors.output(s.metrics());
    }
  }

  /** Refuses options that do not apply to the task (before any data is read). */
  static void checkTaskOptions(String task, CliOptions o) {
    List<String> wrong = new ArrayList<>();
    if (o.has("bidirectional") && !(task.equals("classify") || task.equals("tag"))) {
      wrong.add("--bidirectional");
    }
    if (o.has("dropout") && !(task.equals("classify") || task.equals("lm") || task.equals("tag"))) {
      wrong.add("--dropout");
    }
    if (o.has("seq-len") && !task.equals("lm")) {
      wrong.add("--seq-len");
    }
    if (o.has("tbptt-k1") && !task.equals("lm")) {
      wrong.add("--tbptt-k1");
    }
    if (o.has("max-length") && !(task.equals("seq2seq") || task.equals("digits"))) {
      wrong.add("--max-length");
    }
    if (!TOKENIZED.contains(task)) {
      for (String k : List.of("tokens", "lowercase", "keep-case", "max-vocab")) {
        if (o.has(k)) {
          wrong.add("--" + k);
        }
      }
    }
    if ((o.has("token-column") || o.has("tag-column")) && !task.equals("tag")) {
      wrong.add(o.has("token-column") ? "--token-column" : "--tag-column");
    }
    if (!wrong.isEmpty()) {
      throw new UsageException(
          String.join(" and ", wrong)
              + (wrong.size() == 1 ? " does" : " do")
              + " not apply to --task "
              + task);
    }
    if (TOKENIZED.contains(task)) {
      TokenizerSpec spec = tokenSpec(o, "char", false); // checks the token options at once
      if (task.equals("tag") && o.has("tokens") && spec.split() != TokenizerSpec.Split.WHITESPACE) {
        throw new UsageException(
            "--task tag takes its tokens from the CoNLL lines: --tokens must be whitespace, not "
                + Quote.quote(o.string("tokens", "")));
      }
    }
  }

  /** The tasks whose tokenizer the token options (--tokens, --lowercase, ...) set. */
  static final Set<String> TOKENIZED = Set.of("classify", "lm", "tag", "seq2seq");

  /**
   * The tokenizer recipe of the command line: {@code --tokens} (else {@code defaultSplit}), {@code
   * --lowercase} or {@code --keep-case} (else {@code defaultLowercase}), {@code --min-freq}, {@code
   * --max-vocab}.
   */
  static TokenizerSpec tokenSpec(CliOptions o, String defaultSplit, boolean defaultLowercase) {
    if (o.flag("lowercase") && o.flag("keep-case")) {
      throw new UsageException("give --lowercase or --keep-case, not both");
    }
    TokenizerSpec.Builder b = TokenizerSpec.builder();
    try {
      b.split(o.string("tokens", defaultSplit));
    } catch (JrnnException e) {
      throw new UsageException("--tokens: " + e.getMessage());
    }
    return b.lowercase(o.flag("lowercase") || (defaultLowercase && !o.flag("keep-case")))
        .minFrequency(o.integer("min-freq", 1, 1, Integer.MAX_VALUE))
        .maxVocab(o.integer("max-vocab", 0, 0, Integer.MAX_VALUE - Vocabulary.SPECIALS.size()))
        .build();
  }

  /** A trained model with what goes into its file, and how training went. */
  record Trained(ModelFiles.Contents contents, TrainResult result) {}

  // ------------------------------------------------------------------ shared

  static Cell cell(CliOptions o, Cell def) {
    String c =
        o.choice(
            "cell",
            def.name().toLowerCase(Locale.ROOT),
            "lstm",
            "gru",
            "rnn_tanh",
            "rnn_relu",
            "rnn");
    return c.equals("rnn") ? Cell.RNN_TANH : Cell.valueOf(c.toUpperCase(Locale.ROOT));
  }

  static <B> TrainResult fit(
      TrainSettings s,
      Task<B> task,
      BatchSource<B> train,
      BatchSource<B> valid,
      PrintStream log,
      String what) {
    if (log != null) {
      log.printf(Locale.ROOT, "model  %s (%,d parameters)%n", what, task.model().parameterCount());
      log.println("train  " + s.describe());
    }
    try (Trainer trainer = s.trainer(log)) {
      return trainer.fit(task, train, valid);
    }
  }

  /** Splits items into train/validation with the seed (or takes a given validation list). */
  static <T> List<List<T>> split(List<T> items, List<T> valid, TrainSettings s, String what) {
    if (valid != null) {
      return List.of(items, valid);
    }
    if (s.validFraction() == 0) {
      return List.of(items, List.of());
    }
    SeededSplit split = SeededSplit.of(items.size(), 1 - s.validFraction(), s.seed());
    List<T> train = split.trainOf(items);
    List<T> held = split.testOf(items);
    if (train.isEmpty() || held.isEmpty()) {
      throw new JrnnException(
          "too few "
              + what
              + " ("
              + items.size()
              + ") to hold out "
              + s.validFraction()
              + " for validation;"
              + " give --valid or --valid-fraction 0");
    }
    return List.of(train, held);
  }

  static void dataLine(PrintStream log, String text) {
    if (log != null) {
      log.println("data   " + text);
    }
  }

  // ------------------------------------------------------------------ classify

  Trained classify(CliOptions o, TrainSettings s, Path data, String format, PrintStream log)
      throws Exception {
    List<LabelledExample> all = CliData.labelled(data, format);
    List<LabelledExample> given =
        o.has("valid")
            ? CliData.labelled(
                o.path("valid"),
                CliData.format(
                    "classify", o.choice("format", null, CliData.FORMATS), o.path("valid")))
            : null;
    List<List<LabelledExample>> parts = split(all, given, s, "examples");
    List<LabelledExample> train = parts.get(0);
    List<LabelledExample> valid = parts.get(1);
    TokenizerSpec spec = tokenSpec(o, "word", true);
    String tokens = spec.split().label();
    List<String> texts = train.stream().map(LabelledExample::text).toList();
    Tokenizer tokenizer = spec.tokenizer(texts);
    List<LabelledExample> labelled = new ArrayList<>(train);
    labelled.addAll(valid);
    LabelIndex labels = LabelIndex.ofExamples(labelled);
    if (labels.size() < 2) {
      throw new JrnnException(
          Quote.path(data)
              + ": needs at least two labels, found ["
              + Quote.list(labels.labels())
              + "]");
    }
    List<int[]> trainX = CliData.encodeAll(tokenizer, texts, "training example");
    List<int[]> validX =
        CliData.encodeAll(
            tokenizer, valid.stream().map(LabelledExample::text).toList(), "validation example");
    dataLine(
        log,
        String.format(
            Locale.ROOT,
            "%,d training / %,d validation examples, %d labels %s, %,d %s ids; tokens %s",
            train.size(),
            valid.size(),
            labels.size(),
            "[" + Quote.list(labels.labels()) + "]",
            tokenizer.vocabSize(),
            tokens,
            spec.describe()));
    SequenceClassifier.Builder b =
        SequenceClassifier.builder()
            .vocabSize(tokenizer.vocabSize())
            .numClasses(labels.size())
            .seed(s.seed());
    SequenceClassifier.Config d = b.config(); // the defaults of the options below
    b.cell(cell(o, d.cell()))
        .hiddenSize(o.integer("hidden", d.hiddenSize(), 1, 1 << 16))
        .layers(o.integer("layers", d.layers(), 1, 64))
        .embeddingSize(o.integer("embedding", d.embeddingSize(), 1, 1 << 16))
        .bidirectional(o.flag("bidirectional"))
        .dropout((float) o.number("dropout", d.dropout(), 0, 0.99));
    SequenceClassifier model = b.device(s.device()).build();
    SequenceClassifier.Config c = model.config();
    try {
      TrainResult r =
          fit(
              s,
              new ClassifierTask(model),
              new ClassificationBatches(trainX, CliData.labelIds(labels, train), s.batch(), 50),
              valid.isEmpty()
                  ? null
                  : new ClassificationBatches(validX, CliData.labelIds(labels, valid), 256, 0),
              log,
              String.format(
                  Locale.ROOT,
                  "%s ids -> embedding %d -> %s%s %d x%d -> linear %d",
                  tokens,
                  c.embeddingSize(),
                  c.bidirectional() ? "bidirectional " : "",
                  c.cell(),
                  c.hiddenSize(),
                  c.layers(),
                  c.numClasses()));
      return new Trained(new ModelFiles.Contents(model, tokenizer, null, labels, null), r);
    } catch (RuntimeException e) {
      model.close();
      throw e;
    }
  }

  // ------------------------------------------------------------------ lm

  /** Where a language model's validation text comes from, for the data line. */
  static String lmValidation(CliOptions o, TrainSettings s, boolean hasValid) {
    if (!hasValid) {
      return o.has("valid") || s.validFraction() > 0
          ? "no validation (fewer than two validation tokens)"
          : "no validation (--valid-fraction 0)";
    }
    if (o.has("valid")) {
      return "validation: " + o.path("valid");
    }
    // the tail of the same text scores better than a separate text (1.92 vs 2.27 bits/char on
    // the novel): say which one the validation numbers are on
    return "validation: the last "
        + java.math.BigDecimal.valueOf(s.validFraction())
            .movePointRight(2)
            .stripTrailingZeros()
            .toPlainString()
        + "% of --data (--valid FILE validates on a separate text)";
  }

  Trained languageModel(CliOptions o, TrainSettings s, Path data, PrintStream log)
      throws Exception {
    String text = CliData.text(data);
    TokenizerSpec spec = tokenSpec(o, "char", false);
    String tokens = spec.split().label();
    String trainText;
    String validText;
    if (o.has("valid")) {
      trainText = text;
      validText = CliData.text(o.path("valid"));
    } else if (s.validFraction() == 0) {
      trainText = text;
      validText = "";
    } else {
      int[] cps = text.codePoints().toArray();
      int n = SeededSplit.trainCount(cps.length, 1 - s.validFraction());
      trainText = new String(cps, 0, n);
      validText = new String(cps, n, cps.length - n);
    }
    Tokenizer tokenizer = spec.tokenizer(List.of(trainText));
    int[] trainIds = tokenizer.encode(trainText);
    int[] validIds = validText.isEmpty() ? new int[0] : tokenizer.encode(validText);
    int window = o.integer("seq-len", 100, 1, 1 << 20);
    int stride = o.integer("tbptt-k1", window, 1, window);
    int streams = s.batch();
    if (trainIds.length < streams + 1) {
      throw new JrnnException(
          Quote.path(data)
              + ": "
              + trainIds.length
              + " training tokens are too few for "
              + streams
              + " streams (--batch)");
    }
    int validStreams = Math.max(1, Math.min(streams, (validIds.length - 1) / Math.max(1, window)));
    boolean hasValid = validIds.length >= 2;
    dataLine(
        log,
        String.format(
            Locale.ROOT,
            "%,d training / %,d validation %s tokens, %,d ids; %d streams x %d steps; tokens %s;"
                + " %s",
            trainIds.length,
            validIds.length,
            tokens,
            tokenizer.vocabSize(),
            streams,
            window,
            spec.describe(),
            lmValidation(o, s, hasValid)));
    LanguageModel.Builder b =
        LanguageModel.builder().vocabSize(tokenizer.vocabSize()).seed(s.seed());
    LanguageModel.Config d = b.config(); // the defaults of the options below
    b.cell(cell(o, d.cell()))
        .hiddenSize(o.integer("hidden", d.hiddenSize(), 1, 1 << 16))
        .layers(o.integer("layers", d.layers(), 1, 64))
        .embeddingSize(o.integer("embedding", d.embeddingSize(), 1, 1 << 16))
        .dropout((float) o.number("dropout", d.dropout(), 0, 0.99));
    LanguageModel model = b.device(s.device()).build();
    LanguageModel.Config c = model.config();
    try {
      TrainResult r =
          fit(
              s,
              new LanguageModelTask(model),
              new LmWindows(trainIds, streams, window, stride),
              hasValid ? new LmWindows(validIds, validStreams, window) : null,
              log,
              String.format(
                  Locale.ROOT,
                  "%s ids -> embedding %d -> %s %d x%d -> linear %d",
                  tokens,
                  c.embeddingSize(),
                  c.cell(),
                  c.hiddenSize(),
                  c.layers(),
                  c.vocabSize()));
      return new Trained(new ModelFiles.Contents(model, tokenizer, null, null, null), r);
    } catch (RuntimeException e) {
      model.close();
      throw e;
    }
  }

  // ------------------------------------------------------------------ tag

  /**
   * The tokenizer of tagging: whitespace-separated tokens (CoNLL tokens contain no spaces), case
   * kept unless the recipe lower-cases.
   */
  static Tokenizer taggingTokenizer(List<TaggedSentence> train, TokenizerSpec spec) {
    return spec.tokenizer(train.stream().map(CliData::joined).toList());
  }

  Trained tag(CliOptions o, TrainSettings s, Path data, PrintStream log) throws Exception {
    int tokenColumn = o.integer("token-column", 0, 0, 1000);
    int tagColumn = o.integer("tag-column", -1, 0, 1000);
    List<TaggedSentence> all = CliData.tagged(data, tokenColumn, tagColumn);
    List<TaggedSentence> given =
        o.has("valid") ? CliData.tagged(o.path("valid"), tokenColumn, tagColumn) : null;
    List<List<TaggedSentence>> parts = split(all, given, s, "sentences");
    List<TaggedSentence> train = parts.get(0);
    List<TaggedSentence> valid = parts.get(1);
    TokenizerSpec spec = tokenSpec(o, "whitespace", false);
    Tokenizer tokenizer = taggingTokenizer(train, spec);
    List<String> tagNames = new ArrayList<>();
    train.forEach(t -> tagNames.addAll(t.tags()));
    valid.forEach(t -> tagNames.addAll(t.tags()));
    LabelIndex tags = LabelIndex.of(tagNames);
    if (tags.size() < 2) {
      throw new JrnnException(
          Quote.path(data)
              + ": needs at least two tags, found ["
              + Quote.list(tags.labels())
              + "]");
    }
    dataLine(
        log,
        String.format(
            Locale.ROOT,
            "%,d training / %,d validation sentences, %d tags, %,d word ids; tokens %s",
            train.size(),
            valid.size(),
            tags.size(),
            tokenizer.vocabSize(),
            spec.describe()));
    SequenceTagger.Builder b =
        SequenceTagger.builder()
            .vocabSize(tokenizer.vocabSize())
            .numTags(tags.size())
            .seed(s.seed());
    SequenceTagger.Config d = b.config(); // the defaults of the options below
    b.cell(cell(o, d.cell()))
        .hiddenSize(o.integer("hidden", d.hiddenSize(), 1, 1 << 16))
        .layers(o.integer("layers", d.layers(), 1, 64))
        .embeddingSize(o.integer("embedding", d.embeddingSize(), 1, 1 << 16))
        .dropout((float) o.number("dropout", d.dropout(), 0, 0.99));
    if (o.has("bidirectional")) {
      b.bidirectional(o.flag("bidirectional"));
    }
    SequenceTagger model = b.device(s.device()).build();
    SequenceTagger.Config c = model.config();
    try {
      TrainResult r =
          fit(
              s,
              new TaggerTask(model),
              taggingBatches(tokenizer, tags, train, s.batch(), 50),
              valid.isEmpty() ? null : taggingBatches(tokenizer, tags, valid, 256, 0),
              log,
              String.format(
                  Locale.ROOT,
                  "words -> embedding %d -> %s%s %d x%d -> linear %d per token",
                  c.embeddingSize(),
                  c.bidirectional() ? "bidirectional " : "",
                  c.cell(),
                  c.hiddenSize(),
                  c.layers(),
                  tags.size()));
      return new Trained(new ModelFiles.Contents(model, tokenizer, null, tags, null), r);
    } catch (RuntimeException e) {
      model.close();
      throw e;
    }
  }

  static TaggingBatches taggingBatches(
      Tokenizer tokenizer, LabelIndex tags, List<TaggedSentence> sentences, int batch, int chunks) {
    List<int[]> x = new ArrayList<>();
    List<int[]> y = new ArrayList<>();
    for (int i = 0; i < sentences.size(); i++) {
      TaggedSentence t = sentences.get(i);
      int[] ids = new int[t.size()];
      int[] tagIds = new int[t.size()];
      for (int k = 0; k < t.size(); k++) {
        int[] one = tokenizer.encode(t.tokens().get(k));
        ids[k] = one.length == 1 ? one[0] : org.jrnn.data.Vocabulary.UNK_ID;
        try {
          tagIds[k] = tags.id(t.tags().get(k));
        } catch (IllegalArgumentException | JrnnException e) {
          throw new JrnnException("sentence " + (i + 1) + ": " + Quote.cut(e.getMessage()), e);
        }
      }
      x.add(ids);
      y.add(tagIds);
    }
    return new TaggingBatches(x, y, batch, chunks);
  }

  // ------------------------------------------------------------------ seq2seq

  Trained seq2seq(CliOptions o, TrainSettings s, Path data, PrintStream log) throws Exception {
    List<TextPair> all = CliData.pairs(data);
    List<TextPair> given = o.has("valid") ? CliData.pairs(o.path("valid")) : null;
    List<List<TextPair>> parts = split(all, given, s, "pairs");
    List<TextPair> train = parts.get(0);
    List<TextPair> valid = parts.get(1);
    List<String> src = train.stream().map(TextPair::source).toList();
    List<String> tgt = train.stream().map(TextPair::target).toList();
    TokenizerSpec srcSpec = seq2seqSpec(o, src);
    TokenizerSpec tgtSpec = seq2seqSpec(o, tgt);
    Tokenizer source = srcSpec.tokenizer(src);
    Tokenizer target = tgtSpec.tokenizer(tgt);
    int maxLength = o.integer("max-length", 50, 1, 1 << 16);
    dataLine(
        log,
        String.format(
            Locale.ROOT,
            "%,d training / %,d validation pairs, %,d source and %,d target ids; tokens %s",
            train.size(),
            valid.size(),
            source.vocabSize(),
            target.vocabSize(),
            describeSides(o, srcSpec, tgtSpec)));
    Seq2Seq.Builder b =
        Seq2Seq.builder()
            .sourceVocabSize(source.vocabSize())
            .targetVocabSize(target.vocabSize())
            .seed(s.seed());
    Seq2Seq.Config d = b.config(); // the defaults of the options below
    b.cell(cell(o, d.cell()))
        .hiddenSize(o.integer("hidden", d.hiddenSize(), 1, 1 << 16))
        .layers(o.integer("layers", d.layers(), 1, 64))
        .embeddingSize(o.integer("embedding", d.embeddingSize(), 1, 1 << 16));
    Seq2Seq model = b.device(s.device()).build();
    Seq2Seq.Config c = model.config();
    try {
      TrainResult r =
          fit(
              s,
              new Seq2SeqTask(model, maxLength),
              seq2seqBatches(source, target, train, s.batch(), 50),
              valid.isEmpty() ? null : seq2seqBatches(source, target, valid, 256, 0),
              log,
              String.format(
                  Locale.ROOT,
                  "source -> embedding %d -> %s %d x%d encoder; its final state starts the"
                      + " decoder -> linear %d",
                  c.embeddingSize(),
                  c.cell(),
                  c.hiddenSize(),
                  c.layers(),
                  target.vocabSize()));
      return new Trained(new ModelFiles.Contents(model, source, target, null, null), r);
    } catch (RuntimeException e) {
      model.close();
      throw e;
    }
  }

  /**
   * The recipe of one side of seq2seq: {@code --tokens} for both sides when given, else whitespace
   * where the side's texts are space-separated symbols ({@link
   * TokenizerSpec#isSpaceSeparatedSymbols}), else char; case kept unless {@code --lowercase}.
   */
  static TokenizerSpec seq2seqSpec(CliOptions o, List<String> texts) {
    String split =
        o.has("tokens") || !TokenizerSpec.isSpaceSeparatedSymbols(texts) ? "char" : "whitespace";
    return tokenSpec(o, split, false);
  }

  /**
   * {@code "source char (detected: not space-separated symbols), target whitespace (detected:
   * space-separated symbols), keep case"}, or {@code "source and target ..."} when both split
   * alike: the split of each side (and whether it was detected), then the rest of the recipe, which
   * both sides share.
   */
  static String describeSides(CliOptions o, TokenizerSpec source, TokenizerSpec target) {
    String sides =
        source.split() == target.split() && source.splitName().equals(target.splitName())
            ? "source and target " + describeSide(o, source)
            : "source " + describeSide(o, source) + ", target " + describeSide(o, target);
    return sides + ", " + source.describeOptions();
  }

  private static String describeSide(CliOptions o, TokenizerSpec side) {
    String split = Quote.cut(side.splitName());
    if (o.has("tokens")) {
      return split;
    }
    return split
        + (side.split() == TokenizerSpec.Split.WHITESPACE
            ? " (detected: space-separated symbols)"
            : " (detected: not space-separated symbols)");
  }

  static Seq2SeqBatches seq2seqBatches(
      Tokenizer source, Tokenizer target, List<TextPair> pairs, int batch, int chunks) {
    List<int[]> x =
        CliData.encodeAll(source, pairs.stream().map(TextPair::source).toList(), "pair");
    List<int[]> y = pairs.stream().map(p -> target.encode(p.target())).toList();
    return new Seq2SeqBatches(x, y, batch, chunks);
  }

  // ------------------------------------------------------------------ digits

  /** The character tokenizer of digit names (as torch_digits.py). */
  static CharTokenizer digitNames() {
    return CharTokenizer.build(String.join("", DigitImage.NAMES));
  }

  Trained digits(CliOptions o, TrainSettings s, Path data, PrintStream log) throws Exception {
    List<DigitImage> all = CliData.digits(data);
    List<DigitImage> given = o.has("valid") ? CliData.digits(o.path("valid")) : null;
    List<List<DigitImage>> parts = split(all, given, s, "images");
    List<DigitImage> train = parts.get(0);
    List<DigitImage> valid = parts.get(1);
    CharTokenizer chars = digitNames();
    int maxLength = o.integer("max-length", 10, 1, 1 << 16);
    dataLine(
        log,
        String.format(
            Locale.ROOT,
            "%,d training / %,d validation images; targets: digit names, %d character ids",
            train.size(),
            valid.size(),
            chars.vocabSize()));
    ConditionedLanguageModel.Builder b =
        ConditionedLanguageModel.builder()
            .featureSize(64)
            .vocabSize(chars.vocabSize())
            .seed(s.seed());
    ConditionedLanguageModel.Config d = b.config(); // the defaults of the options below
    b.cell(cell(o, d.cell()))
        .hiddenSize(o.integer("hidden", d.hiddenSize(), 1, 1 << 16))
        .layers(o.integer("layers", d.layers(), 1, 64))
        .embeddingSize(o.integer("embedding", d.embeddingSize(), 1, 1 << 16));
    ConditionedLanguageModel model = b.device(s.device()).build();
    ConditionedLanguageModel.Config c = model.config();
    try {
      TrainResult r =
          fit(
              s,
              new ConditionedLanguageModelTask(model, maxLength),
              digitBatches(chars, train, s.batch()),
              valid.isEmpty() ? null : digitBatches(chars, valid, 512),
              log,
              String.format(
                  Locale.ROOT,
                  "64 pixels -> linear -> tanh = initial state of a %s %d language model"
                      + " (embedding %d) -> linear %d",
                  c.cell(),
                  c.hiddenSize(),
                  c.embeddingSize(),
                  chars.vocabSize()));
      return new Trained(new ModelFiles.Contents(model, chars, null, null, null), r);
    } catch (RuntimeException e) {
      model.close();
      throw e;
    }
  }

  static ConditionedBatches digitBatches(CharTokenizer chars, List<DigitImage> images, int batch) {
    return new ConditionedBatches(
        images.stream().map(DigitImage::pixels).toList(),
        images.stream().map(d -> chars.encode(d.name())).toList(),
        batch);
  }
}
