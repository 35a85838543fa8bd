/*
 * CaptionerBuilderTest: a captioner file saved by the code before the builders still loads, to the
 * config and weights the builder makes today; the builder's defaults and checks.
 *   mvn -B -o test -Dtest=CaptionerBuilderTest
 */
package org.jrnn.caption;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import org.jrnn.Cell;
import org.jrnn.Device;
import org.jrnn.JrnnException;
import org.jrnn.nn.Parameter;
import org.junit.jupiter.api.Test;

class CaptionerBuilderTest {
  static void assertSameModel(Path file, Captioner built) throws IOException {
    try (built;
        CaptionModels.Loaded loaded = CaptionModels.load(file, Device.cpu())) {
      Captioner back = loaded.model();
      assertEquals(built.config(), back.config());
      List<Parameter> want = built.parameters();
      List<Parameter> got = back.parameters();
      assertEquals(want.size(), got.size());
      for (int i = 0; i < want.size(); i++) {
        assertEquals(want.get(i).name(), got.get(i).name());
        assertArrayEquals(
            want.get(i).value().toArray(), got.get(i).value().toArray(), want.get(i).name());
      }
    }
  }

  @Test
  void captionerFileOfTheOldCodeLoadsToTheBuildersModel() throws IOException, URISyntaxException {
    Path file = Path.of(getClass().getResource("/models/captioner.safetensors").toURI());
    assertSameModel(
        file,
        Captioner.builder()
            .imageSize(4)
            .pixels(ImagePixels.Mode.RGB_AND_STANDARDIZED)
            .vocabSize(9)
            .projectionSize(5)
            .embeddingSize(3)
            .hiddenSize(4)
            .concatFeatures(true)
            .seed(17)
            .build());
  }

  @Test
  void conditionedLanguageModelFileOfTheOldCodeLoadsAsACaptioner()
      throws IOException, URISyntaxException {
    Path file = Path.of(getClass().getResource("/models/conditioned-decoder.safetensors").toURI());
    assertSameModel(
        file,
        Captioner.builder()
            .featureSize(6)
            .projectionSize(0)
            .vocabSize(9)
            .embeddingSize(3)
            .hiddenSize(4)
            .concatFeatures(true)
            .cell(Cell.LSTM)
            .seed(13)
            .build());
  }

  @Test
  void defaultsAreTheDocumentedOnes() {
    Captioner.Config c = Captioner.builder().imageSize(4).vocabSize(9).config();
    assertEquals(
        List.of(3 * 4 * 4, 4, 256, 9, 64, Cell.GRU, 256, 1, false, 0L, ImagePixels.Mode.RGB),
        List.of(
            c.featureSize(),
            c.imageSize(),
            c.projectionSize(),
            c.vocabSize(),
            c.embeddingSize(),
            c.cell(),
            c.hiddenSize(),
            c.layers(),
            c.concatFeatures(),
            c.seed(),
            c.pixels()));
    Captioner.Config f = Captioner.builder().featureSize(7).vocabSize(9).config();
    assertEquals(7, f.featureSize());
    assertEquals(0, f.imageSize());
    assertNull(f.imageEncoder());
    assertEquals(
        4 * 4 * 4,
        c.toBuilder().pixels(ImagePixels.Mode.RGB_AND_STANDARDIZED).config().featureSize(),
        "the feature size follows the pixels of the built-in encoder");
    assertEquals(c, Captioner.Config.fromJson(c.toJson()));
  }

  @Test
  void badSettingsAreNamed() {
    for (Runnable r :
        List.<Runnable>of(
            () -> Captioner.builder().featureSize(0),
            () -> Captioner.builder().imageSize(-1),
            () -> Captioner.builder().projectionSize(-1),
            () -> Captioner.builder().vocabSize(3),
            () -> Captioner.builder().hiddenSize(0),
            () -> Captioner.builder().cell(null),
            () -> Captioner.builder().pixels(null))) {
      JrnnException e = assertThrows(JrnnException.class, r::run);
      assertTrue(
          e.getMessage()
              .matches(
                  "(featureSize|imageSize|projectionSize|vocabSize|hiddenSize|cell|pixels) .*"),
          e.getMessage());
    }
    JrnnException e =
        assertThrows(
            JrnnException.class,
            () -> Captioner.builder().imageSize(2).featureSize(10).vocabSize(9).config());
    assertEquals(
        "an image encoder of size 2 (rgb) needs featureSize 12 but it is 10", e.getMessage());
    e = assertThrows(JrnnException.class, () -> Captioner.builder().featureSize(5).build());
    assertTrue(e.getMessage().startsWith("vocabSize is required"), e.getMessage());
  }

  @Test
  void trainingOptionsAreBuiltAndChecked() {
    CaptionTraining.Options o =
        CaptionTraining.Options.builder()
            .images(Path.of("imgs"))
            .captions(Path.of("c.tsv"))
            .build();
    assertEquals(
        List.of(16, 256, 64, 256, 1, Cell.GRU, 32, 20, 1, 42L, 0.1),
        List.of(
            o.imageSize(),
            o.projectionSize(),
            o.embeddingSize(),
            o.hiddenSize(),
            o.layers(),
            o.cell(),
            o.batchSize(),
            o.maxLength(),
            o.minFrequency(),
            o.seed(),
            o.validFraction()));
    assertNull(o.valid());
    assertEquals(Augment.NONE, o.augment());
    JrnnException e =
        assertThrows(
            JrnnException.class,
            () -> CaptionTraining.Options.builder().images(Path.of("imgs")).build());
    assertTrue(e.getMessage().startsWith("captions is required"), e.getMessage());
    e = assertThrows(JrnnException.class, () -> CaptionTraining.Options.builder().batchSize(0));
    assertEquals("batchSize must be >= 1 but is 0", e.getMessage());
    e =
        assertThrows(
            JrnnException.class, () -> CaptionTraining.Options.builder().validFraction(1.0));
    assertEquals("validFraction must be in [0, 1) but is 1.0", e.getMessage());
  }
}
