/*
 * KillProbe: trains small models with `jrnn train --checkpoint --resume` in a child JVM, SIGKILLs it
 * at random moments (some while a checkpoint is being written, some right after one landed) and
 * resumes, until the run completes; the model must then be byte-identical to an uninterrupted run
 * with the same seed, every checkpoint seen on the way must read back, and no temp file may be left.
 *   java -cp CLASSPATH org.jrnn.reliability.KillProbe --kills 10 --seed 1 --dir /tmp/killprobe
 */
package org.jrnn.reliability;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.jrnn.io.SafetensorsFile;
import org.jrnn.train.Checkpoint;

/**
 * Kills training runs with SIGKILL ({@link Process#destroyForcibly()} on Linux) and resumes them.
 *
 * <p>Rounds alternate between two CLI runs, a character language model (two-layer LSTM, dropout,
 * TBPTT state carried across windows, cosine schedule with warm-up) and a bidirectional GRU
 * classifier (dropout, validation every few steps, early stopping that keeps the best weights),
 * each checkpointing every few steps. A round first trains uninterrupted (the reference), then
 * starts the same run with {@code --resume} again and again, killing each child after a random
 * delay in one of three ways:
 *
 * <ul>
 *   <li>at a random moment;
 *   <li>as soon as a checkpoint temp file ({@code .NAME.*.tmp}) appears: during a checkpoint write;
 *   <li>as soon as the checkpoint file changes: right after the rename, before the folder is
 *       synced.
 * </ul>
 *
 * After each kill the checkpoint must read ({@link Checkpoint#read}) and its step must not go back.
 * When a child finishes on its own (exit 0), its model file must equal the reference byte for byte;
 * and its {@code --metrics} CSV must equal the reference's but for the seconds column (wall-clock
 * training time, the only column that differs between runs). Rounds go on until {@code kills} kills
 * have been made, and at least one during a checkpoint write (up to three times as many kills for
 * that); at the end no {@code *.tmp} file may be left in any round's folder.
 *
 * <p>Prints one {@code RESULT probe=kill ...} line of {@code key=value} figures; exit status 0 when
 * everything held, 1 otherwise, 2 for a bad command line.
 */
public final class KillProbe {
  private static final int MAX_PROBLEMS = 20;

  /**
   * What to run.
   *
   * @param kills kills to make in all (rounds are added until there are this many)
   * @param seed seed of the data, the training runs and the kill schedule
   * @param dir folder for the rounds (created; a round that matched keeps only its temp files, the
   *     others everything for inspection)
   */
  public record Options(int kills, long seed, Path dir) {}

  /**
   * What the probe found.
   *
   * @param kills children killed
   * @param killsDuringWrite kills made while a checkpoint temp file existed
   * @param lives children started (killed, finished or failed)
   * @param rounds training runs completed through kills and resumes
   * @param resumesIdentical rounds whose final model equals the uninterrupted one
   * @param checkpointsRead checkpoints read back after a kill
   * @param unreadable checkpoints that could not be read, or went back in steps, or vanished
   * @param childFailures children that exited non-zero without being killed, or hung
   * @param metricsIdentical rounds whose metrics CSV equals the uninterrupted one's (but for the
   *     seconds column)
   * @param leftoverTmp temp files left in the rounds' folders at the end
   * @param seconds wall time
   * @param problems the first few problems, as text
   * @param roundLines one line per round: task, reference time, lives, kills, outcome
   */
  public record Report(
      int kills,
      int killsDuringWrite,
      int lives,
      int rounds,
      int resumesIdentical,
      int checkpointsRead,
      int unreadable,
      int childFailures,
      int metricsIdentical,
      int leftoverTmp,
      double seconds,
      List<String> problems,
      List<String> roundLines) {
    /**
     * Whether every resumed run and its metrics matched, every checkpoint read and nothing was left
     * behind.
     */
    public boolean passed() {
      return rounds > 0
          && resumesIdentical == rounds
          && metricsIdentical == rounds
          && unreadable == 0
          && childFailures == 0
          && leftoverTmp == 0;
    }

    /** The one-line summary. */
    public String line(Options o) {
      return String.format(
          Locale.ROOT,
          "RESULT probe=kill status=%s seed=%d kills=%d kills_during_write=%d lives=%d rounds=%d"
              + " resumes_identical=%d checkpoints_read=%d unreadable=%d child_failures=%d"
              + " metrics_identical=%d leftover_tmp=%d seconds=%.1f",
          passed() ? "PASS" : "FAIL",
          o.seed(),
          kills,
          killsDuringWrite,
          lives,
          rounds,
          resumesIdentical,
          checkpointsRead,
          unreadable,
          childFailures,
          metricsIdentical,
          leftoverTmp,
          seconds);
    }
  }

