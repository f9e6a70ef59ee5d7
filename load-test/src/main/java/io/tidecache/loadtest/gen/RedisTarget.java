package io.tidecache.loadtest.gen;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.reactive.RedisReactiveCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import reactor.core.publisher.Mono;

/**
 * Thread-safe: a redis-server driven through Lettuce's reactive client over one connection (Lettuce
 * pipelines the concurrent commands on it). A miss is filled with {@code SET key value PX ttl}.
 * {@code used_memory} comes from {@code INFO memory}, polled in the background; the RSS from
 * {@code /proc/<pid>/status} of the server, whose pid is INFO's {@code process_id} when the server
 * is on this host.
 */
final class RedisTarget implements Target {
  private final String host;
  private final int port;
  private final Duration ttl;
  private final RedisServerProcess child;
  private final RedisClient client;
  private final StatefulRedisConnection<byte[], byte[]> connection;
  private final RedisReactiveCommands<byte[], byte[]> redis;
  private final long pid;
  private final AtomicBoolean refreshing = new AtomicBoolean();
  private volatile long usedMemory = -1;

  /**
   * Connects to redis at {@code host:port}.
   *
   * @param child a redis-server this target owns and stops on close, or null
   */
  RedisTarget(String host, int port, Duration ttl, RedisServerProcess child) {
    this.host = host;
    this.port = port;
    this.ttl = ttl;
    this.child = child;
    this.client = RedisClient.create(RedisURI.builder().withHost(host).withPort(port)
        .withTimeout(Duration.ofSeconds(30)).build());
    client.setOptions(ClientOptions.builder().autoReconnect(false).build());
    this.connection = client.connect(ByteArrayCodec.INSTANCE);
    this.redis = connection.reactive();
    this.pid = child != null ? child.pid() : localPid();
    refreshUsedMemory();
  }

  @Override
  public String describe() {
    return "redis-server at " + host + ":" + port + (pid > 0 ? " (pid " + pid + ")" : "")
        + " via Lettuce reactive, one connection";
  }

  @Override
  public Mono<byte[]> get(byte[] key) {
    return redis.get(key);
  }

  @Override
  public Mono<Void> put(byte[] key, byte[] value) {
    return ttl.isZero() ? redis.set(key, value).then()
        : redis.set(key, value, SetArgs.Builder.px(ttl.toMillis())).then();
  }

  @Override
  public Gauges gauges() {
    refreshUsedMemory();
    return new Gauges(-1, -1, ProcStatus.rss(pid), usedMemory);
  }

  /** The server's pid, or -1 when it is not on this host. */
  long pid() {
    return pid;
  }

  /** Synchronous access for the scenarios that fill and empty redis. */
  RedisReactiveCommands<byte[], byte[]> commands() {
    return redis;
  }

  /** {@code used_memory} now, read synchronously. */
  long usedMemoryNow() {
    String info = redis.info("memory").block(Duration.ofSeconds(10));
    usedMemory = field(info, "used_memory");
    return usedMemory;
  }

  private void refreshUsedMemory() {
    if (!refreshing.compareAndSet(false, true)) {
      return;
    }
    redis.info("memory").doFinally(s -> refreshing.set(false))
        .subscribe(info -> usedMemory = field(info, "used_memory"), error -> { });
  }

  private long localPid() {
    try {
      if (!InetAddress.getByName(host).isLoopbackAddress()) {
        return -1;
      }
    } catch (UnknownHostException e) {
      return -1;
    }
    String info = redis.info("server").block(Duration.ofSeconds(10));
    return field(info, "process_id");
  }

  /** A numeric field {@code name:value} of an INFO answer, or -1. */
  static long field(String info, String name) {
    if (info == null) {
      return -1;
    }
    for (String line : info.split("\r?\n")) {
      if (line.startsWith(name + ":")) {
        try {
          return Long.parseLong(line.substring(name.length() + 1).trim());
        } catch (NumberFormatException e) {
          return -1;
        }
      }
    }
    return -1;
  }

  @Override
  public void close() {
    try {
      connection.close();
      client.shutdown(Duration.ZERO, Duration.ofSeconds(5));
    } finally {
      if (child != null) {
        child.close();
      }
    }
  }
}
