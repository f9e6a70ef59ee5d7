package io.tidecache.transport.rsocket;

import io.netty.buffer.ByteBufUtil;
import io.rsocket.Payload;
import io.rsocket.RSocket;
import io.rsocket.transport.ClientTransport;
import io.rsocket.transport.netty.client.TcpClientTransport;
import io.rsocket.transport.netty.client.WebsocketClientTransport;
import io.rsocket.util.DefaultPayload;
import io.tidecache.api.ByteCache;
import io.tidecache.api.CacheClosed;
import io.tidecache.api.CacheEntry;
import io.tidecache.api.CacheStats;
import io.tidecache.api.Disconnected;
import io.tidecache.api.InvalidRequest;
import io.tidecache.api.TideCacheException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.Http11SslContextSpec;
import reactor.netty.http.client.HttpClient;
import reactor.netty.tcp.TcpClient;
import reactor.netty.tcp.SslProvider;
import reactor.netty.tcp.TcpSslContextSpec;

/**
 * Thread-safe: a {@link ByteCache} served by a remote tidecache server over RSocket (TCP or
 * WebSocket), for one cache name; {@link #cache(String)} gives another name over the same
 * connection.
 *
 * <pre>{@code
 * RSocketCacheClient users = RSocketCacheClient.builder("users").tcp("127.0.0.1", 7878)
 *     .connect().block();
 * users.typed(Codecs.STRING, Codecs.STRING).put("id-1", "Ada").block();
 * }</pre>
 *
 * <p>Errors from the server arrive as the same typed exceptions the embedded cache gives
 * ({@code KeyTooLarge}, {@code InvalidRequest}...); an unknown route, cache or a malformed request
 * arrives as {@link InvalidRequest} whose message starts with the wire code. The connection is
 * kept up in the background with backoff; while it is down an operation fails at once with
 * {@link Disconnected} or, in best-effort mode, a read is a miss and a write is dropped and
 * counted ({@link #droppedWrites()}). {@link #close()} closes this client, not the remote cache.
 */
public final class RSocketCacheClient implements ByteCache {
  private final ClientConnection connection;
  private final String name;
  private final Map<Route.Op, byte[]> metadata = new EnumMap<>(Route.Op.class);
  private final AtomicBoolean closed = new AtomicBoolean();

  private RSocketCacheClient(ClientConnection connection, String name) {
    this.connection = connection;
    this.name = name;
    for (Route.Op op : Route.Op.values()) {
      metadata.put(op, MetadataCodec.compositeRoute(op.route(op.addressesCache() ? name : null)));
    }
  }

  /** A builder for a client of the named cache. */
  public static Builder builder(String cacheName) {
    return new Builder(cacheName);
  }

  /** A client of another cache over this client's connection (close each one). */
  public RSocketCacheClient cache(String otherName) {
    connection.retain();
    return new RSocketCacheClient(connection, Objects.requireNonNull(otherName, "otherName"));
  }

  @Override
  public String name() { return name; }

  @Override
  public Mono<byte[]> get(byte[] key) {
    Mono<byte[]> call = rsocket().flatMap(rs -> rs.requestResponse(payload(key, Route.Op.GET)))
        .map(RSocketCacheClient::data);
    return read(call.onErrorMap(this::typed), Mono.empty());
  }

  @Override
  public Mono<Void> put(byte[] key, byte[] value) {
    return put(key, value, WireFormat.TTL_DEFAULT);
  }

  @Override
  public Mono<Void> put(byte[] key, byte[] value, Duration ttl) {
    long ttlMillis;
    try {
      ttlMillis = DataLayouts.ttlMillis(ttl);
    } catch (TideCacheException e) {
      return Mono.error(e);
    }
    return put(key, value, ttlMillis);
  }

  private Mono<Void> put(byte[] key, byte[] value, long ttlMillis) {
    Mono<Void> call = rsocket().flatMap(rs -> rs.requestResponse(
            payload(DataLayouts.put(nonNull(key, "key"), ttlMillis, nonNull(value, "value")),
                Route.Op.PUT)))
        .then();
    return write(call.onErrorMap(this::typed), 1, Mono.empty());
  }