  private final Options options;
  private final SplittableRandom rng;
  private final List<String> problems = new ArrayList<>();
  private final List<String> roundLines = new ArrayList<>();
  private int kills;
  private int killsDuringWrite;
  private int lives;
  private int rounds;
  private int resumesIdentical;
  private int checkpointsRead;
  private int unreadable;
  private int childFailures;
  private int metricsIdentical;

  private KillProbe(Options options) {
    this.options = options;
    this.rng = new SplittableRandom(options.seed());
  }

  /** Runs the probe. */
  public static Report run(Options o) throws IOException, InterruptedException {
    if (o.kills() < 1) {
      throw new IllegalArgumentException("kills must be >= 1");
    }
    Files.createDirectories(o.dir());
    return new KillProbe(o).go();
  }

  private Report go() throws IOException, InterruptedException {
    long start = System.nanoTime();
    List<Path> roundDirs = new ArrayList<>();
    // a round that cannot get through (a child failing each time) must not loop for ever
    int maxRounds = 2 + options.kills();
    for (int r = 0; moreKills() && r < maxRounds; r++) {
      Path dir = options.dir().resolve("round-" + r);
      roundDirs.add(dir);
      if (!round(r, dir)) {
        break;
      }
    }
    int leftover = 0;
    for (Path dir : roundDirs) {
      List<String> tmps = tempFiles(dir);
      leftover += tmps.size();
      if (!tmps.isEmpty()) {
        problem(dir.getFileName() + ": temp files left after the run completed: " + tmps);
      }
    }
    return new Report(
        kills,
        killsDuringWrite,
        lives,
        rounds,
        resumesIdentical,
        checkpointsRead,
        unreadable,
        childFailures,
        metricsIdentical,
        leftover,
        (System.nanoTime() - start) / 1e9,
        List.copyOf(problems),
        List.copyOf(roundLines));
  }

  // ------------------------------------------------------------------ one round

