// NativePlatformsTest: the platforms jrnn ships natives for (JrnnNative's @Platform, which the
// build and jrnn-platform follow) and what a user reads when the natives do not load.
package org.jrnn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.bytedeco.javacpp.Loader;
import org.junit.jupiter.api.Test;

class NativePlatformsTest {
  @Test
  void platformAnnotationNamesBothLinuxPlatforms() {
    assertEquals(List.of("linux-x86_64", "linux-arm64"), Native.platforms());
    assertTrue(Native.platforms().contains(Loader.getPlatform()), Loader.getPlatform());
  }

  @Test
  void jrnnPlatformBringsTheNativesJarOfEachPlatform() throws IOException {
    // the tests run in the checkout's root
    String pom = Files.readString(Path.of("java/jrnn-platform/pom.xml"));
    for (String p : Native.platforms()) {
      String property = "javacpp.platform." + p;
      assertTrue(pom.contains("<" + property + ">" + p + "</" + property + ">"), p);
      assertTrue(pom.contains("<classifier>${" + property + "}</classifier>"), p);
      assertTrue(
          pom.contains("<" + property + ">${javacpp.platform}</" + property + ">"),
          p + ": -Djavacpp.platform must select it");
    }
  }

  @Test
  void anUnsupportedPlatformIsNamedWithTheSupportedOnes() {
    String m =
        Native.loadFailure(
            "macosx-arm64",
            Native.platforms(),
            new UnsatisfiedLinkError("Platform \"macosx-arm64\" not supported"));
    assertEquals(
        "jrnn has no native libraries for platform macosx-arm64: it ships them for linux-x86_64"
            + " and linux-arm64 only",
        m);
  }

  @Test
  void aMissingNativesJarIsNamed() {
    String m =
        Native.loadFailure(
            "linux-arm64",
            Native.platforms(),
            new UnsatisfiedLinkError("no jnijrnn in java.library.path"));
    assertTrue(m.contains("platform linux-arm64"), m);
    assertTrue(m.contains("jrnn-core-VERSION-linux-arm64.jar"), m);
    assertTrue(m.endsWith("no jnijrnn in java.library.path"), m);
  }

  @Test
  void theNativesOfThisPlatformLoad() {
    Native.ensureLoaded();
    assertTrue(Info.nativeVersion().matches("\\d+\\.\\d+\\.\\d+.*"), Info.nativeVersion());
  }
}
