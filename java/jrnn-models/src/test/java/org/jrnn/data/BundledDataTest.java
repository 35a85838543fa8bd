// The bundled data sets load with the documented sizes and give the split the PyTorch baselines
// use.
package org.jrnn.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class BundledDataTest {

  @Test
  void sentimentHas3000BalancedSentencesInFileOrder() throws IOException {
    Path data = BundledData.findDataDir();
    List<LabelledExample> all = BundledData.sentiment(data);
    assertEquals(3000, all.size());
    assertEquals(1500, all.stream().filter(e -> e.label().equals("1")).count());
    assertEquals(List.of("0", "1"), LabelIndex.ofExamples(all).labels());
    assertTrue(all.get(0).text().startsWith("A very, very, very slow-moving"), all.get(0).text());
    for (LabelledExample e : all) {
      assertTrue(WordTokenizer.builder().build(List.of()).tokenize(e.text()).size() > 0, e.text());
    }
  }

  @Test
  void digitsAre1797ScaledImages() throws IOException {
    List<DigitImage> digits = BundledData.digits(BundledData.findDataDir());
    assertEquals(1797, digits.size());
    DigitImage first = digits.get(0);
    assertEquals(0, first.digit());
    assertEquals("zero", first.name());
    assertEquals(64, first.pixels().length);
    assertEquals(5 / 16f, first.pixels()[2]);
    for (DigitImage d : digits) {
      for (float p : d.pixels()) {
        assertTrue(p >= 0f && p <= 1f);
      }
    }
  }

  @Test
  void mobyDickIsTheWholeNovel() throws IOException {
    String text = BundledData.mobyDick(BundledData.findDataDir());
    assertEquals(1_190_317, text.length()); // what Python's len(open(...).read()) gives
    assertTrue(text.indexOf('\r') < 0);
    CharTokenizer t = CharTokenizer.build(text);
    assertEquals(text, t.decode(t.encode(text)));
  }
}
