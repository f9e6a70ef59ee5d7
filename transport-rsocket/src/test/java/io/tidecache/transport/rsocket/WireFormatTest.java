package io.tidecache.transport.rsocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.Unpooled;
import io.tidecache.api.CacheClosed;
import io.tidecache.api.CacheEntry;
import io.tidecache.api.CacheStats;
import io.tidecache.api.Disconnected;
import io.tidecache.api.InvalidRequest;
import io.tidecache.api.KeyTooLarge;
import io.tidecache.api.LeaseExpired;
import io.tidecache.api.Overloaded;
import io.tidecache.api.PoolExhausted;
import io.tidecache.api.TideCacheException;
import io.tidecache.api.ValueTooLarge;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Not thread-safe (JUnit's thread): the wire format's pieces in isolation: the document's hex
 * examples equal the bytes the code produces, routes parse as documented, metadata encoded by
 * rsocket-java reads back, layouts round-trip, and every typed error survives the trip through
 * an ERROR frame.
 */
class WireFormatTest {

  @Test
  void everyHexExampleOfTheDocumentIsWhatTheCodeSends() throws IOException {
    String doc = Files.readString(Path.of("WIRE-FORMAT.md"), StandardCharsets.UTF_8);
    Matcher m = Pattern.compile("<!-- example: ([\\w-]+) -->\\s*```text\\n([0-9a-f \\n]+)```")
        .matcher(doc);
    Map<String, String> documented = new LinkedHashMap<>();
    while (m.find()) {
      documented.put(m.group(1), m.group(2).replaceAll("\\s", ""));
    }
    assertThat(documented).isEqualTo(WireExamples.all());
  }

  @Test
  void routesParseAsDocumented() {
    assertThat(Route.parse("cache.get.users")).contains(new Route(Route.Op.GET, "users"));
    assertThat(Route.parse("cache.get")).contains(new Route(Route.Op.GET, null));
    assertThat(Route.parse("cache.getAll.users"))
        .contains(new Route(Route.Op.GET_ALL, "users"));
    assertThat(Route.parse("cache.get.eu.users")).contains(new Route(Route.Op.GET, "eu.users"));
    assertThat(Route.parse("cache.stats.users")).contains(new Route(Route.Op.STATS, "users"));
    assertThat(Route.parse("stats.users"))
        .contains(new Route(Route.Op.STATS_STREAM, "users"));
    assertThat(Route.parse("events")).contains(new Route(Route.Op.EVENTS, null));
    assertThat(Route.parse("events.users")).isEmpty();
    assertThat(Route.parse("cache.getX")).isEmpty();
    assertThat(Route.parse("cache.get.")).isEmpty();
    assertThat(Route.parse("")).isEmpty();
    assertThat(Route.parse("cache.scan.users")).contains(new Route(Route.Op.SCAN, "users"));
    assertThat(Route.parse("cache.scan")).contains(new Route(Route.Op.SCAN, null));
    assertThat(Route.parse("cache.scanX")).isEmpty();
    assertThat(Route.Op.SCAN.interaction()).isEqualTo(Route.Interaction.REQUEST_STREAM);
  }

  @Test
  void metadataEncodedByRSocketJavaReadsBack() {
    assertThat(MetadataCodec.readRoute(Unpooled.wrappedBuffer(
        RawRSocket.compositeRoute("cache.put.users")), true)).isEqualTo("cache.put.users");
    assertThat(MetadataCodec.compositeRoute("cache.put.users"))
        .isEqualTo(RawRSocket.compositeRoute("cache.put.users"));
    assertThat(MetadataCodec.readRoute(Unpooled.wrappedBuffer(
        RawRSocket.bareRoute("events")), false)).isEqualTo("events");
    assertThat(MetadataCodec.readToken(Unpooled.wrappedBuffer(RawRSocket.bearer("t0k"))))
        .isEqualTo("t0k");
    assertThat(MetadataCodec.compositeBearer("t0k")).isEqualTo(RawRSocket.bearer("t0k"));
    assertThat(MetadataCodec.readToken(Unpooled.wrappedBuffer(RawRSocket.simple("bob", "pw"))))
        .isEqualTo("pw");
    assertThat(MetadataCodec.readToken(Unpooled.wrappedBuffer(
        RawRSocket.compositeRoute("x")))).isNull();
    assertThatThrownBy(() -> MetadataCodec.readRoute(Unpooled.EMPTY_BUFFER, true))
        .isInstanceOf(WireException.class).hasMessageContaining("no metadata");
  }

  @Test
  void layoutsRoundTrip() {
    byte[] put = DataLayouts.put(WireExamples.b("k"), 1234, WireExamples.b("value"));
    DataLayouts.Put p = DataLayouts.readPut(Unpooled.wrappedBuffer(put));
    assertThat(p.key()).isEqualTo(WireExamples.b("k"));
    assertThat(p.ttlMillis()).isEqualTo(1234);
    assertThat(p.value()).isEqualTo(WireExamples.b("value"));
    CacheEntry<byte[], byte[]> e = DataLayouts.readEntry(Unpooled.wrappedBuffer(
        DataLayouts.entry(WireExamples.b("k"), new byte[0])));
    assertThat(e.key()).isEqualTo(WireExamples.b("k"));
    assertThat(e.value()).isEmpty();
    assertThat(DataLayouts.readCount(DataLayouts.count(42))).isEqualTo(42);
    DataLayouts.readEmpty(Unpooled.EMPTY_BUFFER, "cache.scan");
    assertThatThrownBy(() -> DataLayouts.readEmpty(Unpooled.wrappedBuffer(new byte[3]),
        "cache.scan")).isInstanceOf(WireException.class)
        .hasMessage("cache.scan data must be empty; got 3 bytes");
    assertThat(DataLayouts.readRemoved(DataLayouts.removed(true))).isTrue();
    assertThat(DataLayouts.readInterval(Unpooled.wrappedBuffer(
        DataLayouts.interval(Duration.ofMillis(250))))).isEqualTo(Duration.ofMillis(250));
  }

  @Test
  void ttlsAreWholeMillisecondsRoundedUp() {
    assertThat(DataLayouts.ttlMillis(Duration.ZERO)).isEqualTo(WireFormat.TTL_NEVER);
    assertThat(DataLayouts.ttlMillis(Duration.ofNanos(1))).isEqualTo(1);
    assertThat(DataLayouts.ttlMillis(Duration.ofMillis(1500))).isEqualTo(1500);
    assertThat(DataLayouts.ttlMillis(Duration.ofSeconds(Long.MAX_VALUE)))
        .isEqualTo(Long.MAX_VALUE);
    assertThatThrownBy(() -> DataLayouts.ttlMillis(Duration.ofMillis(-1)))
        .isInstanceOf(InvalidRequest.class);
    assertThat(DataLayouts.ttl(WireFormat.TTL_DEFAULT)).isNull();
    assertThat(DataLayouts.ttl(0)).isEqualTo(Duration.ZERO);
    assertThatThrownBy(() -> DataLayouts.ttl(-2)).isInstanceOf(InvalidRequest.class);
  }

  @Test
  void everyTypedErrorSurvivesAnErrorFrame() {
    ServerCounters counters = new ServerCounters();
    List<TideCacheException> errors = List.of(
        new KeyTooLarge("users", 300, 64), new ValueTooLarge("users", 300, 256),
        new InvalidRequest("ttl must be positive"), new CacheClosed("users"),
        new Overloaded("shard 0 queue of cache 'users'", 4096),
        new LeaseExpired(17, "expired at 12"), new PoolExhausted(1024, 10, 2048));
    for (TideCacheException e : errors) {
      Throwable frame = WireErrors.toFrame(e, counters);
      assertThat(frame.getMessage()).isEqualTo(e.code() + ": " + e.getMessage());
      TideCacheException back = WireErrors.toTyped(frame, "users", "tcp://x:1");
      assertThat(back).isInstanceOf(e.getClass()).hasMessage(e.getMessage());
    }
    assertThat(counters.refusals(ServerCounters.Refusal.CACHE_ERROR)).isEqualTo(errors.size());
    KeyTooLarge k = (KeyTooLarge) WireErrors.toTyped(
        WireErrors.toFrame(new KeyTooLarge("c9", 65, 64), counters), "c9", "x");
    assertThat(k.size()).isEqualTo(65);
    assertThat(k.limit()).isEqualTo(64);
    assertThat(WireErrors.toTyped(WireErrors.toFrame(WireException.unknownCache("no cache"),
        counters), "users", "x")).isInstanceOf(InvalidRequest.class)
        .hasMessage("UNKNOWN_CACHE: no cache");
    assertThat(WireErrors.toTyped(new java.nio.channels.ClosedChannelException(), "users", "x"))
        .isInstanceOf(Disconnected.class);
  }

  @Test
  void statsTravelAsJsonAndReadBack() {
    CacheStats s = new CacheStats("users", 3, 1, 4, 1, 0, 0, 0, 3, 3640, 1, 1 << 20);
    String json = JsonText.of(s);
    assertThat(json).isEqualTo("{\"type\":\"CacheStats\",\"cache\":\"users\",\"hits\":3,"
        + "\"misses\":1,\"puts\":4,\"removes\":1,\"evictions\":0,\"expirations\":0,"
        + "\"refusals\":0,\"entries\":3,\"capacity\":3640,\"shards\":1,\"leasedBytes\":1048576}");
    assertThat(JsonText.readStats(json)).isEqualTo(s);
    assertThat(JsonText.of(new Quoted("a\"b\\c\n", List.of(1.5, Double.NaN))))
        .isEqualTo("{\"type\":\"Quoted\",\"text\":\"a\\\"b\\\\c\\n\",\"values\":[1.5,null]}");
    assertThat(JsonText.readFlat("{\"a\":\"x\\\"y\",\"b\":-2,\"c\":1.5,\"d\":true,\"e\":null}"))
        .containsEntry("a", "x\"y").containsEntry("b", -2L).containsEntry("c", 1.5)
        .containsEntry("d", true).containsEntry("e", null);
  }

  record Quoted(String text, List<Double> values) {}
}
