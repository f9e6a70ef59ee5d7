package io.tidecache.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.tidecache.api.CacheClosed;
import io.tidecache.api.CacheStats;
import io.tidecache.api.Codecs;
import io.tidecache.api.TypedCache;
import io.tidecache.transport.rsocket.RSocketCacheClient;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

/**
 * Not thread-safe (JUnit's thread): one server started in this JVM the way {@code serve} starts
 * it, on ephemeral loopback ports, with two caches: {@code users} (autoscaler off) and
 * {@code elastic} (small shards, a 20 ms sample interval, grow after one sample). Clients call it
 * over TCP (a scan included) and over WebSocket; {@code /metrics} is scraped over HTTP; the
 * {@code events} stream carries the autoscaler's decisions and the engine's shard events; and the
 * stop at the end releases every lease. BlockHound watches every thread.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ServerEndToEndTest {
  private static final Duration WAIT = Duration.ofSeconds(20);

  private final StringWriter logText = new StringWriter();
  private JsonLog log;
  private TideCacheServer server;
  private InetSocketAddress tcp;
  private InetSocketAddress http;

  @BeforeAll
  void start() {
    log = new JsonLog(new PrintWriter(logText, true), java.time.Clock.systemUTC());
    LogBridge.install(log);
    ServerConfig config = ServerConfig.conclude(ConfigSource.of(ConfigSource.values(Map.ofEntries(
        Map.entry("tcp.port", "0"),
        Map.entry("http.port", "0"),
        Map.entry("pool.size", "16m"),
        Map.entry("engine.threads", "1"),
        Map.entry("caches", "users,elastic"),
        Map.entry("cache.shard-size", "1m"),
        Map.entry("cache.users.autoscaler.enabled", "false"),
        Map.entry("cache.elastic.max-key-bytes", "16"),
        Map.entry("cache.elastic.max-value-bytes", "16"),
        Map.entry("cache.elastic.shard-size", "32k"),
        Map.entry("cache.elastic.autoscaler.sample-interval", "20ms"),
        Map.entry("cache.elastic.autoscaler.grow-window", "1"),
        Map.entry("cache.elastic.autoscaler.cooldown", "0"),
        Map.entry("cache.elastic.autoscaler.max-shards", "4"),
        Map.entry("shutdown.grace", "2s")), "test"), Map.of()));
    server = TideCacheServer.start(config, log);
    tcp = server.tcpAddress();
    http = server.httpAddress();
  }

  @AfterAll
  void stop() {
    if (server != null) {
      TideCacheServer.StopReport report = server.stop("test");
      assertThat(report.clean()).as("stop report %s", report).isTrue();
      assertThat(report.leasesActive()).isZero();
      assertThat(report.leasesReleased()).isPositive();
      assertThat(report.poolFreeBytes()).isEqualTo(report.poolBytes());
      log.close();
      assertThat(logText.toString()).contains("\"event\":\"stopping\"")
          .contains("\"event\":\"stopped\"").contains("\"leasesActive\":0")
          .doesNotContain("\"level\":\"error\"").doesNotContain("\"level\":\"warn\"");
    }
  }

  @Test
  @Order(1)
  void startLogsWhereItListensAsJsonLines() {
    assertThat(log.flush(WAIT)).isTrue();
    String[] lines = logText.toString().split("\n");
    assertThat(lines).allSatisfy(l -> assertThat(l).startsWith("{\"ts\":\"").endsWith("}"));
    assertThat(logText.toString())
        .contains("\"event\":\"listening\",\"transport\":\"tcp\",\"host\":\"127.0.0.1\",\"port\":"
            + tcp.getPort() + ",\"url\":\"tcp://127.0.0.1:" + tcp.getPort() + "\"")
        .contains("\"url\":\"ws://127.0.0.1:" + http.getPort() + "/rsocket\"")
        .contains("\"url\":\"http://127.0.0.1:" + http.getPort() + "/metrics\"")
        .contains("\"event\":\"started\"").contains("transport-rsocket/WIRE-FORMAT.md");
    assertThat(tcp.getAddress().isLoopbackAddress()).isTrue();
  }

  @Test
  @Order(2)
  void aClientOverTcpPutsGetsAndRemoves() {
    RSocketCacheClient client = RSocketCacheClient.builder("users")
        .tcp(tcp.getHostString(), tcp.getPort()).connect().block(WAIT);
    try {
      TypedCache<String, String> users = client.typed(Codecs.STRING, Codecs.STRING);
      putGetRemove(users, "tcp");
      users.put("scan-1", "a").block(WAIT);
      users.put("scan-2", "b").block(WAIT);
      // cache.scan through the server's drain gate: every entry once
      assertThat(users.scan().map(e -> e.key() + "=" + e.value()).collectList().block(WAIT))
          .containsExactlyInAnyOrder("scan-1=a", "scan-2=b");
    } finally {
      client.close().block(WAIT);
    }
  }

  @Test
  @Order(3)
  void aClientOverWebSocketPutsGetsAndRemoves() {
    RSocketCacheClient client = RSocketCacheClient.builder("users")
        .webSocket(http.getHostString(), http.getPort(), "/rsocket").connect().block(WAIT);
    try {
      putGetRemove(client.typed(Codecs.STRING, Codecs.STRING), "ws");
      CacheStats stats = client.stats().block(WAIT);
      assertThat(stats.cache()).isEqualTo("users");
      assertThat(stats.puts()).isGreaterThanOrEqualTo(2);
    } finally {
      client.close().block(WAIT);
    }
  }

  private static void putGetRemove(TypedCache<String, String> cache, String tag) {
    StepVerifier.create(cache.put("id-" + tag, "Ada"))
        .verifyComplete();
    StepVerifier.create(cache.get("id-" + tag)).expectNext("Ada").verifyComplete();
    StepVerifier.create(cache.remove("id-" + tag)).expectNext(true).verifyComplete();
    StepVerifier.create(cache.get("id-" + tag)).verifyComplete();
  }

  @Test
  @Order(4)
  void metricsAreScrapedOverHttp() throws IOException, InterruptedException {
    HttpResponse<String> health = httpGet("/health");
    assertThat(health.statusCode()).isEqualTo(200);
    assertThat(health.body()).contains("UP");

    HttpResponse<String> scrape = httpGet("/metrics");
    assertThat(scrape.statusCode()).isEqualTo(200);
    assertThat(scrape.headers().firstValue("content-type")).hasValueSatisfying(
        t -> assertThat(t).startsWith("text/plain"));
    String body = scrape.body();
    assertThat(body)
        .contains("tidecache_shards{cache=\"users\"} 1")
        .contains("tidecache_pool_free_bytes ")
        .contains("tidecache_leases_active ")
        .containsPattern("tidecache_gets_total\\{cache=\"users\",result=\"hit\",shard=\"0\"} "
            + "[1-9]")
        .contains("tidecache_autoscaler_decisions_total{action=\"grow\",applied=\"true\","
            + "cache=\"elastic\"}")
        .contains("tidecache_autoscaler_decisions_total{action=\"hold\",applied=\"false\","
            + "cache=\"elastic\"}")
        .contains("tidecache_transport_refusals_total{reason=\"unknown_route\"}")
        .contains("tidecache_transport_connections ")
        .contains("jvm_memory_used_bytes")
        .doesNotContain("remote_address");
    assertThat(body).as("no autoscaler for a cache that has it off")
        .doesNotContain("tidecache_autoscaler_decisions_total{action=\"grow\",applied=\"true\","
            + "cache=\"users\"}");
  }

  @Test
  @Order(5)
  void theEventsStreamCarriesScaleDecisionsAndShardEvents() {
    RSocketCacheClient client = RSocketCacheClient.builder("elastic")
        .tcp(tcp.getHostString(), tcp.getPort()).connect().block(WAIT);
    Queue<String> events = new ConcurrentLinkedQueue<>();
    Disposable watching = client.events().subscribe(events::add);
    try {
      // Every sample is published, HOLD included: the first one proves the stream is live.
      await("a first decision on the events stream",
          () -> events.stream().anyMatch(e -> e.contains("\"type\":\"ScaleDecision\"")));
      long capacity = client.stats().block(WAIT).capacity();
      // Write twice as many keys as the one shard holds: occupancy passes 0.85 (and evictions
      // 100 per second), so the next sample grows it.
      Flux.range(0, 2 * (int) capacity)
          .flatMap(i -> client.put(key(i), new byte[16]), 32)
          .blockLast(WAIT);
      await(() -> "a GROW decision and a shard added; stats " + client.stats().block(WAIT)
          + "; last events " + last(events, 6), () ->
          events.stream().anyMatch(e -> e.contains("\"type\":\"ScaleDecision\"")
              && e.contains("\"action\":\"GROW\"") && e.contains("\"applied\":true"))
          && events.stream().anyMatch(e -> e.contains("\"type\":\"ShardAdded\"")
              && e.contains("\"cache\":\"elastic\"")));
      assertThat(events).anySatisfy(e -> assertThat(e)
          .startsWith("{\"type\":\"ScaleDecision\",\"cache\":\"elastic\",\"action\":\"GROW\""));
      await("the decision in the server's log", () -> logText.toString().contains(
          "\"event\":\"scale.decision\",\"cache\":\"elastic\",\"action\":\"GROW\""));
      // The first grow of an episode adds one shard: the log says where it goes.
      assertThat(logText.toString()).contains("\"event\":\"scale.decision\",\"cache\":"
          + "\"elastic\",\"action\":\"GROW\",\"applied\":true,\"shards\":1,"
          + "\"targetShards\":2,");
      await("two shards", () -> client.stats().block(WAIT).shards() >= 2);
    } finally {
      watching.dispose();
      client.close().block(WAIT);
    }
  }

  @Test
  @Order(6)
  void whileStoppingNewRequestsAreRefusedAndEventStreamsEnd() {
    RSocketCacheClient client = RSocketCacheClient.builder("users")
        .tcp(tcp.getHostString(), tcp.getPort()).connect().block(WAIT);
    Queue<String> events = new ConcurrentLinkedQueue<>();
    AtomicBoolean completed = new AtomicBoolean();
    Disposable watching = client.events()
        .subscribe(events::add, e -> { }, () -> completed.set(true));
    try {
      // The elastic cache's autoscaler publishes a decision every 20 ms.
      await("the events stream to be live", () -> !events.isEmpty());
      server.gate().close(); // the first step of stop(), on its own
      StepVerifier.create(client.get(key(1)))
          .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(CacheClosed.class)
              .hasMessageContaining("cache 'users' is closed"))
          .verify(WAIT);
      TideCacheServer.StopReport report = server.stop("test");
      await("the events stream to complete", completed::get);
      assertThat(report.refusedWhileStopping()).isPositive();
      assertThat(report.drained()).isTrue();
      assertThat(report.abandoned()).isZero();
      assertThat(report.requests()).isPositive();
      assertThat(report.clean()).isTrue();
    } finally {
      watching.dispose();
      client.close().block(WAIT);
    }
  }

  private HttpResponse<String> httpGet(String path) throws IOException, InterruptedException {
    try (HttpClient c = HttpClient.newHttpClient()) {
      return c.send(HttpRequest.newBuilder(URI.create("http://" + http.getHostString() + ":"
              + http.getPort() + path)).timeout(WAIT).build(),
          HttpResponse.BodyHandlers.ofString());
    }
  }

  private static byte[] key(int i) {
    return ByteBuffer.allocate(8).putLong(0x5eed0000L + i).array();
  }

  static void await(String what, BooleanSupplier condition) {
    await(() -> what, condition);
  }

  static void await(Supplier<String> what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what.get());
      }
      Thread.onSpinWait();
    }
  }

  private static List<String> last(Queue<String> events, int n) {
    List<String> all = List.copyOf(events);
    return all.subList(Math.max(0, all.size() - n), all.size());
  }
}
