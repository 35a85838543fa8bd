// MetricsLog: CSV header and rows, JSONL rows, appending with the same header, refusing another
// header, cutting back.
package org.jrnn.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.jrnn.JrnnException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetricsLogTest {
  @TempDir Path dir;

  @Test
  void writesCsvAndJsonlRows() throws IOException {
    Path csv = dir.resolve("m.csv");
    Path jsonl = dir.resolve("m.jsonl");
    try (MetricsLog log = MetricsLog.open(csv, jsonl, "epoch", "loss", "note")) {
      log.log(1, 0.5, "a, \"quoted\" note");
      log.log(Map.of("epoch", 2, "loss", Double.NaN));
    }
    assertEquals(
        List.of("epoch,loss,note", "1,0.5,\"a, \"\"quoted\"\" note\"", "2,NaN,"),
        Files.readAllLines(csv));
    assertEquals(
        List.of(
            "{\"epoch\":1,\"loss\":0.5,\"note\":\"a, \\\"quoted\\\" note\"}",
            "{\"epoch\":2,\"loss\":NaN,\"note\":null}"),
        Files.readAllLines(jsonl));
  }

  @Test
  void jsonlRowsAreWhatTheGsonWriterOfEarlierVersionsWrote() throws IOException {
    // the line gson 2.13.2 (serializeSpecialFloatingPointValues, serializeNulls) wrote for this
    // row:
    // readers of old and new logs see the same text
    String gsonLine =
        "{\"epoch\":2,\"loss\":NaN,\"lr\":0.001,\"acc\":0.30000000000000004,\"note\":null,"
            + "\"big\":1.0E20,\"inf\":-Infinity}";
    Path jsonl = dir.resolve("same.jsonl");
    try (MetricsLog log =
        MetricsLog.open(null, jsonl, "epoch", "loss", "lr", "acc", "note", "big", "inf")) {
      log.log(2, Float.NaN, 0.001f, 0.1 + 0.2, null, 1e20, Double.NEGATIVE_INFINITY);
    }
    assertEquals(List.of(gsonLine), Files.readAllLines(jsonl));
  }

  @Test
  void rowsAreOnDiskBeforeClose() throws IOException {
    Path csv = dir.resolve("live.csv");
    MetricsLog log = MetricsLog.open(csv, null, "step", "loss");
    log.log(10, 1.25);
    assertEquals(List.of("step,loss", "10,1.25"), Files.readAllLines(csv));
    log.close();
  }

  @Test
  void appendsWithTheSameHeaderAndRefusesAnother() throws IOException {
    Path csv = dir.resolve("a.csv");
    try (MetricsLog log = MetricsLog.open(csv, null, "step", "loss")) {
      log.log(1, 2.0);
    }
    try (MetricsLog log = MetricsLog.open(csv, null, "step", "loss")) {
      log.log(2, 1.0);
    }
    assertEquals(List.of("step,loss", "1,2.0", "2,1.0"), Files.readAllLines(csv));
    IOException e =
        assertThrows(IOException.class, () -> MetricsLog.open(csv, null, "step", "accuracy"));
    assertTrue(e.getMessage().contains("step,loss"), e.getMessage());
  }

  @Test
  void cutBackDropsTheRowsWrittenAfterTheRecordedLength() throws IOException {
    Path csv = dir.resolve("c.csv");
    Path jsonl = dir.resolve("c.jsonl");
    long csvAt;
    long jsonlAt;
    try (MetricsLog log = MetricsLog.open(csv, jsonl, "step", "loss")) {
      log.log(1, 2.0);
      log.sync();
      csvAt = Files.size(csv);
      jsonlAt = Files.size(jsonl);
      log.log(2, 1.0);
      log.log(3, 0.5);
    }
    MetricsLog.cutBack(csv, csvAt);
    MetricsLog.cutBack(jsonl, jsonlAt);
    MetricsLog.cutBack(dir.resolve("missing.csv"), 100); // a missing file: the log starts anew
    try (MetricsLog log = MetricsLog.open(csv, jsonl, "step", "loss")) {
      log.log(2, 1.5);
    }
    assertEquals(List.of("step,loss", "1,2.0", "2,1.5"), Files.readAllLines(csv));
    assertEquals(
        List.of("{\"step\":1,\"loss\":2.0}", "{\"step\":2,\"loss\":1.5}"),
        Files.readAllLines(jsonl));
    assertFalse(Files.exists(dir.resolve("missing.csv")));
    // a file shorter than recorded was changed by someone else: never padded, never guessed
    long size = Files.size(csv);
    IOException e = assertThrows(IOException.class, () -> MetricsLog.cutBack(csv, size + 5));
    assertEquals(
        csv
            + ": has "
            + size
            + " bytes, fewer than the "
            + (size + 5)
            + " it had at the"
            + " checkpoint, so it was changed since; move it away to start a new log",
        e.getMessage());
    assertEquals(size, Files.size(csv));
  }

  @Test
  void rejectsWrongRows() throws IOException {
    try (MetricsLog log = MetricsLog.open(dir.resolve("r.csv"), null, "a", "b")) {
      assertThrows(JrnnException.class, () -> log.log(1));
      assertThrows(JrnnException.class, () -> log.log(Map.of("c", 1)));
    }
    assertThrows(JrnnException.class, () -> MetricsLog.open(dir.resolve("x.csv"), null, "a", "a"));
  }
}
