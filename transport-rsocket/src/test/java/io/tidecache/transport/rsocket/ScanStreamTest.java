package io.tidecache.transport.rsocket;

import static io.tidecache.transport.rsocket.RawRSocket.WAIT;
import static io.tidecache.transport.rsocket.RawRSocket.bytes;
import static io.tidecache.transport.rsocket.RawRSocket.request;
import static io.tidecache.transport.rsocket.ServerLimitsTest.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.rsocket.Payload;
import io.rsocket.RSocket;
import io.rsocket.exceptions.ApplicationErrorException;
import io.tidecache.api.ByteCache;
import io.tidecache.api.CacheEntry;
import io.tidecache.api.CacheOptions;
import io.tidecache.api.CacheStats;
import io.tidecache.api.ElasticCache;
import io.tidecache.engine.Engine;
import io.tidecache.transport.rsocket.ServerCounters.Refusal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscription;
import reactor.core.Disposable;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/**
 * Not thread-safe (JUnit's thread): the {@code cache.scan} route over RSocket. The client's
 * REQUEST_N drives the cache's scan demand one for one (a probe between the server and the cache
 * counts what the scan was asked for and gave), a client that leaves mid-scan leaves nothing in
 * flight, malformed requests are refused, and a scan that spans the cache growing 1 -> 2 -> 3
 * shards (one rehash while the scan is held back mid-way, one while scans run back to back)
 * gives every key present throughout exactly once. Leaks: paranoid detection, as every class of
 * this module.
 */
class ScanStreamTest {
  private Engine engine;
  private ScanProbe probe;
  private RSocketCacheServer config;
  private RunningCacheServer server;

  @BeforeEach
  void start() {
    engine = Engine.builder().poolBytes(32L << 20).threads(2).build();
    ElasticCache users = engine.createCache(CacheOptions.builder("users").maxKeyBytes(16)
        .maxValueBytes(16).shardBytes(2L << 20).build());
    probe = new ScanProbe(users);
    config = RSocketCacheServer.builder()
        .caches(name -> name.equals("users") ? Optional.of(probe) : engine.cache(name))
        .tcp(0).build();
    server = config.start().block(WAIT);
  }

  @AfterEach
  void stop() {
    server.dispose().block(WAIT);
    engine.close().block(WAIT);
  }

  private static byte[] key(String prefix, int i) {
    return bytes(prefix + i);
  }

  private static void fill(ByteCache cache, String prefix, int n) {
    assertThat(cache.putAll(Flux.range(0, n)
        .map(i -> new CacheEntry<>(key(prefix, i), key("v", i)))).block(WAIT)).isEqualTo(n);
  }

  private static String text(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }

  private RSocketCacheClient client(String cache) {
    return RSocketCacheClient.builder(cache)
        .tcp(server.tcpAddress().getHostString(), server.tcpAddress().getPort())
        .connect().block(WAIT);
  }

  /** A round trip on the same connection: whatever the server had sent before it has arrived. */
  private static void roundTrip(RSocket raw) {
    StepVerifier.create(raw.requestResponse(request("cache.get.users", bytes("nope"))))
        .verifyComplete();
  }

  @Test
  void aSlowReaderGetsOnlyWhatItAskedForAndTheCacheIsAskedForNoMore() {
    fill(probe, "k", 2_000);
    RSocket raw = RawRSocket.connect(server.tcpAddress());
    Queue<CacheEntry<byte[], byte[]>> received = new ConcurrentLinkedQueue<>();
    AtomicBoolean completed = new AtomicBoolean();
    BaseSubscriber<Payload> slow = new BaseSubscriber<>() {
      @Override
      protected void hookOnSubscribe(Subscription s) {
        request(2);
      }

      @Override
      protected void hookOnNext(Payload p) {
        try {
          received.add(DataLayouts.readEntry(p.data()));
        } finally {
          p.release();
        }
      }

      @Override
      protected void hookOnComplete() {
        completed.set(true);
      }
    };
    try {
      raw.requestStream(request("cache.scan.users", new byte[0])).subscribe(slow);
      await("two entries", () -> received.size() == 2);
      roundTrip(raw);
      assertThat(received).hasSize(2);
      assertThat(probe.requested.get()).as("entries the server asked the cache for").isEqualTo(2);
      assertThat(probe.emitted.get()).as("entries the cache gave").isEqualTo(2);

      slow.request(10);
      await("twelve entries", () -> received.size() == 12);
      roundTrip(raw);
      assertThat(received).hasSize(12);
      assertThat(probe.requested.get()).isEqualTo(12);
      assertThat(probe.emitted.get()).isEqualTo(12);

      slow.request(Long.MAX_VALUE);
      await("the scan to complete", completed::get);
      Map<String, Integer> seen = new HashMap<>();
      for (CacheEntry<byte[], byte[]> e : received) {
        assertThat(text(e.value())).isEqualTo("v" + text(e.key()).substring(1));
        seen.merge(text(e.key()), 1, Integer::sum);
      }
      assertThat(seen).hasSize(2_000);
      assertThat(seen.values()).containsOnly(1);
      await("the stream to leave the in-flight count", () -> config.counters().inFlight() == 0);
    } finally {
      slow.dispose();
      raw.dispose();
    }
  }

