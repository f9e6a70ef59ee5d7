package io.tidecache.loadtest.gen;

import io.tidecache.loadtest.cli.DurationOption;
import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * Not thread-safe (filled by picocli, read once): the options of the {@code shrink-memory}
 * scenario ({@link ShrinkMemory}).
 */
final class ShrinkOptions {
  @Option(names = "--fill-shards", defaultValue = "8",
      description = "shrink-memory: grow to this many shards while filling (default: "
          + "${DEFAULT-VALUE})")
  int fillShards;

  @Option(names = "--fill-shard-mib", defaultValue = "32",
      description = "shrink-memory: MiB per shard (default: ${DEFAULT-VALUE})")
  int shardMib;

  @Option(names = "--fill-ratio", defaultValue = "0.8",
      description = "shrink-memory: fill each size to this share of its slots before the next "
          + "grow (default: ${DEFAULT-VALUE})")
  double fillRatio;

  @Option(names = "--sample-every", defaultValue = "50ms", converter = DurationOption.class,
      description = "shrink-memory: sampling interval of leased bytes and RSS (default: "
          + "${DEFAULT-VALUE})")
  Duration sampleEvery;

  @Option(names = "--after-shrink", defaultValue = "5s", converter = DurationOption.class,
      description = "shrink-memory: keep sampling this long after the shrink (or FLUSHALL) "
          + "(default: ${DEFAULT-VALUE})")
  Duration afterShrink;

  @Option(names = "--skip-redis", description = "shrink-memory: leave out the redis-server side")
  boolean skipRedis;
}
