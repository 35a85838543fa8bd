/*
 * CaptionBench: captions per second of batch captioning on the CPU (greedy and beam search, at
 * several batch sizes) with a trained captioner, on feature vectors of Twemoji images; writes the
 * features for scripts/torch_caption_bench.py (the same decoder loop in PyTorch, same weights).
 *   java -Djrnn.cpu.threads=1 -cp ... org.jrnn.bench.CaptionBench --model M.safetensors \
 *        --data target/twemoji --images 256 --out target/caption/bench [--repeats 3]
 *        [--warmup-seconds 2]  (whole decodes before timing, so the JIT has compiled the loop)
 */
package org.jrnn.bench;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jrnn.Device;
import org.jrnn.caption.CaptionModels;
import org.jrnn.caption.Captioner;
import org.jrnn.caption.ImagePixels;
import org.jrnn.decode.DecodeOptions;
import org.jrnn.decode.Decoded;
import org.jrnn.decode.Decoders;
import org.jrnn.examples.Twemoji;
import org.jrnn.io.Json;
import org.jrnn.io.SafetensorsWriter;

/** The throughput benchmark of bench/caption/RESULTS.md. */
public final class CaptionBench {
  private CaptionBench() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> a = new LinkedHashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      a.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    Path modelPath = Path.of(a.getOrDefault("model", "target/caption/twemoji.safetensors"));
    Path data = Path.of(a.getOrDefault("data", "target/twemoji"));
    int n = Integer.parseInt(a.getOrDefault("images", "256"));
    int repeats = Integer.parseInt(a.getOrDefault("repeats", "3"));
    double warmupSeconds = Double.parseDouble(a.getOrDefault("warmup-seconds", "2"));
    int maxLen = Integer.parseInt(a.getOrDefault("max-len", "20"));
    Path out = Path.of(a.getOrDefault("out", "target/caption/bench"));
    List<Integer> batches =
        Arrays.stream(a.getOrDefault("batches", "1,64").split(",")).map(Integer::parseInt).toList();
    List<Integer> beams =
        Arrays.stream(a.getOrDefault("beams", "1,5").split(",")).map(Integer::parseInt).toList();
    Files.createDirectories(out);

    try (CaptionModels.Loaded loaded = CaptionModels.load(modelPath, Device.cpu())) {
      Captioner model = loaded.model();
      ImagePixels.Encoder encoder = model.config().imageEncoder();
      // the skin-tone variants first (the held-out images), then base images, n in all
      Twemoji.Data d = Twemoji.read(data);
      List<Twemoji.Entry> entries = new ArrayList<>(d.variants());
      entries.addAll(d.bases());
      List<float[]> feats = new ArrayList<>();
      List<String> names = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        Twemoji.Entry e = entries.get((int) ((long) i * entries.size() / n));
        feats.add(encoder.features(d.file(e)));
        names.add(e.image());
      }
      float[] flat = new float[n * model.config().featureSize()];
      for (int i = 0; i < n; i++) {
        System.arraycopy(feats.get(i), 0, flat, i * feats.get(i).length, feats.get(i).length);
      }
      new SafetensorsWriter()
          .metadata("names", Json.write(names))
          .putFloats("features", flat, n, model.config().featureSize())
          .write(out.resolve("features.safetensors"));

      Map<String, Object> report = new LinkedHashMap<>();
      report.put("model", modelPath.toString());
      report.put("images", n);
      report.put("max_len", maxLen);
      report.put("threads", System.getProperty("jrnn.cpu.threads", "(default)"));
      report.put("cpu", cpuName());
      List<Map<String, Object>> rows = new ArrayList<>();
      for (int beam : beams) {
        for (int batch : batches) {
          DecodeOptions o =
              DecodeOptions.builder()
                  .beamSize(beam)
                  .maxLength(maxLen)
                  .maxActive(batch)
                  .suppress(Captioner.NEVER)
                  .build();
          // warm-up: whole decodes for at least warmupSeconds (the JIT compiles the decode loop
          // in the first seconds; a batch script runs in that steady state afterwards)
          long warmEnd = System.nanoTime() + (long) (warmupSeconds * 1e9);
          do {
            Decoders.decode(model, feats, o);
          } while (System.nanoTime() < warmEnd);
          double best = Double.POSITIVE_INFINITY;
          List<Decoded> got = null;
          for (int r = 0; r < repeats; r++) {
            long t = System.nanoTime();
            got = Decoders.decode(model, feats, o);
            best = Math.min(best, (System.nanoTime() - t) / 1e9);
          }
          List<String> caps = new ArrayList<>();
          long tokens = 0;
          for (Decoded dd : got) {
            caps.add(loaded.tokenizer().decode(dd.tokens()));
            tokens += dd.tokens().length;
          }
          Map<String, Object> row = new LinkedHashMap<>();
          row.put("beam", beam);
          row.put("batch", batch);
          row.put("seconds", best);
          row.put("captions_per_second", n / best);
          row.put("mean_words", (double) tokens / n);
          row.put("captions", caps);
          rows.add(row);
          System.out.printf(
              Locale.ROOT,
              "jrnn  beam %d batch %3d: %8.1f captions/s (%.3f s for %d)%n",
              beam,
              batch,
              n / best,
              best,
              n);
        }
      }
      report.put("runs", rows);
      Files.writeString(
          out.resolve("jrnn.json"), Json.writePretty(report) + "\n", StandardCharsets.UTF_8);
    }
  }

  static String cpuName() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (line.startsWith("model name")) {
          return line.substring(line.indexOf(':') + 1).strip();
        }
      }
    } catch (Exception ignored) {
      // not Linux
    }
    return System.getProperty("os.arch");
  }
}