  @Override
  public Mono<Boolean> remove(byte[] key) {
    Mono<Boolean> call = rsocket()
        .flatMap(rs -> rs.requestResponse(payload(key, Route.Op.REMOVE)))
        .map(p -> DataLayouts.readRemoved(data(p)));
    return write(call.onErrorMap(this::typed), 1, Mono.just(false));
  }

  @Override
  public Flux<CacheEntry<byte[], byte[]>> getAll(Publisher<byte[]> keys) {
    Objects.requireNonNull(keys, "keys");
    // A channel needs a first payload (it carries the route): no keys, no channel.
    Flux<CacheEntry<byte[], byte[]>> call = Flux.from(keys).switchOnFirst((first, all) ->
        !first.hasValue() ? all.thenMany(Flux.<CacheEntry<byte[], byte[]>>empty())
            : rsocket().flatMapMany(rs -> rs.requestChannel(
                    channel(all.map(k -> nonNull(k, "key")), Route.Op.GET_ALL)))
                .map(p -> DataLayouts.readEntry(data(p))))
        .onErrorMap(this::typed);
    return call.onErrorResume(e -> bestEffortDown(e) ? Flux.empty() : Flux.error(e))
        .transform(this::whileOpen);
  }

  /**
   * The server's {@code cache.scan} stream: entries arrive as this subscriber requests them (each
   * request becomes a REQUEST_N, which the server passes on to its cache), so a slow subscriber
   * holds the scan back instead of filling buffers.
   *
   * <p>In best-effort mode a scan asked for while no connection is up is empty (counted as a
   * missed read). A scan whose connection is lost midway fails with {@link Disconnected} in
   * either mode: a cut-short scan must not pass for a complete one.
   */
  @Override
  public Flux<CacheEntry<byte[], byte[]>> scan() {
    Flux<CacheEntry<byte[], byte[]>> call = rsocket()
        .onErrorResume(e -> {
          if (!bestEffortDown(e)) {
            return Mono.error(e);
          }
          connection.missedRead();
          return Mono.empty();
        })
        .flatMapMany(rs -> rs.requestStream(payload(new byte[0], Route.Op.SCAN)))
        .map(p -> DataLayouts.readEntry(data(p)))
        .onErrorMap(this::typed);
    return call.transform(this::whileOpen);
  }

  @Override
  public Mono<Long> putAll(Publisher<CacheEntry<byte[], byte[]>> entries) {
    Objects.requireNonNull(entries, "entries");
    long[] sent = new long[1];
    Flux<byte[]> elements = Flux.from(entries)
        .map(e -> DataLayouts.entry(e.key(), e.value()))
        .doOnNext(e -> sent[0]++);
    // A channel needs a first payload (it carries the route): no entries, no channel.
    Mono<Long> call = elements.switchOnFirst((first, all) ->
            !first.hasValue() ? all.thenMany(Flux.just(0L))
                : rsocket().flatMap(rs -> rs.requestChannel(channel(all, Route.Op.PUT_ALL))
                        .next())
                    .map(p -> DataLayouts.readCount(data(p))))
        .next()
        .defaultIfEmpty(0L)
        .onErrorMap(this::typed);
    return call.onErrorResume(e -> {
      if (!bestEffortDown(e)) {
        return Mono.error(e);
      }
      connection.droppedWrites(Math.max(1, sent[0]));
      return Mono.just(0L);
    }).transform(this::whileOpen);
  }

  @Override
  public Mono<CacheStats> stats() {
    return rsocket().flatMap(rs -> rs.requestResponse(payload(new byte[0], Route.Op.STATS)))
        .map(p -> JsonText.readStats(new String(data(p), StandardCharsets.UTF_8)))
        .onErrorMap(this::typed)
        .transform(this::whileOpen);
  }

  /**
   * The server's {@code stats.<name>} stream: one snapshot at once, then one per interval, as
   * fast as the subscriber requests them.
   */
  public Flux<CacheStats> statsStream(Duration interval) {
    return rsocket().flatMapMany(rs -> rs.requestStream(
            payload(DataLayouts.interval(interval), Route.Op.STATS_STREAM)))
        .map(p -> JsonText.readStats(new String(data(p), StandardCharsets.UTF_8)))
        .onErrorMap(this::typed)
        .transform(this::whileOpen);
  }

