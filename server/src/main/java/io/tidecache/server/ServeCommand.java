package io.tidecache.server;

import static io.tidecache.server.ConfigKeys.*;

import io.tidecache.server.ConfigSource.Value;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Not thread-safe (runs once): {@code tidecache serve}. Reads the config file and the flags,
 * refuses a bad configuration before starting anything (exit code 2), starts the server, and
 * stops it gracefully on SIGTERM or SIGINT (exit code 0 when every lease was released).
 *
 * <p>Every flag is a configuration key (see {@link ConfigKeys}); a flag beats the file. Cache
 * flags apply to every cache; {@code --set cache.<name>.<key>=<value>} sets one cache's.
 */
@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false,
    usageHelpAutoWidth = true,
    description = {"Serve caches over RSocket (TCP and WebSocket), with Prometheus metrics on the "
        + "HTTP port. The default command.",
        "Every flag is also a config key (server/tidecache.properties.example); flags beat the "
        + "file. Stop with SIGTERM (or Ctrl-C): in-flight requests finish, every lease is "
        + "released, exit code 0. A bad value: exit code 2, nothing started."})
final class ServeCommand implements Callable<Integer> {

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Option(names = "--config", paramLabel = "FILE", description = "A .properties config file.")
  Path config;

  @Option(names = "--set", paramLabel = "KEY=VALUE",
      description = "Any config key, e.g. --set cache.users.max-value-bytes=1k (repeatable).")
  Map<String, String> set = new LinkedHashMap<>();

  @Option(names = "--bind", paramLabel = "ADDRESS", description = "bind (default 127.0.0.1).")
  String bind;

  @Option(names = "--tcp-port", paramLabel = "PORT",
      description = "tcp.port (default 7878; 0: any free port).")
  String tcpPort;

  @Option(names = "--http-port", paramLabel = "PORT",
      description = "http.port: WebSocket, /metrics, /health (default 7879; 0: any free port).")
  String httpPort;

  @Option(names = "--pool-size", paramLabel = "SIZE", description = "pool.size (default 256m).")
  String poolSize;

  @Option(names = "--threads", paramLabel = "N", description = "engine.threads (default auto).")
  String threads;

  @Option(names = "--caches", paramLabel = "NAMES",
      description = "caches: comma-separated names (default: default).")
  String caches;

  @Option(names = "--default-cache", paramLabel = "NAME",
      description = "default.cache (default: the first of --caches; empty: none).")
  String defaultCache;

  @Option(names = "--max-key-bytes", paramLabel = "N",
      description = "cache.max-key-bytes, every cache (default 64).")
  String maxKeyBytes;

  @Option(names = "--max-value-bytes", paramLabel = "SIZE",
      description = "cache.max-value-bytes, every cache (default 256).")
  String maxValueBytes;

  @Option(names = "--shard-size", paramLabel = "SIZE",
      description = "cache.shard-size, every cache (default 8m).")
  String shardSize;

  @Option(names = "--base-shards", paramLabel = "N",
      description = "cache.base-shards, every cache (default 1).")
  String baseShards;

  @Option(names = "--default-ttl", paramLabel = "DURATION",
      description = "cache.default-ttl, every cache (default 0: never expires).")
  String defaultTtl;

  @Option(names = "--fail-closed", paramLabel = "BOOL", arity = "0..1", fallbackValue = "true",
      description = "cache.fail-closed, every cache (default false).")
  String failClosed;

  @Option(names = "--queue-capacity", paramLabel = "N",
      description = "cache.queue-capacity, every cache (default 4096).")
  String queueCapacity;

  @Option(names = "--autoscaler", paramLabel = "on|off",
      description = "cache.autoscaler.enabled, every cache (default on).")
  String autoscaler;

  @Option(names = "--grow-occupancy", paramLabel = "RATIO",
      description = "cache.autoscaler.grow-occupancy (default 0.85).")
  String growOccupancy;

  @Option(names = "--shrink-occupancy", paramLabel = "RATIO",
      description = "cache.autoscaler.shrink-occupancy (default 0.4).")
  String shrinkOccupancy;

