package io.tidecache.spring;

import io.micrometer.core.instrument.MeterRegistry;
import io.tidecache.transport.rsocket.RSocketCacheClient;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Thread-safe: the caches of a tidecache server, reached over one RSocket connection that is
 * made (and kept up, with backoff) in the background. The start waits for the first connection
 * up to {@code tidecache.client.connect-timeout}, then goes on either way: the application
 * starts while the server is down, its operations fail fast with {@code Disconnected} (or miss,
 * best effort) until the connection is up, and its health says so.
 */
public final class ClientCaches implements TideCaches {
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);

  private final ClientEndpoint endpoint;
  private final RSocketCacheClient client;
  private final Map<String, RSocketCacheClient> others = new ConcurrentHashMap<>();
  private final AtomicBoolean closed = new AtomicBoolean();

  ClientCaches(ClientEndpoint endpoint, String defaultCache, MeterRegistry registry) {
    this.endpoint = endpoint;
    this.client = endpoint.build(defaultCache);
    if (registry != null) {
      ClientMeters.bind(client, endpoint.uri(), registry);
    }
  }

  /** Waits (on the starting thread) up to the connect timeout for the first connection. */
  ClientCaches awaitFirstConnection() {
    long deadline = System.nanoTime() + endpoint.connectTimeout().toNanos();
    while (!client.connected() && System.nanoTime() < deadline) {
      LockSupport.parkNanos(5_000_000);
    }
    return this;
  }

  /** The client of {@code tidecache.client.cache}. */
  public RSocketCacheClient client() {
    return client;
  }

  @Override
  public RSocketCacheClient cache(String name) {
    if (name.equals(client.name())) {
      return client;
    }
    return others.computeIfAbsent(name, client::cache);
  }

  @Override
  public String describe() {
    return "tidecache server at " + endpoint.uri();
  }

  @Override
  public Mono<HealthSnapshot> health() {
    return client.stats()
        .timeout(endpoint.connectTimeout())
        .map(s -> {
          Map<String, Object> details = details();
          details.put("shards", s.shards());
          details.put("entries", s.entries());
          details.put("hitRate", s.hitRate());
          return new HealthSnapshot(true, details);
        })
        .onErrorResume(e -> {
          Map<String, Object> details = details();
          details.put("error", e.getClass().getSimpleName() + ": " + e.getMessage());
          return Mono.just(new HealthSnapshot(false, details));
        });
  }

  private Map<String, Object> details() {
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("mode", "client");
    d.put("uri", endpoint.uri());
    d.put("cache", client.name());
    d.put("connected", client.connected());
    d.put("connects", client.connects());
    return d;
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      Flux.fromIterable(others.values()).concatMap(RSocketCacheClient::close)
          .then(client.close()).block(CLOSE_TIMEOUT);
    }
  }
}
