package io.tidecache.server;

import io.tidecache.api.ByteCache;
import io.tidecache.api.CacheOptions;
import io.tidecache.api.CacheStats;
import io.tidecache.engine.Engine;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import reactor.core.publisher.Flux;

/**
 * Not thread-safe (runs once): the embedded demo. Fills one cache with more entries than its
 * single shard can hold, reads every key back, and prints what the engine counted.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Embedded demo: fill a cache past one shard's memory, print stats, exit.")
final class DemoCommand implements Callable<Integer> {
  @Option(names = "--pool-mib", defaultValue = "64", description = "Memory pool budget (MiB).")
  long poolMib;

  @Option(names = "--shard-mib", defaultValue = "4", description = "Bytes leased per shard (MiB).")
  long shardMib;

  @Option(names = "--entries", defaultValue = "100000", description = "Distinct keys to write.")
  int entries;

  @Override
  public Integer call() {
    if (poolMib <= 0 || shardMib <= 0 || entries <= 0) {
      System.err.println("--pool-mib, --shard-mib and --entries must be positive");
      return 2;
    }
    Engine engine = Engine.builder().poolBytes(poolMib << 20).build();
    try {
      ByteCache cache = engine.createCache(CacheOptions.builder("demo").maxKeyBytes(16)
          .maxValueBytes(64).shardBytes(shardMib << 20).build());
      CacheStats before = cache.stats().block();
      System.out.printf(Locale.ROOT, "pool %,d bytes; cache 'demo' leased one shard of %,d bytes"
          + " holding %,d entries of 16-byte keys and 64-byte values%n",
          engine.pool().budget(), before.leasedBytes(), before.capacity());
      System.out.printf(Locale.ROOT, "writing %,d distinct keys (%.1fx its capacity)...%n",
          entries, (double) entries / before.capacity());
      AtomicLong written = new AtomicLong();
      long t0 = System.nanoTime();
      Flux.range(0, entries)
          .flatMap(i -> cache.put(key(i), value(i)).doOnSuccess(v -> {
            long n = written.incrementAndGet();
            if (n % 25_000 == 0) {
              System.out.printf(Locale.ROOT, "  %,d written%n", n);
            }
          }), 256)
          .blockLast(Duration.ofMinutes(2));
      double seconds = (System.nanoTime() - t0) / 1e9;
      long found = Flux.range(0, entries).flatMap(i -> cache.get(key(i)), 256).count()
          .block(Duration.ofMinutes(2));
      CacheStats s = cache.stats().block();
      System.out.printf(Locale.ROOT, "wrote %,d entries in %.2f s (%,.0f puts/s)%n", entries,
          seconds, entries / seconds);
      System.out.printf(Locale.ROOT, "read back: %,d of %,d keys still cached%n", found, entries);
      System.out.printf(Locale.ROOT,
          "stats: entries %,d / capacity %,d (occupancy %.1f%%), evictions %,d, hits %,d, "
          + "misses %,d (hit rate %.1f%%), refusals %,d%n", s.entries(), s.capacity(),
          100 * s.occupancy(), s.evictions(), s.hits(), s.misses(), 100 * s.hitRate(),
          s.refusals());
      System.out.printf(Locale.ROOT, "memory: leased %,d bytes = %.1f bytes per live entry; "
          + "pool free %,d of %,d bytes%n", s.leasedBytes(),
          (double) s.leasedBytes() / Math.max(1, s.entries()), engine.pool().freeBytes(),
          engine.pool().budget());
      return 0;
    } finally {
      engine.close().block(Duration.ofSeconds(10));
      System.out.printf(Locale.ROOT, "closed: pool free %,d of %,d bytes, %d leases active%n",
          engine.pool().freeBytes(), engine.pool().budget(), engine.pool().activeLeases());
    }
  }

  private static byte[] key(int i) {
    return ByteBuffer.allocate(16).putLong(0x7469646563616368L).putLong(i).array();
  }

  private static byte[] value(int i) {
    byte[] v = new byte[64];
    ByteBuffer.wrap(v).putInt(i);
    return v;
  }
}
