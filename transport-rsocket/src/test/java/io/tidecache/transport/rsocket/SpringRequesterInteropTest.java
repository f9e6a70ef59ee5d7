package io.tidecache.transport.rsocket;

import static io.tidecache.transport.rsocket.InteropServer.await;
import static io.tidecache.transport.rsocket.RawRSocket.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import io.rsocket.exceptions.ApplicationErrorException;
import io.tidecache.api.ByteCache;
import io.tidecache.api.CacheStats;
import io.tidecache.api.LeaseEvent;
import io.tidecache.api.ShardEvent;
import io.tidecache.transport.rsocket.ServerCounters.Refusal;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.core.codec.ByteArrayDecoder;
import org.springframework.core.codec.ByteArrayEncoder;
import org.springframework.core.codec.StringDecoder;
import org.springframework.messaging.rsocket.RSocketRequester;
import org.springframework.messaging.rsocket.RSocketStrategies;
import org.springframework.util.MimeTypeUtils;
import reactor.test.StepVerifier;

/**
 * Not thread-safe (JUnit's thread): Spring's {@link RSocketRequester} (spring-messaging 7.0.x)
 * against a real server, over TCP and over WebSocket, as WIRE-FORMAT.md section 7 tells a Spring
 * user to call it: Spring's defaults for the metadata (composite, the route as its routing entry,
 * encoded by Spring from a route template), {@code application/octet-stream} data, the byte-array
 * codecs (and the string decoder for the JSON streams), and the data layouts of section 4 built
 * as plain byte arrays. No metadata code of ours is involved.
 *
 * <p>Proves: put / get (the value, byte for byte) / remove ({@code 0x01}, then {@code 0x00}) /
 * get after remove (a miss is an empty Mono), what Spring wrote is readable from Java and what
 * Java wrote is readable from Spring, an error frame surfaces as rsocket-java's
 * {@link ApplicationErrorException} with the documented message, cache.scan as a
 * {@code retrieveFlux} (every entry once, in the entry layout), the stats stream (take a few,
 * cancel: the server frees the stream while the connection stays open), cache.stats, and the
 * events stream (JSON of events emitted on the server).
 */
class SpringRequesterInteropTest {
  private static final byte[] VALUE = {'A', 'd', 'a', 0x00, (byte) 0xff, 0x7f, (byte) 0x80};
  private static InteropServer server;

