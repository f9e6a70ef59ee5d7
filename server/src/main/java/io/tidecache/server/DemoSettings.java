package io.tidecache.server;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;

/**
 * Immutable: the checked options of {@code tidecache demo}. {@link #parse} refuses bad values all
 * at once, each with its option, value and allowed range, before anything starts.
 *
 * <p>The load: {@code rate} requests per second over {@code keys} keys, then {@code spike} times
 * the rate over {@code spike} times the keys from 20% to 50% of the run, then the base again.
 * Every request is a read-through: a get, and on a miss a put with {@code ttl}.
 *
 * @param duration how long the load runs
 * @param rate base requests per second
 * @param spike the spike's factor (rate and keys)
 * @param keys base key count
 * @param ttl the time to live of each put
 * @param shardBytes memory per shard
 * @param maxShards the autoscaler's ceiling, and the size of the large fixed cache
 * @param sampleInterval how often the autoscaler samples
 * @param chart where the PNG goes, or {@code null} for none
 */
record DemoSettings(Duration duration, long rate, long spike, long keys, Duration ttl,
    long shardBytes, int maxShards, Duration sampleInterval, Path chart) {
  static final String DEFAULT_CHART = "tidecache-demo.png";
  static final int KEY_BYTES = 16;
  static final int VALUE_BYTES = 64;

  /** Seconds into the run at which the spike starts. */
  double spikeFrom() {
    return 0.2 * seconds();
  }

  /** Seconds into the run at which the spike ends. */
  double spikeTo() {
    return 0.5 * seconds();
  }

  double seconds() {
    return duration.toNanos() / 1e9;
  }

  /** Intended requests per second at {@code t} seconds. */
  double rate(double t) {
    return inSpike(t) ? (double) rate * spike : rate;
  }

  /** Keys in play at {@code t} seconds. */
  long keySpace(double t) {
    return inSpike(t) ? keys * spike : keys;
  }

  boolean inSpike(double t) {
    return t >= spikeFrom() && t < spikeTo();
  }

  /** Requests intended in {@code [0, t)}. */
  double intended(double t) {
    double low = Math.min(t, spikeFrom());
    double high = Math.max(0, Math.min(t, spikeTo()) - spikeFrom());
    double after = Math.max(0, t - spikeTo());
    return rate * (low + after) + (double) rate * spike * high;
  }

  /**
   * Checks the options' text; throws {@link IllegalArgumentException} with one line per bad
   * option.
   */
  static DemoSettings parse(String duration, String rate, String spike, String keys, String ttl,
      String shardSize, String maxShards, String sampleInterval, String chart, boolean noChart) {
    List<String> problems = new ArrayList<>();
    Duration d = time(problems, "--duration", duration, Duration.ofSeconds(3),
        Duration.ofMinutes(10));
    long r = whole(problems, "--rate", rate, 10, 1_000_000);
    long s = whole(problems, "--spike", spike, 1, 100);
    long k = whole(problems, "--keys", keys, 1, 10_000_000);
    Duration t = time(problems, "--ttl", ttl, Duration.ofMillis(100), Duration.ofHours(1));
    long shard = size(problems, "--shard-size", shardSize, 16L << 10, 1L << 30);
    long max = whole(problems, "--max-shards", maxShards, 2, 64);
    Duration sample = time(problems, "--sample-interval", sampleInterval, Duration.ofMillis(10),
        Duration.ofSeconds(10));
    if (problems.isEmpty() && sample.multipliedBy(4).compareTo(d) > 0) {
      problems.add("--sample-interval = '" + sampleInterval + "' is too long for --duration "
          + duration + "; allowed: at most a quarter of the duration");
    }
    if (problems.isEmpty() && (double) k * s * max > 1e9) {
      problems.add("--keys = '" + keys + "' times --spike " + spike + " is too many keys; allowed: "
          + "keys x spike up to 1e9 / max-shards");
    }
    Path c = null;
    if (!noChart) {
      c = (chart == null || chart.isBlank()
          ? Path.of(System.getProperty("java.io.tmpdir"), DEFAULT_CHART) : Path.of(chart))
          .toAbsolutePath();
      if (c.getParent() == null || !java.nio.file.Files.isDirectory(c.getParent())
          || !java.nio.file.Files.isWritable(c.getParent())) {
        problems.add("--chart = '" + chart + "' is not in a writable directory; allowed: a PNG "
            + "file path whose directory exists (or --no-chart)");
      }
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(String.join("\n", problems));
    }
    return new DemoSettings(d, r, s, k, t, shard, (int) max, sample, c);
  }

  private static Duration time(List<String> problems, String option, String text, Duration min,
      Duration max) {
    Duration v = ConfigValues.duration(text);
    if (v == null || v.compareTo(min) < 0 || v.compareTo(max) > 0) {
      problems.add(option + " = '" + text + "' " + (v == null ? "is not a duration"
          : "is out of range") + "; allowed: " + ConfigValues.formatDuration(min) + " to "
          + ConfigValues.formatDuration(max) + " (a number with ms, s, m or h)");
      return min;
    }
    return v;
  }

  private static long whole(List<String> problems, String option, String text, long min,
      long max) {
    OptionalLong v = ConfigValues.whole(text.replace("_", "").replace(",", ""));
    if (v.isEmpty() || v.getAsLong() < min || v.getAsLong() > max) {
      problems.add(option + " = '" + text + "' " + (v.isEmpty() ? "is not a whole number"
          : "is out of range") + String.format(Locale.ROOT, "; allowed: %,d to %,d", min, max));
      return min;
    }
    return v.getAsLong();
  }

  private static long size(List<String> problems, String option, String text, long min,
      long max) {
    OptionalLong v = ConfigValues.size(text);
    if (v.isEmpty() || v.getAsLong() < min || v.getAsLong() > max) {
      problems.add(option + " = '" + text + "' " + (v.isEmpty() ? "is not a size"
          : "is out of range") + "; allowed: " + ConfigValues.formatSize(min) + " to "
          + ConfigValues.formatSize(max) + " (bytes, or with k, m, g)");
      return min;
    }
    return v.getAsLong();
  }
}
