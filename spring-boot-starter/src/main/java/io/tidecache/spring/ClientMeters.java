package io.tidecache.spring;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.tidecache.transport.rsocket.RSocketCacheClient;

/**
 * Stateless: the client's connection meters, named here in one place (Prometheus:
 * {@code tidecache_client_connected}, {@code tidecache_client_connects_total}...). They read the
 * client's counters when scraped.
 */
final class ClientMeters {
  static final String CONNECTED = "tidecache.client.connected";
  static final String CONNECTS = "tidecache.client.connects";
  static final String DROPPED_WRITES = "tidecache.client.dropped.writes";
  static final String MISSED_READS = "tidecache.client.missed.reads";
  static final String FAILED_FAST = "tidecache.client.failed.fast";

  private ClientMeters() {}

  static void bind(RSocketCacheClient client, String uri, MeterRegistry registry) {
    Tags tags = Tags.of("server", uri);
    Gauge.builder(CONNECTED, client, c -> c.connected() ? 1 : 0).tags(tags)
        .description("1 while a connection to the server is up").register(registry);
    FunctionCounter.builder(CONNECTS, client, RSocketCacheClient::connects).tags(tags)
        .description("connections made (the first and every reconnection)").register(registry);
    FunctionCounter.builder(DROPPED_WRITES, client, RSocketCacheClient::droppedWrites).tags(tags)
        .description("best effort: writes dropped while disconnected").register(registry);
    FunctionCounter.builder(MISSED_READS, client, RSocketCacheClient::missedReads).tags(tags)
        .description("best effort: reads answered as a miss while disconnected")
        .register(registry);
    FunctionCounter.builder(FAILED_FAST, client, RSocketCacheClient::failedFast).tags(tags)
        .description("operations refused at once: no connection").register(registry);
  }
}
