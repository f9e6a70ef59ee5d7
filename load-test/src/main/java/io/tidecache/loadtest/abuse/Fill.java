package io.tidecache.loadtest.abuse;

import io.tidecache.api.CacheEntry;
import io.tidecache.transport.rsocket.RSocketCacheClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import reactor.core.publisher.Flux;

/**
 * Runs once: puts {@code --entries} entries of {@code --value-bytes} into a cache over TCP (one
 * putAll channel), so that {@link UnreadScans} has something to scan.
 *
 * <pre>
 * run io.tidecache.loadtest.abuse.Fill --port 7878 --entries 20000 --value-bytes 200
 * </pre>
 */
public final class Fill {
  private Fill() {}

  public static void main(String[] argv) {
    Args args = new Args(argv, "Fill [--host 127.0.0.1] [--port 7878] [--cache default] "
        + "[--entries 20000] [--value-bytes 200]");
    int entries = args.integer("entries", 20_000);
    byte[] value = new byte[args.integer("value-bytes", 200)];
    RSocketCacheClient client = RSocketCacheClient.builder(args.text("cache", "default"))
        .tcp(args.text("host", "127.0.0.1"), args.integer("port", 7878))
        .connect().block(Duration.ofSeconds(10));
    try {
      long stored = client.putAll(Flux.range(0, entries).map(i -> new CacheEntry<>(
          ("key-" + i).getBytes(StandardCharsets.UTF_8), value))).block(Duration.ofMinutes(2));
      System.out.printf("stored %,d entries of %d bytes%n", stored, value.length);
    } finally {
      client.close().block(Duration.ofSeconds(10));
    }
  }
}
