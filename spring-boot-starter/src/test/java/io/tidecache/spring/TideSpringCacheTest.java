package io.tidecache.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tidecache.api.CacheOptions;
import io.tidecache.api.ElasticCache;
import io.tidecache.engine.Engine;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/**
 * Not thread-safe (JUnit's thread): {@link TideSpringCache} on an embedded cache, without Spring
 * around it: one load per key at a time, the null marker, and the codecs' refusals.
 */
class TideSpringCacheTest {
  private static final Duration WAIT = Duration.ofSeconds(20);

  private Engine engine;
  private ElasticCache bytes;

  @BeforeEach
  void open() {
    engine = Engine.builder().poolBytes(4L << 20).threads(1).build();
    bytes = engine.createCache(CacheOptions.builder("c").shardBytes(256L << 10).build());
  }

  @AfterEach
  void close() {
    engine.close().block(WAIT);
  }

  private TideSpringCache cache(ValueCodec codec, boolean nulls) {
    return new TideSpringCache(bytes, codec, Duration.ZERO, WAIT, nulls);
  }

  @Test
  void aSecondLoadOfTheSameKeyJoinsTheFirst() {
    TideSpringCache cache = cache(ValueCodec.STRING, true);
    CompletableFuture<String> slow = new CompletableFuture<>();
    AtomicInteger loads = new AtomicInteger();
    CompletableFuture<String> first = cache.retrieve("k", () -> {
      loads.incrementAndGet();
      return slow;
    });
    // the first load is running (its get missed, its loader was called): wait for that
    CacheableContract.await("the first loader to run", () -> loads.get() == 1);
    CompletableFuture<String> second = cache.retrieve("k", () -> {
      loads.incrementAndGet();
      return CompletableFuture.completedFuture("other");
    });
    CacheableContract.await("the second get to miss and join", () -> !second.isDone()
        && loads.get() == 1 && first.isDone() == false);
    slow.complete("v");
    assertThat(first.join()).isEqualTo("v");
    assertThat(second.join()).isEqualTo("v");
    assertThat(loads).hasValue(1);
    assertThat(cache.get("k", String.class)).isEqualTo("v"); // stored before it was handed out
  }

  @Test
  void aFailedLoadFailsItsCallersAndCachesNothing() {
    TideSpringCache cache = cache(ValueCodec.STRING, true);
    CompletableFuture<String> result = cache.retrieve("k",
        () -> CompletableFuture.failedFuture(new IllegalStateException("backend down")));
    assertThatThrownBy(result::join).hasRootCauseMessage("backend down");
    assertThat(cache.get("k")).isNull();
  }

  @Test
  void nullIsStoredAsOneMarkerByteAndReadBackAsNull() {
    TideSpringCache cache = cache(ValueCodec.STRING, true);
    cache.put("k", null);
    assertThat(bytes.get("k".getBytes()).block(WAIT)).containsExactly(0xC0);
    assertThat(cache.get("k")).isNotNull().extracting(w -> w.get()).isNull();
    assertThat(cache.retrieve("k").join()).isNotNull();
    assertThat(cache.retrieve("absent").join()).isNull();
  }

  @Test
  void withoutNullValuesANullIsNotCached() {
    TideSpringCache cache = cache(ValueCodec.STRING, false);
    cache.put("k", null); // nothing to store: an empty Mono must not fail its subscriber
    assertThat(cache.get("k")).isNull();
    assertThat(cache.retrieve("k", () -> CompletableFuture.completedFuture(null)).join())
        .isNull();
    assertThat(cache.get("k")).isNull();
  }

  @Test
  void theBytesCodecCannotStoreTheMarkerWhileNullsAreAllowed() {
    assertThatThrownBy(() -> cache(ValueCodec.BYTES, true).put("k", new byte[] {(byte) 0xC0}))
        .hasMessageContaining("0xC0");
    cache(ValueCodec.BYTES, false).put("k", new byte[] {(byte) 0xC0});
    assertThat((byte[]) cache(ValueCodec.BYTES, false).get("k").get()).containsExactly(0xC0);
  }

  @Test
  void theStringCodecRefusesOtherTypesNamingTheProperty() {
    assertThatThrownBy(() -> cache(ValueCodec.STRING, true).put("k", 42))
        .hasMessageContaining("tidecache.cache.value-codec=string")
        .hasMessageContaining("java.lang.Integer");
  }

  @Test
  void jsonReadsBackTheTypeAndOnlyFromTrustedPackages() {
    JsonMapper mapper = JsonMapper.builder().build();
    ClassLoader loader = getClass().getClassLoader();
    TideSpringCache trusting = cache(new JsonValueCodec(mapper, List.of("io.tidecache.spring"),
        loader), true);
    trusting.put("book", Book.of("1"));
    trusting.put("list", List.of(Book.of("2"), Book.of("3")));
    trusting.put("number", 7L);
    assertThat(trusting.get("book").get()).isEqualTo(Book.of("1"));
    assertThat(trusting.get("list").get()).isEqualTo(List.of(Book.of("2"), Book.of("3")));
    assertThat(trusting.get("number").get()).isEqualTo(7L);

    TideSpringCache wary = cache(new JsonValueCodec(mapper, List.of(), loader), true);
    assertThatThrownBy(() -> wary.get("book"))
        .hasMessageContaining("add 'io.tidecache.spring' to tidecache.cache.json.trusted-packages");
    assertThat(wary.get("number").get()).isEqualTo(7L);

    bytes.put("raw".getBytes(), "not json".getBytes()).block(WAIT);
    assertThatThrownBy(() -> trusting.get("raw")).hasMessageContaining("not the json codec's");
  }
}
