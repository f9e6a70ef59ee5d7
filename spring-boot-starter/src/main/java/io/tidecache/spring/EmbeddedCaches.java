package io.tidecache.spring;

import io.micrometer.core.instrument.MeterRegistry;
import io.tidecache.api.ByteCache;
import io.tidecache.api.CacheStats;
import io.tidecache.api.ElasticCache;
import io.tidecache.api.InvalidRequest;
import io.tidecache.autoscaler.Autoscaler;
import io.tidecache.autoscaler.AutoscalerMetrics;
import io.tidecache.engine.Engine;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Thread-safe: the caches of an {@link Engine} in this JVM, created at start (those listed under
 * {@code tidecache.embedded.caches}) or on first use, each with its autoscaler unless it is off.
 * The engine's and the autoscalers' meters go to the application's {@link MeterRegistry} when
 * there is one.
 */
public final class EmbeddedCaches implements TideCaches {
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

  private final Engine engine;
  private final EmbeddedShapes shapes;
  private final MeterRegistry registry;
  private final Map<String, ElasticCache> caches = new ConcurrentHashMap<>();
  private final Disposable.Composite autoscalers = Disposables.composite();
  private final AtomicBoolean closed = new AtomicBoolean();

  EmbeddedCaches(EmbeddedShapes shapes, MeterRegistry registry) {
    this.shapes = shapes;
    this.registry = registry;
    Engine.Builder b = Engine.builder().poolBytes(shapes.poolBytes()).threads(shapes.threads());
    if (registry != null) {
      b.meterRegistry(registry);
    }
    this.engine = b.build();
  }

  /** Creates the caches listed under {@code tidecache.embedded.caches}; closes all on failure. */
  EmbeddedCaches start(Iterable<String> names) {
    try {
      names.forEach(this::cache);
      return this;
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  /** The engine, for direct use ({@code engine.cache(name)}, {@code engine.pool()}). */
  public Engine engine() {
    return engine;
  }

  @Override
  public ElasticCache cache(String name) {
    ElasticCache c = caches.get(name);
    return c != null ? c : caches.computeIfAbsent(name, this::create);
  }

  private ElasticCache create(String name) {
    EmbeddedShapes.Shape shape = shapes.shape(name);
    ElasticCache cache;
    try {
      cache = engine.createCache(shape.options());
    } catch (InvalidRequest e) {
      throw new TideCachePropertyException(shapes.where(name), name,
          "a cache shape the engine accepts (" + e.getMessage() + ")", e);
    }
    if (shape.autoscaler() != null) {
      Autoscaler autoscaler = Autoscaler.create(cache, shape.autoscaler());
      if (registry != null) {
        AutoscalerMetrics.bind(autoscaler, registry);
      }
      autoscalers.add(autoscaler.start());
    }
    return cache;
  }

  @Override
  public String describe() {
    return "embedded engine, pool " + engine.pool().budget() + " bytes, caches "
        + new TreeMap<>(caches).keySet();
  }

  @Override
  public Mono<HealthSnapshot> health() {
    return Flux.fromIterable(List.copyOf(caches.values()))
        .flatMap(ByteCache::stats)
        .collectSortedList((a, b) -> a.cache().compareTo(b.cache()))
        .map(stats -> {
          Map<String, Object> details = new LinkedHashMap<>();
          details.put("mode", "embedded");
          details.put("poolBytes", engine.pool().budget());
          details.put("poolFreeBytes", engine.pool().freeBytes());
          details.put("leasesActive", engine.pool().activeLeases());
          Map<String, Object> byCache = new LinkedHashMap<>();
          for (CacheStats s : stats) {
            byCache.put(s.cache(), Map.of("shards", s.shards(), "entries", s.entries(),
                "hitRate", s.hitRate()));
          }
          details.put("caches", byCache);
          return new HealthSnapshot(!closed.get(), details);
        })
        .onErrorResume(e -> Mono.just(new HealthSnapshot(false,
            Map.of("mode", "embedded", "error", String.valueOf(e.getMessage())))));
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      autoscalers.dispose();
      engine.close().block(CLOSE_TIMEOUT);
    }
  }
}
