package io.tidecache.autoscaler;

import io.tidecache.api.ScaleDecision;
import io.tidecache.api.ScaleDecision.Action;
import io.tidecache.api.ScalingControl;
import io.tidecache.api.TideCacheException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Thread-safe: applies GROW and SHRINK decisions to one cache, one change at a time.
 *
 * <p>A change is one or more {@code addShard()} calls, one after the other, until the cache
 * reaches the decision's {@code targetShards} (or one {@code removeShard()}), followed by one
 * {@code rehash()} run to completion in the background. {@link #apply} answers as soon as the
 * shard steps have succeeded or failed; the rehash goes on after it, and until it ends every other
 * decision is answered "not applied: rehash in progress". The actuator also refuses, on its own,
 * to go above {@code maxShards} or below the cache's base shards, whatever the policy decided: the
 * policy trusts the signals, the actuator asks the cache. A grow adds at least one shard and never
 * more than {@code maxShards} allows.
 *
 * <p>Failures never escape: a refused change comes back as the decision with {@code applied ==
 * false} and the error's message appended to its reason. A grow that fails part way (the pool ran
 * out after some shards were leased) keeps what it leased: it is applied, rehashed, and published
 * with the shard count it reached and "grew by j of k shards: error" in its reason. A failed
 * background rehash is counted and its message kept for the next decision
 * ({@link #takeRehashFailure()}).
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
    Progress progress = new Progress();
    Mono<ScaleDecision> change = decision.action() == Action.GROW
        ? grow(decision, progress)
        : shrink(decision, progress);
    return change
        .onErrorResume(error -> {
          if (!progress.handedOff()) {
            changing.set(false);
          }
          return Mono.just(refused(decision, describe(error)));
        })
        .doOnCancel(() -> {
          if (progress.handedOff()) {
            return;
          }
          if (progress.added() > 0) {
            // Shards were leased: let them take effect rather than leave them pending.
            if (progress.handOff()) {
              rehashInBackground();
            }
          } else {
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

  /**
   * {@code addShard()} as many times as it takes to reach the decision's target (at least once,
   * never past {@code maxShards}), one call after the other; then the rehash.
   */
  private Mono<ScaleDecision> grow(ScaleDecision decision, Progress progress) {
    int shards = control.shards();
    int wanted = Math.max(1, Math.min(decision.targetShards() - shards, maxShards - shards));
    return Flux.range(0, wanted)
        .concatMap(i -> step(Action.GROW), 0)
        .doOnNext(progress::added)
        .then(Mono.just(""))
        .onErrorResume(error -> progress.added() == 0
            ? Mono.error(error) // nothing changed: refused
            : Mono.just("; grew by " + progress.added() + " of " + wanted + " shards: "
                + describe(error)))
        .map(note -> handOff(progress, applied(decision, progress.reached(), note)));
  }

  /** One {@code removeShard()}; then the rehash. */
  private Mono<ScaleDecision> shrink(ScaleDecision decision, Progress progress) {
    return step(Action.SHRINK)
        .map(reached -> handOff(progress, applied(decision, reached, "")));
  }

  /** One addShard() or removeShard(): the shard count it leads to, or an error. */
  private Mono<Integer> step(Action action) {
    return Mono.defer(() -> action == Action.GROW ? control.addShard() : control.removeShard())
        .switchIfEmpty(Mono.error(() -> new NoShardCount(stepName(action)
            + " completed without a shard count")));
  }

  /** The change is made: from now on only the end of its rehash frees the actuator. */
  private ScaleDecision handOff(Progress progress, ScaleDecision applied) {
    if (progress.handOff()) {
      rehashInBackground();
    }
    return applied;
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

  private static ScaleDecision applied(ScaleDecision d, int reached, String note) {
    return new ScaleDecision(d.cache(), d.action(), d.reason() + note, d.signals(), true,
        d.atMillis(), reached);
  }

  private static ScaleDecision refused(ScaleDecision d, String why) {
    return new ScaleDecision(d.cache(), d.action(), d.reason() + "; not applied: " + why,
        d.signals(), false, d.atMillis(), d.targetShards());
  }

  /** An error as one line: the project's errors say it all; others get their type in front. */
  static String describe(Throwable error) {
    String message = error.getMessage();
    if (error instanceof TideCacheException || error instanceof NoShardCount) {
      return message;
    }
    String type = error.getClass().getSimpleName();
    return message == null || message.isEmpty() ? type : type + ": " + message;
  }

  /**
   * Thread-safe: how far one change got. Written by the steps of the change, one after the other,
   * and read on cancellation from another thread.
   */
  private static final class Progress {
    private final AtomicInteger added = new AtomicInteger();
    private final AtomicInteger reached = new AtomicInteger();
    private final AtomicBoolean handedOff = new AtomicBoolean();

    void added(int shardCount) {
      reached.set(shardCount);
      added.incrementAndGet();
    }

    int added() {
      return added.get();
    }

    /** The shard count the last successful step led to. */
    int reached() {
      return reached.get();
    }

    /** True for the one caller that hands the change off (and so starts its rehash). */
    boolean handOff() {
      return handedOff.compareAndSet(false, true);
    }

    boolean handedOff() {
      return handedOff.get();
    }
  }

  /** addShard() or removeShard() completed without a shard count; its message says so. */
  private static final class NoShardCount extends RuntimeException {
    private static final long serialVersionUID = 1L;

    NoShardCount(String message) {
      super(message, null, false, false);
    }
  }
}
