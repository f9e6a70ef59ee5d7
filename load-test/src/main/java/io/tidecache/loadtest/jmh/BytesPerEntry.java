package io.tidecache.loadtest.jmh;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.tidecache.api.ByteCache;
import io.tidecache.api.CacheOptions;
import io.tidecache.api.CacheStats;
import io.tidecache.engine.Engine;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.ref.Reference;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import reactor.core.publisher.Flux;

/**
 * Memory per live entry for 16-byte keys and 64-byte values: tidecache (bytes leased off heap
 * over live entries) beside Caffeine and ConcurrentHashMap (heap growth over live entries).
 *
 * <p>tidecache: one shard of 64 MiB is filled with three times its capacity of distinct keys, so
 * the table is at its maximum load (eviction keeps it full). The figure is leased bytes over live
 * entries; a second row adds the engine's heap growth over the same fill (its frequency sketch,
 * queues, threads and meters), measured like the heap caches. Caffeine, bounded at that capacity,
 * gets the same keys and values; the map, unbounded, gets as many distinct keys as tidecache
 * holds. Heap growth is measured with the {@link MemoryMXBean} after several {@code System.gc()}
 * calls before and after filling; keys and values are allocated while filling, so everything the
 * map retains (wrapper, key array, value array, nodes, table) is counted.
 *
 * <pre>{@code
 * java --enable-native-access=ALL-UNNAMED -cp load-test/target/benchmarks.jar \
 *     io.tidecache.loadtest.jmh.BytesPerEntry
 * }</pre>
 */
public final class BytesPerEntry {
  static final long SHARD_BYTES = 64L << 20;
  static final int FILL_FACTOR = 3;

  private BytesPerEntry() {}

  public static void main(String[] args) {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();

    // ---- tidecache
    long heapBefore = usedHeap(memory);
    Engine engine = Engine.builder().poolBytes(SHARD_BYTES).threads(1).build();
    ByteCache cache = engine.createCache(CacheOptions.builder("bytes-per-entry")
        .maxKeyBytes(HeapKey.KEY_BYTES).maxValueBytes(HeapKey.VALUE_BYTES)
        .shardBytes(SHARD_BYTES).build());
    long capacity = cache.stats().block().capacity();
    long fills = capacity * FILL_FACTOR;
    Flux.range(0, (int) fills)
        .flatMap(i -> cache.put(HeapKey.keyBytes(i), HeapKey.valueBytes(i)), 256)
        .blockLast();
    CacheStats s = EmbeddedCacheBenchmark.awaitPublished(cache, fills);
    long leased = engine.pool().leasedBytes();
    long tideEntries = s.entries();
    double tidePerEntry = (double) leased / tideEntries;
    // the engine's own heap (sketch, queues, threads, meters), counted beside the lease
    long tideHeap = usedHeap(memory) - heapBefore;
    double tideAllPerEntry = (double) (leased + tideHeap) / tideEntries;
    System.out.printf(Locale.ROOT, "tidecache: leased %d bytes, live entries %d, capacity %d, "
        + "puts applied %d, evictions %d, bytes per entry %.2f; engine heap growth %d bytes, "
        + "lease + heap per entry %.2f%n", leased, tideEntries, s.capacity(), s.puts(),
        s.evictions(), tidePerEntry, tideHeap, tideAllPerEntry);
    Reference.reachabilityFence(cache);
    engine.close().block();

    // ---- Caffeine, bounded at the same capacity, same keys and values
    long before = usedHeap(memory);
    Cache<HeapKey, byte[]> caffeine = Caffeine.newBuilder().maximumSize(capacity).build();
    for (long i = 0; i < fills; i++) {
      caffeine.put(new HeapKey(HeapKey.keyBytes(i)), HeapKey.valueBytes(i));
    }
    caffeine.cleanUp();
    long after = usedHeap(memory);
    long caffeineEntries = caffeine.estimatedSize();
    double caffeinePerEntry = (double) (after - before) / caffeineEntries;
    System.out.printf(Locale.ROOT, "caffeine: heap growth %d bytes, entries %d, bytes per entry "
        + "%.2f%n", after - before, caffeineEntries, caffeinePerEntry);
    Reference.reachabilityFence(caffeine);
    caffeine = null;

    // ---- ConcurrentHashMap, unbounded, as many entries as tidecache holds
    before = usedHeap(memory);
    ConcurrentHashMap<HeapKey, byte[]> map = new ConcurrentHashMap<>();
    for (long i = 0; i < tideEntries; i++) {
      map.put(new HeapKey(HeapKey.keyBytes(i)), HeapKey.valueBytes(i));
    }
    after = usedHeap(memory);
    long mapEntries = map.size();
    double mapPerEntry = (double) (after - before) / mapEntries;
    System.out.printf(Locale.ROOT, "chm: heap growth %d bytes, entries %d, bytes per entry "
        + "%.2f%n", after - before, mapEntries, mapPerEntry);
    Reference.reachabilityFence(map);

    System.out.println();
    System.out.println("| impl | memory | bytes | live entries | bytes per entry | vs tidecache |");
    System.out.println("| --- | --- | ---: | ---: | ---: | ---: |");
    row("tidecache", "off-heap lease", leased, tideEntries, tidePerEntry, tidePerEntry);
    row("tidecache", "lease + engine heap growth", leased + tideHeap, tideEntries,
        tideAllPerEntry, tidePerEntry);
    row("caffeine", "heap growth", (long) (caffeinePerEntry * caffeineEntries), caffeineEntries,
        caffeinePerEntry, tidePerEntry);
    row("chm", "heap growth", (long) (mapPerEntry * mapEntries), mapEntries, mapPerEntry,
        tidePerEntry);
    System.out.printf(Locale.ROOT, "%n16-byte keys, 64-byte values (80 payload bytes per entry);"
        + " JVM %s, max heap %d MiB%n", Runtime.version(),
        Runtime.getRuntime().maxMemory() >> 20);
  }

  private static void row(String impl, String what, long bytes, long entries, double perEntry,
      double tide) {
    System.out.printf(Locale.ROOT, "| %s | %s | %d | %d | %.2f | %.2fx |%n", impl, what, bytes,
        entries, perEntry, perEntry / tide);
  }

  private static long usedHeap(MemoryMXBean memory) {
    for (int i = 0; i < 4; i++) {
      System.gc();
    }
    return memory.getHeapMemoryUsage().getUsed();
  }
}