  /**
   * One training run: reference, then kills and resumes until it completes; false to stop the
   * probe.
   */
  private boolean round(int r, Path dir) throws IOException, InterruptedException {
    Files.createDirectories(dir);
    long seed = options.seed() * 100 + r;
    boolean lm = r % 2 == 0;
    List<String> args = lm ? lmArgs(dir, seed) : classifierArgs(dir, seed);

    Path reference = dir.resolve("reference.safetensors");
    List<String> refArgs = new ArrayList<>(args);
    // the same run, checkpointing too, but never killed or resumed
    refArgs.addAll(
        List.of(
            "--out",
            reference.toString(),
            "--checkpoint",
            dir.resolve("reference.ckpt").toString(),
            "--metrics",
            dir.resolve("reference.csv").toString()));
    long t0 = System.nanoTime();
    Path refCheckpoint = dir.resolve("reference.ckpt");
    Process ref = start(refArgs, dir, "reference");
    // how long the JVM takes to start, read the data and make its first checkpoint
    double startSeconds = -1;
    while (!ref.waitFor(1, TimeUnit.MILLISECONDS)) {
      if (startSeconds < 0 && Files.exists(refCheckpoint)) {
        startSeconds = (System.nanoTime() - t0) / 1e9;
      }
      if (System.nanoTime() - t0 > TimeUnit.MINUTES.toNanos(10)) {
        ref.destroyForcibly().waitFor();
        childFailures++;
        problem("round " + r + ": the uninterrupted run did not finish in 10 minutes");
        return false;
      }
    }
    double runSeconds = (System.nanoTime() - t0) / 1e9;
    if (startSeconds < 0) {
      startSeconds = runSeconds / 2;
    }
    if (ref.exitValue() != 0) {
      childFailures++;
      problem(
          "round "
              + r
              + ": the uninterrupted run failed (exit "
              + ref.exitValue()
              + "): "
              + tail(dir.resolve("reference.err")));
      return false;
    }

    Path out = dir.resolve("model.safetensors");
    Path checkpoint = dir.resolve("run.ckpt");
    List<String> runArgs = new ArrayList<>(args);
    runArgs.addAll(
        List.of(
            "--out",
            out.toString(),
            "--checkpoint",
            checkpoint.toString(),
            "--resume",
            "--metrics",
            dir.resolve("run.csv").toString()));
    long lastStep = -1;
    int livesHere = 0;
    int killsBefore = kills;
    int maxLives = 20 + 10 * options.kills();
    while (true) {
      if (++livesHere > maxLives) {
        childFailures++;
        problem(
            "round "
                + r
                + ": no completion after "
                + maxLives
                + " lives (no progress between kills?)");
        return false;
      }
      lives++;
      boolean kill = moreKills();
      Process p = start(runArgs, dir, "life-" + livesHere);
      // past the quota, only kills during a checkpoint write are still missing
      Kill how =
          !kill
              ? null
              : kills >= options.kills()
                  ? Kill.DURING_CHECKPOINT_WRITE
                  : Kill.values()[rng.nextInt(Kill.values().length)];
      // mostly after the start (a resumed run has less left to do than the whole run): some kills
      // land while the JVM starts or reads the checkpoint, most while it trains and checkpoints
      long delayNanos =
          (long)
              (1e9
                  * (startSeconds * (0.5 + 0.6 * rng.nextDouble())
                      + (runSeconds - startSeconds) * 0.5 * rng.nextDouble()));
      boolean killed = kill && killLater(p, how, delayNanos, checkpoint);
      if (!p.waitFor(10, TimeUnit.MINUTES)) {
        p.destroyForcibly().waitFor();
        childFailures++;
        problem("round " + r + " life " + livesHere + ": hung");
        return false;
      }
      if (killed) {
        kills++;
        long step = checkCheckpoint(r, livesHere, checkpoint, lastStep);
        lastStep = Math.max(lastStep, step);
        continue;
      }
      if (p.exitValue() != 0) {
        childFailures++;
        problem(
            "round "
                + r
                + " life "
                + livesHere
                + ": the resumed run failed (exit "
                + p.exitValue()
                + "): "
                + tail(dir.resolve("life-" + livesHere + ".err")));
        return false;
      }
      // completed
      rounds++;
      checkCheckpoint(r, livesHere, checkpoint, lastStep);
      String diff = difference(reference, out);
      String metricsDiff = metricsDifference(dir.resolve("reference.csv"), dir.resolve("run.csv"));
      if (metricsDiff == null) {
        metricsIdentical++;
      } else {
        problem(
            "round "
                + r
                + ": the resumed run's metrics log differs from the uninterrupted one's: "
                + metricsDiff);
      }
      roundLines.add(
          String.format(
              Locale.ROOT,
              "round %d: %s, uninterrupted run %.1f s (first checkpoint at %.1f s), %d lives, %d kills,"
                  + " last checkpoint step %d, %s",
              r,
              lm ? "lm" : "classify",
              runSeconds,
              startSeconds,
              livesHere,
              kills - killsBefore,
              lastStep,
              diff == null ? "identical" : "DIFFERENT"));
      if (diff == null) {
        resumesIdentical++;
        if (metricsDiff == null) {
          deleteAllButTemps(
              dir); // long soaks make hundreds of rounds; the temp files are counted at the end
        }
      } else {
        problem(
            "round "
                + r
                + " ("
                + (lm ? "lm" : "classify")
                + ", "
                + (livesHere - 1)
                + " kills): the resumed model differs from the uninterrupted one: "
                + diff);
      }
      return true;
    }
  }

  /**
   * Until the quota is met and at least one kill landed during a checkpoint write (within 3x the
   * quota).
   */
  private boolean moreKills() {
    return kills < options.kills() || (killsDuringWrite == 0 && kills < 3 * options.kills());
  }

  private enum Kill {
    /** At a random moment. */
    ANY_TIME,
    /** While a checkpoint temp file exists. */
    DURING_CHECKPOINT_WRITE,
    /** Right after the checkpoint file changed. */
    AFTER_CHECKPOINT_RENAME
  }

