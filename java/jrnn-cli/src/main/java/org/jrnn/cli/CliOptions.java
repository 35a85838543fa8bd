// CliOptions: the command-line parser of the training commands (train, eval, predict, generate,
// demo): --key value / --key=value options, boolean --flags, positional arguments, typed getters
// whose errors are one line naming the option.
package org.jrnn.cli;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jrnn.cli.Command.UsageException;
import org.jrnn.internal.Quote;

/** Parsed options of one command; every problem is a {@link UsageException} with one line. */
public final class CliOptions {
  private final Map<String, String> values = new LinkedHashMap<>();
  private final List<String> positional = new ArrayList<>();

  private CliOptions() {}

  /**
   * Parses {@code args}.
   *
   * @param valued options that take a value
   * @param flags options that take none ({@code --flag}; {@code --flag=false} turns one off)
   * @param allowPositional whether non-option arguments are allowed ({@code --} ends options)
   */
  public static CliOptions parse(
      List<String> args, Set<String> valued, Set<String> flags, boolean allowPositional) {
    CliOptions o = new CliOptions();
    boolean optionsDone = false;
    for (int i = 0; i < args.size(); i++) {
      String a = args.get(i);
      if (optionsDone || !a.startsWith("--") || a.equals("-")) {
        if (!allowPositional) {
          throw new UsageException("unexpected argument " + Quote.quote(a));
        }
        o.positional.add(a);
        continue;
      }
      if (a.equals("--")) {
        optionsDone = true;
        continue;
      }
      String key;
      String value = null;
      int eq = a.indexOf('=');
      if (eq >= 0) {
        key = a.substring(2, eq);
        value = a.substring(eq + 1);
      } else {
        key = a.substring(2);
      }
      if (flags.contains(key)) {
        if (value == null) {
          value = "true";
        } else if (!value.equals("true") && !value.equals("false")) {
          throw new UsageException(
              "--" + key + " takes no value (or =true/=false), not " + Quote.quote(value));
        }
      } else if (valued.contains(key)) {
        if (value == null) {
          if (i + 1 >= args.size()) {
            throw new UsageException("--" + key + " needs a value");
          }
          value = args.get(++i);
        }
      } else {
        throw new UsageException("unknown option --" + Quote.cut(key));
      }
      if (o.values.containsKey(key)) {
        throw new UsageException("--" + key + " given twice");
      }
      o.values.put(key, value);
    }
    return o;
  }

  public boolean has(String key) {
    return values.containsKey(key);
  }

  public List<String> positional() {
    return positional;
  }

  public String string(String key, String def) {
    return values.getOrDefault(key, def);
  }

  public String required(String key) {
    String v = values.get(key);
    if (v == null) {
      throw new UsageException("missing --" + key);
    }
    return v;
  }

  public Path path(String key) {
    String v = values.get(key);
    return v == null ? null : toPath("--" + key, v);
  }

  public Path requiredPath(String key) {
    return toPath("--" + key, required(key));
  }

  /** {@code text} as a path; a {@link UsageException} naming {@code what} when it cannot be one. */
  public static Path toPath(String what, String text) {
    if (text.isEmpty()) {
      throw new UsageException(what + " is empty");
    }
    try {
      return Path.of(text);
    } catch (InvalidPathException e) {
      throw new UsageException(what + ": " + Quote.quote(text) + " is not a valid path");
    }
  }

  public boolean flag(String key) {
    return "true".equals(values.get(key));
  }

  public String choice(String key, String def, String... allowed) {
    String v = values.getOrDefault(key, def);
    if (v == null) {
      return null;
    }
    String lower = v.toLowerCase(Locale.ROOT);
    for (String a : allowed) {
      if (a.equals(lower)) {
        return a;
      }
    }
    throw new UsageException(
        "--" + key + " must be one of " + String.join(", ", allowed) + ", not " + Quote.quote(v));
  }

  public int integer(String key, int def, int min, int max) {
    String v = values.get(key);
    if (v == null) {
      return def;
    }
    long x;
    try {
      x = Long.parseLong(v.trim().replace("_", ""));
    } catch (NumberFormatException e) {
      throw new UsageException("--" + key + " must be an integer, not " + Quote.quote(v));
    }
    if (x < min || x > max) {
      throw new UsageException(
          "--" + key + " must be in " + min + ".." + max + ", not " + Quote.cut(v));
    }
    return (int) x;
  }

  public long longValue(String key, long def, long min) {
    String v = values.get(key);
    if (v == null) {
      return def;
    }
    long x;
    try {
      x = Long.parseLong(v.trim().replace("_", ""));
    } catch (NumberFormatException e) {
      throw new UsageException("--" + key + " must be an integer, not " + Quote.quote(v));
    }
    if (x < min) {
      throw new UsageException("--" + key + " must be >= " + min + ", not " + Quote.cut(v));
    }
    return x;
  }

  public double number(String key, double def, double min, double max) {
    String v = values.get(key);
    if (v == null) {
      return def;
    }
    double x;
    try {
      x = Double.parseDouble(v.trim());
    } catch (NumberFormatException e) {
      throw new UsageException("--" + key + " must be a number, not " + Quote.quote(v));
    }
    if (!(x >= min && x <= max)) {
      throw new UsageException(
          "--" + key + " must be in [" + min + ", " + max + "], not " + Quote.cut(v));
    }
    return x;
  }

  /**
   * A duration: {@code 90}, {@code 90s}, {@code 2m}, {@code 1h}, {@code 1.5m}; null when absent.
   */
  public Duration duration(String key) {
    String v = values.get(key);
    if (v == null) {
      return null;
    }
    String s = v.trim().toLowerCase(Locale.ROOT);
    double unit = 1;
    if (s.endsWith("ms")) {
      unit = 0.001;
      s = s.substring(0, s.length() - 2);
    } else if (s.endsWith("s")) {
      s = s.substring(0, s.length() - 1);
    } else if (s.endsWith("m")) {
      unit = 60;
      s = s.substring(0, s.length() - 1);
    } else if (s.endsWith("h")) {
      unit = 3600;
      s = s.substring(0, s.length() - 1);
    }
    double x;
    try {
      x = Double.parseDouble(s) * unit;
    } catch (NumberFormatException e) {
      throw new UsageException(
          "--" + key + " must be a duration such as 90s, 5m or 1h, not " + Quote.quote(v));
    }
    if (!(x > 0) || Double.isInfinite(x)) {
      throw new UsageException("--" + key + " must be positive, not " + Quote.quote(v));
    }
    return Duration.ofNanos((long) (x * 1e9));
  }
}
