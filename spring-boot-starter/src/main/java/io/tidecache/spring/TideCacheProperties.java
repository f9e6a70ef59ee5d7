package io.tidecache.spring;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Immutable: the {@code tidecache.*} properties as bound by Spring Boot, before they are checked.
 * {@link TideCacheSettings} checks them once, at start, and a bad value fails the start with a
 * {@link TideCachePropertyException} naming the property.
 *
 * <p>Which tidecache the application uses: {@code tidecache.mode=client} (a server reached over
 * RSocket, {@code tidecache.client.*}) or {@code embedded} (an engine in this JVM,
 * {@code tidecache.embedded.*}). Without {@code tidecache.mode}, the mode is {@code client} when
 * {@code tidecache.client.uri} is set, else {@code embedded}.
 *
 * @param mode client or embedded; unset: client when {@code tidecache.client.uri} is set
 * @param client how to reach a server
 * @param embedded the engine in this JVM
 * @param cache the Spring {@code CacheManager} over tidecache
 */
@ConfigurationProperties("tidecache")
public record TideCacheProperties(Mode mode, @DefaultValue Client client,
    @DefaultValue Embedded embedded, @DefaultValue SpringCache cache) {

  /** Where the caches live. */
  public enum Mode { CLIENT, EMBEDDED }

  /**
   * {@code tidecache.client.*}.
   *
   * @param uri {@code tcp://host:port}, {@code tcp+tls://host:port}, {@code ws://host:port/path}
   *     or {@code wss://host:port/path}
   * @param cache the server's cache that {@code RSocketCacheClient} addresses (Spring caches use
   *     their own names over the same connection)
   * @param token a bearer token, when the server has {@code auth.tokens}
   * @param tls TLS settings for {@code tcp+tls://} and {@code wss://}
   * @param connectTimeout how long the start waits for the first connection (it goes on
   *     without one, and the health is DOWN until it comes), and how long a health check waits
   * @param bestEffort while disconnected, a read is a miss and a write is dropped (counted)
   *     instead of failing with {@code Disconnected}
   */
  public record Client(String uri, @DefaultValue("default") String cache, String token,
      @DefaultValue Tls tls, @DefaultValue("5s") Duration connectTimeout,
      @DefaultValue("false") boolean bestEffort) {}

  /**
   * {@code tidecache.client.tls.*}.
   *
   * @param trustedCert a PEM file with the server's certificate (chain) to trust
   */
  public record Tls(Path trustedCert) {}

  /**
   * {@code tidecache.embedded.*}.
   *
   * @param poolSize the memory budget every embedded cache leases from
   * @param threads engine threads; 0: one per core
   * @param caches caches created at start, by name, each with its own shape
   * @param defaults the shape of caches not listed in {@code caches} (created on first use)
   */
  public record Embedded(@DefaultValue("64MB") DataSize poolSize, @DefaultValue("0") int threads,
      Map<String, CacheSpec> caches, @DefaultValue CacheSpec defaults) {
    public Embedded {
      caches = caches == null ? Map.of() : Map.copyOf(caches);
    }
  }

  /**
   * The shape of one embedded cache; an unset value falls back to {@code tidecache.embedded
   * .defaults}, then to the built-in default given here.
   *
   * @param maxKeyBytes key stride (64)
   * @param maxValueBytes value stride (256 bytes)
   * @param shardSize memory leased per shard (8MB)
   * @param baseShards shards always present (1)
   * @param defaultTtl time to live of a put without its own (0: never expires)
   * @param autoscaler grow and shrink the cache with the load (true)
   * @param maxShards never grow past this many shards (64)
   * @param sampleInterval how often the autoscaler samples (1s)
   * @param cooldown no change for this long after one (30s)
   */
  public record CacheSpec(Integer maxKeyBytes, DataSize maxValueBytes, DataSize shardSize,
      Integer baseShards, Duration defaultTtl, Boolean autoscaler, Integer maxShards,
      Duration sampleInterval, Duration cooldown) {}

  /**
   * {@code tidecache.cache.*}: the Spring {@code CacheManager}.
   *
   * @param valueCodec how values are stored: json (Jackson, any type), string, bytes
   * @param json settings of the json codec
   * @param cacheNames when set, the only cache names the manager serves; else any name
   * @param timeToLive time to live of what Spring caches (0: the tidecache cache's default)
   * @param timeout how long a call from a thread that may block waits for tidecache
   * @param allowNullValues cache {@code null} results (and empty {@code Mono}s) too
   */
  public record SpringCache(@DefaultValue("json") ValueCodecKind valueCodec,
      @DefaultValue Json json, List<String> cacheNames, @DefaultValue("0s") Duration timeToLive,
      @DefaultValue("5s") Duration timeout, @DefaultValue("true") boolean allowNullValues) {
    public SpringCache {
      cacheNames = cacheNames == null ? List.of() : List.copyOf(cacheNames);
    }
  }

  /** The value codecs to choose from. */
  public enum ValueCodecKind { JSON, STRING, BYTES }

  /**
   * {@code tidecache.cache.json.*}.
   *
   * @param trustedPackages packages whose classes may be read back (their subpackages too; "*"
   *     for any); {@code java.lang}, {@code java.util}, {@code java.time} and {@code java.math}
   *     are always trusted
   */
  public record Json(List<String> trustedPackages) {
    public Json {
      trustedPackages = trustedPackages == null ? List.of() : List.copyOf(trustedPackages);
    }
  }
}
