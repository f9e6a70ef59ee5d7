package io.tidecache.server;

import reactor.blockhound.BlockHound;
import reactor.blockhound.integration.BlockHoundIntegration;

/**
 * Stateless: what BlockHound allows in this module's test JVMs beyond the libraries' own
 * integrations; each entry is the kind of short lock those integrations already allow elsewhere,
 * met here because the server runs RSocket, Netty and the engine together.
 *
 * <ul>
 *   <li>Netty 4.2's default allocator ({@code AdaptivePoolingAllocator}) takes a
 *       {@code StampedLock} write lock for the moment it adds magazines under contention. Netty's
 *       own integration allows the locks of its pooled allocator ({@code PoolArena},
 *       {@code PoolChunk}) but not this one yet. Met when an RSocket answer or event is encoded
 *       on an engine thread while event loops allocate too.
 *   <li>Cancelling a periodic Reactor task (RSocket's keepalive {@code Flux.interval}, on
 *       connection close) removes it from a {@code ScheduledThreadPoolExecutor} queue under its
 *       lock. Reactor's integration allows this for one-shot tasks ({@code WorkerTask},
 *       {@code SchedulerTask}) but not for the periodic ones.
 * </ul>
 */
public final class ServerTestBlockHoundIntegration implements BlockHoundIntegration {
  @Override
  public void applyTo(BlockHound.Builder builder) {
    builder.allowBlockingCallsInside(
        "io.netty.buffer.AdaptivePoolingAllocator$MagazineGroup", "tryExpandMagazines");
    builder.allowBlockingCallsInside("reactor.core.scheduler.PeriodicWorkerTask", "dispose");
    builder.allowBlockingCallsInside("reactor.core.scheduler.InstantPeriodicWorkerTask",
        "dispose");
    builder.allowBlockingCallsInside("reactor.core.scheduler.PeriodicSchedulerTask", "dispose");
  }
}
