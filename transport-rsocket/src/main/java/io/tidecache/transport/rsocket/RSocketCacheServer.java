package io.tidecache.transport.rsocket;

import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.ImmediateEventExecutor;
import io.rsocket.transport.netty.RSocketLengthCodec;
import io.tidecache.api.ByteCache;
import io.tidecache.api.CacheEvent;
import io.tidecache.api.CacheOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import reactor.netty.Connection;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.Http11SslContextSpec;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRoutes;
import reactor.netty.http.server.WebsocketServerSpec;
import reactor.netty.tcp.TcpServer;
import reactor.netty.tcp.SslProvider;
import reactor.netty.tcp.TcpSslContextSpec;

/**
 * Thread-safe (immutable): serves api caches over RSocket, on TCP and/or WebSocket; {@link #start()}
 * binds it and gives a {@link RunningCacheServer}.
 *
 * <pre>{@code
 * RunningCacheServer running = RSocketCacheServer.builder()
 *     .caches(engine::cache).events(engine.events())
 *     .tcp(7878).webSocket(7879, "/rsocket")
 *     .build().start().block();
 * }</pre>
 *
 * <p>Binds 127.0.0.1 unless told otherwise. The routes, data layouts and errors are those of
 * {@code WIRE-FORMAT.md}. Inbound payloads are decoded zero-copy and released by
 * {@link CacheResponder}; RSocket resume and lease are not offered (see STACK.md). Every
 * connection passes the {@link ConnectionHub}: connection limits, a SETUP timeout, frame checks
 * before rsocket-java reads a frame, and a bound on the bytes queued for a client that does not
 * read (see {@link OutboundBudget}).
 */
public final class RSocketCacheServer {
  /** Largest RSocket frame by default (the 24-bit frame length field's limit). */
  public static final int DEFAULT_MAX_FRAME = 0xFF_FFFF;
  /** Largest reassembled request by default: the largest key and value, with room to spare. */
  public static final int DEFAULT_MAX_PAYLOAD =
      CacheOptions.MAX_VALUE_BYTES + CacheOptions.MAX_KEY_BYTES + 4096;
  /** How long a connection may take to send its SETUP, by default. */
  public static final Duration DEFAULT_SETUP_TIMEOUT = Duration.ofSeconds(10);
  /** RSocket connections open at once, by default. */
  public static final int DEFAULT_MAX_CONNECTIONS = 1024;
  /** Bytes queued for one client past which its connection stops being read, by default. */
  public static final int DEFAULT_OUTBOUND_BUFFER = 256 << 10;

  private final Function<String, ? extends Optional<? extends ByteCache>> caches;
  private final String defaultCache;
  private final Flux<CacheEvent> events;
  private final String host;
  private final Integer tcpPort;
  private final Integer webSocketPort;
  private final String webSocketPath;
  private final Consumer<HttpServerRoutes> httpRoutes;
  private final Path certChain;
  private final Path privateKey;
  private final Set<String> tokens;
  private final int maxInFlight;
  private final int maxFrame;
  private final int maxPayload;
  private final int fragment;
  private final int eventBuffer;
  private final Duration setupTimeout;
  private final int maxConnections;
  private final int maxConnectionsPerAddress;
  private final int outboundBuffer;
  private final Consumer<ConnectionRefusal> refusalListener;
  private final List<byte[]> tokenBytes;
  private final ServerCounters counters = new ServerCounters();

