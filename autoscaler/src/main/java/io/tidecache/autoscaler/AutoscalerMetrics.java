package io.tidecache.autoscaler;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.tidecache.api.ScaleDecision.Action;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Thread-safe: binds an autoscaler's counters to Micrometer meters, named here in one place. The
 * meters read the counters when scraped; the autoscaler pays nothing for them. Micrometer is an
 * optional dependency of this module: only this class needs it.
 */
public final class AutoscalerMetrics {
  private AutoscalerMetrics() {}

  /** Counter, tags cache, action=grow|shrink|hold, applied=true|false: decisions published. */
  public static final String DECISIONS = "tidecache.autoscaler.decisions";
  /** Counter, tag cache: samples whose signals could not be read (published as HOLD). */
  public static final String SAMPLING_ERRORS = "tidecache.autoscaler.sampling.errors";
  /** Counter, tag cache: ticks skipped because the previous sample was still in progress. */
  public static final String SKIPPED_SAMPLES = "tidecache.autoscaler.samples.skipped";
  /** Counter, tag cache: background rehashes that failed after their change was applied. */
  public static final String REHASH_FAILURES = "tidecache.autoscaler.rehash.failures";

  /** Registers the meters of {@code autoscaler}; returns them so that they can be removed. */
  public static List<Meter> bind(Autoscaler autoscaler, MeterRegistry registry) {
    Tags cache = Tags.of("cache", autoscaler.cache());
    DecisionCounters counters = autoscaler.counters();
    List<Meter> meters = new ArrayList<>();
    for (Action action : Action.values()) {
      for (boolean applied : action == Action.HOLD ? new boolean[] {false}
          : new boolean[] {true, false}) {
        meters.add(FunctionCounter.builder(DECISIONS, counters, c -> c.count(action, applied))
            .tags(cache).tag("action", action.name().toLowerCase(Locale.ROOT))
            .tag("applied", Boolean.toString(applied))
            .description("scaling decisions published").register(registry));
      }
    }
    meters.add(FunctionCounter.builder(SAMPLING_ERRORS, counters, DecisionCounters::samplingErrors)
        .tags(cache).description("samples whose signals could not be read").register(registry));
    meters.add(FunctionCounter.builder(SKIPPED_SAMPLES, counters, DecisionCounters::skippedSamples)
        .tags(cache).description("ticks skipped while a sample was in progress")
        .register(registry));
    meters.add(FunctionCounter.builder(REHASH_FAILURES, autoscaler, Autoscaler::rehashFailures)
        .tags(cache).description("background rehashes that failed").register(registry));
    return meters;
  }
}
