package io.tidecache.engine;

import io.tidecache.api.CacheOptions;
import io.tidecache.api.InvalidRequest;
import io.tidecache.api.KeyTooLarge;
import io.tidecache.api.TideCacheException;
import io.tidecache.api.ValueTooLarge;
import java.time.Duration;

/**
 * Stateless: the checks every request of one cache passes on the caller's thread, before
 * anything is queued: bad input is answered with an error and changes nothing.
 */
final class RequestChecks {
  /** Longest TTL accepted: ten years, far beyond any lease, yet safe from overflow. */
  static final Duration MAX_TTL = CacheOptions.MAX_TTL;

  private RequestChecks() {}

  /** The error a key gets, or null for a good one. */
  static TideCacheException key(CacheOptions options, byte[] key) {
    if (key == null || key.length == 0) {
      return new InvalidRequest("key must not be empty (cache '" + options.name() + "')");
    }
    if (key.length > options.maxKeyBytes()) {
      return new KeyTooLarge(options.name(), key.length, options.maxKeyBytes());
    }
    return null;
  }

  /** The error a value gets, or null for a good one. */
  static TideCacheException value(CacheOptions options, byte[] value) {
    if (value == null) {
      return new InvalidRequest("value must not be null (cache '" + options.name() + "')");
    }
    if (value.length > options.maxValueBytes()) {
      return new ValueTooLarge(options.name(), value.length, options.maxValueBytes());
    }
    return null;
  }

  /** The error a per-put TTL gets, or null for a good one. */
  static TideCacheException ttl(CacheOptions options, Duration ttl) {
    if (ttl == null || ttl.isNegative() || ttl.compareTo(MAX_TTL) > 0) {
      return new InvalidRequest("ttl must be between 0 (never expires) and " + MAX_TTL
          + ", got " + ttl + " (cache '" + options.name() + "')");
    }
    return null;
  }

  /**
   * A TTL in whole milliseconds, rounded up so that a positive TTL never means "never": the
   * one conversion between the API's {@link Duration} and the engine's clock (a put's expiry is
   * then "now" on that clock plus this, worked out once, see {@link ShardOp#expiry}).
   */
  static long ttlMillis(Duration ttl) {
    if (ttl.isZero()) {
      return 0;
    }
    long ms = ttl.toMillis();
    return ttl.equals(Duration.ofMillis(ms)) ? ms : ms + 1;
  }
}