  @BeforeAll
  static void start() {
    server = InteropServer.start();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  /** Only the byte-array codecs, and the string decoder for the JSON of the streams. */
  private static RSocketStrategies strategies() {
    return RSocketStrategies.builder()
        .encoders(e -> {
          e.clear();
          e.add(new ByteArrayEncoder());
        })
        .decoders(d -> {
          d.clear();
          d.add(new ByteArrayDecoder());
          d.add(StringDecoder.allMimeTypes());
        })
        .build();
  }

  private static RSocketRequester.Builder builder() {
    // The metadata MIME type is left to Spring's default: composite metadata.
    return RSocketRequester.builder()
        .rsocketStrategies(strategies())
        .dataMimeType(MimeTypeUtils.APPLICATION_OCTET_STREAM);
  }

  @Test
  void springRequesterOverTcp() {
    InetSocketAddress a = server.tcp();
    roundTrip("spring-tcp", b -> b.tcp(a.getHostString(), a.getPort()));
  }

  @Test
  void springRequesterOverWebSocket() {
    roundTrip("spring-ws", b -> b.websocket(server.webSocketUri()));
  }

  private void roundTrip(String name,
      Function<RSocketRequester.Builder, RSocketRequester> connect) {
    ByteCache cache = server.createCache(name);
    cache.put(bytes("from-java"), bytes("written by Java")).block(WAIT);
    long unknownCacheBefore = server.counters().refusals(Refusal.UNKNOWN_CACHE);
    RSocketRequester requester = connect.apply(builder());
    try {
      assertThat(requester.metadataMimeType().toString())
          .as("Spring's default metadata MIME type").isEqualTo(WireFormat.COMPOSITE_METADATA);

      // put: COMPLETE without payload
      assertThat(requester.route("cache.put.{name}", name).data(put("spring-key", 60_000, VALUE))
          .retrieveMono(Void.class).blockOptional(WAIT)).isEmpty();
      assertThat(cache.get(bytes("spring-key")).block(WAIT)).as("read from Java")
          .isEqualTo(VALUE);

      // get: the value, byte for byte
      assertThat(requester.route("cache.get.{name}", name).data(bytes("spring-key"))
          .retrieveMono(byte[].class).block(WAIT)).isEqualTo(VALUE);
      assertThat(requester.route("cache.get.{name}", name).data(bytes("from-java"))
          .retrieveMono(byte[].class).block(WAIT)).asString(StandardCharsets.UTF_8)
          .isEqualTo("written by Java");

      // remove: 0x01 (was present), then get: a miss (an empty Mono), then remove: 0x00
      assertThat(requester.route("cache.remove.{name}", name).data(bytes("spring-key"))
          .retrieveMono(byte[].class).block(WAIT)).containsExactly(1);
      assertThat(requester.route("cache.get.{name}", name).data(bytes("spring-key"))
          .retrieveMono(byte[].class).blockOptional(WAIT)).isEmpty();
      assertThat(requester.route("cache.remove.{name}", name).data(bytes("spring-key"))
          .retrieveMono(byte[].class).block(WAIT)).containsExactly(0);
      assertThat(cache.get(bytes("spring-key")).blockOptional(WAIT)).as("gone, seen from Java")
          .isEmpty();

      // an ERROR frame: APPLICATION_ERROR with the documented "CODE: text" message
      StepVerifier.create(requester.route("cache.get.{name}", "no-such-cache")
              .data(bytes("k")).retrieveMono(byte[].class))
          .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(ApplicationErrorException.class)
              .hasMessageStartingWith("UNKNOWN_CACHE: "))
          .verify(WAIT);
      assertThat(server.counters().refusals(Refusal.UNKNOWN_CACHE))
          .isEqualTo(unknownCacheBefore + 1);

      // a value left for Java, TTL 0 (never expires)
      assertThat(requester.route("cache.put.{name}", name).data(put("left-by-spring", 0, VALUE))
          .retrieveMono(Void.class).blockOptional(WAIT)).isEmpty();
      assertThat(cache.get(bytes("left-by-spring")).block(WAIT)).isEqualTo(VALUE);

      // cache.scan: a request-stream, one payload per entry in the entry layout, then COMPLETE;
      // Spring asks for them in batches (limitRate 2 makes that REQUEST_N 2 at a time)
      List<byte[]> scanned = requester.route("cache.scan.{name}", name)
          .retrieveFlux(byte[].class).limitRate(2).collectList().block(WAIT);
      assertThat(scanned).extracting(SpringRequesterInteropTest::entryKey)
          .containsExactlyInAnyOrder("from-java", "left-by-spring");
      assertThat(scanned).filteredOn(e -> entryKey(e).equals("left-by-spring"))
          .singleElement().satisfies(e -> assertThat(entryValue(e)).isEqualTo(VALUE));

      // the stats stream, every 20 ms: take three, then cancel (take cancels upstream)
      long cancelledBefore = server.counters().cancelled();
      List<String> ticks = requester.route("stats.{name}", name)
          .data(ByteBuffer.allocate(4).putInt(20).array())
          .retrieveFlux(String.class).take(3).collectList().block(WAIT);
      assertThat(ticks).hasSize(3).allSatisfy(json -> assertThat(json)
          .startsWith("{\"type\":\"CacheStats\",\"cache\":\"" + name + "\","));
      await("the server to see the CANCEL and end the stream",
          () -> server.counters().inFlight() == 0
              && server.counters().cancelled() > cancelledBefore);
      assertThat(server.counters().connections()).as("the connection stays open").isEqualTo(1);

      // cache.stats: one JSON payload
      CacheStats stats = cache.stats().block(WAIT);
      assertThat(requester.route("cache.stats.{name}", name).retrieveMono(String.class)
          .block(WAIT))
          .startsWith("{\"type\":\"CacheStats\",\"cache\":\"" + name + "\",\"hits\":"
              + stats.hits() + ",\"misses\":" + stats.misses() + ",\"puts\":3,\"removes\":1,");

      // the events stream: JSON of what the server's event source emits
      StepVerifier.create(requester.route("events").retrieveFlux(String.class).take(2))
          .then(() -> await("the events subscriber",
              () -> server.events.currentSubscriberCount() == 1))
          .then(() -> {
            server.events.tryEmitNext(
                new LeaseEvent(LeaseEvent.Kind.ACQUIRED, 7, 1024, 1007, 31_007));
            server.events.tryEmitNext(new ShardEvent.ShardAdded(name, 1, 9, 2048, 5));
          })
          .expectNext("{\"type\":\"LeaseEvent\",\"kind\":\"ACQUIRED\",\"leaseId\":7,"
              + "\"bytes\":1024,\"atMillis\":1007,\"expiresAtMillis\":31007}")
          .expectNext("{\"type\":\"ShardAdded\",\"cache\":\"" + name + "\",\"shard\":1,"
              + "\"leaseId\":9,\"bytes\":2048,\"atMillis\":5}")
          .verifyComplete();
    } finally {
      requester.dispose();
    }
    await("the requester's connection to close",
        () -> server.counters().connections() == 0 && server.counters().inFlight() == 0);
  }

  /** The {@code put} layout of WIRE-FORMAT.md section 4, as a plain byte array. */
  private static byte[] put(String key, long ttlMillis, byte[] value) {
    byte[] k = bytes(key);
    return ByteBuffer.allocate(2 + k.length + 8 + value.length).putShort((short) k.length).put(k)
        .putLong(ttlMillis).put(value).array();
  }

  /** The key of an {@code entry} (keyLength u16 | key | value), as text. */
  private static String entryKey(byte[] entry) {
    int keyLength = ByteBuffer.wrap(entry).getShort() & 0xFFFF;
    return new String(entry, 2, keyLength, StandardCharsets.UTF_8);
  }

  /** The value of an {@code entry}. */
  private static byte[] entryValue(byte[] entry) {
    int keyLength = ByteBuffer.wrap(entry).getShort() & 0xFFFF;
    return Arrays.copyOfRange(entry, 2 + keyLength, entry.length);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
