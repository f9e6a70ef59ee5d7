/**
 * One shard's table and its eviction policy, all single writer, on a {@code MemorySegment} it is
 * given. {@link io.tidecache.engine.table.TableLayout} is the off-heap layout (buckets of 16 ways,
 * an ASCII map in its notes); {@link io.tidecache.engine.table.ShardTable} the table (optimistic
 * seqlock reads on any thread, two choices per key, W-TinyLFU within a bucket); the policy's
 * parts are {@code BucketPolicy} (the one decision, shared with the miniature models),
 * {@code FrequencySketch}, {@code WindowSizer} and its {@code MiniTable} models;
 * {@link io.tidecache.engine.table.ReadBuffer} carries readers' hits to the writer, and
 * {@link io.tidecache.engine.table.KeyHash} hashes keys. {@link
 * io.tidecache.engine.table.ShardTable#lost} is the one test of a table whose memory is gone.
 * Nothing here knows of leases, shards or threads.
 */
package io.tidecache.engine.table;
