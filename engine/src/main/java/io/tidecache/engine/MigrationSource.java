package io.tidecache.engine;

import io.tidecache.engine.table.ShardTable;

/**
 * Single writer: only the shard's engine thread calls this. A shard's part in a rehash as a
 * source: it scans its table in bounded chunks, hands each entry whose owner changes to its
 * destination, and ends with a barrier to every destination.
 *
 * <p>Implementation notes. A rehash is background work: it must not take the engine thread (or,
 * on a small machine, the CPU) away from client operations. A chunk scans at most
 * {@link #MIGRATE_BUCKETS} buckets and stops early once it has moved {@link #MIGRATE_ENTRIES}
 * entries, so client operations queued behind it wait for little; after each chunk the source
 * rests {@link #MIGRATE_REST} times as long as the chunk took, so the migration uses at most a
 * quarter of its thread, and the worker parks until the next chunk is due when nothing else is
 * queued ({@link #dueNanos}). A source waits while a destination's inbox is above
 * {@link #INBOX_HIGH_WATER}, so that an operation forwarded behind handed-over entries waits for a
 * bounded amount of work. Each entry's move is counted as started in the cache's
 * {@link MoveFences} before it leaves the table (a scan's consistency depends on it).
 */
final class MigrationSource {
  static final int MIGRATE_BUCKETS = 16;
  /** Most entries a rehash source hands over per chunk. */
  static final int MIGRATE_ENTRIES = 64;
  static final int INBOX_HIGH_WATER = 512;
  /**
   * A rehash source rests this many times as long as its last chunk took before the next one,
   * so the migration takes at most 1 / (1 + MIGRATE_REST) of its engine thread and leaves the
   * rest (and the CPU) to client operations.
   */
  static final int MIGRATE_REST = 3;

  private final Shard shard;
  private final ShardOwner owner;
  private final ChunkMover mover = new ChunkMover();
  private Rehash rehash;
  private int cursor;
  private volatile long dueNanos;

  MigrationSource(Shard shard, ShardOwner owner) {
    this.shard = shard;
    this.owner = owner;
  }

  /** Starts (or restarts, from the first bucket) this shard's part in {@code r}. */
  void start(Rehash r) {
    rehash = r;
    cursor = 0;
    dueNanos = System.nanoTime();
  }

  boolean active() {
    return rehash != null;
  }

  /** Any thread: when the next chunk is due ({@code System.nanoTime()}), or Long.MAX_VALUE. */
  long dueNanos() {
    return rehash != null ? dueNanos : Long.MAX_VALUE;
  }

  /** The table was rebuilt on a fresh lease: it is empty, and its scan starts over. */
  void tableRebuilt() {
    cursor = 0;
  }

  /** Runs the next chunk if it is due, then rests (see the class notes); returns work done. */
  int step(long now) {
    long start = System.nanoTime();
    if (rehash == null || start - dueNanos < 0) {
      return 0;
    }
    try {
      return chunk(now);
    } finally {
      long end = System.nanoTime();
      dueNanos = end + (end - start) * MIGRATE_REST;
    }
  }

  /**
   * Hands over the entries of the next buckets that move; sends barriers after the last. A chunk
   * scans at most {@link #MIGRATE_BUCKETS} buckets and stops early once it has moved
   * {@link #MIGRATE_ENTRIES}.
   */
  private int chunk(long now) {
    Seams.at("migrate.chunk", shard);
    Rehash r = rehash;
    Routing routing = owner.routing();
    for (int d : r.destinations(shard.index)) {
      if (routing.shards[d].inboxDepth() > INBOX_HIGH_WATER) {
        return 0;
      }
    }
    int buckets = owner.layout().buckets;
    int end = Math.min(cursor + MIGRATE_BUCKETS, buckets);
    ShardTable t = shard.table;
    mover.routing = routing;
    long moved = 0;
    int b = cursor;
    try {
      while (b < end && moved < MIGRATE_ENTRIES) {
        moved += t.migrateBucket(b++, now, mover);
      }
    } finally {
      mover.routing = null;
    }
    int scanned = b - cursor;
    r.progress(scanned, moved);
    cursor = b;
    if (b == buckets) {
      finish(routing);
    }
    return scanned + (int) moved;
  }

  /**
   * A source whose lease is lost and cannot be rebuilt yet (the pool is empty) has nothing left
   * to hand over: its entries are gone, counted by the loss. It ends its scan at once, so that
   * the rehash, and every later resize of the cache, does not wait for memory to come back.
   */
  int endLost() {
    rehash.progress(owner.layout().buckets - cursor, 0);
    finish(owner.routing());
    return 1;
  }

  private void finish(Routing routing) {
    Rehash r = rehash;
    rehash = null;
    for (int d : r.destinations(shard.index)) {
      shard.forward(new InternalTask.Barrier(r), routing.shards[d]);
    }
  }

  /**
   * An unexpected exception in this part of the rehash: the rehash fails, loudly (its
   * subscribers get the error; the owner counted and logged the fault) and once; this source
   * stops. The routing stays migrating, which serves every key correctly (each moving key is at
   * its home or its destination), and a later {@code rehash()} runs it again.
   */
  void fail(RuntimeException fault) {
    Rehash r = rehash;
    rehash = null;
    if (r != null) {
      r.fail(new IllegalStateException("shard " + shard.index + " of cache '" + owner.name()
          + "' failed its part of the rehash " + r.from + " -> " + r.to + ": " + fault, fault));
    }
  }

  /** Describes the running part, for fault reports. */
  String describe() {
    Rehash r = rehash;
    return r == null ? "a rehash chunk" : "its part of the rehash " + r.from + " -> " + r.to;
  }

  /** The mover of this source's chunks, reused for every bucket. */
  private final class ChunkMover implements ShardTable.Mover {
    Routing routing;

    @Override
    public boolean moves(long hash) {
      return routing.dest(hash) != shard.index;
    }

    @Override
    public void move(byte[] key, long hash, byte[] value, long expiresAt) {
      MoveFences fences = owner.fences();
      fences.started(hash); // the entry is cleared from this table right after
      shard.forward(new InternalTask.MigrateIn(key, hash, value, expiresAt, fences),
          routing.shards[routing.dest(hash)]);
    }
  }
}
