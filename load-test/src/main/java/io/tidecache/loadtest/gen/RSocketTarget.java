package io.tidecache.loadtest.gen;

import io.tidecache.api.CacheStats;
import io.tidecache.transport.rsocket.RSocketCacheClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import reactor.core.publisher.Mono;

/**
 * Thread-safe: a running tidecache server reached over RSocket (TCP) with
 * {@link RSocketCacheClient}, one connection. Shards and leased bytes come from the cache's stats
 * ({@code cache.stats}), polled in the background; the RSS from {@code /proc/<pid>/status} when
 * the server's pid was given.
 */
final class RSocketTarget implements Target {
  private final String host;
  private final int port;
  private final Duration ttl;
  private final long serverPid;
  private final RSocketCacheClient client;
  private final AtomicBoolean refreshing = new AtomicBoolean();
  private volatile CacheStats last;

  RSocketTarget(String host, int port, String cache, String token, Duration ttl, long serverPid) {
    this.host = host;
    this.port = port;
    this.ttl = ttl;
    this.serverPid = serverPid;
    RSocketCacheClient.Builder b = RSocketCacheClient.builder(cache).tcp(host, port)
        .connectTimeout(Duration.ofSeconds(10));
    if (token != null) {
      b.token(token);
    }
    this.client = b.connect().block(Duration.ofSeconds(15));
    this.last = client.stats().block(Duration.ofSeconds(10));
  }

  @Override
  public String describe() {
    return "tidecache server at rsocket://" + host + ":" + port + ", cache '" + client.name()
        + "'" + (serverPid > 0 ? " (pid " + serverPid + ")" : "");
  }

  @Override
  public Mono<byte[]> get(byte[] key) {
    return client.get(key);
  }

  @Override
  public Mono<Void> put(byte[] key, byte[] value) {
    return client.put(key, value, ttl);
  }

  @Override
  public Gauges gauges() {
    if (refreshing.compareAndSet(false, true)) {
      client.stats().doFinally(s -> refreshing.set(false))
          .subscribe(s -> last = s, error -> { });
    }
    CacheStats s = last;
    return new Gauges(s == null ? -1 : s.shards(), s == null ? -1 : s.leasedBytes(),
        ProcStatus.rss(serverPid), -1);
  }

  @Override
  public List<String> notes() {
    List<String> n = new ArrayList<>();
    n.add("client: connections made " + client.connects() + ", failed fast (no connection) "
        + client.failedFast());
    return n;
  }

  @Override
  public void close() {
    client.close().block(Duration.ofSeconds(10));
  }
}
