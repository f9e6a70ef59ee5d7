package io.tidecache.autoscaler;

import io.tidecache.api.ScaleDecision;
import io.tidecache.api.ScaleDecision.Action;
import java.util.concurrent.atomic.LongAdder;

/**
 * Thread-safe: running totals of one autoscaler's decisions, by action and by whether they were
 * applied, plus its sampling errors and skipped samples. Monotonic; read by the getters of
 * {@link Autoscaler} and by {@link AutoscalerMetrics}.
 */
final class DecisionCounters {
  private final LongAdder[] byActionAndOutcome = new LongAdder[Action.values().length * 2];
  private final LongAdder samplingErrors = new LongAdder();
  private final LongAdder skippedSamples = new LongAdder();

  DecisionCounters() {
    for (int i = 0; i < byActionAndOutcome.length; i++) {
      byActionAndOutcome[i] = new LongAdder();
    }
  }

  void count(ScaleDecision decision) {
    byActionAndOutcome[index(decision.action(), decision.applied())].increment();
  }

  void samplingError() {
    samplingErrors.increment();
  }

  void skippedSample() {
    skippedSamples.increment();
  }

  /** Decisions published with this action and this {@code applied} flag. */
  long count(Action action, boolean applied) {
    return byActionAndOutcome[index(action, applied)].sum();
  }

  long samplingErrors() {
    return samplingErrors.sum();
  }

  long skippedSamples() {
    return skippedSamples.sum();
  }

  private static int index(Action action, boolean applied) {
    return action.ordinal() * 2 + (applied ? 1 : 0);
  }
}