  /**
   * Waits {@code delayNanos}, then (for the two checkpoint modes, watching for up to as long again)
   * SIGKILLs {@code p}; false when {@code p} finished first.
   */
  private boolean killLater(Process p, Kill how, long delayNanos, Path checkpoint)
      throws InterruptedException {
    // temp files of earlier kills (while they are not cleaned up) are not writes of this child
    Set<String> stale = checkpointTemps(checkpoint);
    long until = System.nanoTime() + delayNanos;
    while (System.nanoTime() < until) {
      if (p.waitFor(
          Math.min(20, Math.max(1, (until - System.nanoTime()) / 1_000_000)),
          TimeUnit.MILLISECONDS)) {
        return false;
      }
    }
    if (how != Kill.ANY_TIME) {
      Object before = stamp(checkpoint);
      long watchUntil = System.nanoTime() + Math.max(delayNanos, 2_000_000_000L);
      while (System.nanoTime() < watchUntil && p.isAlive()) {
        boolean fire =
            how == Kill.DURING_CHECKPOINT_WRITE
                ? writing(checkpoint, stale)
                : !Objects.equals(before, stamp(checkpoint));
        if (fire) {
          break;
        }
        LockSupport.parkNanos(100_000);
      }
    }
    if (!p.isAlive()) {
      return false;
    }
    boolean writing = writing(checkpoint, stale);
    p.destroyForcibly();
    p.waitFor();
    // a child that exited 0 just before the signal was not killed
    if (p.exitValue() == 0) {
      return false;
    }
    if (writing) {
      killsDuringWrite++;
    }
    return true;
  }

  /** The checkpoint's step after a kill (-1 when there is none yet); counts what is wrong. */
  private long checkCheckpoint(int r, int life, Path checkpoint, long lastStep) {
    if (!Files.exists(checkpoint)) {
      if (lastStep >= 0) {
        unreadable++;
        problem(
            "round "
                + r
                + " life "
                + life
                + ": the checkpoint vanished (it was at step "
                + lastStep
                + ")");
      }
      return -1;
    }
    try {
      long step = Checkpoint.read(checkpoint).trainer().step();
      checkpointsRead++;
      if (step < lastStep) {
        unreadable++;
        problem(
            "round "
                + r
                + " life "
                + life
                + ": the checkpoint went back from step "
                + lastStep
                + " to "
                + step);
      }
      return step;
    } catch (IOException | RuntimeException e) {
      unreadable++;
      problem("round " + r + " life " + life + ": unreadable checkpoint after a kill: " + e);
      return lastStep;
    }
  }

  /**
   * Null when the two metrics CSVs hold the same rows apart from the seconds column, else what
   * differs.
   */
  private static String metricsDifference(Path reference, Path got) {
    try {
      List<String> a = withoutSeconds(Files.readAllLines(reference, StandardCharsets.UTF_8));
      List<String> b = withoutSeconds(Files.readAllLines(got, StandardCharsets.UTF_8));
      for (int i = 0; i < Math.max(a.size(), b.size()); i++) {
        String x = i < a.size() ? a.get(i) : "(none)";
        String y = i < b.size() ? b.get(i) : "(none)";
        if (!x.equals(y)) {
          return a.size()
              + " vs "
              + b.size()
              + " lines; line "
              + (i + 1)
              + ": '"
              + x
              + "' vs '"
              + y
              + "'";
        }
      }
      return null;
    } catch (IOException e) {
      return "cannot compare: " + e;
    }
  }

  private static List<String> withoutSeconds(List<String> lines) {
    if (lines.isEmpty()) {
      return lines;
    }
    int col = Arrays.asList(lines.get(0).split(",", -1)).indexOf("seconds");
    List<String> out = new ArrayList<>();
    for (String l : lines) {
      List<String> f = new ArrayList<>(Arrays.asList(l.split(",", -1)));
      if (col >= 0 && col < f.size()) {
        f.remove(col);
      }
      out.add(String.join(",", f));
    }
    return out;
  }

