package io.tidecache.loadtest.sim;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Not thread-safe (one replaying thread): exact LRU, a {@link LinkedHashMap} in access order that
 * drops its eldest entry when an insert takes it past the capacity.
 */
final class LruPolicy implements ReplayPolicy {
  private final int capacity;
  private final LinkedHashMap<Long, Boolean> map;

  LruPolicy(int capacity) {
    this.capacity = capacity;
    this.map = new LinkedHashMap<>(capacity * 2, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<Long, Boolean> eldest) {
        return size() > LruPolicy.this.capacity;
      }
    };
  }

  @Override
  public String name() {
    return "LRU";
  }

  @Override
  public long capacity() {
    return capacity;
  }

  @Override
  public boolean access(long key) {
    if (map.get(key) != null) {
      return true;
    }
    map.put(key, Boolean.TRUE);
    return false;
  }

  @Override
  public void close() {
    map.clear();
  }
}