  /** The server's {@code events} stream: one JSON object per event (see WIRE-FORMAT.md). */
  public Flux<String> events() {
    return rsocket().flatMapMany(rs -> rs.requestStream(payload(new byte[0], Route.Op.EVENTS)))
        .map(p -> new String(data(p), StandardCharsets.UTF_8))
        .onErrorMap(this::typed)
        .transform(this::whileOpen);
  }

  /** Closes this client (not the remote cache); the last client of a connection closes it. */
  @Override
  public Mono<Void> close() {
    return Mono.fromRunnable(() -> {
      if (closed.compareAndSet(false, true)) {
        connection.release();
      }
    });
  }

  /** Whether a connection is up now. */
  public boolean connected() { return connection.connected(); }

  /** Connections made so far (the first one and every reconnection). */
  public long connects() { return connection.connects(); }

  /** Best-effort mode: writes dropped (entries of a putAll each) while disconnected. */
  public long droppedWrites() { return connection.droppedWrites(); }

  /** Best-effort mode: reads answered as a miss while disconnected. */
  public long missedReads() { return connection.missedReads(); }

  /** Operations refused at once because no connection was up. */
  public long failedFast() { return connection.failedFast(); }

  private Mono<RSocket> rsocket() {
    return Mono.defer(() -> closed.get() ? Mono.error(new CacheClosed(name))
        : connection.current());
  }

  /** A request payload, built on subscription (a resubscription builds a fresh one). */
  private Payload payload(byte[] data, Route.Op op) {
    return DefaultPayload.create(nonNull(data, "key"), metadata.get(op));
  }

  private Flux<Payload> channel(Flux<byte[]> data, Route.Op op) {
    byte[] route = metadata.get(op);
    boolean[] first = {true};
    return Flux.defer(() -> {
      first[0] = true;
      return data.map(d -> {
        boolean head = first[0];
        first[0] = false;
        return head ? DefaultPayload.create(d, route) : DefaultPayload.create(d);
      });
    });
  }

  private <T> Mono<T> read(Mono<T> call, Mono<T> whenDown) {
    return call.onErrorResume(e -> {
      if (!bestEffortDown(e)) {
        return Mono.error(e);
      }
      connection.missedRead();
      return whenDown;
    }).transform(this::whileOpen);
  }

  private <T> Mono<T> write(Mono<T> call, long entries, Mono<T> whenDown) {
    return call.onErrorResume(e -> {
      if (!bestEffortDown(e)) {
        return Mono.error(e);
      }
      connection.droppedWrites(entries);
      return whenDown;
    }).transform(this::whileOpen);
  }

  private <T> Mono<T> whileOpen(Mono<T> call) {
    return Mono.defer(() -> closed.get() ? Mono.error(new CacheClosed(name)) : call);
  }

  private <T> Flux<T> whileOpen(Flux<T> call) {
    return Flux.defer(() -> closed.get() ? Flux.error(new CacheClosed(name)) : call);
  }

  private boolean bestEffortDown(Throwable e) {
    return connection.bestEffort() && e instanceof Disconnected;
  }

  private Throwable typed(Throwable e) {
    return WireErrors.toTyped(e, name, connection.endpoint());
  }

  private static byte[] data(Payload p) {
    try {
      return ByteBufUtil.getBytes(p.sliceData());
    } finally {
      p.release();
    }
  }

  private static byte[] nonNull(byte[] b, String what) {
    if (b == null) {
      throw new InvalidRequest(what + " must not be null");
    }
    return b;
  }

  /** Not thread-safe: collects a client's settings. */
  public static final class Builder {
    private final String cacheName;
    private String host = "127.0.0.1";
    private int port = -1;
    private String webSocketPath;
    private Path trustedCert;
    private String token;
    private boolean bestEffort;
    private Duration minBackoff = Duration.ofMillis(100);
    private Duration maxBackoff = Duration.ofSeconds(10);
    private int fragment = 1 << 20;
    private Duration connectTimeout = Duration.ofSeconds(5);