  /** Null when the two model files are byte-identical, else what differs. */
  private static String difference(Path reference, Path got) {
    try {
      if (Arrays.equals(Files.readAllBytes(reference), Files.readAllBytes(got))) {
        return null;
      }
      try (SafetensorsFile a = SafetensorsFile.open(reference);
          SafetensorsFile b = SafetensorsFile.open(got)) {
        if (!a.names().equals(b.names())) {
          return "tensor names " + a.names() + " vs " + b.names();
        }
        for (String n : new TreeSet<>(a.names())) {
          float[] x = a.floats(n);
          float[] y = b.floats(n);
          int[] xb = new int[x.length];
          int[] yb = new int[y.length];
          Arrays.setAll(xb, i -> Float.floatToRawIntBits(x[i]));
          Arrays.setAll(yb, i -> Float.floatToRawIntBits(y[i]));
          int i = Arrays.mismatch(xb, yb);
          if (i >= 0) {
            return n
                + "["
                + i
                + "] "
                + (i < x.length ? x[i] : "-")
                + " vs "
                + (i < y.length ? y[i] : "-");
          }
        }
        return "the metadata (" + a.metadata() + " vs " + b.metadata() + ")";
      }
    } catch (IOException e) {
      return "cannot compare: " + e;
    }
  }

  // ------------------------------------------------------------------ the child runs

  /** A two-layer LSTM character LM with dropout, carried state, warm-up and cosine schedule. */
  private static List<String> lmArgs(Path dir, long seed) throws IOException {
    SplittableRandom r = new SplittableRandom(seed);
    String[] words = {
      "the", "whale", "sea", "ship", "captain", "white", "call", "me", "ishmael", "and", "of", "a",
      "to", "in", "harpoon", "deck", "storm", "night", "sail", "wind"
    };
    StringBuilder text = new StringBuilder();
    while (text.length() < 9000) {
      int n = 3 + r.nextInt(9);
      for (int i = 0; i < n; i++) {
        text.append(i == 0 ? "" : " ").append(words[r.nextInt(words.length)]);
      }
      text.append(r.nextInt(4) == 0 ? ".\n" : ". ");
    }
    Path data = dir.resolve("text.txt");
    Files.writeString(data, text, StandardCharsets.UTF_8);
    return new ArrayList<>(
        List.of(
            "train",
            "--task",
            "lm",
            "--data",
            data.toString(),
            "--cell",
            "lstm",
            "--hidden",
            "96",
            "--layers",
            "2",
            "--embedding",
            "16",
            "--dropout",
            "0.1",
            "--batch",
            "8",
            "--seq-len",
            "24",
            "--tbptt-k1",
            "16",
            "--epochs",
            "8",
            "--schedule",
            "cosine",
            "--warmup",
            "5",
            "--checkpoint-every",
            "3",
            "--seed",
            Long.toString(seed),
            "--threads",
            "1",
            "--quiet"));
  }

  /** A bidirectional GRU classifier with dropout, frequent validation and early stopping. */
  private static List<String> classifierArgs(Path dir, long seed) throws IOException {
    SplittableRandom r = new SplittableRandom(seed);
    StringBuilder tsv = new StringBuilder();
    for (int i = 0; i < 600; i++) {
      int label = r.nextInt(3);
      int n = 2 + r.nextInt(14);
      for (int k = 0; k < n; k++) {
        // each label prefers its own third of the words
        int w = r.nextInt(4) == 0 ? label * 30 + r.nextInt(30) : r.nextInt(90);
        tsv.append(k == 0 ? "" : " ").append("w").append(w);
      }
      tsv.append('\t').append("class").append(label).append('\n');
    }
    Path data = dir.resolve("train.tsv");
    Files.writeString(data, tsv, StandardCharsets.UTF_8);
    return new ArrayList<>(
        List.of(
            "train",
            "--task",
            "classify",
            "--data",
            data.toString(),
            "--cell",
            "gru",
            "--hidden",
            "64",
            "--embedding",
            "24",
            "--bidirectional",
            "--dropout",
            "0.2",
            "--batch",
            "16",
            "--epochs",
            "10",
            "--validate-every",
            "7",
            "--patience",
            "6",
            "--checkpoint-every",
            "2",
            "--optimizer",
            "adamw",
            "--seed",
            Long.toString(seed),
            "--threads",
            "1",
            "--quiet"));
  }

