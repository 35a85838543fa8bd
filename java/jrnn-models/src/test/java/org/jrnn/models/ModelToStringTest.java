/*
 * Printing a model or layer shows its parameters (names, shapes, counts), not Class@hash.
 */
package org.jrnn.models;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.jrnn.Device;
import org.jrnn.nn.Linear;
import org.junit.jupiter.api.Test;

class ModelToStringTest {

  @Test
  void classifierPrintsItsLayersShapesAndCounts() {
    try (SequenceClassifier model =
        SequenceClassifier.builder().vocabSize(50).numClasses(2).device(Device.cpu()).build()) {
      String s = model.toString();
      assertTrue(s.startsWith("SequenceClassifier"), s);
      assertTrue(s.contains("weight_hh_l0"), s);
      assertTrue(s.contains("embedding"), s);
      String total = String.format("%,d", model.parameterCount());
      assertTrue(s.contains(total) || s.contains(Long.toString(model.parameterCount())), s);
    }
  }

  @Test
  void linearPrintsWeightShape() {
    try (Linear linear =
        Linear.builder().inFeatures(3).outFeatures(4).seed(1L).device(Device.cpu()).build()) {
      String s = linear.toString();
      assertTrue(s.contains("[4, 3]"), s);
      assertTrue(s.contains("bias"), s);
    }
  }
}
