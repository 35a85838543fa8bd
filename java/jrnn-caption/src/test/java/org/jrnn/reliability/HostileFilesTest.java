/*
 * HostileFilesTest: damaged and hostile files through every loader. Seeded variants of every kind
 * run in a child JVM (an OutOfMemoryError or a crash there fails this test, not the test run);
 * the named extremes (a 50 MB tensor name, absurd header lengths and shapes, deep nesting, a 5 MB
 * line, empty files) run here, each as one fuzz call judged by the fuzzer's rules.
 */
package org.jrnn.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.jrnn.Device;
import org.jrnn.caption.CaptionData;
import org.jrnn.caption.FeatureFiles;
import org.jrnn.caption.ImagePixels;
import org.jrnn.data.ConllReader;
import org.jrnn.data.LabelledTextReader;
import org.jrnn.data.TextFiles;
import org.jrnn.data.TextPairReader;
import org.jrnn.io.SafetensorsFile;
import org.jrnn.models.ModelFiles;
import org.jrnn.train.Checkpoint;
import org.junit.jupiter.api.Test;

class HostileFilesTest {
  private static final int VARIANTS = 600;

  @Test
  void seededVariantsOfEveryLoaderInAChildJvm() throws Exception {
    ChildJvm r =
        ChildJvm.run(
            ApiFuzzer.class,
            300,
            "--api",
            "files",
            "--calls",
            Integer.toString(VARIANTS),
            "--seed",
            "77");
    assertFalse(r.timedOut(), "hung:\n" + r.tail());
    assertEquals(0, r.exitCode(), "a loader misbehaved (or the JVM died):\n" + r.tail());
    assertEquals(VARIANTS, r.number("ApiFuzzer summary:", "calls"), r.tail());
    for (String family : HostileFiles.FAMILIES) {
      String line = "ApiFuzzer api=" + family + " ";
      assertTrue(r.number(line, "calls") >= 20, family + " ran too few variants:\n" + r.tail());
      assertTrue(r.number(line, "rejected") > 0, family + " refused nothing:\n" + r.tail());
      assertTrue(r.number(line, "ok") > 0, family + " loaded nothing:\n" + r.tail());
    }
  }

  private static void behaves(Call call) throws Exception {
    assertNull(ApiFuzzer.problemOf(call), call.description);
  }

  private static byte[] header(String json, int dataBytes) {
    return HostileFiles.safetensorsBytes(json, new byte[dataBytes]);
  }

  @Test
  void aFiftyMegabyteTensorNameLoads() throws Exception {
    String name = "n".repeat(50 << 20);
    behaves(
        HostileFiles.file(
            "t",
            Call.Expect.GOOD,
            "50 MB name",
            "t.safetensors",
            header(
                "{\""
                    + name
                    + "\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4]}}",
                4),
            false,
            p -> {
              try (SafetensorsFile f = SafetensorsFile.open(p)) {
                Call.Ctx.check(f.floats(name).length == 1, "read back");
              }
            }));
  }

  @Test
  void absurdHeaderLengthsAreRefused() throws Exception {
    byte[] valid =
        header("{\"t\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4]}}", 4);
    for (long len :
        new long[] {
          -1, Long.MIN_VALUE, 1L << 62, SafetensorsFile.MAX_HEADER_BYTES + 1, valid.length, 0, 1
        }) {
      byte[] b = valid.clone();
      ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(0, len);
      behaves(
          HostileFiles.file(
              "t",
              Call.Expect.BAD,
              "header length " + len,
              "t.safetensors",
              b,
              false,
              p -> SafetensorsFile.open(p).close()));
    }
  }

  @Test
  void overflowingShapesAndDeepNestingAreRefused() throws Exception {
    for (String shape :
        new String[] {
          "[1099511627776, 1099511627776]",
          "[9223372036854775807, 2]",
          "[4294967296, 4294967296, 4]"
        }) {
      behaves(
          HostileFiles.file(
              "t",
              Call.Expect.BAD,
              "shape " + shape,
              "t.safetensors",
              header(
                  "{\"t\": {\"dtype\": \"F32\", \"shape\": "
                      + shape
                      + ", \"data_offsets\": [0, 4]}}",
                  4),
              false,
              p -> SafetensorsFile.open(p).close()));
    }
    behaves(
        HostileFiles.file(
            "t",
            Call.Expect.BAD,
            "nesting",
            "t.safetensors",
            header("{\"a\": " + HostileFiles.deepJson(100_000) + "}", 0),
            false,
            p -> SafetensorsFile.open(p).close()));
  }

  @Test
  void aFiveMegabyteLineIsRead() throws Exception {
    String line = "w".repeat(5 << 20);
    behaves(
        HostileFiles.file(
            "t",
            Call.Expect.GOOD,
            "5 MB line",
            "t.txt",
            HostileFiles.utf8("a\tneg\r\n" + line + "\tpos\n"),
            false,
            p -> {
              Call.Ctx.check(
                  TextFiles.readLines(p).get(1).length() == line.length() + 4, "line length");
              List<org.jrnn.data.LabelledExample> e = LabelledTextReader.readTsv(p);
              Call.Ctx.check(
                  e.size() == 2 && e.get(1).text().equals(line) && e.get(1).label().equals("pos"),
                  "examples");
            }));
  }

  /** Every loader on an empty file: an empty result or a clean refusal. */
  @Test
  void emptyFilesThroughEveryLoader() throws Exception {
    List<HostileFiles.Loader> dataLoaders =
        List.of(
            TextFiles::readLines,
            LabelledTextReader::read,
            p -> ConllReader.read(p, 0, 1),
            TextPairReader::readTsv);
    for (HostileFiles.Loader l : dataLoaders) {
      behaves(HostileFiles.file("t", Call.Expect.EITHER, "empty", "e.tsv", new byte[0], false, l));
    }
    behaves(
        HostileFiles.file(
            "t",
            Call.Expect.BAD,
            "empty",
            "e.safetensors",
            new byte[0],
            false,
            p -> ModelFiles.load(p, Device.cpu()).close()));
    List<HostileFiles.Loader> plainIoLoaders =
        List.of(
            Checkpoint::read,
            CaptionData::readCaptions,
            FeatureFiles::read,
            p -> ImagePixels.read(p));
    for (HostileFiles.Loader l : plainIoLoaders) {
      behaves(HostileFiles.file("t", Call.Expect.BAD, "empty", "e.csv", new byte[0], true, l));
    }
  }
}
