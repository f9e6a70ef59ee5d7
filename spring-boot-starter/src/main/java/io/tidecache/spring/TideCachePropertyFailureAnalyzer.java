package io.tidecache.spring;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Stateless: turns a {@link TideCachePropertyException} that stopped the start into Spring Boot's
 * "APPLICATION FAILED TO START" report, with the property to change.
 */
final class TideCachePropertyFailureAnalyzer
    extends AbstractFailureAnalyzer<TideCachePropertyException> {
  @Override
  protected FailureAnalysis analyze(Throwable root, TideCachePropertyException cause) {
    return new FailureAnalysis(cause.getMessage(), "Change " + cause.property()
        + " in the application's configuration to " + cause.allowed() + ".", cause);
  }
}
