package io.tidecache.spring;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Not thread-safe (JUnit's thread): a bad {@code tidecache.*} value stops the application at
 * start, and the failure names the property; for the starter's own checks, Boot's failure report
 * says what to change.
 */
class BadConfigurationTest {

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "tidecache.client.uri=redis://127.0.0.1:6379 | tidecache.client.uri",
      "tidecache.client.uri=tcp://127.0.0.1 | tidecache.client.uri",
      "tidecache.client.uri=ws://127.0.0.1:7879 | tidecache.client.uri",
      "tidecache.client.uri=tcp+tls://127.0.0.1:7878 | tidecache.client.tls.trusted-cert",
      "tidecache.mode=client | tidecache.client.uri",
      "tidecache.embedded.pool-size=0 | tidecache.embedded.pool-size",
      "tidecache.embedded.threads=-1 | tidecache.embedded.threads",
      "tidecache.embedded.caches.users.max-key-bytes=0 | tidecache.embedded.caches.users.max-key-bytes",
      "tidecache.embedded.caches.users.shard-size=1GB | tidecache.embedded.caches.users.shard-size",
      "tidecache.embedded.caches.users.shard-size=100B | tidecache.embedded.caches.users",
      "tidecache.embedded.defaults.default-ttl=-1s | tidecache.embedded.defaults.default-ttl",
      "tidecache.cache.timeout=0s | tidecache.cache.timeout",
  })
  void theStarterNamesTheProperty(String property, String named) {
    CacheableContract.starter().withPropertyValues(property.trim()).run(ctx -> {
      assertThat(ctx).hasFailed();
      Throwable failure = ctx.getStartupFailure();
      TideCachePropertyException bad = find(failure);
      assertThat(bad).as("a TideCachePropertyException in %s", failure).isNotNull();
      assertThat(bad.property()).isEqualTo(named.trim());
      assertThat(bad.getMessage()).startsWith(named.trim() + " = '").contains("allowed: ");
      FailureAnalysis analysis = new TideCachePropertyFailureAnalyzer().analyze(failure);
      assertThat(analysis.getAction()).startsWith("Change " + named.trim() + " ");
    });
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "tidecache.mode=remote | tidecache.mode",
      "tidecache.cache.value-codec=xml | tidecache.cache.value-codec",
      "tidecache.embedded.pool-size=lots | tidecache.embedded.pool-size",
      "tidecache.client.connect-timeout=soon | tidecache.client.connect-timeout",
  })
  void bindingNamesTheProperty(String property, String named) {
    CacheableContract.starter().withPropertyValues(property.trim()).run(ctx -> {
      assertThat(ctx).hasFailed();
      StringBuilder chain = new StringBuilder();
      for (Throwable t = ctx.getStartupFailure(); t != null; t = t.getCause()) {
        chain.append(t.getMessage()).append('\n');
      }
      assertThat(chain.toString()).contains("'" + named.trim() + "'");
    });
  }

  private static TideCachePropertyException find(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof TideCachePropertyException e) {
        return e;
      }
    }
    return null;
  }
}
