/*
 * DigitsBeamTest: on the digits-captioning notebook's own task, beam search with the default
 * options is at least as good as greedy decoding (it once scored 0.916 against greedy's 0.958,
 * when beam search stopped at K finished hypotheses by default).
 */
package org.jrnn.caption;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.jrnn.Device;
import org.jrnn.data.BundledData;
import org.jrnn.data.CharTokenizer;
import org.jrnn.data.DigitImage;
import org.jrnn.data.SeededSplit;
import org.jrnn.decode.DecodeOptions;
import org.jrnn.decode.Decoded;
import org.jrnn.decode.Decoders;
import org.jrnn.optim.Adam;
import org.jrnn.train.Trainer;
import org.junit.jupiter.api.Test;

class DigitsBeamTest {
  /**
   * Greedy steps one row per image, beam search four: matrix products may round a few ulps apart.
   */
  private static final double ROUNDING = 1e-5;

  @Test
  void defaultBeamSearchIsNoWorseThanGreedyOnTheDigits() throws Exception {
    // notebooks/digits-captioning.ipynb, trained the same way (about 6 s on 2 cores)
    List<DigitImage> all = BundledData.digits(BundledData.findDataDir());
    SeededSplit split = SeededSplit.of(all.size(), 0.8, 42);
    List<DigitImage> train = split.trainOf(all);
    List<DigitImage> test = split.testOf(all);
    CharTokenizer chars = CharTokenizer.build(String.join("", DigitImage.NAMES));
    List<float[]> trainX = train.stream().map(DigitImage::pixels).toList();
    List<float[]> testX = test.stream().map(DigitImage::pixels).toList();
    List<int[]> trainY = train.stream().map(d -> chars.encode(d.name())).toList();
    List<int[]> testY = test.stream().map(d -> chars.encode(d.name())).toList();
    try (Captioner model =
            Captioner.builder()
                .featureSize(64)
                .vocabSize(chars.vocabulary().size())
                .projectionSize(64)
                .hiddenSize(128)
                .seed(42)
                .device(Device.cpu())
                .build();
        Trainer trainer =
            Trainer.builder()
                .optimizer(Adam.builder().lr(3e-3)::build)
                .epochs(15)
                .seed(42)
                .quiet()
                .build()) {
      trainer.fit(
          new CaptionTask(model, chars, 10),
          CaptionBatches.ofFeatures(trainX, trainY, 32),
          CaptionBatches.inOrder(testX, testY, 360));
      DecodeOptions greedy = DecodeOptions.builder().maxLength(10).build();
      DecodeOptions beam = DecodeOptions.builder().maxLength(10).beamSize(4).nBest(3).build();
      assertFalse(beam.earlyStopping(), "the default stops exactly");
      List<Decoded> g = Decoders.decode(model, testX, greedy);
      List<Decoded> b = Decoders.decode(model, testX, beam);
      int greedyRight = 0;
      int beamRight = 0;
      for (int i = 0; i < test.size(); i++) {
        greedyRight += chars.decode(g.get(i).tokens()).equals(test.get(i).name()) ? 1 : 0;
        beamRight += chars.decode(b.get(i).tokens()).equals(test.get(i).name()) ? 1 : 0;
        // the beam's best name is at least as likely as greedy's: what beam search is for
        assertTrue(
            b.get(i).best().logProb() >= g.get(i).best().logProb() - ROUNDING,
            "image " + i + ": beam " + b.get(i).best() + " vs greedy " + g.get(i).best());
      }
      assertTrue(
          beamRight >= greedyRight,
          "beam " + beamRight + " vs greedy " + greedyRight + " of " + test.size());
    }
  }
}
