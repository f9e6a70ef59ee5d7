package io.tidecache.api.contract;

import static org.assertj.core.api.Assertions.assertThat;

import io.tidecache.api.ByteCache;
import io.tidecache.api.CacheClosed;
import io.tidecache.api.CacheEntry;
import io.tidecache.api.CacheStats;
import io.tidecache.api.Codecs;
import io.tidecache.api.InvalidRequest;
import io.tidecache.api.KeyTooLarge;
import io.tidecache.api.TypedCache;
import io.tidecache.api.ValueTooLarge;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

/**
 * Not thread-safe (JUnit runs it on one thread): the {@link ByteCache} contract, bound once per
 * implementation: the embedded engine (the engine's own build runs it), and the RSocket client
 * over TCP and over WebSocket (the transport's). Shipped in the api's test jar. Each test
 * gets a fresh, empty cache with a key stride of {@value #KEY_STRIDE} bytes, a value stride of
 * {@value #VALUE_STRIDE} bytes and no default time to live.
 *
 * <p>No test sleeps: the one real expiry is awaited by polling with a deadline.
 */
public abstract class ByteCacheContract {
  public static final int KEY_STRIDE = 64;
  public static final int VALUE_STRIDE = 256;
  public static final Duration WAIT = Duration.ofSeconds(10);
  private static final AtomicInteger NAMES = new AtomicInteger();

  protected ByteCache cache;
  private String name;

  /** A fresh, empty cache of this name with the strides above and no default TTL. */
  protected abstract ByteCache newCache(String name, int maxKeyBytes, int maxValueBytes);

  @BeforeEach
  public void openCache() {
    name = "contract-" + NAMES.incrementAndGet();
    cache = newCache(name, KEY_STRIDE, VALUE_STRIDE);
  }

  @AfterEach
  public void closeCache() {
    cache.close().block(WAIT);
  }

  public static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static byte[] filled(int length, char c) {
    byte[] a = new byte[length];
    Arrays.fill(a, (byte) c);
    return a;
  }

  private byte[] get(byte[] key) {
    return cache.get(key).block(WAIT);
  }

  private long entries() {
    return cache.stats().block(WAIT).entries();
  }

