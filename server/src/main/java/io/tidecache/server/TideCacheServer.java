package io.tidecache.server;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.tidecache.api.ByteCache;
import io.tidecache.api.CacheEvent;
import io.tidecache.api.CacheStats;
import io.tidecache.api.ElasticCache;
import io.tidecache.api.ScaleDecision;
import io.tidecache.api.ShardEvent;
import io.tidecache.autoscaler.Autoscaler;
import io.tidecache.autoscaler.AutoscalerMetrics;
import io.tidecache.autoscaler.AutoscalerSettings;
import io.tidecache.engine.Engine;
import io.tidecache.server.ServerConfig.CacheConfig;
import io.tidecache.transport.rsocket.RSocketCacheServer;
import io.tidecache.transport.rsocket.RunningCacheServer;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;

/**
 * Thread-safe: a running tidecache server, the composition of the modules: an embedded
 * {@link Engine} with its named caches, one {@link Autoscaler} per cache (unless turned off),
 * the RSocket server on TCP and WebSocket, and on the WebSocket's HTTP port {@code /metrics}
 * (Prometheus) and {@code /health}. {@link #start} brings it up; {@link #stop} takes it down
 * gracefully, once.
 *
 * <p>Implementation notes. The {@code events} route streams the merge of the engine's events
 * (leases, shards, rehashes) and every autoscaler's decisions (each a {@link ScaleDecision}, HOLD
 * included). Requests reach the caches through a {@link DrainGate}. On stop the listeners close
 * first ({@link RunningCacheServer#stopAccepting()}: a new connection is refused, those
 * established stay open), then the gate closes (a new request on an open connection gets
 * {@code CACHE_CLOSED}), in-flight ones get {@code shutdown.grace} to finish on their
 * connections; scans and channels still running then end with {@code CACHE_CLOSED} on their
 * stream ({@link DrainGate#cutLongOperations}); then every connection gets an ERROR frame on
 * stream 0 (CONNECTION_CLOSE, {@code CACHE_CLOSED: the server is stopping...}) after the frames
 * already queued on it, which ends whatever its client sent that was not read, and is closed
 * once its client has read it (no reset: {@link RunningCacheServer#closeConnections}); then the
 * autoscalers stop, and the engine closes, which releases every lease. During the grace {@code /health} answers only on an HTTP connection
 * already open: its port is the WebSocket listener's, closed with the others. Scraping
 * {@code /metrics} reads MXBeans and {@code /proc}, which may block, so it runs on bounded-elastic
 * threads, never on the event loop. The server's own log ({@link JsonLog}) never blocks, so
 * decisions and shard events are logged on the threads that publish them (engine and parallel
 * threads).
 */