  @Test
  void aReaderThatLeavesMidScanLeavesNothingBehind() {
    fill(probe, "k", 1_000);
    RSocket raw = RawRSocket.connect(server.tcpAddress());
    List<String> received = new CopyOnWriteArrayList<>();
    BaseSubscriber<Payload> one = new BaseSubscriber<>() {
      @Override
      protected void hookOnSubscribe(Subscription s) {
        request(1);
      }

      @Override
      protected void hookOnNext(Payload p) {
        received.add(RawRSocket.text(p));
      }
    };
    raw.requestStream(request("cache.scan.users", new byte[0])).subscribe(one);
    await("one entry", () -> received.size() == 1);
    assertThat(config.counters().inFlight()).isEqualTo(1);
    raw.dispose();
    await("the server to cancel the scan", () -> config.counters().inFlight() == 0
        && probe.cancelled.get() == 1 && config.counters().connections() == 0);
    assertThat(probe.emitted.get()).isEqualTo(1);
    one.dispose();
  }

  @Test
  void aScanWithDataOrOnAnotherInteractionIsRefused() {
    RSocket raw = RawRSocket.connect(server.tcpAddress());
    try {
      StepVerifier.create(raw.requestStream(request("cache.scan.users", bytes("cursor"))))
          .verifyErrorSatisfies(e -> assertThat(e).isInstanceOf(ApplicationErrorException.class)
              .hasMessage("BAD_PAYLOAD: cache.scan data must be empty; got 6 bytes"));
      StepVerifier.create(raw.requestResponse(request("cache.scan.users", new byte[0])))
          .verifyErrorSatisfies(e -> assertThat(e).hasMessageStartingWith("UNKNOWN_ROUTE: "
              + "route 'cache.scan.users' is served as REQUEST_STREAM"));
      StepVerifier.create(raw.requestStream(request("cache.scan.nobody", new byte[0])))
          .verifyErrorSatisfies(e -> assertThat(e).hasMessageStartingWith("UNKNOWN_CACHE: "));
      assertThat(config.counters().refusals(Refusal.BAD_PAYLOAD)).isEqualTo(1);
      assertThat(probe.requested.get()).as("nothing reached the cache's scan").isZero();
    } finally {
      raw.dispose();
    }
  }

  /**
   * The cache grows 1 -> 2 while one scan is held back mid-way (so the scan certainly spans
   * that rehash), then 2 -> 3 while scans run back to back and writers churn other keys. Every
   * completed scan must hold each stable key exactly once, with its value, and no key twice.
   */
  @Test
  void aScanAcrossARehashGivesEveryStableKeyExactlyOnce() {
    ElasticCache moving = engine.createCache(CacheOptions.builder("moving").maxKeyBytes(16)
        .maxValueBytes(16).shardBytes(2L << 20).build());
    int stable = 5_000;
    fill(moving, "s", stable);
    RSocketCacheClient client = client("moving");
    List<String> failures = new CopyOnWriteArrayList<>();
    try {
      // 1 -> 2, with a scan held after 100 entries for the whole rehash
      List<CacheEntry<byte[], byte[]>> held = new CopyOnWriteArrayList<>();
      AtomicBoolean heldDone = new AtomicBoolean();
      BaseSubscriber<CacheEntry<byte[], byte[]>> holder = new BaseSubscriber<>() {
        @Override
        protected void hookOnSubscribe(Subscription s) {
          request(100);
        }

        @Override
        protected void hookOnNext(CacheEntry<byte[], byte[]> e) {
          held.add(e);
        }

        @Override
        protected void hookOnComplete() {
          heldDone.set(true);
        }

        @Override
        protected void hookOnError(Throwable t) {
          failures.add("held scan failed: " + t);
          heldDone.set(true);
        }
      };
      client.scan().subscribe(holder);
      await("the held scan's first 100 entries", () -> held.size() == 100);
      assertThat(moving.addShard().block(WAIT)).isEqualTo(2);
      moving.rehash().blockLast(WAIT);
      assertThat(moving.shards()).isEqualTo(2);
      holder.request(Long.MAX_VALUE);
      await("the held scan to complete", heldDone::get);
      check("the scan held across 1 -> 2", held, stable, failures);

      // 2 -> 3 with scans back to back and writers churning keys that are not stable
      AtomicBoolean stop = new AtomicBoolean();
      AtomicLong scans = new AtomicLong();
      Disposable scanning = Flux.defer(() -> client.scan().limitRate(64).collectList())
          .repeat(() -> !stop.get())
          .subscribe(got -> {
            scans.incrementAndGet();
            check("scan " + scans.get() + " during 2 -> 3", got, stable, failures);
          }, e -> failures.add("a scan failed: " + e));
      Disposable churn = Flux.range(0, Integer.MAX_VALUE)
          .takeWhile(i -> !stop.get())
          .concatMap(i -> i % 3 == 0 ? moving.remove(key("c", i % 300)).then()
              : moving.put(key("c", i % 300), key("x", i)), 1)
          .subscribe(v -> { }, e -> failures.add("churn failed: " + e));
      try {
        await("a first scan of the second phase", () -> scans.get() >= 1 || !failures.isEmpty());
        assertThat(moving.addShard().block(WAIT)).isEqualTo(3);
        moving.rehash().blockLast(WAIT);
        long after = scans.get();
        await("two more scans after the rehash", () -> scans.get() >= after + 2
            || !failures.isEmpty());
      } finally {
        stop.set(true);
        scanning.dispose();
        churn.dispose();
      }
      assertThat(failures).isEmpty();
      assertThat(moving.shards()).isEqualTo(3);
      CacheStats stats = moving.stats().block(WAIT);
      assertThat(stats.evictions()).as("nothing evicted").isZero();
    } finally {
      client.close().block(WAIT);
    }
    assertThat(failures).isEmpty();
  }

