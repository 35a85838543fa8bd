/*
 * ApiFuzzerTest: runs the API fuzzer in a child JVM (a crash or OutOfMemoryError there fails this
 * test instead of killing the test run) and checks the harness itself flags each kind of
 * misbehaviour.
 */
package org.jrnn.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.jrnn.JrnnException;
import org.jrnn.Tensor;
import org.junit.jupiter.api.Test;

class ApiFuzzerTest {
  private static final int CALLS = 20_000;
  private static final long SEED = 20_260_101L;

  @Test
  void twentyThousandCallsInAChildJvmAllBehave() throws Exception {
    ChildJvm r =
        ChildJvm.run(
            ApiFuzzer.class,
            300,
            "--calls",
            Integer.toString(CALLS),
            "--seed",
            Long.toString(SEED));
    assertFalse(r.timedOut(), "the fuzzer hung:\n" + r.tail());
    assertEquals(0, r.exitCode(), "the fuzzer found failures (or crashed):\n" + r.tail());
    String summary = "ApiFuzzer summary:";
    assertEquals(CALLS, r.number(summary, "calls"), r.tail());
    assertEquals(0, r.number(summary, "failures"), r.tail());
    assertEquals(CALLS, r.number(summary, "ok") + r.number(summary, "rejected"), r.tail());
    // every family ran, and each made good calls that succeeded and bad ones that were refused
    for (ApiFuzzer.Family f : ApiFuzzer.families()) {
      String line = "ApiFuzzer api=" + f.name() + " ";
      assertTrue(r.number(line, "calls") > 50, f.name() + " ran too few calls:\n" + r.tail());
      assertTrue(r.number(line, "ok") > 0, f.name() + " had no successful call:\n" + r.tail());
      assertTrue(r.number(line, "rejected") > 0, f.name() + " had no refused call:\n" + r.tail());
    }
  }

  @Test
  void theSameSeedGivesTheSameCalls() {
    ByteArrayOutputStream a = new ByteArrayOutputStream();
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    String[] args = {"--calls", "300", "--seed", "5", "--api", "tensor"};
    assertEquals(0, ApiFuzzer.run(args, new PrintStream(a, true, StandardCharsets.UTF_8)));
    assertEquals(0, ApiFuzzer.run(args, new PrintStream(b, true, StandardCharsets.UTF_8)));
    String first =
        a.toString(StandardCharsets.UTF_8)
            .lines()
            .filter(l -> l.startsWith("ApiFuzzer api="))
            .map(l -> l.replaceAll(" ms=[0-9]+", ""))
            .toList()
            .toString();
    String second =
        b.toString(StandardCharsets.UTF_8)
            .lines()
            .filter(l -> l.startsWith("ApiFuzzer api="))
            .map(l -> l.replaceAll(" ms=[0-9]+", ""))
            .toList()
            .toString();
    assertEquals(first, second);
  }

  @Test
  void badUsageExitsWithTwo() {
    PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
    assertEquals(2, ApiFuzzer.run(new String[] {"--calls"}, quiet));
    assertEquals(2, ApiFuzzer.run(new String[] {"--api", "nope"}, quiet));
    assertEquals(2, ApiFuzzer.run(new String[] {"--bogus"}, quiet));
  }

  // ------------------------------------------------------------------ the harness's own rules

  @Test
  void aCleanRefusalOfABadCallPasses() throws Exception {
    assertNull(
        ApiFuzzer.problemOf(
            Call.bad(
                "t",
                "refused",
                c -> {
                  throw new JrnnException("x is wrong");
                })));
  }

  @Test
  void anotherExceptionTypeFails() throws Exception {
    String p =
        ApiFuzzer.problemOf(
            Call.bad(
                "t",
                "npe",
                c -> {
                  throw new NullPointerException();
                }));
    assertNotNull(p);
    assertTrue(p.contains("NullPointerException"), p);
    assertNotNull(
        ApiFuzzer.problemOf(
            Call.bad(
                "t",
                "error",
                c -> {
                  throw new OutOfMemoryError("simulated");
                })));
  }

  @Test
  void aBadCallThatSucceedsFails() throws Exception {
    assertTrue(
        ApiFuzzer.problemOf(Call.bad("t", "silent", c -> {})).contains("succeeded silently"));
  }

  @Test
  void aGoodCallThatIsRefusedFails() throws Exception {
    assertTrue(
        ApiFuzzer.problemOf(
                Call.good(
                    "t",
                    "refused",
                    c -> {
                      throw new JrnnException("no");
                    }))
            .contains("good call was refused"));
  }

  @Test
  void emptyOrOverlongMessagesFail() throws Exception {
    assertNotNull(
        ApiFuzzer.problemOf(
            Call.bad(
                "t",
                "empty",
                c -> {
                  throw new JrnnException("  ");
                })));
    String p =
        ApiFuzzer.problemOf(
            Call.bad(
                "t",
                "long",
                c -> {
                  throw new JrnnException("x".repeat(ApiFuzzer.MAX_MESSAGE));
                }));
    assertNotNull(p);
    assertTrue(p.contains("message"), p);
  }

  @Test
  void loaderExceptionsAreCleanOnlyForFileInputs() throws Exception {
    Call.Body body =
        c -> {
          throw new org.jrnn.data.DataFormatException(c.dir().resolve("f"), 3, "bad line");
        };
    assertNull(ApiFuzzer.problemOf(Call.bad("t", "file", body).readsFile()));
    // bad content is a JrnnException (DataFormatException, SafetensorsException): clean anywhere
    assertNull(ApiFuzzer.problemOf(Call.bad("t", "not a file", body)));
    Call.Body io =
        c -> {
          throw new java.io.IOException("f: not an image");
        };
    assertNotNull(ApiFuzzer.problemOf(Call.bad("t", "io", io).readsFile()));
    assertNull(ApiFuzzer.problemOf(Call.bad("t", "io", io).readsFileAnyIo()));
  }

  @Test
  void aWrongResultFails() throws Exception {
    assertTrue(
        ApiFuzzer.problemOf(Call.good("t", "wrong", c -> Call.Ctx.check(1 + 1 == 3, "arithmetic")))
            .contains("wrong result"));
  }

  @Test
  void nativeMemoryLeftAllocatedFails() throws Exception {
    Tensor[] leaked = new Tensor[1];
    try {
      String p = ApiFuzzer.problemOf(Call.good("t", "leak", c -> leaked[0] = Tensor.zeros(4)));
      assertNotNull(p);
      assertTrue(p.contains("unfreed"), p);
    } finally {
      leaked[0].close();
    }
    assertNull(ApiFuzzer.problemOf(Call.good("t", "owned", c -> c.own(Tensor.zeros(4)))));
  }
}
