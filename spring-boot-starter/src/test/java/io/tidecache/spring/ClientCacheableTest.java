package io.tidecache.spring;

import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * Not thread-safe (JUnit's thread): the {@code @Cacheable} contract against a real tidecache
 * server over TCP, started in this JVM on a free port.
 */
class ClientCacheableTest extends CacheableContract {
  private static TestServer server;

  @BeforeAll
  static void startServer() {
    server = TestServer.start(List.of("default", "books", "shelves"), null, null, null);
  }

  @AfterAll
  static void stopServer() {
    if (server != null) {
      server.close();
    }
  }

  @Override
  ApplicationContextRunner runner() {
    return starter().withPropertyValues("tidecache.client.uri=" + server.uri());
  }

  @Override
  String prefix() {
    return "tcp-";
  }
}