  /** Records into {@code failures} any stable key not seen exactly once, or any key twice. */
  private static void check(String scan, List<CacheEntry<byte[], byte[]>> got, int stable,
      List<String> failures) {
    Map<String, Integer> seen = new HashMap<>();
    for (CacheEntry<byte[], byte[]> e : got) {
      String k = text(e.key());
      seen.merge(k, 1, Integer::sum);
      if (k.startsWith("s") && !text(e.value()).equals("v" + k.substring(1))) {
        failures.add(scan + ": key " + k + " with value " + text(e.value()));
      }
    }
    for (int i = 0; i < stable; i++) {
      Integer c = seen.get("s" + i);
      if (c == null || c != 1) {
        failures.add(scan + ": stable key s" + i + " seen " + c + " times");
        return;
      }
    }
    List<String> twice = new ArrayList<>();
    seen.forEach((k, c) -> {
      if (c > 1) {
        twice.add(k);
      }
    });
    if (!twice.isEmpty()) {
      failures.add(scan + ": keys seen more than once: " + twice);
    }
  }

  /**
   * Thread-safe: a cache that passes everything to another and counts, for its scans, the
   * entries asked for (the sum of {@code request(n)}), the entries given and the cancellations.
   */
  private static final class ScanProbe implements ByteCache {
    final ByteCache cache;
    final AtomicLong requested = new AtomicLong();
    final AtomicLong emitted = new AtomicLong();
    final AtomicLong cancelled = new AtomicLong();

    ScanProbe(ByteCache cache) {
      this.cache = cache;
    }

    @Override
    public Flux<CacheEntry<byte[], byte[]>> scan() {
      return cache.scan()
          .doOnRequest(n -> requested.accumulateAndGet(n,
              (a, x) -> a + x < 0 ? Long.MAX_VALUE : a + x))
          .doOnNext(e -> emitted.incrementAndGet())
          .doOnCancel(cancelled::incrementAndGet);
    }

    @Override
    public String name() {
      return cache.name();
    }

    @Override
    public Mono<byte[]> get(byte[] key) {
      return cache.get(key);
    }

    @Override
    public Mono<Void> put(byte[] key, byte[] value) {
      return cache.put(key, value);
    }

    @Override
    public Mono<Void> put(byte[] key, byte[] value, Duration ttl) {
      return cache.put(key, value, ttl);
    }

    @Override
    public Mono<Boolean> remove(byte[] key) {
      return cache.remove(key);
    }

    @Override
    public Flux<CacheEntry<byte[], byte[]>> getAll(Publisher<byte[]> keys) {
      return cache.getAll(keys);
    }

    @Override
    public Mono<Long> putAll(Publisher<CacheEntry<byte[], byte[]>> entries) {
      return cache.putAll(entries);
    }

    @Override
    public Mono<CacheStats> stats() {
      return cache.stats();
    }

    @Override
    public Mono<Void> close() {
      return cache.close();
    }
  }
}
