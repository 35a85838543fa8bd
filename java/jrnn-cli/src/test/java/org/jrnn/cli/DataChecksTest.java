// DataChecksTest: the commands on real data of the wrong kind or with tokens the model does not
// know: train and eval refuse a file of another format in one line (exit 1), eval reports
// unknown_rate and refuses data that does not fit, predict counts unknown tokens per input and
// warns once, generate names an unknown prompt character or word.
//   mvn -B -o test -pl java/jrnn-cli -am -Dtest=DataChecksTest
// -Dsurefire.failIfNoSpecifiedTests=false
package org.jrnn.cli;

import static org.jrnn.cli.CliTestSupport.run;
import static org.jrnn.cli.CliTestSupport.runWithInput;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jrnn.data.BundledData;
import org.jrnn.data.LabelledExample;
import org.jrnn.data.LabelledTextReader;
import org.jrnn.io.Json;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataChecksTest {
  @TempDir static Path dir;

  static Path data;
  static Path reviews;
  static Path cmudict;
  static Path treebank;

  /** A seq2seq model of spaced letters to phonemes (character tokens), a few updates only. */
  static Path speller;

  /** A tagger of the treebank sample, a few updates only. */
  static Path tagger;

  @BeforeAll
  static void trainSmallModels() throws IOException {
    data = BundledData.findDataDir();
    cmudict = data.resolve("real/cmudict-train.tsv");
    treebank = data.resolve("real/treebank-train.conll");
    StringBuilder tsv = new StringBuilder();
    for (LabelledExample e :
        LabelledTextReader.readJsonArray(data.resolve("sentiment/imdb.json"))) {
      tsv.append(e.text().strip()).append('\t').append(e.label()).append('\n');
    }
    reviews = Files.writeString(dir.resolve("reviews.tsv"), tsv, StandardCharsets.UTF_8);
    speller = train("seq2seq", cmudict, "speller.safetensors", "--tokens", "char");
    tagger = train("tag", treebank, "tagger.safetensors");
  }

  static Path train(String task, Path file, String name, String... more) {
    Path out = dir.resolve(name);
    List<String> args =
        new ArrayList<>(
            List.of(
                "train",
                "--task",
                task,
                "--data",
                file.toString(),
                "--out",
                out.toString(),
                "--epochs",
                "1",
                "--max-steps",
                "2",
                "--hidden",
                "8",
                "--embedding",
                "4",
                "--valid-fraction",
                "0",
                "--quiet"));
    args.addAll(List.of(more));
    CliTestSupport.Run r = run(args.toArray(String[]::new));
    assertEquals(0, r.status(), r.err());
    return out;
  }

  /** Fails with exit 1, nothing on stdout and one line on stderr; returns the line. */
  static String refused(CliTestSupport.Run r) {
    assertEquals(Main.EXIT_FAILURE, r.status(), r.err());
    assertEquals("", r.out());
    assertTrue(
        r.err().endsWith("\n") && r.err().indexOf('\n') == r.err().length() - 1,
        "one line: " + r.err());
    return r.err().strip();
  }

  @Test
  void filesOfAnotherFormatAreRefusedInOneLine() {
    Path kjv = data.resolve("real/kjv-sparv-train.tsv");
    Path moby = data.resolve("moby-dick.txt");
    Path imdb = data.resolve("sentiment/imdb.json");
    Object[][] cases = {
      {"tag", reviews, "expected CoNLL columns", "is this text<TAB>label data (--task classify)?"},
      {"seq2seq", reviews, "only 2 distinct targets ('0', '1')", "(--task classify)?"},
      {"classify", cmudict, "a label column of text", "(--task seq2seq)?"},
      {"classify", treebank, "one token per line", "is this CoNLL columns (--task tag)?"},
      {"seq2seq", treebank, "one token per line", "is this CoNLL columns (--task tag)?"},
      {"lm", kjv, "expected plain text", "(--task seq2seq)?"},
      {"lm", imdb, "found a JSON array", "(--task classify --format uci-json)?"},
      {"lm", treebank, "expected plain text", "(--task tag)?"},
      {"tag", moby, "columns in the first 200 lines", "is this plain text (--task lm)?"},
      {"tag", cmudict, "token cells of several words", "(--task seq2seq)?"},
      {"digits", moby, "expected 65 values per line", "is this plain text (--task lm)?"},
      {"seq2seq", moby, "no tab on 183 of the first 200 lines", "(--task lm)?"},
    };
    for (Object[] c : cases) {
      String what = c[0] + " on " + c[1];
      String line =
          refused(
              run(
                  "train",
                  "--task",
                  (String) c[0],
                  "--data",
                  c[1].toString(),
                  "--out",
                  dir.resolve("never.safetensors").toString()));
      assertTrue(line.startsWith("jrnn train: " + c[1] + ": expected "), what + ": " + line);
      assertTrue(line.contains((String) c[2]), what + ": " + line);
      assertTrue(line.endsWith((String) c[3]), what + ": " + line);
    }
    // --format jsonl on a TSV: the question names the format
    String line =
        refused(
            run(
                "train",
                "--task",
                "classify",
                "--format",
                "jsonl",
                "--data",
                reviews.toString(),
                "--out",
                dir.resolve("never.safetensors").toString()));
    assertTrue(
        line.endsWith("; is this text<TAB>label data (--task classify --format tsv)?"), line);
    assertFalse(Files.exists(dir.resolve("never.safetensors")));
    // the case: a seq2seq model evaluated on a review TSV no longer scores exact_match 0
    line = refused(run("eval", "--model", speller.toString(), "--data", reviews.toString()));
    assertTrue(
        line.startsWith(
            "jrnn eval: "
                + reviews
                + ": expected source<TAB>target lines; found only 2 distinct targets"),
        line);
  }

  @Test
  void evalReportsTheUnknownRateAndRefusesDataThatDoesNotFit() throws IOException {
    // classifier: 8 words, one unknown
    Path cls = train("classify", CliTestSupport.sentimentTsv(dir, "s.tsv", 40, 1), "cls.st");
    Path test =
        Files.writeString(dir.resolve("t.tsv"), "the film was xyzzy\tpos\nthe film was and\tneg\n");
    CliTestSupport.Run e = run("eval", "--model", cls.toString(), "--data", test.toString());
    assertEquals(0, e.status(), e.err());
    assertEquals(0.125, Json.parseObject(e.out()).get("unknown_rate"), e.out());
    Path far = Files.writeString(dir.resolve("far.tsv"), "zork plugh xyzzy frob quux the\tpos\n");
    assertEquals(
        "jrnn eval: "
            + far
            + " does not fit the model: 83.3% of its tokens (5 of 6) are not in the model's"
            + " vocabulary (at most 80% may be), e.g. 'zork', 'plugh', 'xyzzy', 'frob', 'quux'",
        refused(run("eval", "--model", cls.toString(), "--data", far.toString())));

    // seq2seq: 'Q' is 1 of 10 source characters, 'Z' 1 of 12 target characters
    Path pairs = Files.writeString(dir.resolve("p.tsv"), "c a t\tk ae t\nc a Q\tk ae Z\n");
    e = run("eval", "--model", speller.toString(), "--data", pairs.toString());
    assertEquals(0, e.status(), e.err());
    Map<String, Object> m = Json.parseObject(e.out());
    assertEquals(0.1, m.get("unknown_rate"), e.out());
    assertEquals(1.0 / 12, m.get("target_unknown_rate"), e.out());
    assertTrue(m.containsKey("exact_match"), e.out());
    Path upper = Files.writeString(dir.resolve("u.tsv"), "c a t\tKAE\n");
    String line = refused(run("eval", "--model", speller.toString(), "--data", upper.toString()));
    assertTrue(
        line.endsWith(
            " does not fit the model: 100.0% of its target tokens (3 of 3) are not in the model's"
                + " vocabulary (at most 80% may be), e.g. 'K', 'A', 'E'"),
        line);

    // tagger: one word of three unknown; a tag the model does not know
    Path conll = Files.writeString(dir.resolve("s.conll"), "The\tDT\nqwxz\tNN\n.\t.\n\n");
    e = run("eval", "--model", tagger.toString(), "--data", conll.toString());
    assertEquals(0, e.status(), e.err());
    assertEquals(1.0 / 3, Json.parseObject(e.out()).get("unknown_rate"), e.out());
    Path badTag = Files.writeString(dir.resolve("b.conll"), "The\tDT\ncat\tXX\n.\tYY\n\n");
    line = refused(run("eval", "--model", tagger.toString(), "--data", badTag.toString()));
    assertTrue(
        line.startsWith(
            "jrnn eval: "
                + badTag
                + " does not fit the model: 2 of 3 words have tags the model does not know: 'XX'"
                + " (1), 'YY' (1); the model's tags: "),
        line);
    assertTrue(line.contains(", ... (") && line.length() < 400, line);
  }

  @Test
  void predictCountsUnknownTokensPerInputAndWarnsOnce() {
    // the default model of spaced letters (split at white space, detected): "hello" is one
    // unknown token, "h e l l o" five known ones
    Path words = train("seq2seq", cmudict, "words.st");
    CliTestSupport.Run p =
        runWithInput("hello\nh e l l o\n", "predict", "--model", words.toString());
    assertEquals(0, p.status(), p.err());
    Map<String, Object> first = Json.parseObject(p.outLines().get(0));
    assertEquals(1L, first.get("unknown"));
    assertEquals(List.of("hello"), first.get("unknown_tokens"));
    Map<String, Object> second = Json.parseObject(p.outLines().get(1));
    assertEquals(0L, second.get("unknown"));
    assertFalse(second.containsKey("unknown_tokens"), p.out());
    assertEquals(
        "warning: 1 of 2 inputs had tokens unknown to the model (see \"unknown\" in the output)\n",
        p.err());
    // the character model: capitals are unknown
    p = runWithInput("HeLLo\n", "predict", "--model", speller.toString());
    Map<String, Object> o = Json.parseObject(p.out());
    assertEquals(3L, o.get("unknown"));
    assertEquals(List.of("H", "L", "L"), o.get("unknown_tokens"));
    // the tagger: positions in "tokens"
    p = runWithInput("The qwxz , blorft\n", "predict", "--model", tagger.toString());
    assertEquals(0, p.status(), p.err());
    o = Json.parseObject(p.out());
    assertEquals(List.of("The", "qwxz", ",", "blorft"), o.get("tokens"));
    assertEquals(2L, o.get("unknown"));
    assertEquals(List.of("qwxz", "blorft"), o.get("unknown_tokens"));
    assertEquals(List.of(1L, 3L), o.get("unknown_at"));
    assertEquals(4, ((List<?>) o.get("tags")).size());
    // nothing unknown: no warning
    p = runWithInput("c a t\n", "predict", "--model", speller.toString());
    assertEquals("", p.err());
    assertEquals(0L, Json.parseObject(p.out()).get("unknown"));
  }

  @Test
  void generateNamesUnknownPromptCharactersAndWords() throws IOException {
    Path text = CliTestSupport.text(dir);
    Path chars = train("lm", text, "chars.st", "--batch", "2", "--seq-len", "8");
    assertEquals(
        "jrnn generate: the prompt's character 'q' (U+0071, position 5) is not in the model's"
            + " vocabulary",
        refused(run("generate", "--model", chars.toString(), "--prompt", "the qat")));
    Path words =
        train("lm", text, "words.st", "--batch", "2", "--seq-len", "8", "--tokens", "word");
    assertEquals(
        "jrnn generate: the prompt's word 'zyzzyva' (position 2) is not in the model's vocabulary",
        refused(run("generate", "--model", words.toString(), "--prompt", "the zyzzyva sat")));
    assertEquals(
        "jrnn generate: the prompt's words 'zyzzyva' (position 2), 'quux' (positions 4, 5) are"
            + " not in the model's vocabulary",
        refused(
            run("generate", "--model", words.toString(), "--prompt", "the zyzzyva sat quux quux")));
  }
}
