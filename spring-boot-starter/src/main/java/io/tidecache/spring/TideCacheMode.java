package io.tidecache.spring;

import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.env.Environment;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * Stateless: the conditions that pick the client or the embedded configuration. Client when
 * {@code tidecache.mode} is {@code client}, or is unset while {@code tidecache.client.uri} is
 * set; embedded otherwise (a {@code tidecache.mode} that is neither fails to bind there, naming
 * the property).
 */
final class TideCacheMode {
  private TideCacheMode() {}

  static boolean client(Environment env) {
    String mode = env.getProperty("tidecache.mode");
    if (mode == null || mode.isBlank()) {
      String uri = env.getProperty("tidecache.client.uri");
      return uri != null && !uri.isBlank();
    }
    return mode.trim().equalsIgnoreCase("client");
  }

  /** Matches in client mode. */
  static final class Client implements Condition {
    @Override
    public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
      return client(context.getEnvironment());
    }
  }

  /** Matches in embedded mode. */
  static final class Embedded implements Condition {
    @Override
    public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
      return !client(context.getEnvironment());
    }
  }
}
