/**
 * The hit-rate simulator: replays cache access traces (the catalog of {@code shared/traces}, or
 * any file in a documented format) through tidecache's own eviction policy (one shard's table,
 * replayed deterministically, and optionally the embedded engine's lossy read path), Caffeine,
 * an exact LRU and Belady's OPT at the same capacity, and prints their hit rates; CSV and a chart
 * on request. {@link io.tidecache.loadtest.sim.HitRateSimulator} is the command. See
 * {@code load-test/README.md}, section "Hit-rate simulator".
 */
package io.tidecache.loadtest.sim;
