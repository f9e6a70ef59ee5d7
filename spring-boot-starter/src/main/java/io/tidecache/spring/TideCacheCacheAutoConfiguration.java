package io.tidecache.spring;

import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.cache.CacheManager;
import org.springframework.context.annotation.Bean;
import org.springframework.util.ClassUtils;

/**
 * Stateless (Spring reads it once): a {@link TideCacheManager} as the application's
 * {@link CacheManager} unless it defines its own; {@code @EnableCaching} then makes
 * {@code @Cacheable} use tidecache. Runs before Boot's own cache auto-configuration, which backs
 * off when a {@code CacheManager} exists.
 */
@AutoConfiguration(after = TideCacheAutoConfiguration.class,
    beforeName = "org.springframework.boot.cache.autoconfigure.CacheAutoConfiguration")
@ConditionalOnClass(CacheManager.class)
@ConditionalOnBean(TideCaches.class)
public class TideCacheCacheAutoConfiguration {
  static final String JACKSON_MAPPER = "tools.jackson.databind.ObjectMapper";

  @Bean
  @ConditionalOnMissingBean(CacheManager.class)
  TideCacheManager cacheManager(TideCaches caches, TideCacheProperties properties,
      ObjectProvider<MeterRegistry> registry) {
    TideCacheProperties.SpringCache settings = properties.cache();
    if (settings.timeout().isNegative() || settings.timeout().isZero()) {
      throw new TideCachePropertyException("tidecache.cache.timeout", settings.timeout(),
          "a positive duration");
    }
    if (settings.timeToLive().isNegative()) {
      throw new TideCachePropertyException("tidecache.cache.time-to-live",
          settings.timeToLive(), "0 (the tidecache cache's default) or a positive duration");
    }
    return new TideCacheManager(caches, codec(settings), settings, registry.getIfUnique());
  }

  private ValueCodec codec(TideCacheProperties.SpringCache settings) {
    return switch (settings.valueCodec()) {
      case STRING -> ValueCodec.STRING;
      case BYTES -> ValueCodec.BYTES;
      case JSON -> {
        ClassLoader loader = ClassUtils.getDefaultClassLoader();
        if (!ClassUtils.isPresent(JACKSON_MAPPER, loader)) {
          throw new TideCachePropertyException("tidecache.cache.value-codec", "json",
              "string or bytes, or add Jackson 3 (tools.jackson.core:jackson-databind, "
                  + "which spring-boot-starter-json brings) for json");
        }
        yield JsonCodecs.create(settings.json().trustedPackages(), loader);
      }
    };
  }

  /** Keeps Jackson out of the class's signature, so it loads without Jackson. */
  static final class JsonCodecs {
    private JsonCodecs() {}

    static ValueCodec create(List<String> trustedPackages, ClassLoader loader) {
      return new JsonValueCodec(tools.jackson.databind.json.JsonMapper.builder().build(),
          trustedPackages, loader);
    }
  }
}
