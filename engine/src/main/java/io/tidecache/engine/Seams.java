package io.tidecache.engine;

/**
 * Thread-safe: named points on engine and control-plane threads where a test may pause (by
 * spinning) or fail the thread that reaches them, to make a race happen in a chosen order. In
 * production no hook is installed and each point costs one volatile read; the points sit on the
 * control plane (rehash completion, migration chunks), never on the path of a get or a put.
 *
 * <p>The points: {@code rehash.completing} (the last barrier has passed; nothing published yet),
 * {@code rehash.folded} (removed shards' meters unbound and their tallies folded),
 * {@code rehash.published} (the new routing and control are in place), {@code migrate.chunk}
 * (a source is about to hand over its next chunk).
 */
final class Seams {
  /** Receives every point reached, with the shard set or shard it concerns. */
  interface Hook {
    void at(String point, Object subject);
  }

  static volatile Hook hook;

  private Seams() {}

  static void at(String point, Object subject) {
    Hook h = hook;
    if (h != null) {
      h.at(point, subject);
    }
  }
}
