/**
 * The rehash latency benchmark: request latency, per 100 ms window, of an embedded cache under a
 * steady get/put load while it grows 2 → 3 → 4 shards and shrinks back, each step an
 * {@code addShard}/{@code removeShard} and a {@code rehash} run to completion.
 * {@link io.tidecache.loadtest.rehash.RehashLatencyBenchmark} is the command. See
 * {@code load-test/README.md}, section "Rehash latency benchmark".
 */
package io.tidecache.loadtest.rehash;