  /** Polls the stats (a snapshot the engine's threads update just after they answer). */
  private void awaitEntries(long expected) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (entries() != expected) {
      assertThat(System.nanoTime()).as("%s entries within %s", expected, WAIT)
          .isLessThan(deadline);
    }
  }

  @Test
  public void nameIsTheCacheName() {
    assertThat(cache.name()).isEqualTo(name);
  }

  @Test
  public void putThenGetReturnsTheValue() {
    StepVerifier.create(cache.put(b("k"), b("v1"))).verifyComplete();
    StepVerifier.create(cache.get(b("k"))).expectNextMatches(v -> Arrays.equals(v, b("v1")))
        .verifyComplete();
  }

  @Test
  public void getOfAnAbsentKeyIsEmpty() {
    StepVerifier.create(cache.get(b("absent"))).verifyComplete();
  }

  @Test
  public void putOverwrites() {
    cache.put(b("k"), b("v1")).block(WAIT);
    cache.put(b("k"), b("v2")).block(WAIT);
    assertThat(get(b("k"))).isEqualTo(b("v2"));
    awaitEntries(1);
  }

  @Test
  public void anEmptyValueIsAHitNotAMiss() {
    cache.put(b("empty"), new byte[0]).block(WAIT);
    StepVerifier.create(cache.get(b("empty"))).expectNextMatches(v -> v.length == 0)
        .verifyComplete();
  }

  @Test
  public void keyAndValueExactlyAtTheirStridesAreAccepted() {
    byte[] key = filled(KEY_STRIDE, 'k');
    byte[] value = filled(VALUE_STRIDE, 'v');
    cache.put(key, value).block(WAIT);
    assertThat(get(key)).isEqualTo(value);
  }

  @Test
  public void removeTellsWhetherTheKeyWasPresent() {
    cache.put(b("k"), b("v")).block(WAIT);
    StepVerifier.create(cache.remove(b("k"))).expectNext(true).verifyComplete();
    StepVerifier.create(cache.get(b("k"))).verifyComplete();
    StepVerifier.create(cache.remove(b("k"))).expectNext(false).verifyComplete();
  }

  @Test
  public void aZeroTtlNeverExpiresAndALongTtlKeepsTheEntry() {
    cache.put(b("forever"), b("v"), Duration.ZERO).block(WAIT);
    cache.put(b("hour"), b("v"), Duration.ofHours(1)).block(WAIT);
    assertThat(get(b("forever"))).isEqualTo(b("v"));
    assertThat(get(b("hour"))).isEqualTo(b("v"));
  }

  @Test
  public void aShortTtlExpires() {
    cache.put(b("short"), b("v"), Duration.ofMillis(30)).block(WAIT);
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (get(b("short")) != null) {
      assertThat(System.nanoTime()).as("expired within %s", WAIT).isLessThan(deadline);
    }
  }

  @Test
  public void aNegativeOrNullTtlIsRefusedAndChangesNothing() {
    cache.put(b("k"), b("old")).block(WAIT);
    StepVerifier.create(cache.put(b("k"), b("new"), Duration.ofMillis(-1)))
        .verifyError(InvalidRequest.class);
    StepVerifier.create(cache.put(b("k"), b("new"), null)).verifyError(InvalidRequest.class);
    assertThat(get(b("k"))).isEqualTo(b("old"));
  }

  @Test
  public void anEmptyKeyIsRefusedEverywhereAndChangesNothing() {
    StepVerifier.create(cache.put(new byte[0], b("v"))).verifyError(InvalidRequest.class);
    StepVerifier.create(cache.get(new byte[0])).verifyError(InvalidRequest.class);
    StepVerifier.create(cache.remove(new byte[0])).verifyError(InvalidRequest.class);
    assertThat(entries()).isZero();
  }

  @Test
  public void aKeyOverItsStrideIsRefusedWithItsSizeAndLimit() {
    byte[] key = filled(KEY_STRIDE + 1, 'k');
    StepVerifier.create(cache.put(key, b("v"))).verifyErrorSatisfies(e -> {
      assertThat(e).isInstanceOf(KeyTooLarge.class);
      assertThat(((KeyTooLarge) e).size()).isEqualTo(KEY_STRIDE + 1);
      assertThat(((KeyTooLarge) e).limit()).isEqualTo(KEY_STRIDE);
      assertThat(e.getMessage()).contains("'" + name + "'");
    });
    StepVerifier.create(cache.get(key)).verifyError(KeyTooLarge.class);
    StepVerifier.create(cache.remove(key)).verifyError(KeyTooLarge.class);
    assertThat(entries()).isZero();
  }

  @Test
  public void aValueOverItsStrideIsRefusedAndTheOldValueStays() {
    cache.put(b("k"), b("old")).block(WAIT);
    StepVerifier.create(cache.put(b("k"), filled(VALUE_STRIDE + 1, 'v')))
        .verifyErrorSatisfies(e -> {
          assertThat(e).isInstanceOf(ValueTooLarge.class);
          assertThat(((ValueTooLarge) e).size()).isEqualTo(VALUE_STRIDE + 1);
          assertThat(((ValueTooLarge) e).limit()).isEqualTo(VALUE_STRIDE);
        });
    assertThat(get(b("k"))).isEqualTo(b("old"));
  }

  @Test
  public void getAllEmitsThePresentKeysInOrder() {
    for (String k : List.of("a", "c", "e")) {
      cache.put(b(k), b("v-" + k)).block(WAIT);
    }
    List<CacheEntry<byte[], byte[]>> found = cache.getAll(
        Flux.just("a", "b", "c", "d", "e").map(ByteCacheContract::b)).collectList().block(WAIT);
    assertThat(found).extracting(e -> new String(e.key(), StandardCharsets.UTF_8))
        .containsExactly("a", "c", "e");
    assertThat(found).extracting(e -> new String(e.value(), StandardCharsets.UTF_8))
        .containsExactly("v-a", "v-c", "v-e");
  }

  @Test
  public void getAllOfNoKeysIsEmpty() {
    StepVerifier.create(cache.getAll(Flux.empty())).verifyComplete();
  }

  @Test
  public void getAllHonoursBackpressureBothWays() {
    for (int i = 0; i < 100; i++) {
      cache.put(b("k" + i), b("v" + i)).block(WAIT);
    }
    AtomicLong keysRequested = new AtomicLong();
    Flux<byte[]> keys = Flux.range(0, 10_000).map(i -> b("k" + (i % 100)))
        .doOnRequest(n -> keysRequested.accumulateAndGet(n, (a, x) -> a + x < 0 ? Long.MAX_VALUE
            : a + x));
    StepVerifier.create(cache.getAll(keys), 2)
        .expectNextCount(2)
        .then(() -> assertThat(keysRequested.get()).as("keys pulled for 2 answers")
            .isLessThan(10_000))
        .thenRequest(3)
        .expectNextCount(3)
        .thenCancel()
        .verify(WAIT);
  }

  @Test
  public void getAllRefusesAKeyOverItsStride() {
    StepVerifier.create(cache.getAll(Flux.just(b("a"), filled(KEY_STRIDE + 1, 'k'))))
        .verifyError(KeyTooLarge.class);
  }

  @Test
  public void putAllStoresEveryEntryAndCountsThem() {
    List<CacheEntry<byte[], byte[]>> entries = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      entries.add(new CacheEntry<>(b("k" + i), b("v" + i)));
    }
    StepVerifier.create(cache.putAll(Flux.fromIterable(entries))).expectNext(50L)
        .verifyComplete();
    for (int i = 0; i < 50; i++) {
      assertThat(get(b("k" + i))).isEqualTo(b("v" + i));
    }
  }

  @Test
  public void putAllOfNoEntriesStoresNothing() {
    StepVerifier.create(cache.putAll(Flux.empty())).expectNext(0L).verifyComplete();
    assertThat(entries()).isZero();
  }

  @Test
  public void putAllStopsAtARefusedEntry() {
    Flux<CacheEntry<byte[], byte[]>> entries = Flux.just(
        new CacheEntry<>(b("good"), b("v")),
        new CacheEntry<>(b("bad"), filled(VALUE_STRIDE + 1, 'v')));
    StepVerifier.create(cache.putAll(entries)).verifyError(ValueTooLarge.class);
    StepVerifier.create(cache.get(b("bad"))).verifyComplete();
  }

  /** Stores {@code n} entries k0..k(n-1) -> v0..v(n-1) with one putAll. */
  private void putKeys(int n) {
    assertThat(cache.putAll(Flux.range(0, n).map(i -> new CacheEntry<>(b("k" + i), b("v" + i))))
        .block(WAIT)).isEqualTo(n);
  }

  /** How many times the scan gave each key; fails on a value that is not the key's own. */
  private static Map<String, Integer> scanCounts(
      List<CacheEntry<byte[], byte[]>> scanned) {
    Map<String, Integer> seen = new HashMap<>();
    for (CacheEntry<byte[], byte[]> e : scanned) {
      String key = new String(e.key(), StandardCharsets.UTF_8);
      assertThat(new String(e.value(), StandardCharsets.UTF_8)).as("value of %s", key)
          .isEqualTo("v" + key.substring(1));
      seen.merge(key, 1, Integer::sum);
    }
    return seen;
  }

  @Test
  public void scanGivesEveryEntryExactlyOnceWithItsValue() {
    int n = 300;
    putKeys(n);
    cache.remove(b("k7")).block(WAIT);
    Map<String, Integer> seen = scanCounts(cache.scan().collectList().block(WAIT));
    assertThat(seen).hasSize(n - 1).doesNotContainKey("k7");
    assertThat(seen.values()).containsOnly(1);
  }

  @Test
  public void scanOfAnEmptyCacheIsEmpty() {
    StepVerifier.create(cache.scan()).verifyComplete();
  }

  @Test
  public void scanCanBeCancelledMidwayAndTheCacheGoesOn() {
    putKeys(100);
    StepVerifier.create(cache.scan(), 0)
        .thenRequest(3)
        .expectNextCount(3)
        .thenCancel()
        .verify(WAIT);
    assertThat(cache.scan().take(5).collectList().block(WAIT)).hasSize(5);
    assertThat(get(b("k42"))).isEqualTo(b("v42"));
    assertThat(scanCounts(cache.scan().collectList().block(WAIT))).hasSize(100);
  }

  @Test
  public void scanOneEntryAtATimeGivesThemAll() {
    int n = 50;
    putKeys(n);
    StepVerifier.create(cache.scan(), 1)
        .expectNextCount(1)
        .thenRequest(1)
        .expectNextCount(1)
        .thenRequest(1)
        .expectNextCount(1)
        .thenCancel()
        .verify(WAIT);
    Map<String, Integer> seen = scanCounts(
        cache.scan().limitRate(1).collectList().block(WAIT));
    assertThat(seen).hasSize(n);
    assertThat(seen.values()).containsOnly(1);
  }

  @Test
  public void statsCountHitsMissesAndPuts() {
    CacheStats before = cache.stats().block(WAIT);
    cache.put(b("k"), b("v")).block(WAIT);
    get(b("k"));
    get(b("absent"));
    // Counters are a snapshot, updated by the engine's threads just after they answer: poll.
    long deadline = System.nanoTime() + WAIT.toNanos();
    CacheStats after = cache.stats().block(WAIT);
    while (after.puts() == before.puts() || after.hits() == before.hits()
        || after.misses() == before.misses()) {
      assertThat(System.nanoTime()).as("stats caught up within %s", WAIT).isLessThan(deadline);
      after = cache.stats().block(WAIT);
    }
    assertThat(after.cache()).isEqualTo(name);
    assertThat(after.puts() - before.puts()).isEqualTo(1);
    assertThat(after.hits() - before.hits()).isEqualTo(1);
    assertThat(after.misses() - before.misses()).isEqualTo(1);
    assertThat(after.entries()).isEqualTo(1);
    assertThat(after.capacity()).isPositive();
  }

  @Test
  public void typedViewsOverStringsAndLongs() {
    TypedCache<String, String> strings = cache.typed(Codecs.STRING, Codecs.STRING);
    strings.put("id-1", "Ada").block(WAIT);
    assertThat(strings.get("id-1").block(WAIT)).isEqualTo("Ada");
    TypedCache<String, Long> longs = cache.typed(Codecs.STRING, Codecs.LONG);
    longs.put("count", 42L, Duration.ofHours(1)).block(WAIT);
    assertThat(longs.get("count").block(WAIT)).isEqualTo(42L);
    assertThat(longs.remove("count").block(WAIT)).isTrue();
    assertThat(longs.putAll(Flux.just(new CacheEntry<>("x", 1L), new CacheEntry<>("y", 2L)))
        .block(WAIT)).isEqualTo(2L);
    assertThat(longs.getAll(Flux.just("x", "nope", "y")).map(CacheEntry::value).collectList()
        .block(WAIT)).containsExactly(1L, 2L);
    assertThat(strings.scan().map(CacheEntry::key).collectList().block(WAIT))
        .containsExactlyInAnyOrder("id-1", "x", "y");
    StepVerifier.create(longs.get("id-1")).verifyError(InvalidRequest.class); // 3 bytes, not 8
  }

  @Test
  public void afterCloseEveryOperationFailsWithCacheClosed() {
    cache.close().block(WAIT);
    cache.close().block(WAIT); // idempotent
    StepVerifier.create(cache.get(b("k"))).verifyError(CacheClosed.class);
    StepVerifier.create(cache.put(b("k"), b("v"))).verifyError(CacheClosed.class);
    StepVerifier.create(cache.remove(b("k"))).verifyError(CacheClosed.class);
    StepVerifier.create(cache.scan()).verifyError(CacheClosed.class);
  }
}