final class TideCacheServer {
  static final String METRICS_PATH = "/metrics";
  static final String HEALTH_PATH = "/health";
  static final String WIRE_FORMAT = "transport-rsocket/WIRE-FORMAT.md";
  static final String VERSION = "0.1.0";
  private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
  /** What a connection closed by the stop is told (after CACHE_CLOSED: ), on stream 0. */
  static final String STOP_MESSAGE = "the server is stopping; a request on this connection that "
      + "got no answer before this was not served";
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);
  private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

  private final ServerConfig config;
  private final JsonLog log;
  private final PrometheusMeterRegistry registry;
  private final JvmGcMetrics gcMetrics;
  private final Engine engine;
  private final Map<String, ElasticCache> caches;
  private final List<Autoscaler> autoscalers;
  private final DrainGate gate;
  private final Sinks.One<Boolean> stopping;
  private final long startNanos;
  private final Disposable.Composite background = Disposables.composite();
  private volatile RunningCacheServer transport;
  private StopReport stopReport; // guarded by this

  /**
   * What a stop did.
   *
   * @param drained true when every in-flight request finished within the grace
   * @param abandoned requests still in flight when the grace ran out, after the long ones were
   *     cut: their connection's CONNECTION_CLOSE frame ended them
   * @param requests requests admitted since the start
   * @param refusedWhileStopping requests refused because the server was stopping
   *     ({@code CACHE_CLOSED} on their stream)
   * @param cutAtGrace scans and channels still running when the grace ran out, ended with
   *     {@code CACHE_CLOSED} on their stream
   * @param connectionsClosed RSocket connections closed with a CONNECTION_CLOSE frame
   *     ({@code CACHE_CLOSED: ...} on stream 0)
   * @param streamsCutByClose streams still open when that frame was sent (it ended them)
   * @param requestsAfterClose requests read after that frame: not served; the client had the
   *     frame, which ended them
   * @param leasesReleased memory leases released by closing the engine
   * @param bytesReleased bytes those leases held
   * @param leasesActive leases still active after the stop (0 when clean)
   * @param poolFreeBytes free bytes of the pool after the stop
   * @param poolBytes the pool's budget
   * @param stopMillis how long the stop took
   * @param uptimeMillis from the start to the end of the stop
   * @param failure what went wrong while stopping, or {@code null}
   */
  record StopReport(boolean drained, long abandoned, long requests, long refusedWhileStopping,
      long cutAtGrace, long connectionsClosed, long streamsCutByClose, long requestsAfterClose,
      long leasesReleased, long bytesReleased, long leasesActive, long poolFreeBytes,
      long poolBytes, long stopMillis, long uptimeMillis, String failure) {
    /** True when nothing was left behind: no lease active, no error. */
    boolean clean() {
      return leasesActive == 0 && failure == null;
    }
  }

  private TideCacheServer(ServerConfig config, JsonLog log, PrometheusMeterRegistry registry,
      JvmGcMetrics gcMetrics, Engine engine, Map<String, ElasticCache> caches,
      List<Autoscaler> autoscalers, DrainGate gate, Sinks.One<Boolean> stopping,
      long startNanos) {
    this.config = config;
    this.log = log;
    this.registry = registry;
    this.gcMetrics = gcMetrics;
    this.engine = engine;
    this.caches = caches;
    this.autoscalers = autoscalers;
    this.gate = gate;
    this.stopping = stopping;
    this.startNanos = startNanos;
  }

  /**
   * Starts everything {@code config} describes and logs where it listens. Blocks the calling
   * thread until the listeners are bound (at most 30 s).
   *
   * @throws RuntimeException when a listener cannot bind (a port in use: a
   *     {@code ListenerBindException} naming the transport, address and reason; bad TLS files) or
   *     a cache cannot be created; whatever had started is closed again, listeners included
   */
  static TideCacheServer start(ServerConfig config, JsonLog log) {
    long t0 = System.nanoTime();
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    // Reactor Netty tags connection meters with the client's address and port: one series per
    // connection. Not enabled here, but never let that tag through.
    registry.config().meterFilter(MeterFilter.ignoreTags("remote.address"));
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    JvmGcMetrics gc = new JvmGcMetrics();
    gc.bindTo(registry);

    Engine engine = Engine.builder().poolBytes(config.poolBytes())
        .threads(config.engineThreads()).idleSpin(config.engineIdleSpin())
        .meterRegistry(registry).build();
    try {
      Map<String, ElasticCache> caches = new LinkedHashMap<>();
      List<Autoscaler> autoscalers = new ArrayList<>();
      for (CacheConfig c : config.caches()) {
        ElasticCache cache = engine.createCache(c.options());
        caches.put(c.name(), cache);
        if (c.autoscaler() != null) {
          Autoscaler a = Autoscaler.create(cache, c.autoscaler());
          AutoscalerMetrics.bind(a, registry);
          autoscalers.add(a);
        }
      }
      DrainGate gate = new DrainGate();
      Sinks.One<Boolean> stopping = Sinks.one();
      TideCacheServer server = new TideCacheServer(config, log, registry, gc, engine, caches,
          autoscalers, gate, stopping, t0);
      server.bind();
      return server;
    } catch (RuntimeException e) {
      engine.close().block(CLOSE_TIMEOUT);
      gc.close();
      registry.close();
      throw e;
    }
  }

  private void bind() {
    Map<String, ByteCache> served = new LinkedHashMap<>();
    caches.forEach((name, cache) -> served.put(name, gate.wrap(cache)));
    List<Flux<CacheEvent>> sources = new ArrayList<>();
    sources.add(engine.events());
    autoscalers.forEach(a -> sources.add(a.decisions().cast(CacheEvent.class)));
    Flux<CacheEvent> events = Flux.merge(sources).takeUntilOther(stopping.asMono());

    RSocketCacheServer.Builder b = RSocketCacheServer.builder()
        .caches(served)
        .events(events)
        .host(config.bind())
        .tcp(config.tcpPort())
        .webSocket(config.httpPort(), config.webSocketPath())
        .httpRoutes(routes -> routes
            .get(METRICS_PATH, (req, res) -> res
                .header(HttpHeaderNames.CONTENT_TYPE, PROMETHEUS_TEXT)
                .sendString(Mono.fromCallable(registry::scrape)
                    .subscribeOn(Schedulers.boundedElastic())))
            .get(HEALTH_PATH, (req, res) -> {
              boolean up = gate.isOpen();
              return res.status(up ? HttpResponseStatus.OK
                      : HttpResponseStatus.SERVICE_UNAVAILABLE)
                  .header(HttpHeaderNames.CONTENT_TYPE, "application/json")
                  .sendString(Mono.just(up ? "{\"status\":\"UP\"}\n"
                      : "{\"status\":\"STOPPING\"}\n"));
            }))
        .maxInFlightPerConnection(config.maxInFlight())
        .maxFrameSize(config.maxFrameSize())
        .eventBuffer(config.eventBuffer())
        .setupTimeout(config.setupTimeout())
        .maxConnections(config.maxConnections())
        .maxConnectionsPerAddress(config.maxConnectionsPerAddress())
        .outboundBuffer(config.outboundBuffer());
    if (config.defaultCache() != null) {
      b.defaultCache(config.defaultCache());
    }
    if (config.tls()) {
      b.tls(config.tlsCert(), config.tlsKey());
    }
    config.tokens().forEach(b::token);
    RSocketCacheServer server = b.build();
    server.counters().bindTo(registry);
    transport = server.start().block(START_TIMEOUT);

    for (Autoscaler a : autoscalers) {
      // The log never blocks: these run on engine and parallel threads as the events come.
      background.add(a.decisions()
          .filter(d -> d.action() != ScaleDecision.Action.HOLD && d.applied())
          .subscribe(this::logDecision));
      background.add(a.start());
    }
    background.add(engine.events()
        .filter(e -> e instanceof ShardEvent.RehashCompleted || e instanceof ShardEvent.ShardLost)
        .subscribe(this::logShardEvent));
    logStarted();
  }

  private void logStarted() {
    for (CacheConfig c : config.caches()) {
      CacheStats s = caches.get(c.name()).stats().block(START_TIMEOUT);
      AutoscalerSettings a = c.autoscaler();
      log.info("cache", "cache", c.name(), "maxKeyBytes", c.options().maxKeyBytes(),
          "maxValueBytes", c.options().maxValueBytes(), "shardBytes", c.options().shardBytes(),
          "baseShards", c.options().baseShards(), "capacity", s.capacity(),
          "defaultTtlMillis", c.options().defaultTtl(), "failClosed", c.options().failClosed(),
          "autoscaler", a != null, "maxShards", a == null ? null : a.maxShards(),
          "growOccupancy", a == null ? null : a.growOccupancy(),
          "shrinkOccupancy", a == null ? null : a.shrinkOccupancy(),
          "sampleIntervalMillis", a == null ? null : a.sampleInterval(),
          "cooldownMillis", a == null ? null : a.cooldown());
    }
    InetSocketAddress tcp = tcpAddress();
    InetSocketAddress http = httpAddress();
    log.info("listening", "transport", "tcp", "host", tcp.getHostString(), "port",
        tcp.getPort(), "url", tcpUrl(), "msg", "RSocket over TCP: " + tcpUrl());
    log.info("listening", "transport", "websocket", "host", http.getHostString(), "port",
        http.getPort(), "url", webSocketUrl(), "msg", "RSocket over WebSocket: "
        + webSocketUrl());
    log.info("listening", "transport", "metrics", "host", http.getHostString(), "port",
        http.getPort(), "url", metricsUrl(), "msg", "Prometheus metrics: " + metricsUrl()
        + " (health: " + httpUrl() + HEALTH_PATH + ")");
    log.info("started", "version", VERSION, "pid", ProcessHandle.current().pid(),
        "poolBytes", config.poolBytes(), "engineThreads", config.engineThreads(),
        "caches", List.copyOf(caches.keySet()), "defaultCache", config.defaultCache(),
        "tls", config.tls(), "auth", !config.tokens().isEmpty(),
        "startMillis", (System.nanoTime() - startNanos) / 1_000_000,
        "wireFormat", WIRE_FORMAT,
        "msg", "how to call it: " + WIRE_FORMAT + " (routes cache.get|put|remove|stats"
            + "|scan.<cache>, events); stop with SIGTERM");
  }

  private void logDecision(ScaleDecision d) {
    log.info("scale.decision", "cache", d.cache(), "action", d.action(), "applied",
        d.applied(), "shards", d.signals() == null ? null : d.signals().shards(),
        "targetShards", d.targetShards(), "occupancy", d.signals() == null ? null : d.signals().occupancy(),
        "reason", d.reason());
  }

  private void logShardEvent(CacheEvent e) {
    switch (e) {
      case ShardEvent.RehashCompleted r -> log.info("rehash.completed", "cache", r.cache(),
          "fromShards", r.fromShards(), "toShards", r.toShards(), "entriesMoved",
          r.entriesMoved(), "durationMillis", r.durationMillis());
      case ShardEvent.ShardLost l -> log.warn("shard.lost", "cache", l.cache(), "shard",
          l.shard(), "leaseId", l.leaseId(), "entriesLost", l.entriesLost());
      default -> { }
    }
  }

  /**
   * Stops gracefully, once (later calls return the first report): closes the listeners (no new
   * connection), refuses new requests, waits up to {@code shutdown.grace} for those in flight,
   * closes the connections, stops the autoscalers and closes the engine, releasing every lease.
   * Blocks the calling thread; never call it from an event loop.
   */
  synchronized StopReport stop(String reason) {
    if (stopReport != null) {
      return stopReport;
    }
    long t0 = System.nanoTime();
    RunningCacheServer running = transport;
    log.info("stopping", "reason", reason, "graceMillis", config.shutdownGrace(),
        "inFlight", gate.inFlight(), "connections",
        running == null ? 0 : running.counters().connections());
    List<String> failures = new ArrayList<>();
    if (running != null) {
      try {
        running.stopAccepting().block(CLOSE_TIMEOUT);
      } catch (RuntimeException e) {
        failures.add("closing the listeners: " + e);
      }
    }
    gate.close();
    stopping.tryEmitValue(Boolean.TRUE); // ends every events stream
    Boolean drained = gate.drained(config.shutdownGrace(), Duration.ofMillis(5),
        Schedulers.parallel()).block();
    // Scans and channels still running get CACHE_CLOSED on their stream; give those frames a
    // moment to be queued behind the answers already sent.
    if (gate.cutLongOperations() > 0) {
      gate.drained(Duration.ofSeconds(1), Duration.ofMillis(1), Schedulers.parallel()).block();
    }
    long abandoned = gate.inFlight();
    long closedBefore = 0;
    long cutBefore = 0;
    long afterBefore = 0;
    if (running != null) {
      closedBefore = running.counters().closedByStop();
      cutBefore = running.counters().streamsCut();
      afterBefore = running.counters().requestsAfterClose();
      try {
        // Every connection is told, after the frames already queued on it, and closed once its
        // client has read that: a request still in transit then ends with that frame, not with
        // a reset.
        running.closeConnections(STOP_MESSAGE).block(CLOSE_TIMEOUT);
        running.dispose().block(CLOSE_TIMEOUT);
      } catch (RuntimeException e) {
        failures.add("closing the connections: " + e);
      }
    }
    background.dispose(); // stops every autoscaler's sampling and the log subscriptions
    long deadline = System.nanoTime() + CLOSE_TIMEOUT.toNanos();
    for (Autoscaler a : autoscalers) {
      // A rehash already started runs to its end; give it until the deadline.
      Flux.interval(Duration.ZERO, Duration.ofMillis(5)).filter(t -> !a.changing()).next()
          .timeout(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())), Mono.just(0L))
          .block();
    }
    long leasesBefore = engine.pool().activeLeases();
    long bytesBefore = engine.pool().leasedBytes();
    try {
      engine.close().block(CLOSE_TIMEOUT);
    } catch (RuntimeException e) {
      failures.add("closing the engine: " + e);
    }
    // The engine releases its pool's leases as its close completes: give that a moment.
    Flux.interval(Duration.ZERO, Duration.ofMillis(1))
        .filter(t -> engine.pool().activeLeases() == 0).next()
        .timeout(Duration.ofSeconds(1), Mono.just(0L)).block();
    long leasesAfter = engine.pool().activeLeases();
    gcMetrics.close();
    long stopMillis = (System.nanoTime() - t0) / 1_000_000;
    long connectionsClosed = running == null ? 0 : running.counters().closedByStop() - closedBefore;
    long streamsCut = running == null ? 0 : running.counters().streamsCut() - cutBefore;
    long afterClose = running == null ? 0
        : running.counters().requestsAfterClose() - afterBefore;
    stopReport = new StopReport(Boolean.TRUE.equals(drained), abandoned, gate.admitted(),
        gate.refused(), gate.cut(), connectionsClosed, streamsCut, afterClose,
        leasesBefore - leasesAfter, bytesBefore - engine.pool().leasedBytes(),
        leasesAfter, engine.pool().freeBytes(), engine.pool().budget(), stopMillis,
        (System.nanoTime() - startNanos) / 1_000_000,
        failures.isEmpty() ? null : String.join("; ", failures));
    StopReport r = stopReport;
    log.write(r.clean() ? "info" : "error", "stopped", "drained", r.drained(),
        "abandonedRequests", r.abandoned(), "requests", r.requests(),
        "refusedWhileStopping", r.refusedWhileStopping(), "cutAtGrace", r.cutAtGrace(),
        "connectionsClosed", r.connectionsClosed(), "streamsCutByClose", r.streamsCutByClose(),
        "requestsAfterClose", r.requestsAfterClose(), "leasesReleased", r.leasesReleased(),
        "bytesReleased", r.bytesReleased(), "leasesActive", r.leasesActive(),
        "poolFreeBytes", r.poolFreeBytes(), "poolBytes", r.poolBytes(),
        "stopMillis", r.stopMillis(), "uptimeMillis", r.uptimeMillis(),
        "failure", r.failure());
    log.flush(CLOSE_TIMEOUT);
    registry.close();
    return r;
  }

  InetSocketAddress tcpAddress() {
    return transport.tcpAddress();
  }

  InetSocketAddress httpAddress() {
    return transport.webSocketAddress();
  }

  String tcpUrl() {
    return (config.tls() ? "tcp+tls://" : "tcp://") + hostPort(tcpAddress());
  }

  String webSocketUrl() {
    return (config.tls() ? "wss://" : "ws://") + hostPort(httpAddress())
        + config.webSocketPath();
  }

  String httpUrl() {
    return (config.tls() ? "https://" : "http://") + hostPort(httpAddress());
  }

  String metricsUrl() {
    return httpUrl() + METRICS_PATH;
  }

  Engine engine() {
    return engine;
  }

  MeterRegistry registry() {
    return registry;
  }

  DrainGate gate() {
    return gate;
  }

  List<Autoscaler> autoscalers() {
    return List.copyOf(autoscalers);
  }

  private static String hostPort(InetSocketAddress a) {
    String host = a.getHostString();
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort();
  }
}
