package io.tidecache.loadtest.sim;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

/**
 * Not thread-safe (one replaying thread): Caffeine (adaptive W-TinyLFU) bounded by
 * {@code maximumSize}, its maintenance run on the caller's thread ({@code executor(Runnable::run)})
 * and forced with {@code cleanUp()} after every insert, so each access sees the cache as the
 * previous one left it. As in Caffeine's own simulator ({@code product.Caffeine}), an access is
 * {@code getIfPresent} and, on a miss, {@code put}.
 *
 * <p>Caffeine admits a warm candidate at random about once in 128 times (its protection against
 * hash flooding), so two replays of a trace may differ by a few requests.
 */
final class CaffeinePolicy implements ReplayPolicy {
  private final int capacity;
  private final Cache<Long, Boolean> cache;

  CaffeinePolicy(int capacity) {
    this.capacity = capacity;
    this.cache = Caffeine.newBuilder()
        .initialCapacity(capacity)
        .maximumSize(capacity)
        .executor(Runnable::run)
        .build();
  }

  @Override
  public String name() {
    return "Caffeine";
  }

  @Override
  public long capacity() {
    return capacity;
  }

  @Override
  public boolean access(long key) {
    if (cache.getIfPresent(key) != null) {
      return true;
    }
    cache.put(key, Boolean.TRUE);
    cache.cleanUp();
    return false;
  }

  @Override
  public void close() {
    cache.invalidateAll();
    cache.cleanUp();
  }
}