  private RSocketCacheServer(Builder b) {
    this.caches = b.caches;
    this.defaultCache = b.defaultCache;
    this.events = b.events;
    this.host = b.host;
    this.tcpPort = b.tcpPort;
    this.webSocketPort = b.webSocketPort;
    this.webSocketPath = b.webSocketPath;
    this.httpRoutes = b.httpRoutes;
    this.certChain = b.certChain;
    this.privateKey = b.privateKey;
    this.tokens = Set.copyOf(b.tokens);
    this.maxInFlight = b.maxInFlight;
    this.maxFrame = b.maxFrame;
    this.maxPayload = b.maxPayload;
    this.fragment = b.fragment;
    this.eventBuffer = b.eventBuffer;
    this.setupTimeout = b.setupTimeout;
    this.maxConnections = b.maxConnections;
    this.maxConnectionsPerAddress = b.maxConnectionsPerAddress;
    this.outboundBuffer = b.outboundBuffer;
    this.refusalListener = b.refusalListener;
    this.tokenBytes = tokens.stream().map(t -> t.getBytes(StandardCharsets.UTF_8)).toList();
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Binds the configured transports, TCP first, then WebSocket; the handle completes once all are
   * listening. When one cannot bind, those already bound are closed again before the start fails
   * with a {@link ListenerBindException} naming the transport, the address and the reason.
   */
  public Mono<RunningCacheServer> start() {
    return Mono.defer(() -> {
      ConnectionHub hub = new ConnectionHub(this);
      ChannelGroup connections = new DefaultChannelGroup(ImmediateEventExecutor.INSTANCE);
      Mono<DisposableServer> tcp = tcpPort == null ? Mono.empty()
          : bind("TCP", tcpPort, tcpServer(hub).channelGroup(connections).bind());
      Mono<DisposableServer> ws = webSocketPort == null ? Mono.empty()
          : bind("WebSocket", webSocketPort, httpServer(hub).channelGroup(connections)
              .bind());
      // One after the other: a failure of the second closes the first (and so does a
      // cancellation between the two), so a failed start leaves no port bound.
      return tcp.map(Optional::of).defaultIfEmpty(Optional.empty())
          .flatMap(t -> ws.map(Optional::of).defaultIfEmpty(Optional.empty())
              .onErrorResume(e -> closed(t, connections).then(Mono.error(e)))
              .doOnCancel(() -> t.ifPresent(DisposableServer::dispose))
              .map(w -> new RunningCacheServer(t.orElse(null), w.orElse(null), webSocketPath,
                  counters, connections, hub)));
    });
  }

  private Mono<DisposableServer> bind(String transport, int port, Mono<? extends DisposableServer>
      binding) {
    return binding.<DisposableServer>map(d -> d)
        .onErrorMap(e -> new ListenerBindException(transport, host, port, e));
  }

  /**
   * Closes a listener bound by a start that failed, and any connection it accepted meanwhile;
   * completes once its port is free.
   */
  private static Mono<Void> closed(Optional<DisposableServer> bound, ChannelGroup connections) {
    return bound.map(d -> {
      d.dispose();
      Mono<Void> dropped = Mono.create(sink -> connections.close()
          .addListener(f -> sink.success()));
      return d.onDispose().onErrorResume(e -> Mono.empty()).then(dropped);
    }).orElse(Mono.empty());
  }

  /**
   * RSocket over TCP as rsocket-java's {@code TcpServerTransport} does it (a length decoder, then
   * a duplex connection: here a {@link GuardedConnection} from the hub), plus the
   * {@link FrameLimitGuard} right after the decoder. The decoder's limit counts the 3-byte length
   * prefix, the frame limit does not: one definition of a frame for TCP and WebSocket.
   */
  private TcpServer tcpServer(ConnectionHub hub) {
    FrameLimitGuard guard = new FrameLimitGuard(maxFrame);
    TcpServer server = TcpServer.create().host(host).port(tcpPort)
        .doOnConnection(c -> {
          c.addHandlerLast(new RSocketLengthCodec(maxFrame + FrameLimitGuard.LENGTH_PREFIX));
          c.addHandlerLast(FrameLimitGuard.NAME, guard);
          hub.accept(c, false)
              .then(Mono.<Void>never())
              .subscribe(c.disposeSubscriber());
        });
    if (certChain != null) {
      TcpSslContextSpec spec = TcpSslContextSpec.forServer(certChain.toFile(),
          privateKey.toFile());
      server = server.secure(s -> s.sslContext((SslProvider.GenericSslContextSpec<?>) spec));
    }
    return server;
  }

  private HttpServer httpServer(ConnectionHub hub) {
    // An HTTP connection that sends no request is closed like an RSocket one without a SETUP.
    HttpServer server = HttpServer.create().host(host).port(webSocketPort)
        .idleTimeout(setupTimeout);
    if (certChain != null) {
      Http11SslContextSpec spec = Http11SslContextSpec.forServer(certChain.toFile(),
          privateKey.toFile());
      server = server.secure(s -> s.sslContext((SslProvider.GenericSslContextSpec<?>) spec));
    }
    WebsocketServerSpec spec = WebsocketServerSpec.builder().maxFramePayloadLength(maxFrame)
        .build();
    return server.route(routes -> {
      httpRoutes.accept(routes);
      routes.ws(webSocketPath, (in, out) -> hub.accept((Connection) in, true)
          .then(out.neverComplete()), spec);
    });
  }

  /** What this server counts; shared by every start of it. */
  public ServerCounters counters() { return counters; }

  ByteCache lookup(String name) {
    Optional<? extends ByteCache> found = caches.apply(name);
    return found == null ? null : found.orElse(null);
  }

  String defaultCache() { return defaultCache; }

  Flux<CacheEvent> events() { return events; }

  Set<String> tokens() { return tokens; }

  List<byte[]> tokenBytes() { return tokenBytes; }

  Duration setupTimeout() { return setupTimeout; }

  int maxConnections() { return maxConnections; }

  int maxConnectionsPerAddress() { return maxConnectionsPerAddress; }

  int outboundBuffer() { return outboundBuffer; }

  int maxFrame() { return maxFrame; }

  int maxPayload() { return maxPayload; }

  int fragment() { return fragment; }

  Consumer<ConnectionRefusal> refusalListener() { return refusalListener; }

  int maxInFlight() { return maxInFlight; }

  int eventBuffer() { return eventBuffer; }

  /** Not thread-safe: collects the server's settings; {@link #build()} checks them once. */
  public static final class Builder {
    private Function<String, ? extends Optional<? extends ByteCache>> caches;
    private String defaultCache;
    private Flux<CacheEvent> events;
    private String host = "127.0.0.1";
    private Integer tcpPort;
    private Integer webSocketPort;
    private String webSocketPath = "/rsocket";
    private Consumer<HttpServerRoutes> httpRoutes = routes -> { };
    private Path certChain;
    private Path privateKey;
    private final Set<String> tokens = new LinkedHashSet<>();
    private int maxInFlight = 256;
    private int maxFrame = DEFAULT_MAX_FRAME;
    private int maxPayload = DEFAULT_MAX_PAYLOAD;
    private int fragment = 1 << 20;
    private int eventBuffer = 256;
    private Duration setupTimeout = DEFAULT_SETUP_TIMEOUT;
    private int maxConnections = DEFAULT_MAX_CONNECTIONS;
    private int maxConnectionsPerAddress = 0;
    private int outboundBuffer = DEFAULT_OUTBOUND_BUFFER;
    private Consumer<ConnectionRefusal> refusalListener = r -> { };

    private Builder() {}

    /** The caches served, looked up by name on each request (for example {@code engine::cache}). */
    public Builder caches(Function<String, ? extends Optional<? extends ByteCache>> lookup) {
      this.caches = Objects.requireNonNull(lookup, "lookup");
      return this;
    }

    /** The caches served, from a fixed map of name to cache. */
    public Builder caches(Map<String, ? extends ByteCache> byName) {
      Map<String, ByteCache> copy = Map.copyOf(byName);
      return caches(name -> Optional.ofNullable(copy.get(name)));
    }

    /** The cache that routes without a {@code .<cacheName>} suffix address (default: none). */
    public Builder defaultCache(String name) { this.defaultCache = name; return this; }

    /** The source of the {@code events} route (default: none, and the route is refused). */
    public Builder events(Flux<CacheEvent> source) { this.events = source; return this; }

    /** The address to bind (default 127.0.0.1, loopback only). */
    public Builder host(String host) { this.host = Objects.requireNonNull(host, "host"); return this; }

    /** Serve RSocket over TCP on this port (0: any free port). */
    public Builder tcp(int port) { this.tcpPort = checkPort(port); return this; }

    /** Serve RSocket over WebSocket on this port (0: any free port) and path. */
    public Builder webSocket(int port, String path) {
      this.webSocketPort = checkPort(port);
      this.webSocketPath = Objects.requireNonNull(path, "path");
      return this;
    }

    /** More HTTP routes on the WebSocket port (for example {@code /metrics}). */
    public Builder httpRoutes(Consumer<HttpServerRoutes> routes) {
      this.httpRoutes = Objects.requireNonNull(routes, "routes");
      return this;
    }

    /** TLS on every transport, from a PEM certificate chain and a PKCS#8 PEM private key. */
    public Builder tls(Path certChainPem, Path privateKeyPem) {
      this.certChain = Objects.requireNonNull(certChainPem, "certChainPem");
      this.privateKey = Objects.requireNonNull(privateKeyPem, "privateKeyPem");
      return this;
    }

    /**
     * Accept this token (bearer, or the password of simple auth) at SETUP. Once any token is
     * given, a SETUP without one of them is rejected. Give each client its own.
     */
    public Builder token(String token) {
      if (token == null || token.isEmpty()) {
        throw new IllegalArgumentException("a token must not be empty");
      }
      tokens.add(token);
      return this;
    }

    /** Requests, streams and channels in flight per connection before REJECTED (default 256). */
    public Builder maxInFlightPerConnection(int n) {
      this.maxInFlight = checkRange("maxInFlightPerConnection", n, 1, 1 << 20);
      return this;
    }

    /**
     * Largest inbound frame (default and upper limit 16 MiB - 1): the RSocket frame, without the
     * TCP length prefix, the same on TCP and WebSocket.
     */
    public Builder maxFrameSize(int bytes) {
      this.maxFrame = checkRange("maxFrameSize", bytes, 64, DEFAULT_MAX_FRAME);
      return this;
    }

    /** Largest reassembled inbound payload (default {@value #DEFAULT_MAX_PAYLOAD} bytes). */
    public Builder maxPayloadSize(int bytes) {
      this.maxPayload = checkRange("maxPayloadSize", bytes, 64, Integer.MAX_VALUE);
      return this;
    }

    /** Outbound fragment size (default 1 MiB; 0 disables fragmentation). */
    public Builder fragment(int mtu) {
      this.fragment = mtu == 0 ? 0 : checkRange("fragment", mtu, 64, DEFAULT_MAX_FRAME);
      return this;
    }

    /** Events kept for a slow {@code events} subscriber before the oldest drop (default 256). */
    public Builder eventBuffer(int n) {
      this.eventBuffer = checkRange("eventBuffer", n, 1, 1 << 20);
      return this;
    }

    /**
     * How long a new connection may take to send its SETUP frame (default 10 s); also how long
     * an HTTP connection may stay idle. Past it: CONNECTION_ERROR {@code SETUP_TIMEOUT}, closed.
     */
    public Builder setupTimeout(Duration timeout) {
      Objects.requireNonNull(timeout, "timeout");
      if (timeout.compareTo(Duration.ofMillis(1)) < 0 || timeout.compareTo(Duration.ofHours(1)) > 0) {
        throw new IllegalArgumentException("setupTimeout must be between 1 ms and 1 h, got "
            + timeout);
      }
      this.setupTimeout = timeout;
      return this;
    }

    /** RSocket connections open at once, over every transport (default 1024). */
    public Builder maxConnections(int n) {
      this.maxConnections = checkRange("maxConnections", n, 1, 1 << 20);
      return this;
    }

    /** RSocket connections open at once from one client IP address (default 0: no limit). */
    public Builder maxConnectionsPerAddress(int n) {
      this.maxConnectionsPerAddress = checkRange("maxConnectionsPerAddress", n, 0, 1 << 20);
      return this;
    }

    /**
     * Bytes queued for one client past which the server stops reading its connection and its
     * streams stop producing, until the client has read half of them (default 256 KiB).
     */
    public Builder outboundBuffer(int bytes) {
      this.outboundBuffer = checkRange("outboundBuffer", bytes, 1024, 1 << 30);
      return this;
    }

    /**
     * Told of every connection refused or closed because of its client (limits, SETUP timeout,
     * refused SETUP or token, broken frames); called on event-loop threads, so it must not
     * block. Each is counted in {@link ServerCounters} whether or not a listener is set.
     */
    public Builder onRefusal(Consumer<ConnectionRefusal> listener) {
      this.refusalListener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    public RSocketCacheServer build() {
      if (caches == null) {
        throw new IllegalStateException("caches(...) is required");
      }
      if (tcpPort == null && webSocketPort == null) {
        throw new IllegalStateException("bind at least one transport: tcp(port) or webSocket(...)");
      }
      if (maxFrame > maxPayload) {
        throw new IllegalStateException("maxFrameSize (" + maxFrame + ") must not exceed "
            + "maxPayloadSize (" + maxPayload + ")");
      }
      fragment = Math.min(fragment, maxFrame);
      if (certChain != null && (!certChain.toFile().canRead() || !privateKey.toFile().canRead())) {
        throw new IllegalStateException("cannot read TLS files " + certChain + ", " + privateKey);
      }
      return new RSocketCacheServer(this);
    }

    private static int checkPort(int port) {
      return checkRange("port", port, 0, 65_535);
    }

    private static int checkRange(String what, int v, int min, int max) {
      if (v < min || v > max) {
        throw new IllegalArgumentException(what + " must be between " + min + " and " + max
            + ", got " + v);
      }
      return v;
    }
  }
}
