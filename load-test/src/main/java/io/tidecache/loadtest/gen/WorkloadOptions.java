package io.tidecache.loadtest.gen;

import io.tidecache.loadtest.cli.DurationOption;
import io.tidecache.loadtest.report.Fmt;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * Not thread-safe (filled by picocli, read once): the workload options of {@link LoadGenerator}:
 * traffic shape, rate, key distribution, values, TTL and bounds.
 */
final class WorkloadOptions {
  /** The traffic shapes. */
  enum Shape { STEADY, STEP, SPIKE, SINE }

  /** The key distributions. */
  enum Keys { UNIFORM, ZIPF, HOTSPOT, TRACE }

  @Option(names = "--shape", description = "steady, step, spike or sine (default: steady; "
      + "the elastic-proof scenario always uses spike)")
  Shape shape;

  @Option(names = "--rate", defaultValue = "4000",
      description = "base request rate per second (default: ${DEFAULT-VALUE})")
  double rate;

  @Option(names = "--factor", defaultValue = "10",
      description = "step, spike and sine peak at this many times the base rate "
          + "(default: ${DEFAULT-VALUE})")
  double factor;

  @Option(names = "--step-at", defaultValue = "30s", converter = DurationOption.class,
      description = "step: when the rate steps up (default: ${DEFAULT-VALUE})")
  Duration stepAt;

  @Option(names = "--spike-at", defaultValue = "30s", converter = DurationOption.class,
      description = "spike: when it starts (default: ${DEFAULT-VALUE})")
  Duration spikeAt;

  @Option(names = "--spike-for", defaultValue = "20s", converter = DurationOption.class,
      description = "spike: how long it lasts (default: ${DEFAULT-VALUE})")
  Duration spikeFor;

  @Option(names = "--period", defaultValue = "60s", converter = DurationOption.class,
      description = "sine: the period (default: ${DEFAULT-VALUE})")
  Duration period;

  @Option(names = "--duration", converter = DurationOption.class,
      description = "how long the load lasts (default: 60s; 90s for elastic-proof)")
  Duration duration;

  @Option(names = "--max-requests", defaultValue = "9223372036854775807",
      description = "stop after this many requests (default: no limit)")
  long maxRequests;

  @Option(names = "--keys", defaultValue = "uniform",
      description = "key distribution: uniform, zipf, hotspot or trace (default: ${DEFAULT-VALUE})")
  Keys keys;

  @Option(names = "--key-space", defaultValue = "4000",
      description = "keys in use at the base rate (default: ${DEFAULT-VALUE})")
  long keySpace;

  @Option(names = "--fixed-key-space",
      description = "keep the key space fixed; by default it grows with the load factor "
          + "(N times larger during an N-times spike)")
  boolean fixedKeySpace;

  @Option(names = "--zipf-s", defaultValue = "0.99",
      description = "zipf: the exponent s (default: ${DEFAULT-VALUE})")
  double zipfS;

  @Option(names = "--hot-traffic", defaultValue = "0.9",
      description = "hotspot: share of the traffic on the hot keys (default: ${DEFAULT-VALUE})")
  double hotTraffic;

  @Option(names = "--hot-keys", defaultValue = "0.1",
      description = "hotspot: share of the keys that are hot (default: ${DEFAULT-VALUE})")
  double hotKeys;

  @Option(names = "--trace", description = "trace: the file to replay (formats of "
      + "shared/traces/README.md)")
  Path trace;

  @Option(names = "--trace-format", description = "trace: text, int32 or int64 (default: "
      + "guessed from the file name)")
  TraceKeys.Format traceFormat;

  @Option(names = "--trace-loop", description = "trace: start again when it ends (default: the "
      + "run ends with the trace)")
  boolean traceLoop;

  @Option(names = "--value-bytes", defaultValue = "512",
      description = "bytes per value (default: ${DEFAULT-VALUE})")
  int valueBytes;

