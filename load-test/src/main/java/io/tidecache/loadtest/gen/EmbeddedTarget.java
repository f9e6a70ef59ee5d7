package io.tidecache.loadtest.gen;

import io.tidecache.api.CacheEvent;
import io.tidecache.api.CacheOptions;
import io.tidecache.api.ElasticCache;
import io.tidecache.api.ScaleDecision;
import io.tidecache.api.ShardEvent;
import io.tidecache.autoscaler.Autoscaler;
import io.tidecache.autoscaler.AutoscalerSettings;
import io.tidecache.engine.Engine;
import io.tidecache.loadtest.report.CsvFile;
import io.tidecache.loadtest.report.Fmt;
import io.tidecache.loadtest.report.ReportFolder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;

/**
 * Thread-safe: an embedded {@link Engine} with one elastic cache, either driven by an in-process
 * {@link Autoscaler} or pinned at a fixed number of shards. Every autoscaler decision and every
 * shard event is written to {@code decisions.csv} and {@code events.csv} of the run's folder, and
 * applied changes are logged on stderr.
 */
final class EmbeddedTarget implements Target {
  static final String CACHE = "loadgen";

  /**
   * Immutable: how to build the engine and cache.
   *
   * @param shardBytes bytes per shard
   * @param valueBytes the value stride (values are this long)
   * @param engineThreads engine threads, 0 for the engine's default
   * @param maxShards the pool holds this many shards
   * @param pinnedShards without autoscaler: grow to this many shards before the load
   * @param autoscaler the autoscaler's settings, or null for a pinned cache
   * @param queueCapacity commands waiting per shard
   */
  record Config(long shardBytes, int valueBytes, int engineThreads, int maxShards,
      int pinnedShards, AutoscalerSettings autoscaler, int queueCapacity) {}

  private final Config config;
  private final Duration ttl;
  private final Engine engine;
  private final ElasticCache cache;
  private final Autoscaler autoscaler;
  private final List<String> notes = new ArrayList<>();
  private final AtomicInteger shardEvents = new AtomicInteger();
  private Disposable running;
  private Disposable decisionLog;
  private Disposable eventLog;
  private CsvFile decisionsCsv;
  private CsvFile eventsCsv;
  private boolean closed;

  EmbeddedTarget(Config config, Duration ttl) {
    this.config = config;
    this.ttl = ttl;
    Engine.Builder b = Engine.builder()
        .poolBytes(config.shardBytes() * Math.max(config.maxShards(), config.pinnedShards()));
    if (config.engineThreads() > 0) {
      b.threads(config.engineThreads());
    }
    this.engine = b.build();
    this.cache = engine.createCache(CacheOptions.builder(CACHE)
        .maxKeyBytes(KeyCodec.KEY_BYTES).maxValueBytes(config.valueBytes())
        .shardBytes(config.shardBytes()).queueCapacity(config.queueCapacity()).build());
    if (config.autoscaler() == null) {
      for (int i = 1; i < config.pinnedShards(); i++) {
        cache.addShard().block(Duration.ofSeconds(10));
      }
      cache.rehash().blockLast(Duration.ofSeconds(60));
      this.autoscaler = null;
    } else {
      this.autoscaler = Autoscaler.create(cache, config.autoscaler());
    }
  }

  ElasticCache cache() {
    return cache;
  }

  Engine engine() {
    return engine;
  }

  @Override
  public String describe() {
    return "embedded engine (" + engine.threads() + " engine threads), cache of "
        + Fmt.mib(config.shardBytes()) + " shards, " + (autoscaler == null
        ? "pinned at " + config.pinnedShards() + " shard(s)"
        : "autoscaled 1.." + config.autoscaler().maxShards() + " shards");
  }

  @Override
  public Mono<byte[]> get(byte[] key) {
    return cache.get(key);
  }

  @Override
  public Mono<Void> put(byte[] key, byte[] value) {
    return cache.put(key, value, ttl);
  }

