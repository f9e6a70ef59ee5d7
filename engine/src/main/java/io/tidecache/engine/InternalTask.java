package io.tidecache.engine;

import io.tidecache.api.CacheEntry;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import reactor.core.publisher.MonoSink;

/**
 * Thread-safe: the tasks shards send each other during a rehash, and those the shard set sends
 * to a shard. No subscriber waits for them; their effects are reported to the {@link Rehash}.
 */
abstract sealed class InternalTask extends AtomicInteger implements ShardTask
    permits InternalTask.MigrateIn, InternalTask.Barrier, InternalTask.StartMigration,
    InternalTask.Retire, InternalTask.ScanRegion {

  @Override
  public boolean take() {
    return get() == 0 && compareAndSet(0, 1);
  }

  @Override
  public void untake() {
    set(0);
  }

  @Override
  public void abandon(Throwable why) {}

  /**
   * An entry handed over by its old owner: stored as is, with its absolute expiry. Its move was
   * counted as started in {@code fences}; running or abandoning it counts it as finished.
   */
  static final class MigrateIn extends InternalTask {
    final byte[] key;
    final long hash;
    final byte[] value;
    final long expiresAt;
    final MoveFences fences;

    MigrateIn(byte[] key, long hash, byte[] value, long expiresAt, MoveFences fences) {
      this.key = key;
      this.hash = hash;
      this.value = value;
      this.expiresAt = expiresAt;
      this.fences = fences;
    }

    @Override
    public void abandon(Throwable why) {
      fences.finished(hash);
    }
  }

  /**
   * Asks a shard for the live entries of buckets {@code [from, to)} of its table, answered on its
   * thread; a shard that closed or retired first fails it (the scan decides what that means).
   */
  static final class ScanRegion extends InternalTask {
    final int from;
    final int to;
    final MonoSink<List<CacheEntry<byte[], byte[]>>> answer;

    ScanRegion(int from, int to, MonoSink<List<CacheEntry<byte[], byte[]>>> answer) {
      this.from = from;
      this.to = to;
      this.answer = answer;
    }

    @Override
    public void abandon(Throwable why) {
      answer.error(why);
    }
  }

  /** Sent by a source after its last entry: everything it sent before has been applied. */
  static final class Barrier extends InternalTask {
    final Rehash rehash;

    Barrier(Rehash rehash) {
      this.rehash = rehash;
    }

    @Override
    public void abandon(Throwable why) {
      rehash.fail(why);
    }
  }

  /** Tells a source shard to scan its table and hand over the entries that move. */
  static final class StartMigration extends InternalTask {
    final Rehash rehash;

    StartMigration(Rehash rehash) {
      this.rehash = rehash;
    }

    @Override
    public void abandon(Throwable why) {
      rehash.fail(why);
    }
  }

  /** Tells a removed shard that it owns nothing any more: forward what is left and let go. */
  static final class Retire extends InternalTask {}
}
