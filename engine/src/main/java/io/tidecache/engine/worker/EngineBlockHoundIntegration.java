package io.tidecache.engine.worker;

import reactor.blockhound.BlockHound;
import reactor.blockhound.integration.BlockHoundIntegration;

/**
 * Thread-safe (stateless): tells BlockHound, when it is installed, the one place an engine thread
 * may park: the idle strategy of {@link EngineWorker}, reached only when no shard has work. Any
 * other blocking call on an engine thread fails. Loaded through {@code ServiceLoader}; BlockHound
 * is an optional dependency, absent at run time in production.
 */
public final class EngineBlockHoundIntegration implements BlockHoundIntegration {
  @Override
  public void applyTo(BlockHound.Builder builder) {
    builder.allowBlockingCallsInside(EngineWorker.class.getName(), "idle");
  }
}