  @Override
  public Gauges gauges() {
    return new Gauges(cache.shards(), engine.pool().leasedBytes(), ProcStatus.selfRss(), -1);
  }

  /** Starts the autoscaler (if any) and the decision and event logs. */
  @Override
  public void loadStarting(RunClock clock, ReportFolder folder) {
    eventsCsv = CsvFile.create(folder.file("events.csv"), "t_s,event,detail");
    eventLog = cache.events().subscribe(e -> onEvent(clock, e));
    if (autoscaler != null) {
      decisionsCsv = CsvFile.create(folder.file("decisions.csv"),
          "t_s,action,applied,shards,occupancy,reason");
      decisionLog = autoscaler.decisions().subscribe(d -> onDecision(clock, d));
      running = autoscaler.start();
    }
  }

  @Override
  public void loadEnded() {
    if (running != null) {
      running.dispose();
      notes.add("autoscaler: GROW applied " + autoscaler.applied(ScaleDecision.Action.GROW)
          + " (refused " + autoscaler.refused(ScaleDecision.Action.GROW) + "), SHRINK applied "
          + autoscaler.applied(ScaleDecision.Action.SHRINK) + " (refused "
          + autoscaler.refused(ScaleDecision.Action.SHRINK) + "), samples skipped "
          + autoscaler.skippedSamples() + ", sampling errors " + autoscaler.samplingErrors()
          + ", rehash failures " + autoscaler.rehashFailures());
    }
    notes.add("shard events (added, removed, rehash started/completed, lost): " + shardEvents.get()
        + "; see events.csv");
  }

  @Override
  public List<String> notes() {
    return List.copyOf(notes);
  }

  private void onDecision(RunClock clock, ScaleDecision d) {
    double t = clock.seconds();
    int shards = d.signals() == null ? -1 : d.signals().shards();
    String occ = d.signals() == null ? "" : Fmt.num(d.signals().occupancy(), 3);
    decisionsCsv.line(Fmt.num(t, 3) + ',' + d.action() + ',' + d.applied() + ',' + shards + ','
        + occ + ",\"" + d.reason().replace('"', '\'') + '"');
    if (d.action() != ScaleDecision.Action.HOLD) {
      System.err.printf("[%6.2fs] autoscaler %s %s at %d shards: %s%n", t, d.action(),
          d.applied() ? "applied" : "not applied", shards, d.reason());
    }
  }

  private void onEvent(RunClock clock, CacheEvent e) {
    if (!(e instanceof ShardEvent s)) {
      return; // rehash progress: too many to log
    }
    shardEvents.incrementAndGet();
    String detail = switch (s) {
      case ShardEvent.ShardAdded a -> "shard " + a.shard() + ", " + a.bytes() + " bytes";
      case ShardEvent.ShardRemoved r -> "shard " + r.shard() + ", " + r.bytesReleased()
          + " bytes released";
      case ShardEvent.RehashStarted r -> r.fromShards() + " -> " + r.toShards();
      case ShardEvent.RehashCompleted r -> r.fromShards() + " -> " + r.toShards() + ", "
          + r.entriesMoved() + " entries moved in " + r.durationMillis() + " ms";
      case ShardEvent.ShardLost l -> "shard " + l.shard() + ", " + l.entriesLost()
          + " entries lost";
    };
    eventsCsv.line(Fmt.num(clock.seconds(), 3) + ',' + s.getClass().getSimpleName() + ",\""
        + detail + '"');
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (running != null) {
      running.dispose();
    }
    try {
      engine.close().block(Duration.ofSeconds(30));
    } finally {
      if (decisionLog != null) {
        decisionLog.dispose();
      }
      if (eventLog != null) {
        eventLog.dispose();
      }
      if (decisionsCsv != null) {
        decisionsCsv.close();
      }
      if (eventsCsv != null) {
        eventsCsv.close();
      }
    }
  }
}
