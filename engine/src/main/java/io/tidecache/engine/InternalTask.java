package io.tidecache.engine;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Thread-safe: the tasks shards send each other during a rehash, and those the shard set sends
 * to a shard. No subscriber waits for them; their effects are reported to the {@link Rehash}.
 */
abstract sealed class InternalTask extends AtomicInteger implements ShardTask
    permits InternalTask.MigrateIn, InternalTask.Barrier, InternalTask.StartMigration,
    InternalTask.Retire {

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

  /** An entry handed over by its old owner: stored as is, with its absolute expiry. */
  static final class MigrateIn extends InternalTask {
    final byte[] key;
    final long hash;
    final byte[] value;
    final long expiresAt;

    MigrateIn(byte[] key, long hash, byte[] value, long expiresAt) {
      this.key = key;
      this.hash = hash;
      this.value = value;
      this.expiresAt = expiresAt;
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