  private static Process start(List<String> args, Path dir, String name) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-XX:+UseSerialGC");
    cmd.add("-XX:TieredStopAtLevel=1"); // starts faster; float results do not depend on the JIT
    if (Runtime.version().feature() >= 22) {
      cmd.add("--enable-native-access=ALL-UNNAMED");
    }
    cmd.add("-cp");
    cmd.add(absoluteClassPath());
    cmd.add("org.jrnn.cli.Main");
    cmd.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
    pb.redirectOutput(dir.resolve(name + ".out").toFile());
    pb.redirectError(dir.resolve(name + ".err").toFile());
    return pb.start();
  }

  /** This JVM's class path with absolute entries (the child runs in the round's folder). */
  private static String absoluteClassPath() {
    return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
        .filter(e -> !e.isEmpty())
        .map(e -> Path.of(e).toAbsolutePath().toString())
        .collect(Collectors.joining(File.pathSeparator));
  }

  // ------------------------------------------------------------------ files

  /** The names of the checkpoint's temp files ({@code .NAME.*.tmp}) now in its folder. */
  private static Set<String> checkpointTemps(Path checkpoint) {
    String prefix = "." + checkpoint.getFileName() + ".";
    try (Stream<Path> s = Files.list(checkpoint.getParent())) {
      return s.map(p -> p.getFileName().toString())
          .filter(n -> n.startsWith(prefix) && n.endsWith(".tmp"))
          .collect(Collectors.toSet());
    } catch (IOException e) {
      return Set.of();
    }
  }

  /**
   * Whether a checkpoint temp file other than the {@code stale} ones exists: a write in progress.
   */
  private static boolean writing(Path checkpoint, Set<String> stale) {
    for (String n : checkpointTemps(checkpoint)) {
      if (!stale.contains(n)) {
        return true;
      }
    }
    return false;
  }

  /** Identity of the checkpoint file's current version (inode and time), or null when absent. */
  private static Object stamp(Path file) {
    try {
      BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
      FileTime t = a.lastModifiedTime();
      return List.of(String.valueOf(a.fileKey()), t, a.size());
    } catch (IOException e) {
      return null;
    }
  }

  private static List<String> tempFiles(Path dir) {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith(".tmp"))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void deleteAllButTemps(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      for (Path p : s.filter(p -> !p.getFileName().toString().endsWith(".tmp")).toList()) {
        Files.delete(p);
      }
    }
  }

  private static String tail(Path file) {
    try {
      String s = Files.readString(file, StandardCharsets.UTF_8).strip();
      return s.length() > 400 ? "..." + s.substring(s.length() - 400) : s;
    } catch (IOException e) {
      return "(no stderr: " + e + ")";
    }
  }

  private void problem(String text) {
    if (problems.size() < MAX_PROBLEMS) {
      problems.add(text);
    }
  }

  /** {@code --kills N --seed S --dir D}; prints the problems and the RESULT line. */
  public static void main(String[] args) throws Exception {
    int killCount = 10;
    long seed = 1;
    Path dir = null;
    try {
      for (int i = 0; i < args.length; i += 2) {
        if (i + 1 >= args.length) {
          throw new IllegalArgumentException(args[i] + " needs a value");
        }
        String v = args[i + 1];
        switch (args[i]) {
          case "--kills" -> killCount = Integer.parseInt(v);
          case "--seed" -> seed = Long.parseLong(v);
          case "--dir" -> dir = Path.of(v);
          default -> throw new IllegalArgumentException("unknown option " + args[i]);
        }
      }
      if (dir == null) {
        throw new IllegalArgumentException("--dir is required");
      }
    } catch (IllegalArgumentException e) {
      System.err.println("KillProbe: " + e.getMessage());
      System.err.println("usage: KillProbe --kills N --seed S --dir D");
      System.exit(2);
    }
    Options o = new Options(killCount, seed, dir);
    Report r = run(o);
    r.roundLines().forEach(l -> System.out.println("ROUND " + l));
    r.problems().forEach(p -> System.out.println("PROBLEM " + p));
    System.out.println(r.line(o));
    System.out.flush();
    System.exit(r.passed() ? 0 : 1);
  }
}
