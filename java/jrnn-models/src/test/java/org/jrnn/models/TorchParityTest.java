/*
 * TorchParityTest: each model's mean loss and every parameter gradient on one batch against the
 * same model in PyTorch (scripts/torch_check_models.py loads the ModelFiles output with
 * load_state_dict(strict=True), so the parameter names must match too). All cases run in one
 * Python process. Skipped when /usr/bin/python3 has no torch.
 *   mvn -B -o test -Dtest=TorchParityTest
 */
package org.jrnn.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jrnn.Cell;
import org.jrnn.Device;
import org.jrnn.data.LmBatches;
import org.jrnn.data.PaddedBatch;
import org.jrnn.io.DType;
import org.jrnn.io.SafetensorsFile;
import org.jrnn.io.SafetensorsWriter;
import org.jrnn.nn.Parameter;
import org.jrnn.train.Task.StepResult;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TorchParityTest {
  private static final Device CPU = Device.cpu();
  private static Path script;
  @TempDir Path dir;

  @BeforeAll
  static void findTorch() throws Exception {
    Path root = Path.of(System.getProperty("user.dir")).toAbsolutePath();
    while (root != null && !Files.isRegularFile(root.resolve("scripts/torch_check_models.py"))) {
      root = root.getParent();
    }
    Assumptions.assumeTrue(root != null, "skipped: scripts/torch_check_models.py not found");
    Assumptions.assumeTrue(
        Files.isExecutable(Path.of("/usr/bin/python3")), "skipped: no /usr/bin/python3");
    script = root.resolve("scripts/torch_check_models.py");
  }

  /** One model, its gradients after a train step on a batch, and the batch as torch reads it. */
  private record Case(String name, Model model, StepResult step, SafetensorsWriter batch) {}

  /** Runs the script once on every case; compares each loss and every gradient. */
  @Test
  void everyModelMatchesPyTorch() throws Exception {
    List<Case> cases = new ArrayList<>();
    try {
      cases.add(
          classifier(
              "classifier-lstm-smoothing",
              SequenceClassifier.builder()
                  .vocabSize(8)
                  .numClasses(3)
                  .embeddingSize(5)
                  .hiddenSize(6)
                  .labelSmoothing(0.1f)
                  .seed(3)
                  .config(),
              new int[] {2, 0, 1, 2}));
      cases.add(
          classifier(
              "classifier-bigru2-bce",
              SequenceClassifier.builder()
                  .vocabSize(8)
                  .numClasses(2)
                  .embeddingSize(4)
                  .hiddenSize(5)
                  .cell(Cell.GRU)
                  .layers(2)
                  .bidirectional(true)
                  .binaryLogistic(true)
                  .seed(4)
                  .config(),
              new int[] {1, 0, 0, 1}));
      cases.add(languageModelFromACarriedState());
      cases.add(bidirectionalTagger());
      cases.add(
          conditioned(
              "conditioned-gru2-concat",
              ConditionedLanguageModel.builder()
                  .featureSize(3)
                  .vocabSize(9)
                  .embeddingSize(4)
                  .hiddenSize(5)
                  .layers(2)
                  .concatFeatures(true)
                  .seed(8)
                  .config()));
      cases.add(
          conditioned(
              "conditioned-lstm",
              ConditionedLanguageModel.builder()
                  .featureSize(3)
                  .vocabSize(9)
                  .embeddingSize(4)
                  .hiddenSize(5)
                  .cell(Cell.LSTM)
                  .seed(9)
                  .config()));
      cases.add(
          seq2seq(
              "seq2seq-lstm2",
              Seq2Seq.builder()
                  .sourceVocabSize(8)
                  .targetVocabSize(9)
                  .embeddingSize(4)
                  .hiddenSize(5)
                  .layers(2)
                  .seed(10)
                  .config()));
      cases.add(
          seq2seq(
              "seq2seq-gru",
              Seq2Seq.builder()
                  .sourceVocabSize(8)
                  .targetVocabSize(9)
                  .embeddingSize(3)
                  .hiddenSize(4)
                  .cell(Cell.GRU)
                  .seed(11)
                  .config()));
      List<String> command = new ArrayList<>(List.of("/usr/bin/python3", script.toString()));
      for (Case c : cases) {
        Path modelFile = dir.resolve(c.name() + ".model.safetensors");
        Path batchFile = dir.resolve(c.name() + ".batch.safetensors");
        ModelFiles.save(modelFile, c.model(), null, null);
        c.batch().write(batchFile);
        command.addAll(
            List.of(
                modelFile.toString(),
                batchFile.toString(),
                dir.resolve(c.name() + ".torch.safetensors").toString()));
      }
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(p.waitFor(300, TimeUnit.SECONDS), "torch_check_models.py timed out");
      Assumptions.assumeFalse(
          log.contains("No module named 'torch'") || log.contains("No module named 'numpy'"),
          "skipped: /usr/bin/python3 has no torch/numpy");
      assertEquals(0, p.exitValue(), "torch_check_models.py failed:\n" + log);
      for (Case c : cases) {
        compare(c, dir.resolve(c.name() + ".torch.safetensors"));
      }
    } finally {
      cases.forEach(c -> c.model().close());
    }
  }

  private static void compare(Case c, Path torchOut) throws Exception {
    try (SafetensorsFile f = SafetensorsFile.open(torchOut)) {
      double torchLoss = f.doubles("loss")[0];
      assertEquals(
          torchLoss, c.step().mean(), 2e-6 * Math.max(1, Math.abs(torchLoss)), c.name() + ": loss");
      assertEquals(
          c.model().parameters().size() + 1,
          f.names().size(),
          c.name() + ": one gradient per parameter");
      for (Parameter prm : c.model().parameters()) {
        float[] want = f.floats("grad." + prm.name());
        float[] got = prm.grad().toArray();
        assertEquals(want.length, got.length, prm.name());
        for (int i = 0; i < want.length; i++) {
          assertEquals(
              want[i],
              got[i],
              2e-6 + 1e-4 * Math.abs(want[i]),
              c.name() + ": " + prm.name() + "[" + i + "]");
        }
      }
    }
  }

  private static int[] batchFirst(int[] timeMajor, int n, int t) {
    int[] out = new int[timeMajor.length];
    for (int s = 0; s < n; s++) {
      for (int k = 0; k < t; k++) {
        out[s * t + k] = timeMajor[k * n + s];
      }
    }
    return out;
  }

  private static final List<int[]> SEQS =
      List.of(
          new int[] {4, 5, 6, 1, 7}, new int[] {6}, new int[] {5, 4, 2}, new int[] {7, 0, 4, 4});

  private static SafetensorsWriter tokens(PaddedBatch b) {
    return new SafetensorsWriter()
        .putInts("ids", DType.I32, b.batchFirst(), b.size(), b.maxLength())
        .putInts("lengths", DType.I32, b.lengths(), b.size());
  }

  private static Case classifier(String name, SequenceClassifier.Config c, int[] labels) {
    ClassificationBatch b =
        new ClassificationBatch(PaddedBatch.of(SEQS, new int[] {0, 1, 2, 3}), labels);
    SequenceClassifier model = c.toBuilder().device(CPU).build();
    StepResult r = model.trainStep(b);
    return new Case(
        name, model, r, tokens(b.tokens()).putInts("labels", DType.I32, labels, labels.length));
  }

  /** The second window, from the state the first one left (a constant for the gradient). */
  private static Case languageModelFromACarriedState() {
    int[] tokens = {4, 5, 6, 7, 8, 4, 5, 1, 2, 3, 8, 7, 6, 5, 4, 8, 6, 4, 5, 2, 2, 7, 6, 5, 4};
    LmBatches windows = new LmBatches(tokens, 3, 4);
    LanguageModel.Config c =
        LanguageModel.builder().vocabSize(9).embeddingSize(4).hiddenSize(5).seed(6).config();
    LanguageModel model = c.toBuilder().device(CPU).build();
    model.trainStep(windows.window(0));
    float[][] carried = model.carriedState();
    model.zeroGradients();
    LmBatches.Window w = windows.window(1);
    StepResult r = model.trainStep(w);
    return new Case(
        "language-model",
        model,
        r,
        new SafetensorsWriter()
            .putInts("inputs", DType.I32, w.inputs(), 3, w.length())
            .putInts("targets", DType.I32, w.targets(), 3, w.length())
            .putFloats("h0", carried[0], 2, 3, 5)
            .putFloats("c0", carried[1], 2, 3, 5));
  }

  private static Case bidirectionalTagger() {
    List<int[]> tags =
        List.of(
            new int[] {0, 1, 2, 1, 0}, new int[] {2}, new int[] {1, 1, 0}, new int[] {0, 2, 2, 1});
    TaggingBatch b = TaggingBatch.of(SEQS, tags, new int[] {0, 1, 2, 3});
    SequenceTagger.Config c =
        SequenceTagger.builder()
            .vocabSize(8)
            .numTags(3)
            .embeddingSize(4)
            .hiddenSize(5)
            .seed(7)
            .config();
    SequenceTagger model = c.toBuilder().device(CPU).build();
    StepResult r = model.trainStep(b);
    int t = b.tokens().maxLength();
    return new Case(
        "tagger-bilstm",
        model,
        r,
        tokens(b.tokens()).putInts("tags", DType.I32, batchFirst(b.tags(), 4, t), 4, t));
  }

  private static Case conditioned(String name, ConditionedLanguageModel.Config c) {
    List<float[]> features =
        List.of(new float[] {1, 0, 0.5f}, new float[] {0, 1, -0.5f}, new float[] {0.3f, 0.3f, 1});
    List<int[]> names = List.of(new int[] {4, 5}, new int[] {6}, new int[] {5, 6, 4, 8});
    ConditionedBatch b = ConditionedBatch.of(features, names, new int[] {0, 1, 2});
    ConditionedLanguageModel model = c.toBuilder().device(CPU).build();
    StepResult r = model.trainStep(b);
    int t = b.inputs().maxLength();
    return new Case(
        name,
        model,
        r,
        new SafetensorsWriter()
            .putFloats("features", b.features(), 3, 3)
            .putInts("inputs", DType.I32, b.inputs().batchFirst(), 3, t)
            .putInts("targets", DType.I32, batchFirst(b.targets(), 3, t), 3, t));
  }

  private static Case seq2seq(String name, Seq2Seq.Config c) {
    List<int[]> targets =
        List.of(new int[] {4, 5}, new int[] {}, new int[] {8, 6, 4}, new int[] {7});
    Seq2SeqBatch b = Seq2SeqBatch.of(SEQS, targets, new int[] {0, 1, 2, 3});
    Seq2Seq model = c.toBuilder().device(CPU).build();
    StepResult r = model.trainStep(b);
    PaddedBatch in = b.decoderInputs();
    int t = in.maxLength();
    return new Case(
        name,
        model,
        r,
        new SafetensorsWriter()
            .putInts("sources", DType.I32, b.sources().batchFirst(), 4, b.sources().maxLength())
            .putInts("source_lengths", DType.I32, b.sources().lengths(), 4)
            .putInts("inputs", DType.I32, in.batchFirst(), 4, t)
            .putInts("input_lengths", DType.I32, in.lengths(), 4)
            .putInts("targets", DType.I32, batchFirst(b.decoderTargets(), 4, t), 4, t));
  }
}
