package io.tidecache.api;

import java.time.Duration;
import java.util.Objects;

/**
 * Immutable: the shape of one named cache, validated once when built.
 *
 * <p>Each shard of the cache is one memory lease of {@code shardBytes}, laid out as fixed slots of
 * a small header plus {@code maxKeyBytes} plus {@code maxValueBytes}: choose the strides close to
 * your real sizes, since a slot always takes its full stride.
 *
 * @param name the cache's name: 1 to 255 characters of {@code [A-Za-z0-9._-]}
 * @param maxKeyBytes key stride, 1 to 65535
 * @param maxValueBytes value stride, 0 to 16 MiB
 * @param shardBytes bytes leased per shard; must hold at least one bucket of slots
 * @param defaultTtl time to live of a put without its own ({@link Duration#ZERO}: never expires),
 *     at most {@link #MAX_TTL}
 * @param queueCapacity commands waiting per shard before callers get {@link Overloaded}; a power of
 *     two from 16 to 1,048,576
 * @param leaseTtl how long a shard's lease lives unless renewed (renewed every third of it), 30 ms
 *     to {@link #MAX_TTL}
 * @param baseShards shards always present, 1 to 1024 (extra shards come and go at run time)
 * @param failClosed what operations on a shard whose lease was lost get while it is rebuilt:
 *     {@code false} (best effort, the default): gets miss and writes are dropped (counted);
 *     {@code true}: they fail fast with {@link LeaseExpired}
 */
public record CacheOptions(String name, int maxKeyBytes, int maxValueBytes, long shardBytes,
    Duration defaultTtl, int queueCapacity, Duration leaseTtl, int baseShards,
    boolean failClosed) {

  public static final int MAX_KEY_BYTES = 65_535;
  public static final int MAX_VALUE_BYTES = 16 << 20;
  /**
   * Longest {@code defaultTtl}, {@code leaseTtl} and per-put TTL: ten years, far beyond any real
   * use, and small enough that "now plus a TTL" never overflows a millisecond count.
   */
  public static final Duration MAX_TTL = Duration.ofDays(3650);

  public CacheOptions {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(defaultTtl, "defaultTtl");
    Objects.requireNonNull(leaseTtl, "leaseTtl");
    if (name.isEmpty() || name.length() > 255 || !name.matches("[A-Za-z0-9._-]+")) {
      throw new InvalidRequest("cache name '" + name
          + "' must be 1 to 255 characters of letters, digits, '.', '_' or '-'");
    }
    check("maxKeyBytes", maxKeyBytes, 1, MAX_KEY_BYTES);
    check("maxValueBytes", maxValueBytes, 0, MAX_VALUE_BYTES);
    if (shardBytes <= 0) {
      throw new InvalidRequest("shardBytes of cache '" + name + "' must be positive, got "
          + shardBytes);
    }
    if (defaultTtl.isNegative() || defaultTtl.compareTo(MAX_TTL) > 0) {
      throw new InvalidRequest("defaultTtl of cache '" + name + "' must be between 0 (never "
          + "expires) and " + MAX_TTL + ", got " + defaultTtl);
    }
    check("queueCapacity", queueCapacity, 16, 1 << 20);
    if (Integer.bitCount(queueCapacity) != 1) {
      throw new InvalidRequest("queueCapacity of cache '" + name
          + "' must be a power of two, got " + queueCapacity);
    }
    check("baseShards", baseShards, 1, 1024);
    if (leaseTtl.compareTo(Duration.ofMillis(30)) < 0 || leaseTtl.compareTo(MAX_TTL) > 0) {
      throw new InvalidRequest("leaseTtl of cache '" + name + "' must be between 30ms and "
          + MAX_TTL + ", got " + leaseTtl);
    }
  }

  private static void check(String what, long value, long min, long max) {
    if (value < min || value > max) {
      throw new InvalidRequest(what + " must be between " + min + " and " + max + ", got "
          + value);
    }
  }

  /** A builder with defaults: 64-byte keys, 256-byte values, 8 MiB shards, no TTL. */
  public static Builder builder(String name) {
    return new Builder(name);
  }

  /** A copy of these options under another name. */
  public CacheOptions withName(String newName) {
    return new CacheOptions(newName, maxKeyBytes, maxValueBytes, shardBytes, defaultTtl,
        queueCapacity, leaseTtl, baseShards, failClosed);
  }

  /** Not thread-safe: collects options; {@link #build()} validates them. */
  public static final class Builder {
    private final String name;
    private int maxKeyBytes = 64;
    private int maxValueBytes = 256;
    private long shardBytes = 8L << 20;
    private Duration defaultTtl = Duration.ZERO;
    private int queueCapacity = 4096;
    private Duration leaseTtl = Duration.ofSeconds(30);
    private int baseShards = 1;
    private boolean failClosed;

    private Builder(String name) {
      this.name = name;
    }

    public Builder maxKeyBytes(int v) { this.maxKeyBytes = v; return this; }

    public Builder maxValueBytes(int v) { this.maxValueBytes = v; return this; }

    public Builder shardBytes(long v) { this.shardBytes = v; return this; }

    public Builder defaultTtl(Duration v) { this.defaultTtl = v; return this; }

    public Builder queueCapacity(int v) { this.queueCapacity = v; return this; }

    public Builder leaseTtl(Duration v) { this.leaseTtl = v; return this; }

    public Builder baseShards(int v) { this.baseShards = v; return this; }

    public Builder failClosed(boolean v) { this.failClosed = v; return this; }

    public CacheOptions build() {
      return new CacheOptions(name, maxKeyBytes, maxValueBytes, shardBytes, defaultTtl,
          queueCapacity, leaseTtl, baseShards, failClosed);
    }
  }
}
