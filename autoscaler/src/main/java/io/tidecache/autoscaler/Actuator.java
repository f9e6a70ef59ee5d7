package io.tidecache.autoscaler;

import io.tidecache.api.ScaleDecision;
import io.tidecache.api.ScaleDecision.Action;
import io.tidecache.api.ScalingControl;
import io.tidecache.api.TideCacheException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Thread-safe: applies GROW and SHRINK decisions to one cache, one change at a time.
 *
 * <p>A change is {@code addShard()} (or {@code removeShard()}) followed by a {@code rehash()} run
 * to completion in the background. {@link #apply} answers as soon as the first step has
 * succeeded or failed; the rehash goes on after it, and until it ends every other decision is
 * answered "not applied: rehash in progress". The actuator also refuses, on its own, to go above
 * {@code maxShards} or below the cache's base shards, whatever the policy decided: the policy
 * trusts the signals, the actuator asks the cache.
 *
 * <p>Failures never escape: a refused change comes back as the decision with {@code applied ==
 * false} and the error's message appended to its reason; a failed background rehash is counted and
 * its message kept for the next decision ({@link #takeRehashFailure()}).
 */
final class Actuator {
  private final ScalingControl control;
  private final int maxShards;
  /** True from the start of a change until its rehash ends (or the change is refused). */
  private final AtomicBoolean changing = new AtomicBoolean();
  private final LongAdder rehashFailures = new LongAdder();
  private final AtomicReference<String> lastRehashFailure = new AtomicReference<>();

  Actuator(ScalingControl control, int maxShards) {
    this.control = control;
    this.maxShards = maxShards;
  }

  /**
   * Applies {@code decision}; emits it back with {@code applied} set (HOLD passes through
   * unchanged). Never signals an error.
   */
  Mono<ScaleDecision> apply(ScaleDecision decision) {
    if (decision.action() == Action.HOLD) {
      return Mono.just(decision);
    }
    if (!changing.compareAndSet(false, true)) {
      return Mono.just(refused(decision, "rehash in progress"));
    }
    String bound = boundRefusal(decision.action());
    if (bound != null) {
      changing.set(false);
      return Mono.just(refused(decision, bound));
    }
    AtomicBoolean handedOff = new AtomicBoolean();
    return firstStep(decision.action())
        .map(targetShards -> {
          handedOff.set(true);
          rehashInBackground();
          return applied(decision);
        })
        .switchIfEmpty(Mono.fromSupplier(() -> {
          changing.set(false);
          return refused(decision,
              stepName(decision.action()) + " completed without a shard count");
        }))
        .onErrorResume(error -> {
          if (!handedOff.get()) {
            changing.set(false);
          }
          return Mono.just(refused(decision, describe(error)));
        })
        .doOnCancel(() -> {
          if (!handedOff.get()) {
            changing.set(false);
          }
        });
  }

  /** True from the start of a change until its rehash has ended. */
  boolean changing() {
    return changing.get();
  }

  /** Background rehashes that failed. */
  long rehashFailures() {
    return rehashFailures.sum();
  }

  /** The message of the last failed rehash not yet reported, or null; reading it clears it. */
  String takeRehashFailure() {
    return lastRehashFailure.getAndSet(null);
  }

  private Mono<Integer> firstStep(Action action) {
    return Mono.defer(() -> action == Action.GROW ? control.addShard() : control.removeShard());
  }

  private void rehashInBackground() {
    Flux.defer(control::rehash).ignoreElements().subscribe(
        ignored -> { },
        error -> {
          rehashFailures.increment();
          lastRehashFailure.set(describe(error));
          changing.set(false);
        },
        () -> changing.set(false));
  }

  /** Why the cache's current size forbids {@code action}, or null when it allows it. */
  private String boundRefusal(Action action) {
    if (control.rehashing()) {
      return "rehash in progress";
    }
    int shards = control.shards();
    if (action == Action.GROW && shards >= maxShards) {
      return "at max shards: " + shards + " of " + maxShards;
    }
    if (action == Action.SHRINK && shards <= control.baseShards()) {
      return "at base shards: " + control.baseShards();
    }
    return null;
  }

  private static String stepName(Action action) {
    return action == Action.GROW ? "addShard()" : "removeShard()";
  }

  private static ScaleDecision applied(ScaleDecision d) {
    return new ScaleDecision(d.cache(), d.action(), d.reason(), d.signals(), true, d.atMillis());
  }

  private static ScaleDecision refused(ScaleDecision d, String why) {
    return new ScaleDecision(d.cache(), d.action(), d.reason() + "; not applied: " + why,
        d.signals(), false, d.atMillis());
  }

  /** An error as one line: the project's errors say it all; others get their type in front. */
  static String describe(Throwable error) {
    String message = error.getMessage();
    if (error instanceof TideCacheException) {
      return message;
    }
    String type = error.getClass().getSimpleName();
    return message == null || message.isEmpty() ? type : type + ": " + message;
  }
}
