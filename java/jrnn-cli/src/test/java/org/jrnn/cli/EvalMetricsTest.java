/*
 * EvalMetricsTest: the metrics users compare with, on the small real fixtures of data/real: seq2seq
 * exact match, PER, WER and BLEU (greedy and beam) against the decoded outputs, tagger accuracy on
 * known and unknown words, and language-model validation on a separate --valid text.
 *   mvn -B -o test -pl java/jrnn-cli -am -Dtest=EvalMetricsTest -Dsurefire.failIfNoSpecifiedTests=false
 */
package org.jrnn.cli;

import static org.jrnn.cli.CliTestSupport.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jrnn.Device;
import org.jrnn.data.PaddedBatch;
import org.jrnn.data.Tokenizer;
import org.jrnn.data.Vocabulary;
import org.jrnn.decode.DecodeOptions;
import org.jrnn.io.Json;
import org.jrnn.metrics.Bleu;
import org.jrnn.metrics.EditDistance;
import org.jrnn.models.ModelFiles;
import org.jrnn.models.Seq2Seq;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvalMetricsTest {
  private static final Path CMUDICT_TRAIN = Path.of("data/real/cmudict-train.tsv");
  private static final Path CMUDICT_TEST = Path.of("data/real/cmudict-test.tsv");
  private static final Path TREEBANK_TRAIN = Path.of("data/real/treebank-train.conll");
  private static final Path TREEBANK_TEST = Path.of("data/real/treebank-test.conll");
  private static final Path NOVEL = Path.of("data/moby-dick.txt");

  @TempDir Path dir;

  private static List<String> words(String s) {
    String t = s.strip();
    return t.isEmpty() ? List.of() : List.of(t.split("\\s+"));
  }

  private static double number(Map<String, Object> m, String key) {
    assertTrue(m.containsKey(key), key + " in " + m);
    return ((Number) m.get(key)).doubleValue();
  }

  @Test
  void seq2seqReportsExactMatchPerWerAndBleuOfTheDecodedPronunciations() throws Exception {
    // G2P as users have it: letters -> phonemes, both space-separated symbols (--tokens word)
    Path model = dir.resolve("g2p.safetensors");
    CliTestSupport.Run t =
        run(
            "train",
            "--task",
            "seq2seq",
            "--data",
            CMUDICT_TRAIN.toString(),
            "--out",
            model.toString(),
            "--tokens",
            "word",
            "--valid-fraction",
            "0",
            "--max-steps",
            "800",
            "--batch",
            "32",
            "--hidden",
            "64",
            "--embedding",
            "16",
            "--lr",
            "0.01",
            "--max-length",
            "16",
            "--quiet");
    assertEquals(0, t.status(), t.err());

    List<String> sources = new ArrayList<>();
    List<String> references = new ArrayList<>();
    for (String line : Files.readAllLines(CMUDICT_TEST, StandardCharsets.UTF_8)) {
      String[] p = line.split("\t");
      sources.add(p[0]);
      references.add(p[1]);
    }
    Path input = dir.resolve("words.txt");
    Files.write(input, sources, StandardCharsets.UTF_8);

    // greedy: the expected metrics from jrnn predict's outputs (greedy decoding)
    CliTestSupport.Run p =
        run("predict", "--model", model.toString(), "--max-length", "16", input.toString());
    assertEquals(0, p.status(), p.err());
    List<String> greedy = new ArrayList<>();
    for (String line : p.outLines()) {
      greedy.add((String) Json.parseObject(line).get("output"));
    }
    CliTestSupport.Run e =
        run(
            "eval",
            "--model",
            model.toString(),
            "--data",
            CMUDICT_TEST.toString(),
            "--max-length",
            "16");
    assertEquals(0, e.status(), e.err());
    Map<String, Object> m = Json.parseObject(e.out());
    checkAgainst(m, references, greedy);

    // beam 3: the expected metrics from the model's own beam search
    List<String> beam = new ArrayList<>();
    try (ModelFiles.Contents c = ModelFiles.load(model, Device.cpu())) {
      Tokenizer src = c.tokenizer();
      List<int[]> ids = new ArrayList<>();
      for (String s : sources) {
        ids.add(src.encode(s));
      }
      int[] all = new int[ids.size()];
      for (int i = 0; i < all.length; i++) {
        all[i] = i;
      }
      int[][] out =
          c.model(Seq2Seq.class)
              .generate(
                  PaddedBatch.of(ids, all),
                  DecodeOptions.builder().beamSize(3).maxLength(16).build());
      for (int[] o : out) {
        beam.add(c.targetTokenizer().decode(o));
      }
      // the test set's phonemes are all known, so the references have no <unk>
      for (String r : references) {
        for (int id : c.targetTokenizer().encode(r)) {
          assertTrue(id != Vocabulary.UNK_ID, r);
        }
      }
    }
    CliTestSupport.Run e3 =
        run(
            "eval",
            "--model",
            model.toString(),
            "--data",
            CMUDICT_TEST.toString(),
            "--max-length",
            "16",
            "--beam",
            "3");
    assertEquals(0, e3.status(), e3.err());
    Map<String, Object> m3 = Json.parseObject(e3.out());
    checkAgainst(m3, references, beam);
    assertEquals(number(m, "loss"), number(m3, "loss"), "the loss does not depend on decoding");
  }

  @Test
  void withCharacterTokensPerIsTheCharacterErrorRateAndWerCountsWords() throws Exception {
    Path model = dir.resolve("g2p-chars.safetensors");
    CliTestSupport.Run t =
        run(
            "train",
            "--task",
            "seq2seq",
            "--data",
            CMUDICT_TRAIN.toString(),
            "--out",
            model.toString(),
            "--tokens",
            "char",
            "--valid-fraction",
            "0",
            "--max-steps",
            "300",
            "--hidden",
            "48",
            "--embedding",
            "16",
            "--lr",
            "0.01",
            "--quiet");
    assertEquals(0, t.status(), t.err());
    List<String> sources = new ArrayList<>();
    List<String> references = new ArrayList<>();
    for (String line : Files.readAllLines(CMUDICT_TEST, StandardCharsets.UTF_8)) {
      String[] p = line.split("\t");
      sources.add(p[0]);
      references.add(p[1]);
    }
    Path input = dir.resolve("words.txt");
    Files.write(input, sources, StandardCharsets.UTF_8);
    CliTestSupport.Run p =
        run("predict", "--model", model.toString(), "--max-length", "40", input.toString());
    assertEquals(0, p.status(), p.err());
    CliTestSupport.Run e =
        run(
            "eval",
            "--model",
            model.toString(),
            "--data",
            CMUDICT_TEST.toString(),
            "--max-length",
            "40");
    assertEquals(0, e.status(), e.err());
    Map<String, Object> m = Json.parseObject(e.out());
    long charEdits = 0;
    long refChars = 0;
    long wordEdits = 0;
    long refWords = 0;
    List<String> lines = p.outLines();
    for (int i = 0; i < references.size(); i++) {
      String r = references.get(i);
      String h = (String) Json.parseObject(lines.get(i)).get("output");
      // the model's tokens are the characters, spaces included
      charEdits += EditDistance.levenshtein(chars(r), chars(h));
      refChars += r.codePointCount(0, r.length());
      wordEdits += EditDistance.levenshtein(words(r), words(h));
      refWords += words(r).size();
    }
    assertEquals((double) charEdits / refChars, number(m, "per"), 1e-12);
    assertEquals((double) wordEdits / refWords, number(m, "wer"), 1e-12);
    assertTrue(number(m, "per") < number(m, "wer"), "a wrong phoneme is 1 of its 2-3 chars: " + m);
  }

  private static List<String> chars(String s) {
    return s.codePoints().mapToObj(Character::toString).toList();
  }

  /** The eval JSON's exact_match, per, wer and bleu as computed from the decoded outputs. */
  private static void checkAgainst(
      Map<String, Object> m, List<String> references, List<String> outputs) {
    assertEquals(references.size(), outputs.size());
    long exact = 0;
    long edits = 0;
    long refTokens = 0;
    List<List<String>> hyp = new ArrayList<>();
    List<List<String>> ref = new ArrayList<>();
    for (int i = 0; i < references.size(); i++) {
      List<String> r = words(references.get(i));
      List<String> h = words(outputs.get(i));
      exact += r.equals(h) ? 1 : 0;
      edits += EditDistance.levenshtein(r, h);
      refTokens += r.size();
      ref.add(r);
      hyp.add(h);
    }
    assertEquals((long) references.size(), m.get("examples"));
    assertEquals((double) exact / references.size(), number(m, "exact_match"), 1e-12);
    assertEquals((double) edits / refTokens, number(m, "per"), 1e-12);
    // phonemes tokenised as words: the words of the text are the model's tokens
    assertEquals(number(m, "per"), number(m, "wer"), 1e-15);
    assertEquals(Bleu.bleu4(hyp, ref), number(m, "bleu"), 1e-12);
    // a model 150 updates in gets some pronunciations and most phonemes right, not all
    assertTrue(number(m, "exact_match") > 0 && number(m, "exact_match") < 1, "" + m);
    assertTrue(number(m, "per") > 0 && number(m, "per") < 1, "" + m);
    assertTrue(number(m, "bleu") > 0 && number(m, "bleu") < 1, "" + m);
  }

  @Test
  void taggerAccuracySplitsIntoKnownAndUnknownWords() throws Exception {
    Path model = dir.resolve("pos.safetensors");
    CliTestSupport.Run t =
        run(
            "train",
            "--task",
            "tag",
            "--data",
            TREEBANK_TRAIN.toString(),
            "--out",
            model.toString(),
            "--valid-fraction",
            "0",
            "--epochs",
            "10",
            "--hidden",
            "32",
            "--embedding",
            "32",
            "--lr",
            "0.01",
            "--quiet");
    assertEquals(0, t.status(), t.err());
    CliTestSupport.Run e =
        run("eval", "--model", model.toString(), "--data", TREEBANK_TEST.toString());
    assertEquals(0, e.status(), e.err());
    Map<String, Object> m = Json.parseObject(e.out());

    // the unknown words: test tokens the training vocabulary does not hold
    long tokens = 0;
    long unknown = 0;
    try (ModelFiles.Contents c = ModelFiles.load(model, Device.cpu())) {
      for (String line : Files.readAllLines(TREEBANK_TEST, StandardCharsets.UTF_8)) {
        if (line.isBlank()) {
          continue;
        }
        int[] ids = c.tokenizer().encode(line.split("\t")[0]);
        tokens++;
        unknown += ids.length == 1 && ids[0] != Vocabulary.UNK_ID ? 0 : 1;
      }
    }
    assertTrue(unknown > 0 && unknown < tokens, unknown + " of " + tokens);
    double u = number(m, "unknown_rate");
    assertEquals((double) unknown / tokens, u, 1e-15);
    double known = number(m, "accuracy_known");
    double unk = number(m, "accuracy_unknown");
    // the accuracy is the token-weighted mix of the two
    assertEquals(number(m, "accuracy"), (1 - u) * known + u * unk, 1e-12);
    assertTrue(known > 0 && known <= 1 && unk >= 0 && unk <= 1, "" + m);
    assertTrue(known > unk, "a model knows its training words better: " + m);
  }

  @Test
  void languageModelValidatesOnASeparateTextAndSaysSo() throws Exception {
    int[] novel = Files.readString(NOVEL, StandardCharsets.UTF_8).codePoints().toArray();
    Path train = dir.resolve("train.txt");
    Path valid = dir.resolve("valid.txt");
    Files.writeString(train, new String(novel, 20_000, 30_000), StandardCharsets.UTF_8);
    Files.writeString(valid, new String(novel, 60_000, 4_000), StandardCharsets.UTF_8);
    String[] common = {
      "--hidden", "32", "--embedding", "16", "--batch", "8", "--seq-len", "50", "--max-steps", "20"
    };
    Path model = dir.resolve("lm.safetensors");
    List<String> args =
        new ArrayList<>(
            List.of(
                "train",
                "--task",
                "lm",
                "--data",
                train.toString(),
                "--valid",
                valid.toString(),
                "--out",
                model.toString()));
    args.addAll(List.of(common));
    CliTestSupport.Run t = run(args.toArray(String[]::new));
    assertEquals(0, t.status(), t.err());
    String data = dataLine(t.out());
    assertTrue(data.contains("30,000 training / 4,000 validation char tokens"), data);
    assertTrue(data.endsWith("; validation: " + valid), data);
    // the validation bits per token of training are jrnn eval's on the --valid file
    Matcher v =
        Pattern.compile("; validation loss \\S+ bits_per_token (\\S+)").matcher(lastLine(t.out()));
    assertTrue(v.find(), t.out());
    CliTestSupport.Run e =
        run(
            "eval",
            "--model",
            model.toString(),
            "--data",
            valid.toString(),
            "--batch",
            "8",
            "--seq-len",
            "50");
    assertEquals(0, e.status(), e.err());
    double bits = number(Json.parseObject(e.out()), "bits_per_token");
    assertEquals(String.format(Locale.ROOT, "%.4f", bits), v.group(1));
    CliTestSupport.Run onTrain =
        run(
            "eval",
            "--model",
            model.toString(),
            "--data",
            train.toString(),
            "--batch",
            "8",
            "--seq-len",
            "50");
    assertFalse(
        v.group(1)
            .equals(
                String.format(
                    Locale.ROOT,
                    "%.4f",
                    number(Json.parseObject(onTrain.out()), "bits_per_token"))),
        "the training text scores differently");

    // without --valid: the tail of --data, and the line says so
    args.subList(5, 7).clear();
    CliTestSupport.Run tail = run(args.toArray(String[]::new));
    assertEquals(0, tail.status(), tail.err());
    data = dataLine(tail.out());
    assertTrue(data.contains("27,000 training / 3,000 validation char tokens"), data);
    assertTrue(
        data.endsWith(
            "; validation: the last 10% of --data (--valid FILE validates on a separate text)"),
        data);
    args.addAll(List.of("--valid-fraction", "0.25"));
    data = dataLine(run(args.toArray(String[]::new)).out());
    assertTrue(data.contains("; validation: the last 25% of --data ("), data);
    args.set(args.size() - 1, "0");
    data = dataLine(run(args.toArray(String[]::new)).out());
    assertTrue(data.endsWith("; no validation (--valid-fraction 0)"), data);
  }

  private static String dataLine(String out) {
    for (String line : out.split("\n")) {
      if (line.startsWith("data   ")) {
        return line;
      }
    }
    throw new AssertionError("no data line in " + out);
  }

  private static String lastLine(String out) {
    String[] lines = out.strip().split("\n");
    return lines[lines.length - 1];
  }
}
