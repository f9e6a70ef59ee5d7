/**
 * Engine threads: {@link io.tidecache.engine.worker.EngineThreads}, a fixed set of
 * {@link io.tidecache.engine.worker.EngineWorker}s, each running its
 * {@link io.tidecache.engine.worker.Duty duties} turn after turn with an Agrona-style idle
 * strategy (spin, yield, park), and the BlockHound integration that allows the one park. A worker
 * knows nothing of what its duties are (shards, in the engine).
 */
package io.tidecache.engine.worker;
