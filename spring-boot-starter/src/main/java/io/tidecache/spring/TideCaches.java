package io.tidecache.spring;

import io.tidecache.api.ByteCache;
import reactor.core.publisher.Mono;

/**
 * Thread-safe: the tidecache caches this application uses, by name, whether they live in an
 * embedded engine ({@link EmbeddedCaches}) or on a server ({@link ClientCaches}). The Spring
 * {@code CacheManager} and the health indicator go through it; closing the application context
 * closes it.
 */
public sealed interface TideCaches extends AutoCloseable permits EmbeddedCaches, ClientCaches {

  /**
   * The named cache. Embedded: created on first use with the shape of
   * {@code tidecache.embedded.defaults} (or its own under {@code tidecache.embedded.caches}).
   * Client: a client of the server's cache of that name, over the one connection.
   */
  ByteCache cache(String name);

  /** Where the caches live, for health details and logs. */
  String describe();

  /** Up, with details, or down with the reason; never an error signal. */
  Mono<HealthSnapshot> health();

  /** Closes every cache (embedded: the engine, releasing its memory). Blocks; idempotent. */
  @Override
  void close();

  /**
   * Immutable: what the health indicator reports.
   *
   * @param up whether tidecache answers
   * @param details name to value, shown with the health
   */
  record HealthSnapshot(boolean up, java.util.Map<String, Object> details) {}
}