  @Option(names = "--grow-window", paramLabel = "SAMPLES",
      description = "cache.autoscaler.grow-window (default 3).")
  String growWindow;

  @Option(names = "--shrink-window", paramLabel = "SAMPLES",
      description = "cache.autoscaler.shrink-window (default 30).")
  String shrinkWindow;

  @Option(names = "--cooldown", paramLabel = "DURATION",
      description = "cache.autoscaler.cooldown (default 30s).")
  String cooldown;

  @Option(names = "--max-shards", paramLabel = "N",
      description = "cache.autoscaler.max-shards (default 64).")
  String maxShards;

  @Option(names = "--idle-spin", paramLabel = "DURATION",
      description = "engine.idle-spin (default 50us).")
  String idleSpin;

  @Option(names = "--max-grow-step", paramLabel = "N",
      description = "cache.autoscaler.max-grow-step (default 4).")
  String maxGrowStep;

  @Option(names = "--sample-interval", paramLabel = "DURATION",
      description = "cache.autoscaler.sample-interval (default 1s).")
  String sampleInterval;

  @Option(names = "--tls-cert", paramLabel = "PEM", description = "tls.cert (default none).")
  String tlsCert;

  @Option(names = "--tls-key", paramLabel = "PEM", description = "tls.key (default none).")
  String tlsKey;

  @Option(names = "--token", paramLabel = "TOKEN",
      description = "auth.tokens: a token clients must present (repeatable; prefer "
          + "--tokens-file, the command line is visible to others).")
  List<String> tokens;

  @Option(names = "--tokens-file", paramLabel = "FILE",
      description = "auth.tokens-file: one token per line.")
  String tokensFile;

  @Option(names = "--max-in-flight", paramLabel = "N",
      description = "max-in-flight per connection (default 256).")
  String maxInFlight;

  @Option(names = "--max-frame-size", paramLabel = "SIZE",
      description = "max-frame-size (default 16777215).")
  String maxFrameSize;

  @Option(names = "--setup-timeout", paramLabel = "DURATION",
      description = "setup-timeout: a new connection's time to send its SETUP (default 10s).")
  String setupTimeout;

  @Option(names = "--max-connections", paramLabel = "N",
      description = "max-connections: RSocket connections open at once (default 1024).")
  String maxConnections;

  @Option(names = "--max-connections-per-address", paramLabel = "N",
      description = "max-connections-per-address: per client IP (default 0: no limit).")
  String maxConnectionsPerAddress;

  @Option(names = "--outbound-buffer", paramLabel = "SIZE",
      description = "outbound-buffer: bytes queued for one client before it is held back "
          + "(default 256k).")
  String outboundBuffer;