  @Option(names = "--ttl", defaultValue = "10s", converter = DurationOption.class,
      description = "time to live of every entry the read-through puts; 0 for none "
          + "(default: ${DEFAULT-VALUE})")
  Duration ttl;

  @Option(names = "--max-outstanding",
      description = "requests in flight at most; past it a request is dropped and counted "
          + "(default: 4096; 256 for rsocket, the server's per-connection limit)")
  Integer maxOutstanding;

  @Option(names = "--drain", defaultValue = "10s", converter = DurationOption.class,
      description = "after the load, wait this long at most for outstanding requests "
          + "(default: ${DEFAULT-VALUE})")
  Duration drain;

  @Option(names = "--seed", defaultValue = "42", description = "random seed (default: "
      + "${DEFAULT-VALUE})")
  long seed;

  /** The traffic shape ({@code forced} overrides {@code --shape} when not null). */
  TrafficShape shape(Shape forced) {
    Shape s = forced != null ? forced : shape != null ? shape : Shape.STEADY;
    if (!(rate > 0) || !(factor > 0)) {
      throw new IllegalArgumentException("--rate and --factor must be positive");
    }
    return switch (s) {
      case STEADY -> new TrafficShape.Steady(rate);
      case STEP -> new TrafficShape.Step(rate, factor, seconds(stepAt));
      case SPIKE -> new TrafficShape.Spike(rate, factor, seconds(spikeAt), seconds(spikeFor));
      case SINE -> new TrafficShape.Sine(rate, factor, seconds(period));
    };
  }

  /** The key chooser (reads the whole trace for a replay). */
  KeyChooser keyChooser() throws IOException {
    return switch (keys) {
      case UNIFORM -> KeyChooser.uniform();
      case ZIPF -> new ZipfKeys(zipfS);
      case HOTSPOT -> new HotspotKeys(hotTraffic, hotKeys);
      case TRACE -> {
        if (trace == null) {
          throw new IllegalArgumentException("--keys trace needs --trace FILE");
        }
        yield TraceKeys.read(trace, traceFormat, traceLoop);
      }
    };
  }

  /** The driver's plan. */
  OpenLoopDriver.Plan plan(TrafficShape s, KeyChooser k, Duration length, int outstanding) {
    if (keySpace < 1) {
      throw new IllegalArgumentException("--key-space must be at least 1");
    }
    byte[] value = new byte[valueBytes];
    for (int i = 0; i < value.length; i++) {
      value[i] = (byte) ('a' + i % 26);
    }
    return new OpenLoopDriver.Plan(s, k, keySpace, !fixedKeySpace, value, maxRequests,
        length.toNanos(), outstanding, seed);
  }

  /** The settings of a run, for its summary. */
  List<Map.Entry<String, String>> settings(TrafficShape s, KeyChooser k, Duration length,
      int outstanding) {
    List<Map.Entry<String, String>> m = new ArrayList<>();
    m.add(Map.entry("traffic", s.describe()));
    m.add(Map.entry("duration", Fmt.f("%.0f s", seconds(length))
        + (maxRequests == Long.MAX_VALUE ? "" : ", at most " + maxRequests + " requests")));
    m.add(Map.entry("keys", k.describe() + (k.traced() ? "" : ", " + Fmt.count(keySpace)
        + " keys at the base rate" + (fixedKeySpace ? " (fixed)"
        : ", growing with the load factor"))));
    m.add(Map.entry("requests", "read-through: get; on a miss, put " + valueBytes
        + "-byte value with TTL " + (ttl.isZero() ? "none" : Fmt.f("%.1f s", seconds(ttl)))));
    m.add(Map.entry("outstanding requests at most", Integer.toString(outstanding)));
    m.add(Map.entry("seed", Long.toString(seed)));
    return m;
  }

  static double seconds(Duration d) {
    return d.toNanos() / 1e9;
  }
}
