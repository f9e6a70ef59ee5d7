package io.tidecache.server;

import static org.assertj.core.api.Assertions.assertThat;

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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import reactor.core.publisher.Flux;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Not thread-safe (JUnit's thread): the Grafana dashboard ({@code docs/grafana/tidecache.json})
 * cannot drift from the code. A real server runs in this JVM with one autoscaled cache; a client
 * fills it past one shard so that the autoscaler grows it and a rehash runs; then {@code /metrics}
 * is scraped, and every metric name in every PromQL expression of the dashboard (panels,
 * annotations, variables) must be one the server exported. The dashboard must also be importable
 * as it is: a Prometheus data source variable, unique panel ids, a grid position for each panel.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DashboardTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  static final Path DASHBOARD = Path.of(System.getProperty("tidecache.repo.root", ".."),
      "docs", "grafana", "tidecache.json");
  /** PromQL words that are not metric names. */
  private static final Set<String> PROMQL_WORDS = Set.of("sum", "min", "max", "avg", "count",
      "stddev", "stdvar", "topk", "bottomk", "quantile", "count_values", "group", "by", "without",
      "on", "ignoring", "group_left", "group_right", "bool", "offset", "and", "or", "unless",
      "rate", "irate", "increase", "delta", "idelta", "deriv", "changes", "resets",
      "histogram_quantile", "clamp_min", "clamp_max", "abs", "ceil", "floor", "round", "vector",
      "scalar", "time", "label_values", "label_replace", "sort", "sort_desc", "max_over_time",
      "min_over_time", "avg_over_time", "sum_over_time", "last_over_time", "absent", "le",
      "query_result", "metrics", "inf");

  private final StringWriter logText = new StringWriter();
  private JsonLog log;
  private TideCacheServer server;
  private String scrape;

  @BeforeAll
  void startGrowAndScrape() throws Exception {
    log = new JsonLog(new PrintWriter(logText, true), java.time.Clock.systemUTC());
    ServerConfig config = ServerConfig.conclude(ConfigSource.of(ConfigSource.values(Map.ofEntries(
        Map.entry("tcp.port", "0"),
        Map.entry("http.port", "0"),
        Map.entry("pool.size", "8m"),
        Map.entry("engine.threads", "1"),
        Map.entry("caches", "elastic"),
        Map.entry("cache.max-key-bytes", "16"),
        Map.entry("cache.max-value-bytes", "16"),
        Map.entry("cache.shard-size", "32k"),
        Map.entry("cache.autoscaler.sample-interval", "20ms"),
        Map.entry("cache.autoscaler.grow-window", "1"),
        Map.entry("cache.autoscaler.cooldown", "0"),
        Map.entry("cache.autoscaler.max-shards", "4"),
        Map.entry("shutdown.grace", "2s")), "test"), Map.of()));
    server = TideCacheServer.start(config, log);
    InetSocketAddress tcp = server.tcpAddress();
    RSocketCacheClient client = RSocketCacheClient.builder("elastic")
        .tcp(tcp.getHostString(), tcp.getPort()).connect().block(WAIT);
    try {
      long capacity = client.stats().block(WAIT).capacity();
      Flux.range(0, 2 * (int) capacity).flatMap(i -> client.put(key(i), new byte[16]), 32)
          .blockLast(WAIT);
      ServerEndToEndTest.await("a grow and its rehash", () ->
          logText.toString().contains("\"event\":\"rehash.completed\""));
      Flux.range(0, 4 * (int) capacity).flatMap(i -> client.get(key(i)), 32).blockLast(WAIT);
      client.remove(key(0)).block(WAIT);
      scrape = httpGet(server.httpAddress(), "/metrics");
    } finally {
      client.close().block(WAIT);
    }
    Files.writeString(Path.of("target", "dashboard-test-scrape.txt"), scrape);
  }

  @AfterAll
  void stop() {
    if (server != null) {
      assertThat(server.stop("test").clean()).isTrue();
      log.close();
    }
  }

  @Test
  void everyMetricTheDashboardQueriesIsExportedByTheServer() throws IOException {
    Set<String> exported = exportedSamples(scrape);
    List<String> expressions = expressions(JsonMapper.builder().build()
        .readTree(Files.readString(DASHBOARD)));
    assertThat(expressions).as("PromQL expressions in %s", DASHBOARD).hasSizeGreaterThan(15);
    Set<String> queried = new TreeSet<>();
    for (String expr : expressions) {
      Set<String> names = metricNames(expr);
      assertThat(names).as("metric names in: %s", expr).isNotEmpty();
      queried.addAll(names);
    }
    Set<String> missing = new TreeSet<>(queried);
    missing.removeAll(exported);
    assertThat(missing).as("queried by the dashboard but not exported (scrape in "
        + "target/dashboard-test-scrape.txt)").isEmpty();
    // what the issue asks the dashboard to show
    assertThat(queried).contains("tidecache_shards", "tidecache_leased_bytes",
        "tidecache_gets_total", "tidecache_get_latency_seconds_bucket",
        "tidecache_write_latency_seconds_bucket", "tidecache_evictions_total",
        "tidecache_admission_rejections_total", "tidecache_rehash_duration_seconds_sum",
        "tidecache_rehash_moved_total", "tidecache_autoscaler_decisions_total",
        "tidecache_pool_free_bytes", "tidecache_transport_connections",
        "tidecache_transport_refusals_total");
  }

  @Test
  void theMetricNameCheckItselfCatchesAnUnknownName() {
    Set<String> exported = exportedSamples(scrape);
    Set<String> names = metricNames(
        "histogram_quantile(0.99, sum by (le, shard) (rate(tidecache_get_latency_seconds_bucket"
            + "{cache=~\"$cache\"}[$__rate_interval]))) / tidecache_no_such_metric");
    assertThat(names).containsExactlyInAnyOrder("tidecache_get_latency_seconds_bucket",
        "tidecache_no_such_metric");
    assertThat(exported).contains("tidecache_get_latency_seconds_bucket")
        .doesNotContain("tidecache_no_such_metric");
  }

  @Test
  void theDashboardIsImportableAsItIs() throws IOException {
    JsonNode root = JsonMapper.builder().build().readTree(Files.readString(DASHBOARD));
    assertThat(root.path("title").asString()).isNotBlank();
    assertThat(root.path("uid").asString()).matches("[a-zA-Z0-9_-]{1,40}");
    assertThat(root.path("schemaVersion").asInt()).isGreaterThanOrEqualTo(36);
    assertThat(root.has("id")).as("no id: Grafana assigns one on import").isFalse();
    List<String> variables = new ArrayList<>();
    for (JsonNode v : root.path("templating").path("list")) {
      variables.add(v.path("name").asString());
    }
    assertThat(variables).contains("datasource", "cache");
    JsonNode ds = root.path("templating").path("list").get(0);
    assertThat(ds.path("type").asString()).isEqualTo("datasource");
    assertThat(ds.path("query").asString()).isEqualTo("prometheus");
    Set<Integer> ids = new HashSet<>();
    for (JsonNode panel : panels(root)) {
      assertThat(ids.add(panel.path("id").asInt())).as("unique id %s", panel.path("id")).isTrue();
      assertThat(panel.path("gridPos").path("w").asInt()).isBetween(1, 24);
      assertThat(panel.path("gridPos").path("h").asInt()).isPositive();
      if (!panel.path("type").asString().equals("row")) {
        assertThat(panel.path("datasource").path("uid").asString())
            .as("panel %s", panel.path("title")).isEqualTo("${datasource}");
        assertThat(panel.path("targets")).as("panel %s", panel.path("title")).isNotEmpty();
      }
    }
    assertThat(ids).hasSizeGreaterThan(10);
  }

  /** Every sample name of a Prometheus text scrape ({@code name{labels} value}). */
  static Set<String> exportedSamples(String scrape) {
    Set<String> names = new HashSet<>();
    for (String line : scrape.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      Matcher m = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)").matcher(line);
      if (m.find()) {
        names.add(m.group(1));
      }
    }
    return names;
  }

  /** The PromQL of every panel target, annotation and query variable. */
  static List<String> expressions(JsonNode root) {
    List<String> out = new ArrayList<>();
    for (JsonNode panel : panels(root)) {
      for (JsonNode target : panel.path("targets")) {
        out.add(target.path("expr").asString());
      }
    }
    for (JsonNode a : root.path("annotations").path("list")) {
      if (a.has("expr")) {
        out.add(a.path("expr").asString());
      }
    }
    for (JsonNode v : root.path("templating").path("list")) {
      if (v.path("type").asString().equals("query")) {
        JsonNode q = v.path("query");
        out.add(q.isObject() ? q.path("query").asString() : q.asString());
      }
    }
    return out;
  }

  private static List<JsonNode> panels(JsonNode root) {
    List<JsonNode> all = new ArrayList<>();
    for (JsonNode p : root.path("panels")) {
      all.add(p);
      for (JsonNode inner : p.path("panels")) {
        all.add(inner);
      }
    }
    return all;
  }

  /**
   * The metric names in a PromQL expression: identifiers that are not PromQL words, label names
   * (inside braces and grouping clauses), strings, durations or Grafana variables.
   */
  static Set<String> metricNames(String expr) {
    String e = expr.replaceAll("\"(\\\\.|[^\"\\\\])*\"", "\"\"") // strings
        .replaceAll("\\{[^}]*}", "{}") // label matchers
        .replaceAll("\\[[^]]*]", "[]") // ranges
        .replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", "$1()")
        .replaceAll("\\$\\{?[A-Za-z_][A-Za-z0-9_]*}?", " "); // $cache, ${datasource}
    e = e.replaceAll("label_values\\(\\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\\s*,\\s*[a-zA-Z_]+\\s*\\)",
        "label_values($1)");
    Set<String> names = new TreeSet<>();
    Matcher m = Pattern.compile("(?<![0-9.])\\b[a-zA-Z_:][a-zA-Z0-9_:]*\\b").matcher(e);
    while (m.find()) {
      String word = m.group();
      if (!PROMQL_WORDS.contains(word.toLowerCase(java.util.Locale.ROOT))
          && !word.matches("\\d.*")) {
        names.add(word);
      }
    }
    return names;
  }

  private static String httpGet(InetSocketAddress http, String path)
      throws IOException, InterruptedException {
    try (HttpClient c = HttpClient.newHttpClient()) {
      return c.send(HttpRequest.newBuilder(URI.create("http://" + http.getHostString() + ":"
              + http.getPort() + path)).timeout(WAIT).build(),
          HttpResponse.BodyHandlers.ofString()).body();
    }
  }

  private static byte[] key(int i) {
    return ByteBuffer.allocate(8).putLong(0xda5b0000L + i).array();
  }
}
