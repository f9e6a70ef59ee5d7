package io.tidecache.spring;

import io.tidecache.api.CacheOptions;
import io.tidecache.api.InvalidRequest;
import io.tidecache.autoscaler.AutoscalerSettings;
import io.tidecache.spring.TideCacheProperties.CacheSpec;
import io.tidecache.spring.TideCacheProperties.Embedded;
import java.time.Duration;
import java.util.function.Function;
import org.springframework.util.unit.DataSize;

/**
 * Immutable: the checked shape of every embedded cache, from {@code tidecache.embedded.*}. A
 * cache listed under {@code caches.<name>} takes its values from there, then from
 * {@code defaults}, then from the built-in defaults; any other cache from {@code defaults}.
 */
final class EmbeddedShapes {
  static final String PREFIX = "tidecache.embedded.";

  /**
   * Immutable: one cache's options and, unless it is off, its autoscaler's settings.
   *
   * @param options the cache's options
   * @param autoscaler the autoscaler's settings, or {@code null} when it is off
   */
  record Shape(CacheOptions options, AutoscalerSettings autoscaler) {}

  private final Embedded embedded;

  private EmbeddedShapes(Embedded embedded) {
    this.embedded = embedded;
  }

  /** Checks the pool, the threads and every listed cache; throws on the first bad property. */
  static EmbeddedShapes of(Embedded e) {
    if (e.poolSize().toBytes() < (1L << 20)) {
      throw new TideCachePropertyException(PREFIX + "pool-size", e.poolSize(), "1MB or more");
    }
    if (e.threads() < 0 || e.threads() > 1024) {
      throw new TideCachePropertyException(PREFIX + "threads", e.threads(),
          "0 (one per core) to 1024");
    }
    EmbeddedShapes shapes = new EmbeddedShapes(e);
    shapes.shape("default-shape-check", false);
    e.caches().keySet().forEach(shapes::shape);
    return shapes;
  }

  long poolBytes() {
    return embedded.poolSize().toBytes();
  }

  int threads() {
    return embedded.threads() == 0 ? Math.max(1, Runtime.getRuntime().availableProcessors())
        : embedded.threads();
  }

  /** The shape of the named cache; throws a {@link TideCachePropertyException} if bad. */
  Shape shape(String name) {
    return shape(name, true);
  }

  private Shape shape(String name, boolean checkName) {
    CacheSpec own = embedded.caches().get(name);
    String where = own != null ? PREFIX + "caches." + name : PREFIX + "defaults";
    if (checkName && !name.matches("[A-Za-z0-9._-]{1,255}")) {
      throw new TideCachePropertyException(where, name, "a cache name of 1 to 255 letters, "
          + "digits, '.', '_' or '-'");
    }
    Picked<Integer> key = pick(own, CacheSpec::maxKeyBytes, "max-key-bytes", 64);
    key.check(key.value >= 1 && key.value <= CacheOptions.MAX_KEY_BYTES, "1 to 65535");
    Picked<DataSize> value = pick(own, CacheSpec::maxValueBytes, "max-value-bytes",
        DataSize.ofBytes(256));
    value.check(value.value.toBytes() >= 0 && value.value.toBytes() <= CacheOptions.MAX_VALUE_BYTES,
        "0 to 16MB");
    Picked<DataSize> shard = pick(own, CacheSpec::shardSize, "shard-size", DataSize.ofMegabytes(8));
    shard.check(shard.value.toBytes() > 0 && shard.value.toBytes() <= poolBytes(),
        "more than 0 and at most " + PREFIX + "pool-size (" + embedded.poolSize() + ")");
    Picked<Integer> base = pick(own, CacheSpec::baseShards, "base-shards", 1);
    base.check(base.value >= 1 && base.value <= 1024, "1 to 1024");
    base.check(base.value * shard.value.toBytes() <= poolBytes(), "at most pool-size / "
        + "shard-size = " + poolBytes() / shard.value.toBytes());
    Picked<Duration> ttl = pick(own, CacheSpec::defaultTtl, "default-ttl", Duration.ZERO);
    ttl.check(!ttl.value.isNegative(), "0 (never expires) or a positive duration");
    CacheOptions options;
    try {
      options = CacheOptions.builder(name).maxKeyBytes(key.value)
          .maxValueBytes((int) value.value.toBytes()).shardBytes(shard.value.toBytes())
          .baseShards(base.value).defaultTtl(ttl.value).build();
    } catch (InvalidRequest e) {
      throw new TideCachePropertyException(where, name, "a cache shape the engine accepts ("
          + e.getMessage() + ")", e);
    }
    Picked<Boolean> on = pick(own, CacheSpec::autoscaler, "autoscaler", true);
    if (!on.value) {
      return new Shape(options, null);
    }
    Picked<Integer> max = pick(own, CacheSpec::maxShards, "max-shards",
        AutoscalerSettings.DEFAULT_MAX_SHARDS);
    max.check(max.value >= base.value && max.value <= AutoscalerSettings.MAX_SHARDS_LIMIT,
        "base-shards (" + base.value + ") to " + AutoscalerSettings.MAX_SHARDS_LIMIT);
    Picked<Duration> interval = pick(own, CacheSpec::sampleInterval, "sample-interval",
        AutoscalerSettings.DEFAULT_SAMPLE_INTERVAL);
    interval.check(interval.value.toMillis() >= 1 && interval.value.compareTo(Duration.ofHours(1))
        <= 0, "1ms to 1h");
    Picked<Duration> cooldown = pick(own, CacheSpec::cooldown, "cooldown",
        AutoscalerSettings.DEFAULT_COOLDOWN);
    cooldown.check(!cooldown.value.isNegative()
        && cooldown.value.compareTo(Duration.ofHours(24)) <= 0, "0s to 24h");
    return new Shape(options, AutoscalerSettings.builder().maxShards(max.value)
        .sampleInterval(interval.value).cooldown(cooldown.value).build());
  }

  /** The property prefix a cache's shape comes from, for messages. */
  String where(String name) {
    return embedded.caches().containsKey(name) ? PREFIX + "caches." + name : PREFIX + "defaults";
  }

  private <T> Picked<T> pick(CacheSpec own, Function<CacheSpec, T> field, String property,
      T builtIn) {
    T mine = own == null ? null : field.apply(own);
    if (mine != null) {
      return new Picked<>(mine, PREFIX + "caches." + nameOf(own) + "." + property);
    }
    T fallback = field.apply(embedded.defaults());
    return new Picked<>(fallback != null ? fallback : builtIn, PREFIX + "defaults." + property);
  }

  private String nameOf(CacheSpec spec) {
    return embedded.caches().entrySet().stream().filter(e -> e.getValue() == spec)
        .map(java.util.Map.Entry::getKey).findFirst().orElse("?");
  }

  /** A value and the property it came from. */
  private record Picked<T>(T value, String property) {
    void check(boolean ok, String allowed) {
      if (!ok) {
        throw new TideCachePropertyException(property, value, allowed);
      }
    }
  }
}
