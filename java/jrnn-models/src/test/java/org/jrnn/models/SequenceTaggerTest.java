/*
 * SequenceTaggerTest: bidirectional full-model gradients against finite differences, padding
 * ignored by the loss and the accuracy, a training run on a tagging rule that needs both
 * directions, accuracy split by known and unknown tokens, and a model-file round trip.
 *   mvn -B -o test -Dtest=SequenceTaggerTest
 */
package org.jrnn.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.jrnn.Device;
import org.jrnn.JrnnException;
import org.jrnn.train.Task.StepResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SequenceTaggerTest {
  private static final Device CPU = Device.cpu();
  private static final SequenceTagger.Config TINY =
      SequenceTagger.builder()
          .vocabSize(8)
          .numTags(3)
          .embeddingSize(3)
          .hiddenSize(3)
          .seed(4)
          .config();
  private static final List<int[]> TOKENS =
      List.of(new int[] {4, 5, 6}, new int[] {7}, new int[] {5, 4});
  private static final List<int[]> TAGS =
      List.of(new int[] {0, 1, 2}, new int[] {2}, new int[] {1, 1});
  private static final TaggingBatch BATCH = TaggingBatch.of(TOKENS, TAGS, new int[] {0, 1, 2});

  @Test
  void gradientsMatchFiniteDifferences() {
    try (SequenceTagger model = TINY.toBuilder().device(CPU).build()) {
      StepResult r = model.trainStep(BATCH);
      assertEquals(6, r.count(), "only real tokens count");
      assertEquals(model.evaluate(List.of(BATCH)).get("loss"), r.mean(), 1e-6);
      GradCheck.check(model, () -> model.evaluate(List.of(BATCH)).get("loss"), 6, 1e-2, 3e-4, 2e-2);
    }
  }

  @Test
  void paddingTagsAreIgnoredWhateverTheyHold() {
    try (SequenceTagger model = TINY.toBuilder().device(CPU).build()) {
      int[] tags = BATCH.tags().clone();
      assertEquals(-1, tags[1 * 3 + 1], "step 1 of sentence 1 is padding");
      tags[1 * 3 + 1] = 2;
      TaggingBatch other = new TaggingBatch(BATCH.tokens(), tags);
      assertEquals(model.evaluate(List.of(BATCH)), model.evaluate(List.of(other)));
      int[][] predicted = model.predict(BATCH.tokens());
      assertEquals(3, predicted[0].length);
      assertEquals(1, predicted[1].length);
    }
  }

  @Test
  void learnsATagThatDependsOnBothNeighbours() {
    // tag = 1 when the previous token is 4 or the next one is 6 (needs both directions), else 0
    SplittableRandom rng = new SplittableRandom(5);
    List<int[]> tokens = new ArrayList<>();
    List<int[]> tags = new ArrayList<>();
    for (int i = 0; i < 192; i++) {
      int[] s = new int[3 + rng.nextInt(6)];
      for (int t = 0; t < s.length; t++) {
        s[t] = 4 + rng.nextInt(3);
      }
      int[] y = new int[s.length];
      for (int t = 1; t + 1 < s.length; t++) {
        y[t] = s[t - 1] == 4 || s[t + 1] == 6 ? 1 : 0;
      }
      tokens.add(s);
      tags.add(y);
    }
    SequenceTagger.Config c =
        SequenceTagger.builder()
            .vocabSize(8)
            .numTags(2)
            .embeddingSize(6)
            .hiddenSize(16)
            .seed(3)
            .config();
    TaggingBatches source = new TaggingBatches(tokens, tags, 16, 4);
    List<TaggingBatch> all = TaggingBatches.inOrder(tokens, tags, 64);
    try (SequenceTagger model = c.toBuilder().device(CPU).build()) {
      TaggerTask task = new TaggerTask(model);
      double before = task.evaluate(all).get("loss");
      int step = 0;
      for (int epoch = 0; epoch < 15; epoch++) {
        for (TaggingBatch b : source.epoch(epoch, 1)) {
          model.zeroGradients();
          task.trainStep(b);
          TinyAdam.step(model, 0.02f, ++step);
        }
      }
      var after = task.evaluate(all);
      assertTrue(after.get("accuracy") > 0.97, "accuracy " + after);
      assertTrue(after.get("loss") < 0.2 * before, "loss " + before + " -> " + after.get("loss"));
    } finally {
      TinyAdam.forget();
    }
  }

  @Test
  void accuracyOnKnownAndUnknownTokens() {
    // id 1 is <unk>: three of the eight tokens are unknown
    List<int[]> tokens =
        List.of(new int[] {4, 1, 6}, new int[] {1}, new int[] {5, 4, 1}, new int[] {7, 7});
    List<int[]> tags =
        List.of(new int[] {0, 1, 2}, new int[] {2}, new int[] {1, 1, 0}, new int[] {2, 0});
    List<TaggingBatch> batches =
        List.of(
            TaggingBatch.of(tokens, tags, new int[] {0, 1}),
            TaggingBatch.of(tokens, tags, new int[] {2, 3}));
    try (SequenceTagger model = TINY.toBuilder().device(CPU).build()) {
      long known = 0;
      long knownRight = 0;
      long unknown = 0;
      long unknownRight = 0;
      for (TaggingBatch b : batches) {
        int[][] p = model.predict(b.tokens());
        for (int s = 0; s < b.size(); s++) {
          for (int t = 0; t < p[s].length; t++) {
            boolean right = p[s][t] == b.tags()[t * b.size() + s];
            if (b.tokens().id(t, s) == 1) {
              unknown++;
              unknownRight += right ? 1 : 0;
            } else {
              known++;
              knownRight += right ? 1 : 0;
            }
          }
        }
      }
      assertEquals(3, unknown);
      assertEquals(6, known);
      Map<String, Double> m = model.evaluate(batches);
      assertEquals(
          List.of("loss", "accuracy", "accuracy_known", "accuracy_unknown", "unknown_rate"),
          List.copyOf(m.keySet()));
      assertEquals((double) (knownRight + unknownRight) / 9, m.get("accuracy"), 1e-15);
      assertEquals((double) knownRight / 6, m.get("accuracy_known"), 1e-15);
      assertEquals((double) unknownRight / 3, m.get("accuracy_unknown"), 1e-15);
      assertEquals(3.0 / 9, m.get("unknown_rate"), 1e-15);

      // no unknown token: no accuracy_unknown (JSON has no NaN); all unknown: no accuracy_known
      Map<String, Double> none = model.evaluate(List.of(BATCH));
      assertEquals(
          List.of("loss", "accuracy", "accuracy_known", "unknown_rate"),
          List.copyOf(none.keySet()));
      assertEquals(none.get("accuracy"), none.get("accuracy_known"));
      assertEquals(0.0, none.get("unknown_rate"));
      Map<String, Double> all =
          model.evaluate(
              List.of(
                  TaggingBatch.of(
                      List.of(new int[] {1, 1}), List.of(new int[] {0, 2}), new int[] {0})));
      assertEquals(
          List.of("loss", "accuracy", "accuracy_unknown", "unknown_rate"),
          List.copyOf(all.keySet()));
      assertEquals(1.0, all.get("unknown_rate"));
    }
  }

  @Test
  void roundTripsThroughAModelFile(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("tagger.safetensors");
    try (SequenceTagger model = TINY.toBuilder().dropout(0.3f).device(CPU).build()) {
      ModelFiles.save(file, model, null, null);
      try (ModelFiles.Contents loaded = ModelFiles.load(file, CPU)) {
        SequenceTagger back = loaded.model(SequenceTagger.class);
        assertEquals(model.evaluate(List.of(BATCH)), back.evaluate(List.of(BATCH)));
        int[][] a = model.predict(BATCH.tokens());
        int[][] b = back.predict(BATCH.tokens());
        for (int i = 0; i < a.length; i++) {
          assertArrayEquals(a[i], b[i]);
        }
      }
    }
  }

  @Test
  void badTagsAreNamed() {
    try (SequenceTagger model = TINY.toBuilder().device(CPU).build()) {
      TaggingBatch bad =
          TaggingBatch.of(List.of(new int[] {4, 5}), List.of(new int[] {0, 3}), new int[] {0});
      JrnnException e = assertThrows(JrnnException.class, () -> model.trainStep(bad));
      assertTrue(
          e.getMessage().contains("tags at step 1 of sentence 0 = 3 is outside 0..2"),
          e.getMessage());
    }
    JrnnException e =
        assertThrows(
            JrnnException.class,
            () ->
                TaggingBatch.of(List.of(new int[] {4, 5}), List.of(new int[] {0}), new int[] {0}));
    assertTrue(e.getMessage().contains("sentence 0 has 2 tokens but 1 tags"), e.getMessage());
  }
}
