package io.tidecache.loadtest.net;

import io.tidecache.api.CacheOptions;
import io.tidecache.api.CacheStats;
import io.tidecache.api.ElasticCache;
import io.tidecache.engine.Engine;
import io.tidecache.transport.rsocket.RSocketCacheServer;
import io.tidecache.transport.rsocket.RunningCacheServer;
import java.io.IOException;
import java.time.Duration;
import reactor.core.publisher.Flux;

/**
 * The tidecache server child of {@link NetworkBenchmark}: an embedded {@link Engine} with one
 * cache ({@value NetKeys#CACHE}) of 16-byte keys and 64-byte values, preloaded in process with
 * {@code keys} entries ({@link NetKeys#key}, {@link NetKeys#value}), served by
 * {@link RSocketCacheServer} over TCP on 127.0.0.1 and an ephemeral port, with the server's
 * default settings.
 *
 * <p>Announces {@code NETBENCH PORT <port>}, then {@code NETBENCH READY <stats>} on stdout, and
 * serves until its stdin is closed (or ends: the parent died), then stops.
 *
 * <pre>
 * args: keys engineThreads(0 = the engine's default) baseShards headroom
 * </pre>
 *
 * The shard(s) are sized with {@link Engine#shardBytesFor} for {@code keys * headroom} entries in
 * all, so that few 16-slot buckets overflow during the preload.
 */
public final class TideServerMain {
  private TideServerMain() {}

  public static void main(String[] args) throws IOException {
    int keys = Integer.parseInt(args[0]);
    int threads = Integer.parseInt(args[1]);
    int shards = Integer.parseInt(args[2]);
    double headroom = Double.parseDouble(args[3]);

    long perShard = (long) Math.ceil(keys * headroom / shards);
    long shardBytes = Engine.shardBytesFor(perShard, NetKeys.KEY_BYTES, NetKeys.VALUE_BYTES);
    Engine.Builder eb = Engine.builder().poolBytes(shardBytes * shards + (1L << 20));
    if (threads > 0) {
      eb.threads(threads);
    }
    Engine engine = eb.build();
    ElasticCache cache = engine.createCache(CacheOptions.builder(NetKeys.CACHE)
        .maxKeyBytes(NetKeys.KEY_BYTES).maxValueBytes(NetKeys.VALUE_BYTES)
        .shardBytes(shardBytes).baseShards(shards).build());

    Flux.range(0, keys)
        .flatMap(i -> cache.put(NetKeys.key(i), NetKeys.value(i)), 256)
        .blockLast(Duration.ofMinutes(5));
    // counters are published by the writer after each batch: wait for the last one
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    CacheStats s = cache.stats().block();
    while (s.puts() < keys && System.nanoTime() < deadline) {
      Thread.onSpinWait();
      s = cache.stats().block();
    }

    RunningCacheServer server = RSocketCacheServer.builder()
        .caches(engine::cache)
        .events(engine.events())
        .tcp(0)
        .build().start().block(Duration.ofSeconds(30));
    System.out.println(Child.PROTOCOL + "PORT " + server.tcpAddress().getPort());
    System.out.println(Child.PROTOCOL + "READY engineThreads=" + engine.threads()
        + " shards=" + s.shards() + " shardBytes=" + shardBytes + " preloaded=" + keys
        + " entries=" + s.entries() + " capacity=" + s.capacity() + " evictions="
        + s.evictions() + " refusals=" + s.refusals());
    System.out.flush();

    while (System.in.read() != -1) {
      // serve until stdin ends
    }
    server.dispose().block(Duration.ofSeconds(10));
    engine.close().block(Duration.ofSeconds(10));
    System.exit(0);
  }
}
