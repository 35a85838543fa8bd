package org.jrnn.caption;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.jrnn.Cell;
import org.jrnn.Device;
import org.jrnn.data.WordTokenizer;
import org.jrnn.models.ModelFiles;
import org.jrnn.nn.Parameter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The captioner plugs into the one model-file registry (ModelFiles) through ServiceLoader. */
class CaptionerFileTest {
  @TempDir Path dir;

  @Test
  void modelFilesLoadsACaptionerWithItsParameters() throws Exception {
    Path file = dir.resolve("cap.safetensors");
    WordTokenizer tokenizer = WordTokenizer.builder().build(List.of("a red heart", "a blue star"));
    try (Captioner saved =
        Captioner.builder()
            .featureSize(3)
            .projectionSize(4)
            .vocabSize(tokenizer.vocabSize())
            .embeddingSize(4)
            .cell(Cell.GRU)
            .hiddenSize(5)
            .concatFeatures(true)
            .seed(7)
            .build()) {
      CaptionModels.save(file, saved, tokenizer);
      try (ModelFiles.Contents loaded = ModelFiles.load(file, Device.cpu())) {
        Captioner c = assertInstanceOf(Captioner.class, loaded.model());
        assertEquals(saved.configJson(), c.configJson());
        assertEquals(tokenizer.toJson(), loaded.tokenizer().toJson());
        List<Parameter> want = saved.parameters();
        List<Parameter> got = c.parameters();
        assertEquals(want.size(), got.size());
        for (int i = 0; i < want.size(); i++) {
          assertEquals(want.get(i).name(), got.get(i).name());
          assertArrayEquals(want.get(i).value().toArray(), got.get(i).value().toArray());
        }
      }
    }
  }

  @Test
  void theRegistryNamesTheCaptionerAmongTheKnownKinds() {
    assertTrue(
        ModelFiles.knownKinds().contains(Captioner.KIND), ModelFiles.knownKinds().toString());
  }
}