    private Builder(String cacheName) {
      this.cacheName = Objects.requireNonNull(cacheName, "cacheName");
    }

    /** Connect over TCP. */
    public Builder tcp(String host, int port) {
      this.host = Objects.requireNonNull(host, "host");
      this.port = port;
      this.webSocketPath = null;
      return this;
    }

    /** Connect over WebSocket ({@code ws://host:port/path}, or wss with {@link #tls(Path)}). */
    public Builder webSocket(String host, int port, String path) {
      this.host = Objects.requireNonNull(host, "host");
      this.port = port;
      this.webSocketPath = Objects.requireNonNull(path, "path");
      return this;
    }

    /** Use TLS, trusting the server certificate (chain) in this PEM file. */
    public Builder tls(Path trustedCertPem) { this.trustedCert = trustedCertPem; return this; }

    /** Send this bearer token in the SETUP's authentication metadata. */
    public Builder token(String token) { this.token = token; return this; }

    /**
     * While disconnected, answer a read as a miss and drop a write (counted) instead of failing
     * with {@link Disconnected}. Default false.
     */
    public Builder bestEffort(boolean on) { this.bestEffort = on; return this; }

    /** Backoff between connection attempts (defaults 100 ms to 10 s, jittered). */
    public Builder reconnectBackoff(Duration min, Duration max) {
      this.minBackoff = Objects.requireNonNull(min, "min");
      this.maxBackoff = Objects.requireNonNull(max, "max");
      return this;
    }

    /** Outbound fragment size (default 1 MiB). */
    public Builder fragment(int mtu) { this.fragment = mtu; return this; }

    /** How long {@link #connect()} waits for the first connection (default 5 s). */
    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout = Objects.requireNonNull(timeout, "timeout");
      return this;
    }

    /** A client that connects in the background; operations fail fast until it is connected. */
    public RSocketCacheClient build() {
      if (port < 0 || port > 65_535) {
        throw new IllegalStateException("tcp(host, port) or webSocket(host, port, path) first");
      }
      String scheme = webSocketPath == null ? (trustedCert == null ? "tcp" : "tcp+tls")
          : (trustedCert == null ? "ws" : "wss");
      String endpoint = scheme + "://" + host + ":" + port
          + (webSocketPath == null ? "" : webSocketPath);
      byte[] setup = token == null ? null : MetadataCodec.compositeBearer(token);
      ClientConnection c = new ClientConnection(endpoint, transport(), setup, fragment,
          minBackoff, maxBackoff, bestEffort);
      return new RSocketCacheClient(c, cacheName);
    }

    /** A client whose first connection is up (or a {@link Disconnected} error after the timeout). */
    public Mono<RSocketCacheClient> connect() {
      return Mono.defer(() -> {
        RSocketCacheClient client = build();
        return client.connection.awaitFirstConnection(connectTimeout).thenReturn(client)
            .onErrorResume(e -> client.close().then(Mono.error(e)));
      });
    }

    private ClientTransport transport() {
      if (webSocketPath == null) {
        TcpClient tcp = TcpClient.create().host(host).port(port);
        if (trustedCert != null) {
          TcpSslContextSpec spec = TcpSslContextSpec.forClient()
              .configure(b -> b.trustManager(trustedCert.toFile()));
          tcp = tcp.secure(s -> s.sslContext((SslProvider.GenericSslContextSpec<?>) spec));
        }
        return TcpClientTransport.create(tcp, RSocketCacheServer.DEFAULT_MAX_FRAME);
      }
      HttpClient http = HttpClient.create().host(host).port(port);
      if (trustedCert != null) {
        Http11SslContextSpec spec = Http11SslContextSpec.forClient()
            .configure(b -> b.trustManager(trustedCert.toFile()));
        http = http.secure(s -> s.sslContext((SslProvider.GenericSslContextSpec<?>) spec));
      }
      return WebsocketClientTransport.create(http, webSocketPath);
    }
  }
}
