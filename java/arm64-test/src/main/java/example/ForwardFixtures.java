package example;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jrnn.Info;
import org.jrnn.cli.Main;

/**
 * Runs {@code jrnn forward} (in this JVM, through {@link Main#run}) on PyTorch fixture folders, one
 * JVM for all of them: under qemu a JVM start costs seconds. Each CASE_DIR holds config.json,
 * state.safetensors and in.safetensors; the output goes to OUT_DIR/NAME.safetensors, which
 * scripts/compare_safetensors.py then checks against CASE_DIR/expected.safetensors.
 *
 * <pre>java -cp ... example.ForwardFixtures OUT_DIR CASE_DIR...</pre>
 */
public final class ForwardFixtures {
  public static void main(String[] args) throws Exception {
    if (args.length < 2) {
      System.err.println("usage: ForwardFixtures OUT_DIR CASE_DIR...");
      System.exit(2);
    }
    System.out.println(
        "os.arch "
            + System.getProperty("os.arch")
            + ", java "
            + System.getProperty("java.version")
            + ", jrnn native "
            + Info.nativeVersion());
    Path out = Path.of(args[0]);
    Files.createDirectories(out);
    List<String> failed = new ArrayList<>();
    for (int i = 1; i < args.length; i++) {
      Path c = Path.of(args[i]);
      String name = c.getFileName().toString();
      long t0 = System.nanoTime();
      int status =
          Main.run(
              new String[] {
                "forward",
                "--config",
                c.resolve("config.json").toString(),
                "--weights",
                c.resolve("state.safetensors").toString(),
                "--input",
                c.resolve("in.safetensors").toString(),
                "--output",
                out.resolve(name + ".safetensors").toString()
              },
              System.out,
              System.err);
      System.out.printf(
          "%s: %s (%.1f s)%n",
          name, status == 0 ? "ran" : "FAILED, status " + status, (System.nanoTime() - t0) / 1e9);
      if (status != 0) {
        failed.add(name);
      }
    }
    if (!failed.isEmpty()) {
      System.err.println("ForwardFixtures: jrnn forward failed on " + failed);
      System.exit(1);
    }
  }
}
