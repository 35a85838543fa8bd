// jrnn train's token options on real data: seq2seq detects space-separated phonemes and keeps
// them whole and in their case, the tagger keeps case unless --lowercase, classify lower-cases and
// honours --max-vocab, and bad token options are usage errors of one line.
package org.jrnn.cli;

import static org.jrnn.cli.CliTestSupport.run;
import static org.jrnn.cli.CliTestSupport.runWithInput;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jrnn.Device;
import org.jrnn.data.CharTokenizer;
import org.jrnn.data.Tokenizer;
import org.jrnn.data.TokenizerSpec;
import org.jrnn.data.Vocabulary;
import org.jrnn.data.WordTokenizer;
import org.jrnn.io.Json;
import org.jrnn.models.ModelFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainTokensTest {
  static final Path CMUDICT = Path.of("data/real/cmudict-train.tsv");
  static final Path TREEBANK = Path.of("data/real/treebank-train.conll");

  @TempDir Path dir;

  /** A few updates of a tiny model on {@code data}, with the data line printed. */
  static CliTestSupport.Run train(String task, Path data, Path out, String... more) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "train",
                "--task",
                task,
                "--data",
                data.toString(),
                "--out",
                out.toString(),
                "--max-steps",
                "2",
                "--hidden",
                "8",
                "--embedding",
                "4",
                "--batch",
                "8",
                "--valid-fraction",
                "0"));
    args.addAll(List.of(more));
    return run(args.toArray(String[]::new));
  }

  static String dataLine(CliTestSupport.Run r) {
    return r.outLines().stream().filter(l -> l.startsWith("data   ")).findFirst().orElseThrow();
  }

  @Test
  void seq2seqDetectsSpaceSeparatedPhonemesAndKeepsThemWholeAndInTheirCase() throws Exception {
    Path model = dir.resolve("g2p.safetensors");
    CliTestSupport.Run r = train("seq2seq", CMUDICT, model);
    assertEquals(0, r.status(), r.err());
    assertTrue(
        dataLine(r)
            .endsWith(
                " 30 source and 44 target ids; tokens source and target whitespace (detected:"
                    + " space-separated symbols), keep case"),
        r.out());
    try (ModelFiles.Contents c = ModelFiles.load(model, Device.cpu())) {
      Tokenizer target = c.targetTokenizer();
      assertEquals(TokenizerSpec.parse("whitespace"), target.spec());
      assertEquals(TokenizerSpec.parse("whitespace"), c.tokenizer().spec());
      // phonemes are whole tokens: ae and ax are two ids, not letters
      List<String> phones = target.vocabulary().tokens();
      assertTrue(phones.containsAll(List.of("k", "ae", "ax", "t", "ow")), phones.toString());
      assertEquals(
          "k ae t",
          target.decode(
              new int[] {
                Vocabulary.BOS_ID,
                target.vocabulary().id("k"),
                target.vocabulary().id("ae"),
                target.vocabulary().id("t"),
                Vocabulary.EOS_ID
              }));
      // case is kept: upper-case phonemes are other tokens (unknown to this vocabulary)
      assertEquals(List.of("HH", "AH"), target.tokenize("HH  AH"));
      assertArrayEquals(
          new int[] {Vocabulary.UNK_ID, target.vocabulary().id("ae")}, target.encode("AE ae"));
      // the source letters are one token each as well
      assertEquals(List.of("c", "a", "t"), c.tokenizer().tokenize("c a t"));
    }

    // --tokens applies to both sides; --lowercase folds them
    Path chars = dir.resolve("chars.safetensors");
    r = train("seq2seq", CMUDICT, chars, "--tokens", "char", "--lowercase", "--max-vocab", "20");
    assertEquals(0, r.status(), r.err());
    assertTrue(
        dataLine(r)
            .endsWith(
                " 24 source and 24 target ids; tokens source and target char, lower-case, at most"
                    + " 20 tokens"),
        dataLine(r));
    try (ModelFiles.Contents c = ModelFiles.load(chars, Device.cpu())) {
      CharTokenizer target = assertInstanceOf(CharTokenizer.class, c.targetTokenizer());
      assertTrue(target.lowercase());
      assertEquals(24, target.vocabSize());
      assertArrayEquals(target.encode("ae"), target.encode("AE"));
    }
  }

  @Test
  void seq2seqDecidesEachSideOnItsOwn() throws Exception {
    Path model = dir.resolve("kjv.safetensors");
    CliTestSupport.Run r = train("seq2seq", Path.of("data/real/kjv-sparv-train.tsv"), model);
    assertEquals(0, r.status(), r.err());
    assertTrue(
        dataLine(r)
            .endsWith(
                "tokens source and target char (detected: not space-separated symbols), keep case"),
        dataLine(r));
    // words in, phonemes out: each side on its own
    Path words = dir.resolve("words.tsv");
    Files.writeString(words, "cat\tk ae t\ndog\td ao g\nCAT\tK AE T\n".repeat(4));
    r = train("seq2seq", words, model);
    assertEquals(0, r.status(), r.err());
    assertTrue(
        dataLine(r)
            .endsWith(
                "tokens source char (detected: not space-separated symbols), target whitespace (detected:"
                    + " space-separated symbols), keep case"),
        dataLine(r));
  }

  @Test
  void theTaggerKeepsCaseUnlessAskedToLowerCase() throws Exception {
    Path model = dir.resolve("tag.safetensors");
    CliTestSupport.Run r = train("tag", TREEBANK, model);
    assertEquals(0, r.status(), r.err());
    assertTrue(dataLine(r).endsWith("word ids; tokens whitespace, keep case"), dataLine(r));
    try (ModelFiles.Contents c = ModelFiles.load(model, Device.cpu())) {
      Tokenizer t = c.tokenizer();
      int upper = t.encode("The")[0];
      int lower = t.encode("the")[0];
      assertNotEquals(Vocabulary.UNK_ID, upper);
      assertNotEquals(Vocabulary.UNK_ID, lower);
      assertNotEquals(upper, lower);
      // CoNLL tokens with symbols stay whole
      assertEquals(List.of("n't", "$", "1.5"), t.tokenize("n't $ 1.5"));
    }

    Path folded = dir.resolve("tag-lower.safetensors");
    r = train("tag", TREEBANK, folded, "--lowercase", "--tokens", "whitespace");
    assertEquals(0, r.status(), r.err());
    assertTrue(dataLine(r).endsWith("word ids; tokens whitespace, lower-case"), dataLine(r));
    try (ModelFiles.Contents c = ModelFiles.load(folded, Device.cpu())) {
      Tokenizer t = c.tokenizer();
      assertNotEquals(Vocabulary.UNK_ID, t.encode("the")[0]);
      assertArrayEquals(t.encode("the"), t.encode("The"));
      assertFalse(t.vocabulary().contains("The"));
    }
    // predict folds case through the tokenizer and reports the tokens as given
    CliTestSupport.Run p = runWithInput("The Dow fell\n", "predict", "--model", folded.toString());
    assertEquals(0, p.status(), p.err());
    Map<String, Object> o = Json.parseObject(p.out().strip());
    assertEquals(List.of("The", "Dow", "fell"), o.get("tokens"));
    assertEquals(3, ((List<?>) o.get("tags")).size());
  }

  @Test
  void classifyLowerCasesByDefaultAndMaxVocabCutsTheVocabulary() throws Exception {
    Path tsv = dir.resolve("reviews.tsv");
    Files.writeString(
        tsv, "Great film\tpos\ngreat FILM\tpos\nawful plot\tneg\nAwful acting, dull\tneg\n");
    Path model = dir.resolve("c.safetensors");
    CliTestSupport.Run r = train("classify", tsv, model);
    assertEquals(0, r.status(), r.err());
    assertTrue(dataLine(r).endsWith(", 11 word ids; tokens word, lower-case"), dataLine(r));
    try (ModelFiles.Contents c = ModelFiles.load(model, Device.cpu())) {
      WordTokenizer t = assertInstanceOf(WordTokenizer.class, c.tokenizer());
      assertTrue(t.lowercase());
      assertArrayEquals(t.encode("great film"), t.encode("Great FILM"));
    }
    r = train("classify", tsv, model, "--keep-case", "--max-vocab", "3", "--tokens", "whitespace");
    assertEquals(0, r.status(), r.err());
    assertTrue(
        dataLine(r).endsWith(", 7 whitespace ids; tokens whitespace, keep case, at most 3 tokens"),
        dataLine(r));
    try (ModelFiles.Contents c = ModelFiles.load(model, Device.cpu())) {
      Tokenizer t = c.tokenizer();
      // each once but "acting," ... the three most frequent: ties by code point (upper case first)
      assertEquals(
          List.of("<pad>", "<unk>", "<bos>", "<eos>", "Awful", "FILM", "Great"),
          t.vocabulary().tokens());
      assertEquals(TokenizerSpec.parse("whitespace").toBuilder().maxVocab(3).build(), t.spec());
    }
  }

  @Test
  void badTokenOptionsAreUsageErrorsOfOneLine() throws Exception {
    Path tsv = CliTestSupport.sentimentTsv(dir, "train.tsv", 20, 1);
    Path out = dir.resolve("m.safetensors");
    Path digits = dir.resolve("digits.csv"); // refused before it is read
    String[][] bad = {
      {"classify", tsv.toString(), "--tokens", "regex:["},
      {"classify", tsv.toString(), "--tokens", "bpe"},
      {"classify", tsv.toString(), "--tokens", "regex:x*"},
      {"classify", tsv.toString(), "--lowercase", "--keep-case"},
      {"classify", tsv.toString(), "--max-vocab", "-1"},
      {"tag", TREEBANK.toString(), "--tokens", "word"},
      {"digits", digits.toString(), "--lowercase"},
      {"digits", digits.toString(), "--tokens", "char", "--max-vocab", "5"},
    };
    String[] expected = {
      "--tokens: bad split pattern '[': Unclosed character class near index 0",
      "--tokens: unknown split 'bpe' (char, word, whitespace or regex:PATTERN)",
      "--tokens: split pattern 'x*' matches the empty text (no token)",
      "give --lowercase or --keep-case, not both",
      "--max-vocab must be in 0..2147483643, not -1",
      "--task tag takes its tokens from the CoNLL lines: --tokens must be whitespace, not 'word'",
      "--lowercase does not apply to --task digits",
      "--tokens and --max-vocab do not apply to --task digits",
    };
    for (int i = 0; i < bad.length; i++) {
      List<String> args =
          new ArrayList<>(List.of("train", "--task", bad[i][0], "--data", bad[i][1]));
      args.addAll(List.of("--out", out.toString()));
      args.addAll(List.of(bad[i]).subList(2, bad[i].length));
      CliTestSupport.Run r = run(args.toArray(String[]::new));
      assertEquals(Main.EXIT_USAGE, r.status(), String.join(" ", args));
      assertEquals(
          "jrnn train: " + expected[i] + " (see jrnn train --help)\n", r.err(), args.toString());
      assertEquals("", r.out());
    }
    assertFalse(Files.exists(out));
    CliTestSupport.Run h = run("train", "--help");
    assertTrue(h.out().contains("--tokens char|word|whitespace|regex:PATTERN"), h.out());
    assertTrue(h.out().contains("--max-vocab N"), h.out());
    assertTrue(h.out().contains("--lowercase, --keep-case"), h.out());
  }
}
