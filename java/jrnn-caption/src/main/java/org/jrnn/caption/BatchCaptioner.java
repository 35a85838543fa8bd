/*
 * BatchCaptioner: captions a list of images (or feature rows) in batches and writes one JSON
 * object per line in input order, resumable, with per-image errors that do not stop the run.
 */
package org.jrnn.caption;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.LongConsumer;
import org.jrnn.JrnnException;
import org.jrnn.data.Tokenizer;
import org.jrnn.decode.DecodeOptions;
import org.jrnn.decode.Decoded;
import org.jrnn.decode.Decoders;
import org.jrnn.decode.Hypothesis;
import org.jrnn.internal.Arguments;
import org.jrnn.internal.Quote;
import org.jrnn.io.Json;

/**
 * Writes, for each input in order, one line {@code {"image": NAME, "caption": TEXT, "score": S,
 * "nbest": [{"caption": ..., "score": ...}, ...]}} (the score is the best hypothesis's, after the
 * length penalty), or {@code {"image": NAME, "error": MESSAGE}} when its image could not be read.
 *
 * <p>Inputs are read a chunk at a time (several batches; the next chunk is read on other threads
 * while the current one decodes); each chunk's readable inputs decode together with at most {@code
 * batch} live at once (a finished input's place goes to the next), and lines are written as soon as
 * every earlier input's line is written, so a stopped run leaves a prefix of complete lines that
 * {@link #done(Path)} reads back for resuming.
 */
public final class BatchCaptioner {

  /** Reads one input's features; throws IOException (with a message naming it) when it cannot. */
  @FunctionalInterface
  public interface FeatureReader {
    float[] read() throws IOException;
  }

  /**
   * One input.
   *
   * @param name what the output line calls it (the image path as given, or the feature row's name)
   * @param reader its features
   */
  public record Input(String name, FeatureReader reader) {
    /** Checks neither part is null. */
    public Input {
      Arguments.notNull("name", name);
      Arguments.notNull("reader", reader);
    }
  }

  /**
   * What a run did.
   *
   * @param captioned inputs captioned
   * @param failed inputs written with an error
   * @param seconds wall time of the run
   */
  public record Summary(int captioned, int failed, double seconds) {}

  private final Captioner model;
  private final Tokenizer tokenizer;
  private final DecodeOptions options;
  private final int batch;
  private int readers = 4;

  /**
   * Threads that read images ahead of the decoder (default 4, at most the processors). @return this
   */
  public BatchCaptioner readers(int threads) {
    if (threads < 1) {
      throw new JrnnException("readers must be >= 1 but is " + threads);
    }
    this.readers = threads;
    return this;
  }

  /**
   * @param model the captioner
   * @param tokenizer its tokenizer (ids to words), with a word for every id of the model
   * @param options decoding; its {@code maxActive} is replaced by {@code batch}
   * @param batch how many inputs decode together
   */
  public BatchCaptioner(Captioner model, Tokenizer tokenizer, DecodeOptions options, int batch) {
    Arguments.notNull("model", model);
    Arguments.notNull("tokenizer", tokenizer);
    Arguments.notNull("options", options);
    if (tokenizer.vocabSize() < model.vocabSize()) {
      throw new JrnnException(
          "the tokenizer has "
              + tokenizer.vocabSize()
              + " ids but the model generates "
              + model.vocabSize()
              + ": give the tokenizer the model was trained with");
    }
    if (batch < 1) {
      throw new JrnnException("batch must be >= 1 but is " + batch);
    }
    this.model = model;
    this.tokenizer = tokenizer;
    this.options = options.toBuilder().maxActive(batch).build();
    this.batch = batch;
  }

  /**
   * Captions {@code inputs} in order, writing one line each to {@code out} (flushed as lines are
   * written).
   *
   * @param progress told the number of inputs finished so far, or null
   */
  public Summary run(List<Input> inputs, Writer out, LongConsumer progress) throws IOException {
    Arguments.noNulls("inputs", inputs);
    Arguments.notNull("out", out);
    long start = System.nanoTime();
    int chunk = Math.max(batch * 4, 64);
    int captioned = 0;
    int failed = 0;
    long finished = 0;
    int threads = Math.max(1, Math.min(readers, Runtime.getRuntime().availableProcessors()));
    ExecutorService pool =
        Executors.newFixedThreadPool(
            threads,
            r -> {
              Thread t = new Thread(r, "caption-reader");
              t.setDaemon(true);
              return t;
            });
    try {
      // the next chunk's images are read on other threads while this chunk decodes
      List<Future<float[]>> next = submit(pool, inputs, 0, chunk);
      for (int from = 0; from < inputs.size(); from += chunk) {
        List<Input> part = inputs.subList(from, Math.min(inputs.size(), from + chunk));
        List<Future<float[]>> reads = next;
        next = from + chunk < inputs.size() ? submit(pool, inputs, from + chunk, chunk) : List.of();
        String[] lines = new String[part.size()];
        List<float[]> feats = new ArrayList<>();
        List<Integer> where = new ArrayList<>();
        for (int i = 0; i < part.size(); i++) {
          try {
            float[] f = get(reads.get(i));
            if (f == null) {
              throw new IOException(part.get(i).name() + ": the reader returned no features");
            }
            if (f.length != model.config().featureSize()) {
              throw new IOException(
                  part.get(i).name()
                      + ": "
                      + f.length
                      + " features but the model takes "
                      + model.config().featureSize());
            }
            for (int k = 0; k < f.length; k++) {
              if (!Float.isFinite(f[k])) {
                throw new IOException(part.get(i).name() + ": feature " + k + " is " + f[k]);
              }
            }
            feats.add(f);
            where.add(i);
          } catch (IOException | RuntimeException e) {
            lines[i] = errorLine(part.get(i).name(), e);
            failed++;
          }
        }
        int[] nextLine = {0};
        long[] done = {finished};
        Writer w = out;
        // write every line whose predecessors are written
        IoRunnable flushReady =
            () -> {
              boolean wrote = false;
              while (nextLine[0] < lines.length && lines[nextLine[0]] != null) {
                w.write(lines[nextLine[0]]);
                w.write('\n');
                lines[nextLine[0]] = null;
                nextLine[0]++;
                done[0]++;
                wrote = true;
              }
              if (wrote) {
                w.flush();
                if (progress != null) {
                  progress.accept(done[0]);
                }
              }
            };
        flushReady.run();
        if (!feats.isEmpty()) {
          IOException[] failure = {null};
          Decoders.decode(
              model,
              feats,
              null,
              options,
              d -> {
                int i = where.get(d.input());
                lines[i] = captionLine(part.get(i).name(), d);
                if (failure[0] == null) {
                  try {
                    flushReady.run();
                  } catch (IOException e) {
                    failure[0] = e;
                  }
                }
              });
          if (failure[0] != null) {
            throw failure[0];
          }
          captioned += feats.size();
        }
        flushReady.run();
        finished = done[0];
      }
    } finally {
      pool.shutdownNow();
    }
    out.flush();
    return new Summary(captioned, failed, (System.nanoTime() - start) / 1e9);
  }

