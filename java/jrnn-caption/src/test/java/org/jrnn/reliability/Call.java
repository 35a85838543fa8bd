/*
 * Call: one fuzz call (an API family, whether it must succeed or be refused, a readable
 * description and the code that makes the call and checks its result) and Ctx, what that code
 * gets: a list of things to close afterwards, a scratch directory and result checks.
 */
package org.jrnn.reliability;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** One generated call. */
final class Call {
  /** What the call must do. */
  enum Expect {
    /** Succeed, with a result that passes the body's checks. */
    GOOD,
    /** Be refused with a clean exception. */
    BAD,
    /** Either (an edge case the API may accept or refuse); a result it returns is still checked. */
    EITHER
  }

  /** The call itself: makes it and checks what it returns (throwing {@link CheckFailure}). */
  interface Body {
    void run(Ctx c) throws Exception;
  }

  final String api;
  final Expect expect;
  final String description;
  final Body body;

  /** Whether the call reads a file: the loaders' checked IOException subclasses count as clean. */
  final boolean fileInput;

  /**
   * Whether the loader declares and documents a plain IOException for a bad file (checkpoints,
   * feature files, images, caption lists): then any IOException with a message counts as clean.
   */
  final boolean plainIo;

  Call(String api, Expect expect, String description, Body body, boolean fileInput) {
    this(api, expect, description, body, fileInput, false);
  }

  private Call(
      String api,
      Expect expect,
      String description,
      Body body,
      boolean fileInput,
      boolean plainIo) {
    this.api = api;
    this.expect = expect;
    this.description = description;
    this.body = body;
    this.fileInput = fileInput;
    this.plainIo = plainIo;
  }

  static Call good(String api, String description, Body body) {
    return new Call(api, Expect.GOOD, description, body, false);
  }

  static Call bad(String api, String description, Body body) {
    return new Call(api, Expect.BAD, description, body, false);
  }

  static Call either(String api, String description, Body body) {
    return new Call(api, Expect.EITHER, description, body, false);
  }

  static Call of(String api, boolean bad, String description, Body body) {
    return new Call(api, bad ? Expect.BAD : Expect.GOOD, description, body, false);
  }

  /** The same call reading a file. */
  Call readsFile() {
    return new Call(api, expect, description, body, true, plainIo);
  }

  /** The same call reading a file with a loader whose declared error is a plain IOException. */
  Call readsFileAnyIo() {
    return new Call(api, expect, description, body, true, true);
  }

  /** A result check failed: the API returned something wrong. */
  static final class CheckFailure extends AssertionError {
    private static final long serialVersionUID = 1L;

    CheckFailure(String message) {
      super(message);
    }
  }

  /** What a call body gets. */
  static final class Ctx {
    private final List<AutoCloseable> owned = new ArrayList<>();
    private final Path dir;

    Ctx(Path dir) {
      this.dir = dir;
    }

    /** A scratch directory, emptied between calls. */
    Path dir() {
      return dir;
    }

    /** Closes {@code x} after the call (newest first); returns it. */
    <T extends AutoCloseable> T own(T x) {
      if (x != null) {
        owned.add(x);
      }
      return x;
    }

    /** Closes everything owned, newest first; the first failure is rethrown after all are tried. */
    void closeAll() throws Exception {
      Exception first = null;
      for (int i = owned.size() - 1; i >= 0; i--) {
        try {
          owned.get(i).close();
        } catch (Exception e) {
          if (first == null) {
            first = e;
          }
        }
      }
      owned.clear();
      if (first != null) {
        throw first;
      }
    }

    static void check(boolean ok, String what) {
      if (!ok) {
        throw new CheckFailure(what);
      }
    }

    static void checkShape(long[] actual, long... expected) {
      check(
          Arrays.equals(actual, expected),
          "shape " + Arrays.toString(actual) + ", expected " + Arrays.toString(expected));
    }

    static void checkFinite(float[] values, String what) {
      for (int i = 0; i < values.length; i++) {
        if (!Float.isFinite(values[i])) {
          throw new CheckFailure(what + "[" + i + "] = " + values[i] + " is not finite");
        }
      }
    }

    /** Element-wise |a - b| <= tol * (1 + |b|). */
    static void checkClose(float[] actual, float[] expected, double tol, String what) {
      check(
          actual.length == expected.length,
          what + ": " + actual.length + " values, expected " + expected.length);
      for (int i = 0; i < actual.length; i++) {
        double d = Math.abs((double) actual[i] - expected[i]);
        if (!(d <= tol * (1 + Math.abs(expected[i])))) {
          throw new CheckFailure(what + "[" + i + "] = " + actual[i] + ", expected " + expected[i]);
        }
      }
    }
  }
}
