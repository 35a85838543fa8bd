// A training progress display: one line redrawn in place on a terminal, plain periodic lines
// otherwise.
package org.jrnn.train;

import java.io.PrintStream;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Shows {@code label step/total pct | rate it/s | ETA m:ss | name=value ...}.
 *
 * <p>Interactive (a terminal): the line is redrawn with {@code \r} at most every 100 ms and ended
 * with a newline by {@link #close()}. Otherwise (a log file, CI): a full line each time another 10%
 * of the total is reached or {@code plainInterval} (default 30 s) has passed since the last line,
 * and a last line on close. Without a known total (total &lt;= 0) there is no percentage or ETA and
 * only the time rule applies.
 */
public final class ProgressBar implements AutoCloseable {
  private static final long REDRAW_NANOS = 100_000_000L;

  private final String label;
  private final long total;
  private final PrintStream out;
  private final boolean interactive;
  private final LongSupplier clock;
  private final long startNanos;
  private final Map<String, String> metrics = new LinkedHashMap<>();
  private long plainIntervalNanos = Duration.ofSeconds(30).toNanos();
  private long current;
  private long lastPrintNanos;
  private long lastDecile;
  private int lastWidth;
  private boolean printedCurrent;
  private boolean closed;

  /**
   * A bar on {@code System.err}, interactive when the JVM has a console ({@code System.console() !=
   * null}).
   *
   * @param label what is running, e.g. "epoch 3"
   * @param total the number of steps, or 0 if unknown
   */
  public static ProgressBar create(String label, long total) {
    return new ProgressBar(label, total, System.err, System.console() != null);
  }

  /** A bar writing to {@code out}, interactive or plain as told. */
  public ProgressBar(String label, long total, PrintStream out, boolean interactive) {
    this(label, total, out, interactive, System::nanoTime);
  }

  /**
   * As {@link #ProgressBar(String, long, PrintStream, boolean)} with a given nanosecond clock (for
   * tests).
   */
  public ProgressBar(
      String label, long total, PrintStream out, boolean interactive, LongSupplier nanoClock) {
    this.label = label;
    this.total = total;
    this.out = out;
    this.interactive = interactive;
    this.clock = nanoClock;
    this.startNanos = nanoClock.getAsLong();
    this.lastPrintNanos = startNanos;
  }

  /** How often plain mode prints at the latest (default 30 s); returns this. */
  public ProgressBar plainInterval(Duration interval) {
    this.plainIntervalNanos = interval.toNanos();
    return this;
  }

  /**
   * Sets a metric shown after the rate, e.g. {@code metric("loss", 1.23)} (4 significant digits).
   */
  public ProgressBar metric(String name, double value) {
    metrics.put(name, String.format(Locale.ROOT, "%.4g", value));
    return this;
  }

  /** Sets a metric shown as the given text. */
  public ProgressBar metric(String name, String value) {
    metrics.put(name, value);
    return this;
  }

  /** Advances by one step. */
  public void step() {
    stepBy(1);
  }

  /** Advances by {@code n} steps. */
  public void stepBy(long n) {
    set(current + n);
  }

  /** Sets the number of steps done and shows it if due. */
  public void set(long done) {
    current = done;
    printedCurrent = false;
    long now = clock.getAsLong();
    if (interactive) {
      if (now - lastPrintNanos >= REDRAW_NANOS || (total > 0 && current >= total)) {
        redraw(now);
      }
      return;
    }
    long decile = total > 0 ? Math.min(10, current * 10 / total) : 0;
    if (decile > lastDecile || now - lastPrintNanos >= plainIntervalNanos) {
      lastDecile = Math.max(lastDecile, decile);
      printLine(now);
    }
  }

  /** The number of steps done so far. */
  public long current() {
    return current;
  }

  /** Shows the final state (if not shown yet) and ends the line; further calls do nothing. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    long now = clock.getAsLong();
    if (interactive) {
      if (!printedCurrent) {
        redraw(now);
      }
      out.print('\n');
      out.flush();
    } else if (!printedCurrent) {
      printLine(now);
    }
  }

  /** The text of the line as it would be shown now. */
  public String render() {
    return render(clock.getAsLong());
  }

  private void redraw(long now) {
    String line = render(now);
    int pad = Math.max(0, lastWidth - line.length());
    out.print("\r" + line + " ".repeat(pad));
    out.flush();
    lastWidth = line.length();
    lastPrintNanos = now;
    printedCurrent = true;
  }

  private void printLine(long now) {
    out.println(render(now));
    out.flush();
    lastPrintNanos = now;
    printedCurrent = true;
  }

  private String render(long now) {
    double seconds = (now - startNanos) / 1e9;
    double rate = seconds > 0 ? current / seconds : 0.0;
    StringBuilder sb = new StringBuilder(label);
    if (total > 0) {
      sb.append(' ')
          .append(current)
          .append('/')
          .append(total)
          .append(
              String.format(Locale.ROOT, " %3d%%", (int) (100 * Math.min(current, total) / total)));
    } else {
      sb.append(' ').append(current);
    }
    sb.append(String.format(Locale.ROOT, " | %.2f it/s", rate));
    if (total > 0 && current >= total) {
      sb.append(" | took ").append(clockText(seconds));
    } else if (total > 0 && rate > 0) {
      sb.append(" | ETA ").append(clockText((total - current) / rate));
    } else {
      sb.append(" | elapsed ").append(clockText(seconds));
    }
    for (Map.Entry<String, String> m : metrics.entrySet()) {
      sb.append(" | ").append(m.getKey()).append('=').append(m.getValue());
    }
    return sb.toString();
  }

  /** Seconds as {@code m:ss}, or {@code h:mm:ss} from an hour on. */
  static String clockText(double seconds) {
    long s = Math.round(seconds);
    if (s >= 3600) {
      return String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60);
    }
    return String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
  }
}
