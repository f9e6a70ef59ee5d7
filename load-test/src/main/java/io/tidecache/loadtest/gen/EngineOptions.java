package io.tidecache.loadtest.gen;

import io.tidecache.loadtest.cli.DurationOption;
import io.tidecache.autoscaler.AutoscalerSettings;
import io.tidecache.engine.Engine;
import io.tidecache.loadtest.report.Fmt;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * Not thread-safe (filled by picocli, read once): the embedded engine's and the autoscaler's
 * options of {@link LoadGenerator}.
 */
final class EngineOptions {
  @Option(names = "--shard-entries", defaultValue = "8192",
      description = "embedded: size each shard to hold this many entries (default: "
          + "${DEFAULT-VALUE})")
  long shardEntries;

  @Option(names = "--shard-bytes", description = "embedded: bytes per shard (overrides "
      + "--shard-entries)")
  Long shardBytes;

  @Option(names = "--engine-threads", defaultValue = "0",
      description = "embedded: engine threads (default: the engine's, one per core)")
  int engineThreads;

  @Option(names = "--queue-capacity", defaultValue = "4096",
      description = "embedded: commands queued per shard (default: ${DEFAULT-VALUE})")
  int queueCapacity;

  @Option(names = "--shards", defaultValue = "0",
      description = "embedded: pin the cache at this many shards, autoscaler off (default: 0, "
          + "autoscaler on)")
  int pinnedShards;

  @Option(names = "--max-shards", defaultValue = "16",
      description = "embedded: the autoscaler's ceiling; the pool holds this many shards "
          + "(default: ${DEFAULT-VALUE})")
  int maxShards;

  @Option(names = "--as-interval", defaultValue = "250ms", converter = DurationOption.class,
      description = "autoscaler: sample interval (default: ${DEFAULT-VALUE})")
  Duration interval;

  @Option(names = "--as-grow-window", defaultValue = "1",
      description = "autoscaler: samples with grow pressure before a grow (default: "
          + "${DEFAULT-VALUE})")
  int growWindow;

  @Option(names = "--as-shrink-window", defaultValue = "4",
      description = "autoscaler: samples with shrink pressure before a shrink (default: "
          + "${DEFAULT-VALUE})")
  int shrinkWindow;

  @Option(names = "--as-cooldown", defaultValue = "250ms", converter = DurationOption.class,
      description = "autoscaler: no change for this long after one (default: ${DEFAULT-VALUE})")
  Duration cooldown;

  @Option(names = "--as-grow-occupancy", defaultValue = "0.85",
      description = "autoscaler: grow at this occupancy (default: ${DEFAULT-VALUE})")
  double growOccupancy;

  @Option(names = "--as-shrink-occupancy", defaultValue = "0.40",
      description = "autoscaler: shrink at or below this occupancy (default: ${DEFAULT-VALUE})")
  double shrinkOccupancy;

  @Option(names = "--as-shrink-margin", defaultValue = "0.10",
      description = "autoscaler: projected occupancy after a shrink must stay below grow "
          + "occupancy minus this (default: ${DEFAULT-VALUE})")
  double shrinkMargin;

  @Option(names = "--as-eviction-rate", defaultValue = "100",
      description = "autoscaler: grow at this many evictions per second, 0 for off (default: "
          + "${DEFAULT-VALUE})")
  double evictionRate;

  /** Bytes per shard for values of {@code valueBytes}. */
  long shardBytes(int valueBytes) {
    return shardBytes != null ? shardBytes
        : Engine.shardBytesFor(shardEntries, KeyCodec.KEY_BYTES, valueBytes);
  }

  AutoscalerSettings autoscalerSettings() {
    return AutoscalerSettings.builder().sampleInterval(interval).growWindow(growWindow)
        .shrinkWindow(shrinkWindow).cooldown(cooldown).growOccupancy(growOccupancy)
        .shrinkOccupancy(shrinkOccupancy).shrinkMargin(shrinkMargin)
        .growEvictionRate(evictionRate).maxShards(maxShards).build();
  }

  /** The engine configuration: pinned at {@code pinned} shards, or autoscaled when 0. */
  EmbeddedTarget.Config config(int valueBytes, int pinned) {
    return new EmbeddedTarget.Config(shardBytes(valueBytes), valueBytes, engineThreads,
        Math.max(maxShards, pinned), Math.max(1, pinned),
        pinned > 0 ? null : autoscalerSettings(), queueCapacity);
  }

  /** The settings, for a run's summary. */
  List<Map.Entry<String, String>> settings(int valueBytes, int pinned) {
    List<Map.Entry<String, String>> m = new ArrayList<>();
    m.add(Map.entry("shard", Fmt.mib(shardBytes(valueBytes)) + " (" + shardBytes(valueBytes)
        + " bytes; " + shardEntries + " entries of 16-byte keys and " + valueBytes
        + "-byte values)"));
    if (pinned > 0) {
      m.add(Map.entry("autoscaler", "off, pinned at " + pinned + " shard(s)"));
    } else {
      AutoscalerSettings s = autoscalerSettings();
      m.add(Map.entry("autoscaler", Fmt.f("sample every %d ms; grow at occupancy >= %.2f or "
              + "evictions >= %.0f/s for %d samples; shrink at occupancy <= %.2f with no "
              + "evictions for %d samples; cooldown %d ms; 1..%d shards",
          s.sampleInterval().toMillis(), s.growOccupancy(), s.growEvictionRate(),
          s.growWindow(), s.shrinkOccupancy(), s.shrinkWindow(), s.cooldown().toMillis(),
          s.maxShards())));
    }
    return m;
  }
}
