package io.tidecache.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tidecache.api.CacheOptions;
import io.tidecache.autoscaler.AutoscalerSettings;
import io.tidecache.server.ServerConfig.CacheConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Not thread-safe (JUnit's thread): the configuration: its defaults, the sample file, layering
 * (flags over the file, {@code cache.<name>.<key>} over {@code cache.<key>}), and every bad value
 * refused with a message naming the key, the value and the allowed range.
 */
class ServerConfigTest {

  @TempDir
  Path dir;

  @Test
  void defaultsAreTheDocumentedOnes() {
    ServerConfig c = ServerConfig.defaults();
    assertThat(c.bind()).isEqualTo("127.0.0.1");
    assertThat(c.tcpPort()).isEqualTo(7878);
    assertThat(c.httpPort()).isEqualTo(7879);
    assertThat(c.webSocketPath()).isEqualTo("/rsocket");
    assertThat(c.poolBytes()).isEqualTo(256L << 20);
    assertThat(c.engineThreads()).isEqualTo(Runtime.getRuntime().availableProcessors());
    assertThat(c.engineIdleSpin()).isEqualTo(Duration.ofNanos(50_000));
    assertThat(c.defaultCache()).isEqualTo("default");
    assertThat(c.tls()).isFalse();
    assertThat(c.tokens()).isEmpty();
    assertThat(c.maxInFlight()).isEqualTo(256);
    assertThat(c.maxFrameSize()).isEqualTo(0xFF_FFFF);
    assertThat(c.eventBuffer()).isEqualTo(256);
    assertThat(c.shutdownGrace()).isEqualTo(Duration.ofSeconds(10));
    assertThat(c.caches()).hasSize(1);
    CacheConfig cache = c.caches().getFirst();
    // The cache and autoscaler defaults are those of the modules themselves.
    assertThat(cache.options()).isEqualTo(CacheOptions.builder("default").build());
    assertThat(cache.autoscaler()).isEqualTo(AutoscalerSettings.defaults());
  }

  @Test
  void theSampleFileListsEveryKeyAndGivesTheDefaults() throws IOException {
    Path sample = Path.of("tidecache.properties.example");
    String text = Files.readString(sample);
    for (ConfigKeys.Key key : ConfigKeys.all()) {
      assertThat(text).as("the sample file documents " + key.written())
          .containsPattern("(?m)^#?" + java.util.regex.Pattern.quote(key.written()) + "=");
    }
    ServerConfig fromSample = ServerConfig.conclude(
        ConfigSource.of(Map.of(), ConfigSource.readFile(sample)));
    assertThat(fromSample).isEqualTo(ServerConfig.defaults());
  }

  @Test
  void theReadmeListsEveryKey() throws IOException {
    String readme = Files.readString(Path.of("..", "README.md"));
    for (ConfigKeys.Key key : ConfigKeys.all()) {
      assertThat(readme).as("README documents " + key.written()).contains("`" + key.written()
          + "`");
    }
  }

  @Test
  void flagsBeatTheFileAndANamedCacheBeatsEveryCache() throws IOException {
    Path file = dir.resolve("t.properties");
    Files.writeString(file, """
        tcp.port=1000
        http.port=1001
        caches=users, sessions
        cache.max-key-bytes=32
        cache.users.max-key-bytes=16
        cache.sessions.autoscaler.enabled=off
        cache.default-ttl=10m
        pool.size=64m
        """);
    Map<String, ConfigSource.Value> flags = ConfigSource.values(Map.of(
        "tcp.port", "2000",
        "cache.default-ttl", "250ms",
        "cache.sessions.shard-size", "1m"), "--set");
    ServerConfig c = ServerConfig.conclude(ConfigSource.of(flags, ConfigSource.readFile(file)));
    assertThat(c.tcpPort()).isEqualTo(2000);
    assertThat(c.httpPort()).isEqualTo(1001);
    assertThat(c.poolBytes()).isEqualTo(64L << 20);
    assertThat(c.caches()).extracting(CacheConfig::name).containsExactly("users", "sessions");
    assertThat(c.defaultCache()).isEqualTo("users");
    CacheConfig users = c.caches().get(0);
    CacheConfig sessions = c.caches().get(1);
    assertThat(users.options().maxKeyBytes()).isEqualTo(16);
    assertThat(sessions.options().maxKeyBytes()).isEqualTo(32);
    assertThat(users.options().defaultTtl()).isEqualTo(Duration.ofMillis(250));
    assertThat(sessions.options().shardBytes()).isEqualTo(1L << 20);
    assertThat(users.options().shardBytes()).isEqualTo(8L << 20);
    assertThat(users.autoscaler()).isNotNull();
    assertThat(sessions.autoscaler()).isNull();

    // A flag for every cache beats the file's value for one cache.
    ServerConfig flagged = ServerConfig.conclude(ConfigSource.of(
        ConfigSource.values(Map.of("cache.max-key-bytes", "100"), "--max-key-bytes"),
        ConfigSource.readFile(file)));
    assertThat(flagged.caches().get(0).options().maxKeyBytes()).isEqualTo(100);
  }

  @Test
  void autoscalerSettingsAndLimitsAreRead() {
    ServerConfig c = conclude(Map.of(
        "cache.autoscaler.sample-interval", "20ms",
        "cache.autoscaler.grow-occupancy", "0.9",
        "cache.autoscaler.shrink-occupancy", "0.2",
        "cache.autoscaler.grow-window", "1",
        "cache.autoscaler.shrink-window", "5",
        "cache.autoscaler.cooldown", "0",
        "cache.autoscaler.max-shards", "8",
        "max-in-flight", "16",
        "max-frame-size", "1m",
        "shutdown.grace", "2s"));
    AutoscalerSettings a = c.caches().getFirst().autoscaler();
    assertThat(a.sampleInterval()).isEqualTo(Duration.ofMillis(20));
    assertThat(a.growOccupancy()).isEqualTo(0.9);
    assertThat(a.shrinkOccupancy()).isEqualTo(0.2);
    assertThat(a.growWindow()).isEqualTo(1);
    assertThat(a.shrinkWindow()).isEqualTo(5);
    assertThat(a.cooldown()).isZero();
    assertThat(a.maxShards()).isEqualTo(8);
    assertThat(c.maxInFlight()).isEqualTo(16);
    assertThat(c.maxFrameSize()).isEqualTo(1 << 20);
    assertThat(c.shutdownGrace()).isEqualTo(Duration.ofSeconds(2));
  }

  @Test
  void connectionLimitsAreRead() {
    ServerConfig c = conclude(Map.of("setup-timeout", "250ms", "max-connections", "10",
        "max-connections-per-address", "3", "outbound-buffer", "64k"));
    assertThat(c.setupTimeout()).isEqualTo(Duration.ofMillis(250));
    assertThat(c.maxConnections()).isEqualTo(10);
    assertThat(c.maxConnectionsPerAddress()).isEqualTo(3);
    assertThat(c.outboundBuffer()).isEqualTo(64 << 10);
    ServerConfig d = ServerConfig.defaults();
    assertThat(d.setupTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(d.maxConnections()).isEqualTo(1024);
    assertThat(d.maxConnectionsPerAddress()).isZero();
    assertThat(d.outboundBuffer()).isEqualTo(256 << 10);
  }

  @Test
  void maxGrowStepIsReadForEveryCacheAndForOne() {
    ServerConfig c = conclude(Map.of("caches", "a,b",
        "cache.autoscaler.max-grow-step", "8",
        "cache.b.autoscaler.max-grow-step", "1"));
    assertThat(c.caches()).extracting(cache -> cache.autoscaler().maxGrowStep())
        .containsExactly(8, 1);
    assertThat(ServerConfig.defaults().caches().getFirst().autoscaler().maxGrowStep())
        .isEqualTo(AutoscalerSettings.DEFAULT_MAX_GROW_STEP);
  }

  @Test
  void tokensComeFromTheKeyAndTheFile() throws IOException {
    Path tokens = dir.resolve("tokens");
    Files.writeString(tokens, "# operators\nalpha-token\n\n  beta-token  \n");
    ServerConfig c = conclude(Map.of("auth.tokens", "gamma,delta",
        "auth.tokens-file", tokens.toString()));
    assertThat(c.tokens()).containsExactly("gamma", "delta", "alpha-token", "beta-token");
    assertThat(c.toString()).doesNotContain("gamma");
  }

  @Test
  void tlsNeedsBothReadableFiles() throws IOException {
    Path cert = Files.writeString(dir.resolve("c.pem"), "x");
    Path key = Files.writeString(dir.resolve("k.pem"), "x");
    ServerConfig c = conclude(Map.of("tls.cert", cert.toString(), "tls.key", key.toString()));
    assertThat(c.tls()).isTrue();
    assertThat(c.tlsCert()).isEqualTo(cert);
  }

  @Test
  void anEmptyDefaultCacheMeansNone() {
    assertThat(conclude(Map.of("default.cache", "")).defaultCache()).isNull();
    assertThat(conclude(Map.of("caches", "a,b", "default.cache", "b")).defaultCache())
        .isEqualTo("b");
  }

  @Test
  void sizesAndDurationsHaveTheirUnits() {
    assertThat(ConfigValues.size("16777215")).hasValue(16_777_215);
    assertThat(ConfigValues.size("1k")).hasValue(1024);
    assertThat(ConfigValues.size("256MiB")).hasValue(256L << 20);
    assertThat(ConfigValues.size("2g")).hasValue(2L << 30);
    assertThat(ConfigValues.size("1.5g")).isEmpty();
    assertThat(ConfigValues.size("-1")).isEmpty();
    assertThat(ConfigValues.size("99999999999999999t")).isEmpty();
    assertThat(ConfigValues.duration("0")).isZero();
    assertThat(ConfigValues.duration("250ms")).isEqualTo(Duration.ofMillis(250));
    assertThat(ConfigValues.duration("10m")).isEqualTo(Duration.ofMinutes(10));
    assertThat(ConfigValues.duration("3650d")).isEqualTo(Duration.ofDays(3650));
    assertThat(ConfigValues.duration("10")).isNull();
    assertThat(ConfigValues.duration("-1s")).isNull();
    assertThat(ConfigValues.formatDuration(Duration.ofMillis(1500))).isEqualTo("1500ms");
    assertThat(ConfigValues.formatSize(8L << 20)).isEqualTo("8m");
  }

  static Stream<Arguments> badValues() {
    return Stream.of(
        bad("bind", "", "is empty"),
        bad("bind", "203.0.113.7", "not an address of this machine"),
        bad("tcp.port", "70000", "0 to 65535"),
        bad("tcp.port", "-1", "0 to 65535"),
        bad("tcp.port", "seven", "not a whole number"),
        bad("http.port", "7878", "is the TCP port too"),
        bad("websocket.path", "rsocket", "a path starting with '/'"),
        bad("websocket.path", "/metrics", "not /metrics or /health"),
        bad("pool.size", "0", "1m to 1t"),
        bad("pool.size", "2t", "1m to 1t"),
        bad("pool.size", "lots", "not a size"),
        bad("engine.threads", "0", "auto (one per core) or 1 to 1024"),
        bad("engine.threads", "2000", "1 to 1024"),
        bad("engine.idle-spin", "11ms", "0 to 10ms"),
        bad("engine.idle-spin", "fast", "not a duration"),
        bad("caches", "a,,b", "cache name ''"),
        bad("caches", "a,a", "names cache 'a' twice"),
        bad("caches", "bad name!", "[A-Za-z0-9._-]"),
        bad("default.cache", "nope", "one of caches"),
        bad("auth.tokens", "a,,b", "an empty token"),
        bad("auth.tokens-file", "/no/such/tokens", "not a readable file"),
        bad("max-in-flight", "0", "1 to 1048576"),
        bad("max-frame-size", "63", "64 to 16777215"),
        bad("max-frame-size", "16m", "64 to 16777215"),
        bad("event-buffer", "0", "1 to 1048576"),
        bad("shutdown.grace", "11m", "0s to 10m"),
        bad("setup-timeout", "5ms", "10ms to 1h"),
        bad("setup-timeout", "2h", "10ms to 1h"),
        bad("max-connections", "0", "1 to 1048576"),
        bad("max-connections-per-address", "-1", "0 (no limit) to 1048576"),
        bad("outbound-buffer", "512", "1k to 1g"),
        bad("outbound-buffer", "2g", "1k to 1g"),
        bad("shutdown.grace", "10", "not a duration"),
        bad("shutdown.grace", "-1s", "not a duration"),
        bad("cache.max-key-bytes", "0", "1 to 65535"),
        bad("cache.max-key-bytes", "70000", "1 to 65535"),
        bad("cache.max-value-bytes", "17m", "0 to 16m"),
        bad("cache.shard-size", "100", "cannot hold one bucket"),
        bad("cache.shard-size", "512m", "larger than pool.size"),
        bad("cache.base-shards", "0", "1 to 1024"),
        bad("cache.base-shards", "2000", "1 to 1024"),
        bad("cache.default-ttl", "3651d", "0 (never expires) to 3650d"),
        bad("cache.default-ttl", "5x", "not a duration"),
        bad("cache.fail-closed", "maybe", "not true or false"),
        bad("cache.queue-capacity", "1000", "not a power of two"),
        bad("cache.queue-capacity", "8", "16 to 1048576"),
        bad("cache.lease-ttl", "10ms", "30ms to 1h"),
        bad("cache.autoscaler.enabled", "sometimes", "not true or false"),
        bad("cache.autoscaler.sample-interval", "0", "1ms to 1h"),
        bad("cache.autoscaler.sample-interval", "2h", "1ms to 1h"),
        bad("cache.autoscaler.grow-occupancy", "0.01", "0.05 to 1"),
        bad("cache.autoscaler.grow-occupancy", "1.5", "0.05 to 1"),
        bad("cache.autoscaler.grow-occupancy", "high", "not a number"),
        bad("cache.autoscaler.grow-eviction-rate", "-1", "0 (off) to 1000000000"),
        bad("cache.autoscaler.grow-p99-micros", "2e9", "0 (off) to 1000000000"),
        bad("cache.autoscaler.grow-window", "0", "1 to 10000"),
        bad("cache.autoscaler.shrink-occupancy", "0.8", "0 to below 0.75"),
        bad("cache.autoscaler.shrink-window", "2", "3 to 1000000"),
        bad("cache.autoscaler.shrink-margin", "0.6", "0 to 0.5"),
        bad("cache.autoscaler.cooldown", "25h", "0s to 24h"),
        bad("cache.autoscaler.max-shards", "0", "base-shards to 65536"),
        bad("cache.autoscaler.max-shards", "70000", "base-shards to 65536"),
        bad("cache.autoscaler.max-grow-step", "0", "1 to 64"),
        bad("cache.autoscaler.max-grow-step", "65", "1 to 64"),
        bad("cache.autoscaler.max-grow-step", "two", "not a whole number"));
  }

  private static Arguments bad(String key, String value, String allowed) {
    return Arguments.of(key, value, allowed);
  }

  @ParameterizedTest(name = "{0} = ''{1}''")
  @MethodSource("badValues")
  void everyBadValueIsRefusedNamingTheKeyTheValueAndTheRange(String key, String value,
      String expected) {
    assertThatThrownBy(() -> conclude(Map.of(key, value)))
        .isInstanceOf(ConfigException.class)
        .satisfies(e -> {
          List<String> problems = ((ConfigException) e).problems();
          assertThat(problems).as("one problem for one bad value").hasSize(1);
          String p = problems.getFirst();
          assertThat(p).startsWith(key + " = '");
          if (!key.equals("auth.tokens")) {
            assertThat(p).contains("'" + value + "'");
          }
          assertThat(p).contains("(--set)").contains("allowed: ").contains(expected);
        });
  }

  @Test
  void crossChecksNameBothSides() {
    assertProblem(Map.of("cache.base-shards", "4", "cache.autoscaler.max-shards", "2"),
        "cache.autoscaler.max-shards = '2' (--set) is below base-shards 4");
    assertProblem(Map.of("pool.size", "16m", "cache.base-shards", "3"),
        "pool.size = '16m' (--set) cannot lease the base shards of every cache "
            + "(default 3 x 8m = 25165824 bytes)");
    assertProblem(Map.of("tls.cert", "/tmp/x.pem"), "tls.cert = '/tmp/x.pem' (--set) is set "
        + "without tls.key; TLS needs both");
    assertProblem(Map.of("caches", "a,b", "cache.b.max-value-bytes", "-5"),
        "cache.b.max-value-bytes = '-5' (--set) is not a size");
    // A bad value for every cache is reported once, not once per cache.
    assertThatThrownBy(() -> conclude(Map.of("caches", "a,b,c", "cache.max-key-bytes", "0")))
        .satisfies(e -> assertThat(((ConfigException) e).problems()).hasSize(1));
  }

  @Test
  void unknownKeysAndUnknownCachesAreRefused() {
    assertProblem(Map.of("tcp.prot", "1"), "unknown key 'tcp.prot' (--set)");
    assertProblem(Map.of("cache.users.max-key-bytes", "8"),
        "cache.users.max-key-bytes (--set): no cache named 'users' in caches [default]");
    assertProblem(Map.of("cache.max-keys", "8"), "unknown key 'cache.max-keys'");
  }

  @Test
  void everyProblemIsReportedAtOnce() {
    Map<String, String> many = new LinkedHashMap<>();
    many.put("tcp.port", "x");
    many.put("pool.size", "y");
    many.put("cache.autoscaler.grow-window", "z");
    assertThatThrownBy(() -> conclude(many))
        .satisfies(e -> assertThat(((ConfigException) e).problems()).hasSize(3));
  }

  @Test
  void aTokenIsNeverEchoed() {
    assertThatThrownBy(() -> conclude(Map.of("auth.tokens", "s3cret with-space")))
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("s3cret")
            .contains("auth.tokens = '(hidden)'").contains("a space or a comma"));
  }

  @Test
  void anEmptyTokensFileIsRefused() throws IOException {
    Path empty = Files.writeString(dir.resolve("none"), "# nobody\n");
    assertProblem(Map.of("auth.tokens-file", empty.toString()), "holds no token");
  }

  @Test
  void anUnreadableConfigFileIsRefused() {
    assertThatThrownBy(() -> ConfigSource.readFile(dir.resolve("missing.properties")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("--config '").hasMessageContaining("cannot read the config file");
  }

  private static void assertProblem(Map<String, String> values, String expected) {
    assertThatThrownBy(() -> conclude(values))
        .isInstanceOf(ConfigException.class)
        .satisfies(e -> assertThat(((ConfigException) e).problems())
            .anySatisfy(p -> assertThat(p).contains(expected)));
  }

  @Test
  void idleSpinTakesMicroseconds() {
    assertThat(conclude(Map.of("engine.idle-spin", "200us")).engineIdleSpin())
        .isEqualTo(Duration.ofNanos(200_000));
    assertThat(conclude(Map.of("engine.idle-spin", "0")).engineIdleSpin()).isZero();
    assertThat(ConfigValues.formatDuration(Duration.ofNanos(50_000))).isEqualTo("50us");
  }

  private static ServerConfig conclude(Map<String, String> values) {
    return ServerConfig.conclude(ConfigSource.of(ConfigSource.values(values, "--set"),
        Map.of()));
  }
}
