package io.tidecache.spring;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.cache.CacheManager;

/**
 * Thread-safe: Spring's {@link CacheManager} over tidecache. A Spring cache named {@code books}
 * is the tidecache cache {@code books}: embedded, created on first use; on a server, the server
 * must have it ({@code --caches books,...}). With {@code tidecache.cache.cache-names} set, only
 * those names are served (others get {@code null}, which Spring reports as an unknown cache), and
 * they are opened at start.
 */
public final class TideCacheManager implements CacheManager {
  static final String ASYNC_WRITE_FAILURES = "tidecache.spring.cache.async.write.failures";

  private final TideCaches caches;
  private final ValueCodec codec;
  private final Duration ttl;
  private final Duration timeout;
  private final boolean allowNullValues;
  private final Set<String> fixedNames;
  private final MeterRegistry registry;
  private final ConcurrentHashMap<String, TideSpringCache> open = new ConcurrentHashMap<>();

  TideCacheManager(TideCaches caches, ValueCodec codec, TideCacheProperties.SpringCache settings,
      MeterRegistry registry) {
    this.caches = caches;
    this.codec = codec;
    this.ttl = settings.timeToLive();
    this.timeout = settings.timeout();
    this.allowNullValues = settings.allowNullValues();
    this.fixedNames = settings.cacheNames().isEmpty() ? null
        : Set.copyOf(settings.cacheNames());
    this.registry = registry;
    if (fixedNames != null) {
      fixedNames.forEach(this::getCache);
    }
  }

  @Override
  public TideSpringCache getCache(String name) {
    if (fixedNames != null && !fixedNames.contains(name)) {
      return null;
    }
    TideSpringCache c = open.get(name);
    return c != null ? c : open.computeIfAbsent(name, this::open);
  }

  private TideSpringCache open(String name) {
    TideSpringCache c = new TideSpringCache(caches.cache(name), codec, ttl, timeout,
        allowNullValues);
    if (registry != null) {
      FunctionCounter.builder(ASYNC_WRITE_FAILURES, c, TideSpringCache::asyncWriteFailures)
          .tag("cache", name).description("Spring cache writes sent without waiting that failed")
          .register(registry);
    }
    return c;
  }

  @Override
  public Collection<String> getCacheNames() {
    return List.copyOf(new TreeSet<>(fixedNames != null ? fixedNames : open.keySet()));
  }
}
