/**
 * The hit-rate simulator: replays public cache access traces through tidecache's own eviction
 * policy (one embedded shard), Caffeine and an exact LRU at the same capacity, and prints their
 * hit rates beside the reference figures of the traces' README.
 * {@link io.tidecache.loadtest.sim.HitRateSimulator} is the command. See
 * {@code load-test/README.md}, section "Hit-rate simulator".
 */
package io.tidecache.loadtest.sim;
