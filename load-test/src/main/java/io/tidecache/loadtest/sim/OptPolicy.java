package io.tidecache.loadtest.sim;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Not thread-safe (one replaying thread): Belady's optimal policy (OPT, "MIN") for one trace, the
 * upper bound of any cache of the same capacity that fetches only on demand.
 *
 * <p>It knows the future: built from the whole trace, it precomputes for each request the index
 * of the next request of the same key, and a replay must then call {@link #access} with the
 * trace's keys in order (it checks). On a miss the key is inserted, and if the cache is then over
 * capacity the entry whose next request is farthest away leaves, which may be the key just
 * inserted (so, like Caffeine's simulator's clairvoyant policy, it never keeps a key that will
 * not be used before every other resident). A key never requested again has its next request at
 * infinity. Residents are kept in a max-heap of next-request indexes; a hit pushes the key's new
 * next index and leaves the old one in the heap, which is harmless: an old index is one already
 * reached, smaller than every live one, and the heap is only ever popped at its maximum.
 *
 * <p>[1] L. A. Belady, "A study of replacement algorithms for a virtual-storage computer", IBM
 * Systems Journal 5(2), 1966.
 */
final class OptPolicy implements ReplayPolicy {
  private final int capacity;
  private final long[] keys;
  /** Per request: the index of the next request of its key, or keys.length + i if none. */
  private final int[] next;
  /** Per request: the dense id of its key. */
  private final int[] ids;
  private final boolean[] resident;
  private int[] heap = new int[1024];
  private int heapSize;
  private int size;
  private int position;

  /** An OPT cache of {@code capacity} entries for the trace {@code keys}. */
  OptPolicy(int capacity, long[] keys) {
    if (keys.length > Integer.MAX_VALUE / 2) {
      throw new IllegalArgumentException("trace too long for OPT: " + keys.length);
    }
    this.capacity = capacity;
    this.keys = keys;
    this.ids = new int[keys.length];
    Map<Long, Integer> dense = new HashMap<>();
    for (int i = 0; i < keys.length; i++) {
      Integer id = dense.putIfAbsent(keys[i], dense.size());
      ids[i] = id == null ? dense.size() - 1 : id;
    }
    this.next = new int[keys.length];
    int[] last = new int[dense.size()];
    Arrays.fill(last, -1);
    for (int i = keys.length - 1; i >= 0; i--) {
      int id = ids[i];
      next[i] = last[id] >= 0 ? last[id] : keys.length + i;
      last[id] = i;
    }
    this.resident = new boolean[dense.size()];
  }

  @Override
  public String name() {
    return "OPT";
  }

  @Override
  public long capacity() {
    return capacity;
  }

  @Override
  public boolean access(long key) {
    int i = position++;
    if (i >= keys.length || keys[i] != key) {
      throw new IllegalStateException("OPT replays its own trace in order: request " + i
          + " is not key " + key);
    }
    int id = ids[i];
    push(next[i]);
    if (resident[id]) {
      return true;
    }
    resident[id] = true;
    if (++size > capacity) {
      int farthest = pop();
      // The request at index farthest is of the same key (or, past the end, its last request).
      resident[ids[farthest >= keys.length ? farthest - keys.length : farthest]] = false;
      size--;
    }
    return false;
  }

  private void push(int v) {
    if (heapSize == heap.length) {
      heap = Arrays.copyOf(heap, heap.length * 2);
    }
    int i = heapSize++;
    while (i > 0) {
      int parent = (i - 1) >>> 1;
      if (heap[parent] >= v) {
        break;
      }
      heap[i] = heap[parent];
      i = parent;
    }
    heap[i] = v;
  }

  private int pop() {
    int top = heap[0];
    int v = heap[--heapSize];
    int i = 0;
    int half = heapSize >>> 1;
    while (i < half) {
      int child = 2 * i + 1;
      if (child + 1 < heapSize && heap[child + 1] > heap[child]) {
        child++;
      }
      if (v >= heap[child]) {
        break;
      }
      heap[i] = heap[child];
      i = child;
    }
    heap[i] = v;
    return top;
  }

  @Override
  public void close() {}
}
