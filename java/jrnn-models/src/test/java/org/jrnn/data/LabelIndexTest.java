// LabelIndex: deterministic ids (numeric or code point order) and JSON round trip.
package org.jrnn.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.jrnn.JrnnException;
import org.junit.jupiter.api.Test;

class LabelIndexTest {

  @Test
  void integerLabelsSortNumerically() {
    LabelIndex idx = LabelIndex.of(List.of("10", "2", "1", "2", "-3"));
    assertEquals(List.of("-3", "1", "2", "10"), idx.labels());
    assertEquals(3, idx.id("10"));
  }

  @Test
  void otherLabelsSortByCodePointWhateverTheInputOrder() {
    LabelIndex a = LabelIndex.of(List.of("pos", "neg", "Neutral", "neg"));
    LabelIndex b = LabelIndex.of(List.of("neg", "Neutral", "pos"));
    assertEquals(List.of("Neutral", "neg", "pos"), a.labels());
    assertEquals(a.labels(), b.labels());
    assertEquals(2, a.id("pos"));
    assertEquals("neg", a.label(1));
    assertThrows(JrnnException.class, () -> a.id("unknown"));
  }

  @Test
  void idsOfExamplesAndJsonRoundTrip() {
    List<LabelledExample> ex =
        List.of(new LabelledExample("x", "b"), new LabelledExample("y", "a"));
    LabelIndex idx = LabelIndex.ofExamples(ex);
    assertEquals(List.of(1, 0), java.util.Arrays.stream(idx.ids(ex)).boxed().toList());
    assertEquals(idx.labels(), LabelIndex.fromJson(idx.toJson()).labels());
    assertThrows(JrnnException.class, () -> LabelIndex.fromJson("[1]"));
  }
}
