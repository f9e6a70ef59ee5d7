package io.tidecache.engine;

/**
 * Constants: the name of every engine meter, in one place. Counters are monotonic totals
 * (Prometheus adds {@code _total}); sizes are in base units (bytes, ratios from 0 to 1).
 */
public final class MetricNames {
  private MetricNames() {}

  /** Counter, tags cache, shard, result=hit|miss. */
  public static final String GETS = "tidecache.gets";
  /** Counter, tags cache, shard. */
  public static final String PUTS = "tidecache.puts";
  /** Counter, tags cache, shard: removals that found their key. */
  public static final String REMOVES = "tidecache.removes";
  /** Counter, tags cache, shard: live entries dropped to make room. */
  public static final String EVICTIONS = "tidecache.evictions";
  /** Counter, tags cache, shard: entries dropped because their TTL ran out. */
  public static final String EXPIRATIONS = "tidecache.expirations";
  /** Counter, tags cache, shard: new keys TinyLFU admission turned away (also evictions). */
  public static final String REJECTIONS = "tidecache.admission.rejections";
  /**
   * Counter, tags cache, shard: reads the eviction policy never heard of (their record found the
   * shard's read buffer full, or lost its cell to another reader).
   */
  public static final String READS_UNRECORDED = "tidecache.reads.unrecorded";
  /** Counter, tags cache, shard, reason=overloaded: operations refused. */
  public static final String REFUSALS = "tidecache.refusals";
  /** Counter, tags cache, shard: leases lost because they were not renewed in time. */
  public static final String LEASE_LOSSES = "tidecache.lease.losses";
  /** Gauge, tags cache, shard: operations waiting in the shard's queue. */
  public static final String QUEUE_DEPTH = "tidecache.queue.depth";
  /** Gauge, tags cache, shard: live entries over slots, 0 to 1. */
  public static final String OCCUPANCY = "tidecache.shard.occupancy";
  /** Gauge, tags cache, shard: live entries. */
  public static final String ENTRIES = "tidecache.shard.entries";
  /** Gauge, tag cache: shards that own keys. */
  public static final String SHARDS = "tidecache.shards";
  /** Counter, tag cache: entries handed to a new owner by rehashes. */
  public static final String REHASH_MOVED = "tidecache.rehash.moved";
  /** Timer, tag cache: duration of each rehash. */
  public static final String REHASH_DURATION = "tidecache.rehash.duration";
  /** Counter, tag cache: scan passes read again because a key of their region moved meanwhile. */
  public static final String SCAN_RETRIES = "tidecache.scan.retries";
  /** Counter, tag cache: writes dropped by best-effort shards that had lost their lease. */
  public static final String DROPPED = "tidecache.dropped";
  /** Timer, tags cache, shard: latency of sampled gets (1 in 64), with percentiles. */
  public static final String GET_LATENCY = "tidecache.get.latency";
  /**
   * Timer, tags cache, shard, op (put or remove): latency of sampled writes (1 in 64), from
   * subscribe to signal, with percentiles. Writes always go through the shard's queue.
   */
  public static final String WRITE_LATENCY = "tidecache.write.latency";
  /**
   * Counter, tag cache: unexpected exceptions on engine threads; each failed the operation, scan
   * or rehash it belonged to (see the log for the stack trace). Should stay 0.
   */
  public static final String ENGINE_ERRORS = "tidecache.engine.errors";
  /**
   * Gauge, bytes, tag cache: heap the shards' eviction policies use (frequency sketches and
   * window models), outside the leased off-heap memory.
   */
  public static final String POLICY_HEAP_BYTES = "tidecache.policy.heap";
  /** Gauge: live memory leases in the pool. */
  public static final String LEASES_ACTIVE = "tidecache.leases.active";
  /** Gauge, bytes: memory leased now. */
  public static final String LEASED_BYTES = "tidecache.leased";
  /** Gauge, bytes: memory the pool can still lease. */
  public static final String POOL_FREE_BYTES = "tidecache.pool.free";
}