  @Option(names = "--shutdown-grace", paramLabel = "DURATION",
      description = "shutdown.grace: in-flight requests' time to finish on stop (default 10s).")
  String shutdownGrace;

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter err = spec.commandLine().getErr();
    PrintWriter out = spec.commandLine().getOut();
    ServerConfig cfg;
    try {
      cfg = ServerConfig.conclude(source());
    } catch (ConfigException e) {
      err.println("tidecache serve: bad configuration, nothing started:");
      e.problems().forEach(p -> err.println("  " + p));
      err.flush();
      return 2;
    }
    JsonLog log = JsonLog.to(out);
    LogBridge.install(log);
    TideCacheServer server;
    try {
      server = TideCacheServer.start(cfg, log);
    } catch (RuntimeException e) {
      log.error("start.failed", "error", e.toString());
      log.close();
      err.println("tidecache serve: could not start: " + e);
      err.flush();
      return 1;
    }
    // SIGTERM and SIGINT run the shutdown hooks; the JVM would then exit with 128 + signal.
    // The hook stops gracefully and halts with its own verdict instead: 0 when clean.
    Thread hook = new Thread(() -> {
      TideCacheServer.StopReport report;
      try {
        report = server.stop("signal");
      } catch (RuntimeException e) {
        log.error("stop.failed", "error", e.toString());
        report = null;
      }
      log.close();
      out.flush();
      err.flush();
      Runtime.getRuntime().halt(report != null && report.clean() ? 0 : 1);
    }, "tidecache-stop");
    Runtime.getRuntime().addShutdownHook(hook);
    new CountDownLatch(1).await(); // until a signal; the hook ends the process
    return 0;
  }

  /** The flags (those given) over the config file (when given). */
  ConfigSource source() {
    Map<String, Value> flags = new LinkedHashMap<>(ConfigSource.values(set, "--set"));
    flag(flags, BIND, bind, "--bind");
    flag(flags, TCP_PORT, tcpPort, "--tcp-port");
    flag(flags, HTTP_PORT, httpPort, "--http-port");
    flag(flags, POOL_SIZE, poolSize, "--pool-size");
    flag(flags, ENGINE_THREADS, threads, "--threads");
    flag(flags, ENGINE_IDLE_SPIN, idleSpin, "--idle-spin");
    flag(flags, CACHES, caches, "--caches");
    flag(flags, DEFAULT_CACHE, defaultCache, "--default-cache");
    flag(flags, "cache." + MAX_KEY_BYTES, maxKeyBytes, "--max-key-bytes");
    flag(flags, "cache." + MAX_VALUE_BYTES, maxValueBytes, "--max-value-bytes");
    flag(flags, "cache." + SHARD_SIZE, shardSize, "--shard-size");
    flag(flags, "cache." + BASE_SHARDS, baseShards, "--base-shards");
    flag(flags, "cache." + DEFAULT_TTL, defaultTtl, "--default-ttl");
    flag(flags, "cache." + FAIL_CLOSED, failClosed, "--fail-closed");
    flag(flags, "cache." + QUEUE_CAPACITY, queueCapacity, "--queue-capacity");
    flag(flags, "cache." + AUTOSCALER, autoscaler, "--autoscaler");
    flag(flags, "cache." + GROW_OCCUPANCY, growOccupancy, "--grow-occupancy");
    flag(flags, "cache." + SHRINK_OCCUPANCY, shrinkOccupancy, "--shrink-occupancy");
    flag(flags, "cache." + GROW_WINDOW, growWindow, "--grow-window");
    flag(flags, "cache." + SHRINK_WINDOW, shrinkWindow, "--shrink-window");
    flag(flags, "cache." + COOLDOWN, cooldown, "--cooldown");
    flag(flags, "cache." + MAX_SHARDS, maxShards, "--max-shards");
    flag(flags, "cache." + MAX_GROW_STEP, maxGrowStep, "--max-grow-step");
    flag(flags, "cache." + SAMPLE_INTERVAL, sampleInterval, "--sample-interval");
    flag(flags, TLS_CERT, tlsCert, "--tls-cert");
    flag(flags, TLS_KEY, tlsKey, "--tls-key");
    flag(flags, AUTH_TOKENS, tokens == null ? null : String.join(",", tokens), "--token");
    flag(flags, AUTH_TOKENS_FILE, tokensFile, "--tokens-file");
    flag(flags, MAX_IN_FLIGHT, maxInFlight, "--max-in-flight");
    flag(flags, MAX_FRAME_SIZE, maxFrameSize, "--max-frame-size");
    flag(flags, SHUTDOWN_GRACE, shutdownGrace, "--shutdown-grace");
    flag(flags, SETUP_TIMEOUT, setupTimeout, "--setup-timeout");
    flag(flags, MAX_CONNECTIONS, maxConnections, "--max-connections");
    flag(flags, MAX_CONNECTIONS_PER_ADDRESS, maxConnectionsPerAddress,
        "--max-connections-per-address");
    flag(flags, OUTBOUND_BUFFER, outboundBuffer, "--outbound-buffer");
    Map<String, Value> file = config == null ? Map.of() : ConfigSource.readFile(config);
    return ConfigSource.of(flags, file);
  }

  private static void flag(Map<String, Value> flags, String key, String value, String name) {
    if (value != null) {
      flags.put(key, new Value(key, value, name));
    }
  }
}
