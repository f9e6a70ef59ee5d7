package io.tidecache.spring;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.ReactiveHealthIndicator;
import reactor.core.publisher.Mono;

/**
 * Thread-safe: the {@code tidecache} health: UP when tidecache answers a stats request (client:
 * within {@code tidecache.client.connect-timeout}), with the caches' sizes; DOWN with the reason
 * otherwise. Never blocks.
 */
public final class TideCacheHealthIndicator implements ReactiveHealthIndicator {
  private final TideCaches caches;

  TideCacheHealthIndicator(TideCaches caches) {
    this.caches = caches;
  }

  @Override
  public Mono<Health> health() {
    return caches.health().map(s -> (s.up() ? Health.up() : Health.down())
        .withDetails(s.details()).build());
  }
}
