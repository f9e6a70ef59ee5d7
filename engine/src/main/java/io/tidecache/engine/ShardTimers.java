package io.tidecache.engine;

import io.micrometer.core.instrument.Timer;

/**
 * Immutable: the latency timers of one shard (get, put, remove), made by {@link EngineMetrics}
 * before the shard and handed to it.
 */
record ShardTimers(Timer get, Timer put, Timer remove) {}
