package io.tidecache.server;

import static io.tidecache.server.ConfigKeys.*;

import io.tidecache.api.CacheOptions;
import io.tidecache.api.TideCacheException;
import io.tidecache.autoscaler.AutoscalerSettings;
import io.tidecache.engine.Engine;
import io.tidecache.server.ConfigSource.Value;
import java.io.IOException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Immutable: the whole configuration of {@code tidecache serve}, checked once, before anything
 * starts ({@link #conclude(ConfigSource)}, the habit of Agrona's {@code Context.conclude()}).
 * Every bad value is refused with a sentence naming the key, the value, where it came from and
 * what is allowed; all problems are reported at once.
 *
 * @param bind address every listener binds
 * @param tcpPort RSocket over TCP (0: any free port)
 * @param httpPort WebSocket, /metrics and /health (0: any free port)
 * @param webSocketPath path of the WebSocket endpoint
 * @param poolBytes memory budget
 * @param engineThreads engine threads
 * @param engineIdleSpin how long an engine thread out of work stays awake before it parks
 * @param caches the caches, in the order given
 * @param defaultCache the cache of routes without a cache name, or {@code null}
 * @param tlsCert PEM certificate chain, or {@code null} for no TLS
 * @param tlsKey PKCS#8 PEM private key, or {@code null}
 * @param tokens accepted tokens (empty: no authentication)
 * @param maxInFlight requests in flight per connection
 * @param maxFrameSize largest inbound frame
 * @param eventBuffer events kept for a slow subscriber
 * @param shutdownGrace how long in-flight requests may take to finish on stop
 * @param setupTimeout how long a new connection may take to send its SETUP
 * @param maxConnections RSocket connections open at once
 * @param maxConnectionsPerAddress the same per client address (0: no limit)
 * @param outboundBuffer bytes queued for one client before it is held back
 */
record ServerConfig(String bind, int tcpPort, int httpPort, String webSocketPath, long poolBytes,
    int engineThreads, Duration engineIdleSpin, List<CacheConfig> caches, String defaultCache, Path tlsCert, Path tlsKey,
    List<String> tokens, int maxInFlight, int maxFrameSize, int eventBuffer,
    Duration shutdownGrace, Duration setupTimeout, int maxConnections,
    int maxConnectionsPerAddress, int outboundBuffer) {

  /**
   * One cache: its options, and its autoscaler's settings ({@code null}: no autoscaler).
   */
  record CacheConfig(CacheOptions options, AutoscalerSettings autoscaler) {
    String name() {
      return options.name();
    }
  }

  ServerConfig {
    caches = List.copyOf(caches);
    tokens = List.copyOf(tokens);
  }

  /** True when TLS is on. */
  boolean tls() {
    return tlsCert != null;
  }

  /** The config with every default. */
  static ServerConfig defaults() {
    return conclude(ConfigSource.empty());
  }

  @Override
  public String toString() {
    // Never print the tokens.
    return "ServerConfig[bind=" + bind + ", tcpPort=" + tcpPort + ", httpPort=" + httpPort
        + ", caches=" + caches.stream().map(CacheConfig::name).toList() + ", tokens="
        + tokens.size() + "]";
  }

  /**
   * Checks every value of {@code source} against {@link ConfigKeys}, with the defaults for what
   * is not given.
   *
   * @throws ConfigException listing every problem; nothing has been started
   */
  static ServerConfig conclude(ConfigSource source) {
    return new Checker(source).conclude();
  }

  /** Not thread-safe: one pass over a source, collecting problems. */
  private static final class Checker {
    private final ConfigSource source;
    /** Problems, once each (a bad {@code cache.<key>} is found once per cache). */
    private final Set<String> problems = new LinkedHashSet<>();
    /** Problems raised, repeats included: a check compares it before and after. */
    private int raised;

    Checker(ConfigSource source) {
      this.source = source;
    }

    ServerConfig conclude() {
      String bind = bindAddress();
      int tcpPort = (int) whole(server(TCP_PORT), 0, 65_535);
      Value httpValue = server(HTTP_PORT);
      int httpPort = (int) whole(httpValue, 0, 65_535);
      if (httpPort != 0 && httpPort == tcpPort) {
        problem(httpValue, "is the TCP port too");
      }
      String wsPath = webSocketPath();
      int beforePool = raised;
      long pool = size(server(POOL_SIZE), 1L << 20, 1L << 40);
      // A bad pool size is one problem: do not also blame every shard for not fitting it.
      long poolForShards = raised == beforePool ? pool : Long.MAX_VALUE;
      int threads = engineThreads();
      Duration idleSpin = duration(server(ENGINE_IDLE_SPIN), Duration.ZERO, Engine.MAX_IDLE_SPIN);
      List<String> names = cacheNames();
      String defaultCache = defaultCache(names);
      Path[] tls = tls();
      List<String> tokens = tokens();
      int maxInFlight = (int) whole(server(MAX_IN_FLIGHT), 1, 1 << 20);
      int maxFrame = (int) size(server(MAX_FRAME_SIZE), 64, 0xFF_FFFF);
      int eventBuffer = (int) whole(server(EVENT_BUFFER), 1, 1 << 20);
      Duration grace = duration(server(SHUTDOWN_GRACE), Duration.ZERO, Duration.ofMinutes(10));
      Duration setupTimeout = duration(server(SETUP_TIMEOUT), Duration.ofMillis(10),
          Duration.ofHours(1));
      int maxConnections = (int) whole(server(MAX_CONNECTIONS), 1, 1 << 20);
      int maxPerAddress = (int) whole(server(MAX_CONNECTIONS_PER_ADDRESS), 0, 1 << 20);
      int outboundBuffer = (int) size(server(OUTBOUND_BUFFER), 1 << 10, 1 << 30);
      unknownKeys(names);

      List<CacheConfig> caches = new ArrayList<>();
      for (String name : names) {
        CacheConfig c = cache(name, poolForShards);
        if (c != null) {
          caches.add(c);
        }
      }
      if (problems.isEmpty()) {
        long base = 0;
        StringBuilder parts = new StringBuilder();
        for (CacheConfig c : caches) {
          base += c.options().baseShards() * c.options().shardBytes();
          parts.append(parts.isEmpty() ? "" : " + ").append(c.name()).append(' ')
              .append(c.options().baseShards()).append(" x ")
              .append(ConfigValues.formatSize(c.options().shardBytes()));
        }
        if (base > pool) {
          problem(server(POOL_SIZE), "cannot lease the base shards of every cache ("
              + parts + " = " + base + " bytes); allowed: at least " + base + " bytes, or "
              + "smaller shards or fewer base shards");
        }
      }
      if (!problems.isEmpty()) {
        throw new ConfigException(List.copyOf(problems));
      }
      return new ServerConfig(bind, tcpPort, httpPort, wsPath, pool, threads, idleSpin, caches,
          defaultCache, tls[0], tls[1], tokens, maxInFlight, maxFrame, eventBuffer, grace,
          setupTimeout, maxConnections, maxPerAddress, outboundBuffer);
    }

    // ---- server keys -------------------------------------------------------------------

    private String bindAddress() {
      Value v = server(BIND);
      String host = v.text().trim();
      if (host.isEmpty()) {
        problem(v, "is empty");
        return "127.0.0.1";
      }
      try {
        InetAddress a = InetAddress.getByName(host);
        if (!a.isAnyLocalAddress() && !a.isLoopbackAddress()
            && NetworkInterface.getByInetAddress(a) == null) {
          problem(v, "is not an address of this machine (" + a.getHostAddress() + ")");
        }
      } catch (UnknownHostException | SocketException e) {
        problem(v, "cannot be resolved (" + e.getMessage() + ")");
      }
      return host;
    }

    private String webSocketPath() {
      Value v = server(WEBSOCKET_PATH);
      String p = v.text().trim();
      if (!p.startsWith("/") || p.length() < 2 || p.chars().anyMatch(Character::isWhitespace)
          || p.equals(TideCacheServer.METRICS_PATH) || p.equals(TideCacheServer.HEALTH_PATH)) {
        problem(v, "is not a free path");
      }
      return p;
    }

    private int engineThreads() {
      Value v = server(ENGINE_THREADS);
      if (v.text().trim().equalsIgnoreCase("auto")) {
        return Math.max(1, Runtime.getRuntime().availableProcessors());
      }
      return (int) whole(v, 1, 1024);
    }

    private List<String> cacheNames() {
      Value v = server(CACHES);
      Set<String> names = new LinkedHashSet<>();
      for (String part : v.text().split(",", -1)) {
        String name = part.trim();
        if (!validName(name)) {
          problem(v, "has the cache name '" + name + "', which is not 1 to 255 characters of "
              + "[A-Za-z0-9._-]");
        } else if (!names.add(name)) {
          problem(v, "names cache '" + name + "' twice");
        }
      }
      if (names.size() > MAX_CACHES) {
        problem(v, "names " + names.size() + " caches");
      }
      if (names.isEmpty()) {
        names.add("default");
      }
      return List.copyOf(names);
    }

    private String defaultCache(List<String> names) {
      Value v = source.get(DEFAULT_CACHE);
      if (v == null) {
        return names.getFirst();
      }
      String name = v.text().trim();
      if (name.isEmpty()) {
        return null;
      }
      if (!names.contains(name)) {
        problem(v, "is not one of the caches " + names);
      }
      return name;
    }

    private Path[] tls() {
      Value cert = source.get(TLS_CERT);
      Value key = source.get(TLS_KEY);
      boolean hasCert = cert != null && !cert.text().isBlank();
      boolean hasKey = key != null && !key.text().isBlank();
      if (hasCert != hasKey) {
        problem(hasCert ? cert : key, "is set without "
            + (hasCert ? TLS_KEY : TLS_CERT) + "; TLS needs both");
        return new Path[2];
      }
      if (!hasCert) {
        return new Path[2];
      }
      return new Path[] {readable(cert), readable(key)};
    }

    private Path readable(Value v) {
      Path p = Path.of(v.text().trim());
      if (!Files.isRegularFile(p) || !Files.isReadable(p)) {
        problem(v, "is not a readable file");
      }
      return p;
    }

    private List<String> tokens() {
      Set<String> tokens = new LinkedHashSet<>();
      Value inline = source.get(AUTH_TOKENS);
      if (inline != null && !inline.text().isBlank()) {
        for (String part : inline.text().split(",", -1)) {
          addToken(tokens, inline, part.trim(), "an empty token (two commas, or one at an end)");
        }
      }
      Value file = source.get(AUTH_TOKENS_FILE);
      if (file != null && !file.text().isBlank()) {
        Path p = readable(file);
        if (Files.isReadable(p)) {
          int before = tokens.size();
          try {
            for (String line : Files.readAllLines(p, StandardCharsets.UTF_8)) {
              String t = line.strip();
              if (!t.isEmpty() && !t.startsWith("#")) {
                addToken(tokens, file, t, null);
              }
            }
            if (tokens.size() == before) {
              problem(file, "holds no token");
            }
          } catch (IOException e) {
            problem(file, "cannot be read (" + e.getMessage() + ")");
          }
        }
      }
      return List.copyOf(tokens);
    }

    private void addToken(Set<String> tokens, Value v, String token, String emptyReason) {
      if (token.isEmpty()) {
        problem(v, "has " + emptyReason);
      } else if (token.chars().anyMatch(c -> Character.isWhitespace(c) || c == ',')) {
        // Never echo a token: name its position instead.
        problem(v.key(), "(hidden)", v.origin(), "has token " + (tokens.size() + 1)
            + " with a space or a comma in it", ConfigKeys.key(v.key()).allowed());
      } else {
        tokens.add(token);
      }
    }

    private void unknownKeys(List<String> names) {
      for (Value v : source.all()) {
        String k = v.key();
        if (ConfigKeys.server(k).isPresent()) {
          continue;
        }
        if (k.startsWith("cache.")) {
          String rest = k.substring("cache.".length());
          if (ConfigKeys.cache(rest).isPresent()) {
            continue;
          }
          String named = null;
          for (String name : names) {
            if (rest.startsWith(name + ".")
                && ConfigKeys.cache(rest.substring(name.length() + 1)).isPresent()) {
              named = name;
            }
          }
          if (named != null) {
            continue;
          }
          String tail = cacheKeyTail(rest);
          if (tail != null) {
            String cache = rest.substring(0, rest.length() - tail.length() - 1);
            problems.add(k + " (" + v.origin() + "): no cache named '" + cache + "' in "
                + CACHES + " " + names + "; allowed: cache.<key> or cache.<name>.<key> for a "
                + "listed cache");
            continue;
          }
        }
        problems.add("unknown key '" + k + "' (" + v.origin() + "); the keys are listed in "
            + "server/tidecache.properties.example and the README");
      }
    }

    /** The cache key that {@code rest} ends with after a dot, or {@code null}. */
    private static String cacheKeyTail(String rest) {
      for (ConfigKeys.Key key : ConfigKeys.all()) {
        if (key.scope() == ConfigKeys.Scope.CACHE && rest.endsWith("." + key.name())) {
          return key.name();
        }
      }
      return null;
    }

    // ---- cache keys --------------------------------------------------------------------

    private CacheConfig cache(String name, long pool) {
      int problemsBefore = raised;
      int keyBytes = (int) whole(cacheValue(name, MAX_KEY_BYTES), 1, CacheOptions.MAX_KEY_BYTES);
      int valueBytes = (int) size(cacheValue(name, MAX_VALUE_BYTES), 0,
          CacheOptions.MAX_VALUE_BYTES);
      Value shardValue = cacheValue(name, SHARD_SIZE);
      long shardBytes = size(shardValue, 1, 1L << 40);
      if (raised == problemsBefore) {
        long oneBucket = Engine.shardBytesFor(16, keyBytes, valueBytes);
        long bucketBytes = oneBucket - 64;
        if (shardBytes < oneBucket) {
          problem(shardValue, name, "cannot hold one bucket of 16 slots of these strides",
              "at least " + oneBucket + " bytes for max-key-bytes " + keyBytes
              + " and max-value-bytes " + valueBytes);
        } else if (shardBytes > pool) {
          problem(shardValue, name, "is larger than " + POOL_SIZE + " (" + pool + " bytes)",
              oneBucket + " bytes to " + POOL_SIZE);
        } else if ((shardBytes - 64) / bucketBytes > Integer.MAX_VALUE) {
          problem(shardValue, name, "holds more than 2^31 buckets",
              "at most " + (64 + bucketBytes * Integer.MAX_VALUE) + " bytes for these strides");
        }
      }
      Value baseValue = cacheValue(name, BASE_SHARDS);
      int baseShards = (int) whole(baseValue, 1, 1024);
      Duration ttl = duration(cacheValue(name, DEFAULT_TTL), Duration.ZERO,
          Duration.ofDays(3650));
      boolean failClosed = bool(cacheValue(name, FAIL_CLOSED));
      Value queueValue = cacheValue(name, QUEUE_CAPACITY);
      int queue = (int) size(queueValue, 16, 1 << 20);
      if (Integer.bitCount(queue) != 1) {
        problem(queueValue, name, "is not a power of two", key(QUEUE_CAPACITY).allowed());
      }
      Duration leaseTtl = duration(cacheValue(name, LEASE_TTL), Duration.ofMillis(30),
          Duration.ofHours(1));
      boolean autoscale = bool(cacheValue(name, AUTOSCALER));
      AutoscalerSettings settings = autoscaler(name, baseShards);
      if (raised != problemsBefore) {
        return null;
      }
      CacheOptions options;
      try {
        options = CacheOptions.builder(name).maxKeyBytes(keyBytes).maxValueBytes(valueBytes)
            .shardBytes(shardBytes).baseShards(baseShards).defaultTtl(ttl).failClosed(failClosed)
            .queueCapacity(queue).leaseTtl(leaseTtl).build();
      } catch (TideCacheException e) {
        raised++;
        problems.add("cache '" + name + "': " + e.getMessage()); // a backstop: checked above
        return null;
      }
      return new CacheConfig(options, autoscale ? settings : null);
    }

    private AutoscalerSettings autoscaler(String name, int baseShards) {
      int before = raised;
      Duration interval = duration(cacheValue(name, SAMPLE_INTERVAL), Duration.ofMillis(1),
          Duration.ofHours(1));
      Value growValue = cacheValue(name, GROW_OCCUPANCY);
      double grow = decimal(growValue, 0.05, 1.0);
      double evictionRate = decimal(cacheValue(name, GROW_EVICTION_RATE), 0, 1e9);
      double p99 = decimal(cacheValue(name, GROW_P99_MICROS), 0, 1e9);
      Value growWindowValue = cacheValue(name, GROW_WINDOW);
      int growWindow = (int) whole(growWindowValue, 1, 10_000);
      Value marginValue = cacheValue(name, SHRINK_MARGIN);
      double margin = decimal(marginValue, 0, 0.5);
      Value shrinkValue = cacheValue(name, SHRINK_OCCUPANCY);
      double shrink = decimal(shrinkValue, 0, 1.0);
      Value shrinkWindowValue = cacheValue(name, SHRINK_WINDOW);
      int shrinkWindow = (int) whole(shrinkWindowValue, 1, 1_000_000);
      Duration cooldown = duration(cacheValue(name, COOLDOWN), Duration.ZERO,
          Duration.ofHours(24));
      Value maxValue = cacheValue(name, MAX_SHARDS);
      int maxShards = (int) whole(maxValue, 1, AutoscalerSettings.MAX_SHARDS_LIMIT);
      int maxGrowStep = (int) whole(cacheValue(name, MAX_GROW_STEP), 1,
          AutoscalerSettings.MAX_GROW_STEP_LIMIT);
      if (raised != before) {
        return null;
      }
      if (!(margin < grow)) {
        problem(marginValue, name, "is not below " + GROW_OCCUPANCY + " " + ConfigKeys.num(grow),
            key(SHRINK_MARGIN).allowed());
      } else if (!(shrink < grow - margin)) {
        problem(shrinkValue, name, "is not below " + GROW_OCCUPANCY + " - " + SHRINK_MARGIN
            + " = " + ConfigKeys.num(grow - margin), "0 to below " + ConfigKeys.num(grow - margin));
      }
      if (shrinkWindow < growWindow) {
        problem(shrinkWindowValue, name, "is below " + GROW_WINDOW + " " + growWindow
            + " (shrinking must never be quicker than growing)", growWindow + " to 1000000");
      }
      if (maxShards < baseShards) {
        problem(maxValue, name, "is below " + BASE_SHARDS + " " + baseShards,
            baseShards + " to " + AutoscalerSettings.MAX_SHARDS_LIMIT);
      }
      if (raised != before) {
        return null;
      }
      try {
        return AutoscalerSettings.builder().sampleInterval(interval).growOccupancy(grow)
            .growEvictionRate(evictionRate).growP99Micros(p99).growWindow(growWindow)
            .shrinkOccupancy(shrink).shrinkWindow(shrinkWindow).shrinkMargin(margin)
            .cooldown(cooldown).maxShards(maxShards).maxGrowStep(maxGrowStep).build();
      } catch (TideCacheException e) {
        raised++;
        problems.add("cache '" + name + "' autoscaler: " + e.getMessage()); // a backstop
        return null;
      }
    }

    // ---- values ------------------------------------------------------------------------

    /** The value of a server key, or its default. */
    private Value server(String key) {
      Value v = source.get(key);
      return v != null ? v : new Value(key, ConfigKeys.key(key).defaultText(), "default");
    }

    /** The value of a cache key for one cache, or its default. */
    private Value cacheValue(String cache, String key) {
      Value v = source.forCache(cache, key);
      return v != null ? v : new Value("cache." + key, ConfigKeys.key(key).defaultText(),
          "default");
    }

    private long whole(Value v, long min, long max) {
      OptionalLong n = ConfigValues.whole(v.text());
      if (n.isEmpty()) {
        problem(v, "is not a whole number");
        return min;
      }
      if (n.getAsLong() < min || n.getAsLong() > max) {
        problem(v, "is out of range");
        return min;
      }
      return n.getAsLong();
    }

    private long size(Value v, long min, long max) {
      OptionalLong n = ConfigValues.size(v.text());
      if (n.isEmpty()) {
        problem(v, "is not a size (a whole number of bytes, or with k, m, g, t)");
        return Math.max(min, 1);
      }
      if (n.getAsLong() < min || n.getAsLong() > max) {
        problem(v, "is out of range");
        return Math.max(min, 1);
      }
      return n.getAsLong();
    }

    private double decimal(Value v, double min, double max) {
      double d = ConfigValues.decimal(v.text());
      if (Double.isNaN(d)) {
        problem(v, "is not a number");
        return min;
      }
      if (d < min || d > max) {
        problem(v, "is out of range");
        return min;
      }
      return d;
    }

    private Duration duration(Value v, Duration min, Duration max) {
      Duration d = ConfigValues.duration(v.text());
      if (d == null) {
        problem(v, "is not a duration (0, or a whole number with us, ms, s, m, h or d)");
        return min;
      }
      if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
        problem(v, "is out of range");
        return min;
      }
      return d;
    }

    private boolean bool(Value v) {
      Boolean b = ConfigValues.bool(v.text());
      if (b == null) {
        problem(v, "is not true or false");
        return false;
      }
      return b;
    }

    private static boolean validName(String name) {
      return !name.isEmpty() && name.length() <= 255 && name.matches("[A-Za-z0-9._-]+");
    }

    // ---- problems ----------------------------------------------------------------------

    /** A problem with a value, the allowed range taken from the key's catalogue entry. */
    private void problem(Value v, String reason) {
      problem(v.key(), v.text(), v.origin(), reason, allowedFor(v.key()));
    }

    private void problem(Value v, String cache, String reason, String allowed) {
      String key = v.key();
      if (!key.startsWith("cache." + cache + ".")) {
        reason = reason + " for cache '" + cache + "'";
      }
      problem(key, v.text(), v.origin(), reason, allowed);
    }

    private void problem(String key, String text, String origin, String reason,
        String allowed) {
      String shown = key.equals(AUTH_TOKENS) ? "(hidden)" : text; // never echo a token
      raised++;
      problems.add(key + " = '" + shown + "' (" + origin + ") " + reason + "; allowed: "
          + allowed);
    }

    /** The catalogue's allowed text for a key as written (server, cache.k, cache.name.k). */
    private static String allowedFor(String written) {
      if (ConfigKeys.server(written).isPresent()) {
        return ConfigKeys.key(written).allowed();
      }
      for (ConfigKeys.Key k : ConfigKeys.all()) {
        if (k.scope() == ConfigKeys.Scope.CACHE && written.endsWith("." + k.name())) {
          return k.allowed();
        }
      }
      return "see the README";
    }
  }
}
