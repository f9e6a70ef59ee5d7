package io.tidecache.engine;

import io.tidecache.api.ByteCache;
import io.tidecache.api.CacheOptions;
import io.tidecache.api.contract.ByteCacheContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The {@link ByteCacheContract} bound to the embedded engine, called directly (the transport binds
 * the same contract to its client).
 */
class EngineCacheContractTest extends ByteCacheContract {
  private static Engine engine;

  @BeforeAll
  static void startEngine() {
    engine = Engine.builder().poolBytes(64L << 20).threads(1).build();
  }

  @AfterAll
  static void stopEngine() {
    engine.close().block(WAIT);
  }

  @Override
  protected ByteCache newCache(String name, int maxKeyBytes, int maxValueBytes) {
    return engine.createCache(CacheOptions.builder(name).maxKeyBytes(maxKeyBytes)
        .maxValueBytes(maxValueBytes).shardBytes(1L << 20).build());
  }
}
