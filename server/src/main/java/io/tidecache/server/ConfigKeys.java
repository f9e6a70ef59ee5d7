package io.tidecache.server;

import io.tidecache.api.CacheOptions;
import io.tidecache.autoscaler.AutoscalerSettings;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Constants: every configuration key of {@code tidecache serve}, its default and what it allows,
 * in one place. {@link ServerConfig#conclude} reads them; {@code tidecache.properties.example}
 * and the README list them (a test checks that none is missing there).
 *
 * <p>Server keys are written as they are ({@code tcp.port=7878}). Cache keys apply to every cache
 * as {@code cache.<key>} and to one cache as {@code cache.<name>.<key>}; the narrower one wins
 * within the same source, and a flag beats the file whatever its width.
 */
final class ConfigKeys {
  private ConfigKeys() {}

  /** Where a key applies. */
  enum Scope { SERVER, CACHE }

  /** One key: its name (for cache keys, without the {@code cache.[<name>.]} prefix). */
  record Key(String name, Scope scope, String defaultText, String allowed, String doc) {
    /** The name as written for every cache ({@code cache.<name>}) or as is. */
    String written() {
      return scope == Scope.CACHE ? "cache." + name : name;
    }
  }

  // Server keys.
  static final String BIND = "bind";
  static final String TCP_PORT = "tcp.port";
  static final String HTTP_PORT = "http.port";
  static final String WEBSOCKET_PATH = "websocket.path";
  static final String POOL_SIZE = "pool.size";
  static final String ENGINE_THREADS = "engine.threads";
  static final String ENGINE_IDLE_SPIN = "engine.idle-spin";
  static final String CACHES = "caches";
  static final String DEFAULT_CACHE = "default.cache";
  static final String TLS_CERT = "tls.cert";
  static final String TLS_KEY = "tls.key";
  static final String AUTH_TOKENS = "auth.tokens";
  static final String AUTH_TOKENS_FILE = "auth.tokens-file";
  static final String MAX_IN_FLIGHT = "max-in-flight";
  static final String MAX_FRAME_SIZE = "max-frame-size";
  static final String EVENT_BUFFER = "event-buffer";
  static final String SETUP_TIMEOUT = "setup-timeout";
  static final String MAX_CONNECTIONS = "max-connections";
  static final String MAX_CONNECTIONS_PER_ADDRESS = "max-connections-per-address";
  static final String OUTBOUND_BUFFER = "outbound-buffer";
  static final String SHUTDOWN_GRACE = "shutdown.grace";

  // Cache keys (cache.<key> or cache.<name>.<key>).
  static final String MAX_KEY_BYTES = "max-key-bytes";
  static final String MAX_VALUE_BYTES = "max-value-bytes";
  static final String SHARD_SIZE = "shard-size";
  static final String BASE_SHARDS = "base-shards";
  static final String DEFAULT_TTL = "default-ttl";
  static final String FAIL_CLOSED = "fail-closed";
  static final String QUEUE_CAPACITY = "queue-capacity";
  static final String LEASE_TTL = "lease-ttl";
  static final String AUTOSCALER = "autoscaler.enabled";
  static final String SAMPLE_INTERVAL = "autoscaler.sample-interval";
  static final String GROW_OCCUPANCY = "autoscaler.grow-occupancy";
  static final String GROW_EVICTION_RATE = "autoscaler.grow-eviction-rate";
  static final String GROW_P99_MICROS = "autoscaler.grow-p99-micros";
  static final String GROW_WINDOW = "autoscaler.grow-window";
  static final String SHRINK_OCCUPANCY = "autoscaler.shrink-occupancy";
  static final String SHRINK_WINDOW = "autoscaler.shrink-window";
  static final String SHRINK_MARGIN = "autoscaler.shrink-margin";
  static final String COOLDOWN = "autoscaler.cooldown";
  static final String MAX_SHARDS = "autoscaler.max-shards";
  static final String MAX_GROW_STEP = "autoscaler.max-grow-step";

  static final int DEFAULT_TCP_PORT = 7878;
  static final int DEFAULT_HTTP_PORT = 7879;
  static final int MAX_CACHES = 64;

  private static final Map<String, Key> KEYS = new LinkedHashMap<>();

  static {
    server(BIND, "127.0.0.1", "an IP address or host name of this machine",
        "address every listener binds (loopback by default; 0.0.0.0 for all interfaces)");
    server(TCP_PORT, Integer.toString(DEFAULT_TCP_PORT), "0 to 65535 (0: any free port)",
        "RSocket over TCP");
    server(HTTP_PORT, Integer.toString(DEFAULT_HTTP_PORT),
        "0 to 65535 (0: any free port), not the TCP port",
        "HTTP: RSocket over WebSocket, /metrics and /health");
    server(WEBSOCKET_PATH, "/rsocket", "a path starting with '/', not /metrics or /health",
        "path of the WebSocket endpoint");
    server(POOL_SIZE, "256m", "1m to 1t; at least the base shards of every cache",
        "memory budget leased to shards (k, m, g, t: powers of 1024)");
    server(ENGINE_THREADS, "auto", "auto (one per core) or 1 to 1024",
        "engine threads shared by all shards");
    server(ENGINE_IDLE_SPIN, "50us", "0 to 10ms",
        "how long an engine thread out of work stays awake before it parks: longer lowers write "
            + "latency under steady load and costs CPU");
    server(CACHES, "default", "1 to " + MAX_CACHES + " distinct names of 1 to 255 characters of "
        + "[A-Za-z0-9._-], comma-separated", "the named caches to create");
    server(DEFAULT_CACHE, "(the first of caches)", "one of caches, or empty for none",
        "the cache that routes without a .<cache> suffix address");
    server(TLS_CERT, "(none)", "a readable PEM certificate chain; needs tls.key",
        "TLS on TCP and WebSocket (tcp+tls://, wss://, https:// for /metrics)");
    server(TLS_KEY, "(none)", "a readable PKCS#8 PEM private key; needs tls.cert",
        "the private key of tls.cert");
    server(AUTH_TOKENS, "(none)", "comma-separated tokens without spaces",
        "when any token is set (here or in auth.tokens-file), clients must present one at SETUP");
    server(AUTH_TOKENS_FILE, "(none)", "a readable file: one token per line, # comments",
        "tokens kept out of the command line and the config file");
    server(MAX_IN_FLIGHT, "256", "1 to 1048576",
        "requests, streams and channels in flight per connection before REJECTED");
    server(MAX_FRAME_SIZE, "16777215", "64 to 16777215 (16m - 1)",
        "largest inbound RSocket frame (larger payloads come fragmented)");
    server(EVENT_BUFFER, "256", "1 to 1048576",
        "events kept for a slow events subscriber before the oldest are dropped (counted)");
    server(SETUP_TIMEOUT, "10s", "10ms to 1h",
        "how long a new connection may take to send its SETUP (then SETUP_TIMEOUT, closed); "
            + "also how long an HTTP connection may stay idle");
    server(MAX_CONNECTIONS, "1024", "1 to 1048576",
        "RSocket connections open at once, TCP and WebSocket together (past it: "
            + "TOO_MANY_CONNECTIONS, closed)");
    server(MAX_CONNECTIONS_PER_ADDRESS, "0", "0 (no limit) to 1048576",
        "RSocket connections open at once from one client IP address");
    server(OUTBOUND_BUFFER, "256k", "1k to 1g",
        "bytes queued for one client past which its requests are no longer read and its "
            + "streams wait, until it has read half of them");
    server(SHUTDOWN_GRACE, "10s", "0s to 10m",
        "on SIGTERM, how long in-flight requests may take to finish");

    cache(MAX_KEY_BYTES, "64", "1 to " + CacheOptions.MAX_KEY_BYTES, "key stride: longest key");
    cache(MAX_VALUE_BYTES, "256", "0 to 16m", "value stride: longest value");
    cache(SHARD_SIZE, "8m", "one bucket of 16 slots (depends on the strides) to pool.size",
        "bytes leased per shard");
    cache(BASE_SHARDS, "1", "1 to 1024", "shards always present");
    cache(DEFAULT_TTL, "0", "0 (never expires) to 3650d",
        "time to live of a put without its own (units ms, s, m, h, d)");
    cache(FAIL_CLOSED, "false", "true or false",
        "on a lost lease: false = gets miss and writes are dropped (counted) while the shard is "
        + "rebuilt; true = they fail with LEASE_EXPIRED");
    cache(QUEUE_CAPACITY, "4096", "a power of two, 16 to 1048576",
        "commands waiting per shard before callers get OVERLOADED");
    cache(LEASE_TTL, "30s", "30ms to 1h", "how long a shard's lease lives unless renewed");
    cache(AUTOSCALER, "true", "true or false", "grow and shrink this cache at run time");
    cache(SAMPLE_INTERVAL, time(AutoscalerSettings.DEFAULT_SAMPLE_INTERVAL), "1ms to 1h",
        "how often the autoscaler samples the cache");
    cache(GROW_OCCUPANCY, num(AutoscalerSettings.DEFAULT_GROW_OCCUPANCY), "0.05 to 1",
        "grow when entries over slots reach this");
    cache(GROW_EVICTION_RATE, num(AutoscalerSettings.DEFAULT_GROW_EVICTION_RATE),
        "0 (off) to 1000000000", "grow when evictions per second reach this");
    cache(GROW_P99_MICROS, num(AutoscalerSettings.DEFAULT_GROW_P99_MICROS),
        "0 (off) to 1000000000", "grow when the get p99 latency (microseconds) reaches this");
    cache(GROW_WINDOW, Integer.toString(AutoscalerSettings.DEFAULT_GROW_WINDOW), "1 to 10000",
        "consecutive samples with grow pressure before a grow");
    cache(SHRINK_OCCUPANCY, num(AutoscalerSettings.DEFAULT_SHRINK_OCCUPANCY),
        "0 to below grow-occupancy - shrink-margin",
        "shrink when occupancy is at most this and nothing is evicted");
    cache(SHRINK_WINDOW, Integer.toString(AutoscalerSettings.DEFAULT_SHRINK_WINDOW),
        "grow-window to 1000000", "consecutive samples with shrink pressure before a shrink");
    cache(SHRINK_MARGIN, num(AutoscalerSettings.DEFAULT_SHRINK_MARGIN),
        "0 to 0.5, below grow-occupancy",
        "how far below grow-occupancy the occupancy after a shrink must stay");
    cache(COOLDOWN, time(AutoscalerSettings.DEFAULT_COOLDOWN), "0s to 24h",
        "no other change for this long after an applied one");
    cache(MAX_SHARDS, Integer.toString(AutoscalerSettings.DEFAULT_MAX_SHARDS),
        "base-shards to " + AutoscalerSettings.MAX_SHARDS_LIMIT, "never grow past this");
    cache(MAX_GROW_STEP, Integer.toString(AutoscalerSettings.DEFAULT_MAX_GROW_STEP),
        "1 to " + AutoscalerSettings.MAX_GROW_STEP_LIMIT,
        "most shards one grow adds (1, 2, 4... while the pressure persists; 1: one at a time)");
  }

  private static void server(String name, String def, String allowed, String doc) {
    KEYS.put(name, new Key(name, Scope.SERVER, def, allowed, doc));
  }

  private static void cache(String name, String def, String allowed, String doc) {
    KEYS.put(name, new Key(name, Scope.CACHE, def, allowed, doc));
  }

  /** Every key, server keys first, in documentation order. */
  static List<Key> all() {
    return List.copyOf(KEYS.values());
  }

  static Key key(String name) {
    Key k = KEYS.get(name);
    if (k == null) {
      throw new IllegalArgumentException("no such key: " + name);
    }
    return k;
  }

  static Optional<Key> server(String name) {
    Key k = KEYS.get(name);
    return k != null && k.scope() == Scope.SERVER ? Optional.of(k) : Optional.empty();
  }

  static Optional<Key> cache(String name) {
    Key k = KEYS.get(name);
    return k != null && k.scope() == Scope.CACHE ? Optional.of(k) : Optional.empty();
  }

  /** A number as an operator writes it: 0.85, 100. */
  static String num(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v)
        : Double.toString(v);
  }

  /** A duration as an operator writes it: 30s, 250ms, 1h. */
  static String time(java.time.Duration d) {
    return ConfigValues.formatDuration(d);
  }
}