  private static List<Future<float[]>> submit(
      ExecutorService pool, List<Input> inputs, int from, int chunk) {
    List<Future<float[]>> out = new ArrayList<>();
    for (int i = from; i < Math.min(inputs.size(), from + chunk); i++) {
      FeatureReader reader = inputs.get(i).reader();
      out.add(pool.submit(reader::read));
    }
    return out;
  }

  /** The features, or the reader's exception. */
  private static float[] get(Future<float[]> f) throws IOException {
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof IOException io) {
        throw io;
      }
      if (c instanceof RuntimeException re) {
        throw re;
      }
      throw new IOException(String.valueOf(c), c);
    }
  }

  @FunctionalInterface
  private interface IoRunnable {
    void run() throws IOException;
  }

  private String text(Hypothesis h) {
    return detokenize(tokenizer, h.tokens());
  }

  /**
   * The caption text of {@code ids}: the tokens joined by spaces, except none before {@code , . : ;
   * ! ? )}, after {@code (}, or around {@code -} ("family: man, woman", "breast-feeding"); {@code
   * <pad>}, {@code <bos>} and {@code <eos>} left out.
   */
  public static String detokenize(Tokenizer tokenizer, int[] ids) {
    Arguments.notNull("tokenizer", tokenizer);
    Arguments.notNull("ids", ids);
    StringBuilder b = new StringBuilder();
    String prev = null;
    for (int id : ids) {
      if (id == org.jrnn.data.Vocabulary.PAD_ID
          || id == org.jrnn.data.Vocabulary.BOS_ID
          || id == org.jrnn.data.Vocabulary.EOS_ID) {
        continue;
      }
      String t = tokenizer.vocabulary().token(id);
      boolean glue =
          prev == null || t.matches("[,.:;!?)\\-]") || prev.equals("(") || prev.equals("-");
      if (!glue) {
        b.append(' ');
      }
      b.append(t);
      prev = t;
    }
    return b.toString();
  }

  private String captionLine(String name, Decoded d) {
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("image", name);
    Hypothesis best = d.best();
    o.put("caption", best == null ? "" : text(best));
    o.put("score", best == null ? null : finite(best.score()));
    List<Object> nbest = new ArrayList<>();
    for (Hypothesis h : d.nbest()) {
      Map<String, Object> e = new LinkedHashMap<>();
      e.put("caption", text(h));
      e.put("score", finite(h.score()));
      nbest.add(e);
    }
    o.put("nbest", nbest);
    return Json.write(o);
  }

  private static double finite(double v) {
    return Double.isFinite(v) ? v : -Double.MAX_VALUE;
  }

  private static String errorLine(String name, Exception e) {
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("image", name);
    String m = e.getMessage();
    // an input's own message (often starting with its name) is kept as written, only cut
    o.put(
        "error",
        e instanceof FileSystemException || m == null || m.isBlank()
            ? Quote.reason(e)
            : Quote.withoutClassNames(Quote.cut(m)));
    return Json.write(o);
  }

  /**
   * The names already in an output file, for resuming: every complete line that parses as a JSON
   * object with an {@code "image"}. A last line without its newline (a run stopped while writing)
   * is cut off the file.
   */
  public static Set<String> done(Path file) throws IOException {
    Set<String> names = new HashSet<>();
    if (!Files.exists(file)) {
      return names;
    }
    byte[] bytes = Files.readAllBytes(file);
    int end = bytes.length;
    while (end > 0 && bytes[end - 1] != '\n') {
      end--;
    }
    if (end < bytes.length) {
      try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
        f.setLength(end);
      }
    }
    String text = new String(bytes, 0, end, StandardCharsets.UTF_8);
    for (String line : text.split("\n")) {
      if (line.isBlank()) {
        continue;
      }
      try {
        if (Json.parse(line) instanceof Map<?, ?> o && o.get("image") instanceof String image) {
          names.add(image);
        }
      } catch (Json.JsonException ignored) {
        // not one of our lines: captioned again
      }
    }
    return names;
  }
}
