package example;

import java.nio.file.Path;
import java.util.List;
import org.jrnn.Cell;
import org.jrnn.RecurrentOutput;
import org.jrnn.Recurrent;
import org.jrnn.Scope;
import org.jrnn.SequenceBatch;
import org.jrnn.data.CharTokenizer;
import org.jrnn.data.LmBatches;
import org.jrnn.decode.DecodeOptions;
import org.jrnn.decode.Decoded;
import org.jrnn.decode.Decoders;
import org.jrnn.models.LanguageModel;
import org.jrnn.models.ModelFiles;
import org.jrnn.nn.Parameter;
import org.jrnn.optim.Adam;
import org.jrnn.optim.Optimizer;

/**
 * What a user's program does with jrnn from Maven: a ragged LSTM forward pass, a few training
 * steps of a character language model, save, reload, beam search. Prints "consumer: ok ..." or
 * fails with the reason.
 */
public final class Consumer {
  public static void main(String[] args) throws Exception {
    Path file = Path.of(args.length > 0 ? args[0] : "consumer-lm.safetensors");
    raggedForward();
    String text = "the cat sat on the mat. the dog sat on the log. ".repeat(20);
    CharTokenizer chars = CharTokenizer.build(text);
    double first;
    double last;
    try (LanguageModel lm =
            LanguageModel.builder()
                .vocabSize(chars.vocabSize())
                .embeddingSize(16)
                .hiddenSize(32)
                .seed(3)
                .build();
        Optimizer adam = Adam.builder().lr(0.01).build(lm.parameters())) {
      LmBatches windows = new LmBatches(chars.encode(text), 4, 16);
      first = Double.NaN;
      last = Double.NaN;
      for (int step = 0; step < 40; step++) {
        lm.zeroGradients();
        var result = lm.trainStep(windows.window(step % windows.windowCount()));
        adam.step();
        double loss = result.lossSum() / result.count();
        if (step == 0) {
          first = loss;
        }
        last = loss;
      }
      check(last < first, "training lowered the loss: " + first + " -> " + last);
      ModelFiles.save(file, lm, chars, null);
      try (ModelFiles.Contents loaded = ModelFiles.load(file, lm.device())) {
        LanguageModel again = loaded.model(LanguageModel.class);
        List<Parameter> a = lm.parameters();
        List<Parameter> b = again.parameters();
        check(a.size() == b.size(), "the reloaded model has every parameter");
        for (int i = 0; i < a.size(); i++) {
          check(
              java.util.Arrays.equals(a.get(i).value().toArray(), b.get(i).value().toArray()),
              "parameter " + a.get(i).name() + " survives save and load");
        }
        int[] prompt = chars.encode("the ");
        DecodeOptions greedyOptions = DecodeOptions.builder().maxLength(12).build();
        DecodeOptions beamOptions = DecodeOptions.builder().beamSize(4).maxLength(12).build();
        Decoded greedy = Decoders.decode(again, List.of(prompt), greedyOptions).get(0);
        Decoded beam = Decoders.decode(again, List.of(prompt), beamOptions).get(0);
        check(
            beam.best().score() >= greedy.best().score() - 1e-5,
            "beam search scores at least greedy's: "
                + beam.best().score()
                + " vs "
                + greedy.best().score());
        System.out.println(
            "consumer: ok (loss "
                + String.format("%.3f -> %.3f", first, last)
                + ", beam: \"the "
                + chars.decode(beam.best().tokens())
                + "\")");
      }
    }
  }

  /** Three sequences of lengths 4, 2 and 7 through a 2-layer bidirectional LSTM. */
  static void raggedForward() {
    try (Scope scope = Scope.open();
        Recurrent lstm =
            Recurrent.builder()
                .cell(Cell.LSTM)
                .inputSize(3)
                .hiddenSize(5)
                .layers(2)
                .bidirectional(true)
                .seed(42)
                .build()) {
      int[] lengths = {4, 2, 7};
      float[][][] seqs = new float[3][][];
      for (int s = 0; s < 3; s++) {
        seqs[s] = new float[lengths[s]][3];
        for (int t = 0; t < lengths[s]; t++) {
          for (int c = 0; c < 3; c++) {
            seqs[s][t][c] = (float) Math.sin(s + 0.3 * t + c);
          }
        }
      }
      RecurrentOutput out = lstm.forward(SequenceBatch.fromList(List.of(seqs)));
      long[] shape = out.output().shape();
      check(
          shape[0] == 7 && shape[1] == 3 && shape[2] == 10,
          "output is [T=7, N=3, 2*H=10]: " + java.util.Arrays.toString(shape));
      float[] y = out.output().toArray();
      for (int t = 0; t < 7; t++) {
        for (int n = 0; n < 3; n++) {
          for (int j = 0; j < 10; j++) {
            float v = y[(t * 3 + n) * 10 + j];
            check(Float.isFinite(v), "y is finite");
            check(t < lengths[n] || v == 0f, "y is zero past each sequence's length");
          }
        }
      }
    }
  }

  static void check(boolean ok, String what) {
    if (!ok) {
      throw new AssertionError("consumer: failed: " + what);
    }
  }
}
