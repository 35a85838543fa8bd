/*
 * Seq2SeqTest: encoder-decoder gradients against finite differences (the decoder's initial
 * state carries them into the encoder), a training run that learns to reverse short sequences,
 * error rates and BLEU of evaluate against the decoded sequences, and a model-file round trip with
 * source and target tokenizers.
 *   mvn -B -o test -Dtest=Seq2SeqTest
 */
package org.jrnn.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.jrnn.Cell;
import org.jrnn.Device;
import org.jrnn.JrnnException;
import org.jrnn.data.CharTokenizer;
import org.jrnn.data.WordTokenizer;
import org.jrnn.decode.DecodeOptions;
import org.jrnn.metrics.Bleu;
import org.jrnn.metrics.EditDistance;
import org.jrnn.train.Task.StepResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Seq2SeqTest {
  private static final Device CPU = Device.cpu();
  private static final List<int[]> SOURCES =
      List.of(new int[] {4, 5, 6}, new int[] {7}, new int[] {5, 4});
  private static final List<int[]> TARGETS =
      List.of(new int[] {6, 5}, new int[] {4, 4, 7}, new int[] {});
  private static final Seq2SeqBatch BATCH = Seq2SeqBatch.of(SOURCES, TARGETS, new int[] {0, 1, 2});

  @Test
  void gradientsReachTheEncoderAndMatchFiniteDifferences() {
    Seq2Seq.Config c =
        Seq2Seq.builder()
            .sourceVocabSize(8)
            .targetVocabSize(8)
            .embeddingSize(3)
            .hiddenSize(3)
            .layers(2)
            .seed(2)
            .config();
    try (Seq2Seq model = c.toBuilder().device(CPU).build()) {
      StepResult r = model.trainStep(BATCH);
      assertEquals(3 + 4 + 1, r.count());
      assertEquals(model.evaluate(List.of(BATCH), 3).get("loss"), r.mean(), 1e-6);
      double encoder = 0;
      for (var p : model.parameters()) {
        if (p.name().startsWith("encoder.")) {
          for (float v : p.grad().toArray()) {
            encoder += Math.abs(v);
          }
        }
      }
      assertTrue(encoder > 1e-3, "the encoder gets gradients through the decoder's initial state");
      GradCheck.check(
          model, () -> model.evaluate(List.of(BATCH), 1).get("loss"), 5, 1e-2, 3e-4, 2e-2);
    }
  }

  @Test
  void learnsToReverseShortSequences() {
    List<int[]> sources = new ArrayList<>();
    List<int[]> targets = new ArrayList<>();
    for (int a = 4; a < 7; a++) {
      for (int b = 4; b < 7; b++) {
        sources.add(new int[] {a, b});
        targets.add(new int[] {b, a});
        for (int c = 4; c < 7; c++) {
          sources.add(new int[] {a, b, c});
          targets.add(new int[] {c, b, a});
        }
      }
    }
    Seq2SeqBatches source = new Seq2SeqBatches(sources, targets, 9, 2);
    List<Seq2SeqBatch> all = Seq2SeqBatches.inOrder(sources, targets, 36);
    Seq2Seq.Config c =
        Seq2Seq.builder()
            .sourceVocabSize(7)
            .targetVocabSize(7)
            .embeddingSize(8)
            .hiddenSize(32)
            .seed(1)
            .config();
    try (Seq2Seq model = c.toBuilder().device(CPU).build()) {
      Seq2SeqTask task = new Seq2SeqTask(model, 5);
      double before = task.evaluate(all).get("loss");
      int step = 0;
      for (int epoch = 0; epoch < 40; epoch++) {
        for (Seq2SeqBatch b : source.epoch(epoch, 4)) {
          model.zeroGradients();
          task.trainStep(b);
          TinyAdam.step(model, 0.02f, ++step);
        }
      }
      var after = task.evaluate(all);
      assertTrue(after.get("exact_match") > 0.9, before + " -> " + after);
      assertTrue(after.get("loss") < 0.1 * before, before + " -> " + after);
    } finally {
      TinyAdam.forget();
    }
  }

  @Test
  void errorRatesAndBleuFollowTheDecodedSequences() {
    // half-trained reversal of "a b c" words: some outputs right, some wrong, some of other length
    List<int[]> sources = new ArrayList<>();
    List<int[]> targets = new ArrayList<>();
    for (int a = 4; a < 7; a++) {
      for (int b = 4; b < 7; b++) {
        for (int c = 4; c < 7; c++) {
          sources.add(new int[] {a, b, c, a});
          targets.add(new int[] {a, c, b, a});
        }
      }
    }
    List<Seq2SeqBatch> all = Seq2SeqBatches.inOrder(sources, targets, 10);
    WordTokenizer words = WordTokenizer.builder().build(List.of("a b c"));
    CharTokenizer chars = CharTokenizer.build("abc");
    assertEquals(List.of("a", "b", "c"), words.vocabulary().tokens().subList(4, 7));
    Seq2Seq.Config c =
        Seq2Seq.builder()
            .sourceVocabSize(7)
            .targetVocabSize(7)
            .embeddingSize(8)
            .hiddenSize(16)
            .seed(1)
            .config();
    try (Seq2Seq model = c.toBuilder().device(CPU).build()) {
      Seq2SeqTask task = new Seq2SeqTask(model, 6);
      int step = 0;
      for (int epoch = 0; epoch < 6; epoch++) {
        for (Seq2SeqBatch b : all) {
          model.zeroGradients();
          task.trainStep(b);
          TinyAdam.step(model, 0.02f, ++step);
        }
      }
      for (DecodeOptions o :
          List.of(
              DecodeOptions.builder().maxLength(6).build(),
              DecodeOptions.builder().maxLength(6).beamSize(3).build())) {
        long exact = 0;
        long edits = 0;
        long refTokens = 0;
        long charWordEdits = 0;
        List<List<String>> hyp = new ArrayList<>();
        List<List<String>> ref = new ArrayList<>();
        for (Seq2SeqBatch b : all) {
          int[][] got = model.generate(b.sources(), o);
          for (int i = 0; i < b.size(); i++) {
            int[] t = b.targets().get(i);
            exact += Arrays.equals(t, got[i]) ? 1 : 0;
            edits += EditDistance.levenshtein(t, got[i]);
            refTokens += t.length;
            // a char tokenizer decodes each sequence as one word: a word edit per wrong sequence
            charWordEdits += Arrays.equals(t, got[i]) ? 0 : 1;
            hyp.add(spaced(words.decode(got[i])));
            ref.add(spaced(words.decode(t)));
          }
        }
        Map<String, Double> m = model.evaluate(all, o, words);
        assertEquals(
            List.of("loss", "exact_match", "wer", "per", "bleu"), List.copyOf(m.keySet()), "" + m);
        assertEquals(model.evaluate(all, o).get("loss"), m.get("loss"));
        assertEquals((double) exact / 27, m.get("exact_match"), 1e-15);
        assertTrue(exact > 0 && exact < 27, "a half-trained model: " + m);
        assertEquals((double) edits / refTokens, m.get("per"), 1e-15);
        // word targets: the words are the tokens
        assertEquals(m.get("per"), m.get("wer"));
        assertEquals(Bleu.bleu4(hyp, ref), m.get("bleu"), 1e-15);
        assertTrue(m.get("bleu") > 0 && m.get("bleu") < 1, "" + m);

        Map<String, Double> asChars = model.evaluate(all, o, chars);
        assertEquals(m.get("per"), asChars.get("per"), "the same ids, the same token errors");
        assertEquals((double) charWordEdits / 27, asChars.get("wer"), 1e-15);
      }
      JrnnException e =
          assertThrows(
              JrnnException.class,
              () ->
                  model.evaluate(
                      all, DecodeOptions.builder().build(), CharTokenizer.build("abcd")));
      assertEquals(
          "the target tokenizer has 8 ids but the model 7 target ids: not the tokenizer it was"
              + " trained with",
          e.getMessage());
    } finally {
      TinyAdam.forget();
    }
  }

  private static List<String> spaced(String s) {
    return s.isEmpty() ? List.of() : List.of(s.split(" "));
  }

  @Test
  void roundTripsWithBothTokenizers(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("s2s.safetensors");
    CharTokenizer src = CharTokenizer.build("abcd");
    CharTokenizer tgt = CharTokenizer.build("wxyz");
    Seq2Seq.Config c =
        Seq2Seq.builder()
            .sourceVocabSize(8)
            .targetVocabSize(8)
            .embeddingSize(3)
            .hiddenSize(4)
            .cell(Cell.GRU)
            .config();
    try (Seq2Seq model = c.toBuilder().device(CPU).build()) {
      ModelFiles.save(file, new ModelFiles.Contents(model, src, tgt, null, null));
      try (ModelFiles.Contents loaded = ModelFiles.load(file, CPU)) {
        Seq2Seq back = loaded.model(Seq2Seq.class);
        assertEquals(src.vocabulary(), loaded.tokenizer().vocabulary());
        assertEquals(tgt.vocabulary(), loaded.targetTokenizer().vocabulary());
        DecodeOptions s = DecodeOptions.builder().temperature(1).topK(0).seed(3).build();
        int[][] a = model.generate(BATCH.sources(), s.toBuilder().maxLength(4).build());
        int[][] b = back.generate(BATCH.sources(), s.toBuilder().maxLength(4).build());
        for (int i = 0; i < a.length; i++) {
          assertArrayEquals(a[i], b[i]);
        }
      }
    }
  }
}
