package org.jrnn.cli;

import static org.jrnn.cli.CliTestSupport.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.jrnn.data.BundledData;
import org.jrnn.io.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoCommandTest {
  @TempDir Path dir;

  @Test
  void digitsPartRunsOnTheBundledDataAndReports() throws Exception {
    Path json = dir.resolve("demo.json");
    Path stale = Files.writeString(dir.resolve(".demo.json.7f.tmp"), "left by a killed run");
    CliTestSupport.Run r =
        run(
            "demo",
            "--only",
            "digits",
            "--digits-epochs",
            "1",
            "--data",
            BundledData.findDataDir().toString(),
            "--json",
            json.toString());
    assertEquals(0, r.status(), r.err());
    String out = r.out();
    assertTrue(out.startsWith("jrnn demo: three shapes of recurrent networks"), out);
    assertTrue(out.contains("[1/1] one-to-many: spell the digit in an 8x8 image"), out);
    assertTrue(
        out.contains("1,797 UCI handwritten digits (8x8, 16 grey levels): 1,438 train / 359 test"),
        out);
    assertTrue(out.contains("  result test exact match "), out);
    assertTrue(out.contains("\nsummary\n"), out);
    assertTrue(out.matches("(?s).*\n  digits     one-to-many   test exact match .*"), out);
    Map<String, Object> j = Json.parseObject(Files.readString(json));
    @SuppressWarnings("unchecked")
    Map<String, Object> d = (Map<String, Object>) ((List<Object>) j.get("results")).get(0);
    assertFalse(Files.exists(stale), "the temp file of a killed run must be gone");
    assertEquals("digits", d.get("part"));
    assertEquals(45L, d.get("steps")); // 1,438 / 32 rounded up
    double em = (Double) d.get("value");
    assertTrue(
        out.contains(String.format(java.util.Locale.ROOT, "result test exact match %.4f", em)),
        out);
  }

  @Test
  void badOptionsAndHelp() {
    CliTestSupport.Run r = run("demo", "--only", "poetry");
    assertEquals(Main.EXIT_USAGE, r.status());
    assertEquals(
        "jrnn demo: --only must be one of sentiment, lm, digits, not 'poetry' (see jrnn demo --help)\n",
        r.err());
    r = run("demo", "--lm-seconds", "10", "--lm-updates", "5");
    assertEquals(Main.EXIT_USAGE, r.status());
    assertEquals(
        "jrnn demo: give --lm-seconds or --lm-updates, not both (see jrnn demo --help)\n", r.err());
    r = run("demo", "--data", dir.resolve("nowhere").toString(), "--only", "sentiment");
    assertEquals(Main.EXIT_FAILURE, r.status());
    assertTrue(
        r.err().startsWith("jrnn demo: ") && r.err().indexOf('\n') == r.err().length() - 1,
        r.err());
    r = run("demo", "--help");
    assertEquals(0, r.status());
    assertTrue(r.out().startsWith("usage: jrnn demo [--only sentiment|lm|digits]"), r.out());
  }
}
