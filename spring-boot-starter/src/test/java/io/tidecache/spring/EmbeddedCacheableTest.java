package io.tidecache.spring;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** Not thread-safe (JUnit's thread): the {@code @Cacheable} contract on an embedded engine. */
class EmbeddedCacheableTest extends CacheableContract {
  @Override
  ApplicationContextRunner runner() {
    return starter().withPropertyValues("tidecache.embedded.pool-size=16MB",
        "tidecache.embedded.defaults.shard-size=1MB",
        "tidecache.embedded.defaults.max-key-bytes=128",
        "tidecache.embedded.defaults.max-value-bytes=4KB");
  }

  @Override
  String prefix() {
    return "";
  }
}
