package io.tidecache.autoscaler;

import io.tidecache.api.InvalidRequest;
import io.tidecache.api.ScaleDecision;
import io.tidecache.api.ScaleDecision.Action;
import io.tidecache.api.ScalingControl;
import io.tidecache.api.ScalingSignals;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Thread-safe: grows and shrinks one elastic cache by sampling its signals on an interval, asking
 * a {@link ScalingPolicy} for a decision and handing GROW and SHRINK to an {@link Actuator}.
 *
 * <p>Every sample yields exactly one {@link ScaleDecision}, HOLD included, published on the hot
 * {@link #decisions()} stream. The loop never dies on a failure: an error (or a timeout, after one
 * sample interval) from {@code signals()} is published as a HOLD whose reason starts with "signals
 * unavailable:", and a change the cache refuses is published with {@code applied == false} and the
 * error in its reason; the cache meanwhile keeps serving by evicting.
 *
 * <p>Threading: samples are processed one at a time ({@code concatMap} without prefetch, on the
 * threads of the injected {@link Scheduler} or of the cache's answers); a tick that comes while
 * the previous sample is still being processed is skipped and counted
 * ({@link #skippedSamples()}). Only that loop writes the policy state. Nothing here blocks.
 *
 * <pre>{@code
 * Autoscaler autoscaler = Autoscaler.create(control, AutoscalerSettings.defaults());
 * autoscaler.decisions().subscribe(d -> log(d.action() + ": " + d.reason()));
 * Disposable running = autoscaler.start();
 * ...
 * running.dispose(); // stops sampling; a rehash already started runs to its end
 * }</pre>
 */
public final class Autoscaler {
  private final ScalingControl control;
  private final AutoscalerSettings settings;
  private final Scheduler scheduler;
  private final ScalingPolicy policy;
  private final Actuator actuator;
  private final DecisionCounters counters = new DecisionCounters();
  private final Sinks.Many<ScaleDecision> sink = Sinks.many().multicast().directBestEffort();
  private final AtomicReference<Disposable> loop = new AtomicReference<>();
  /** Written only by the sampling loop, one sample at a time; volatile for the next thread. */
  private volatile PolicyState state = PolicyState.initial();

  private Autoscaler(ScalingControl control, AutoscalerSettings settings, Scheduler scheduler) {
    this.control = control;
    this.settings = settings;
    this.scheduler = scheduler;
    this.policy = new ScalingPolicy(settings);
    this.actuator = new Actuator(control, settings.maxShards());
  }

  /**
   * An autoscaler, not started, whose clock and sampling run on {@code scheduler} (a
   * {@code VirtualTimeScheduler} in tests). Throws {@link InvalidRequest} when {@code maxShards}
   * is below the cache's base shards.
   */
  public static Autoscaler create(ScalingControl control, AutoscalerSettings settings,
      Scheduler scheduler) {
    Objects.requireNonNull(control, "control");
    Objects.requireNonNull(settings, "settings");
    Objects.requireNonNull(scheduler, "scheduler");
    if (settings.maxShards() < control.baseShards()) {
      throw new InvalidRequest("maxShards must be between " + control.baseShards()
          + " (the base shards of cache '" + control.cache() + "') and "
          + AutoscalerSettings.MAX_SHARDS_LIMIT + ", got " + settings.maxShards());
    }
    return new Autoscaler(control, settings, scheduler);
  }

  /** An autoscaler, not started, sampling on {@link Schedulers#parallel()}. */
  public static Autoscaler create(ScalingControl control, AutoscalerSettings settings) {
    return create(control, settings, Schedulers.parallel());
  }

  /**
   * Starts sampling, the first sample one interval from now; disposing the result stops it (a
   * rehash already started still runs to its end). While running, calling it again returns the
   * same {@link Disposable}; after a stop it starts again, keeping the cooldown and streaks.
   */
  public Disposable start() {
    while (true) {
      Disposable current = loop.get();
      if (current != null && !current.isDisposed()) {
        return current;
      }
      Disposable.Swap slot = Disposables.swap();
      if (loop.compareAndSet(current, slot)) {
        slot.update(Flux.interval(settings.sampleInterval(), scheduler)
            .onBackpressureDrop(tick -> counters.skippedSample())
            .concatMap(tick -> sampleOnce(), 0)
            .subscribe(ignored -> { }, this::loopFailed));
        return slot;
      }
    }
  }

  /**
   * Every decision, one per sample, as a hot stream: no replay, and a subscriber that does not
   * keep up misses decisions (add {@code onBackpressureBuffer} or {@code onBackpressureLatest} to
   * keep them). Never completes.
   */
  public Flux<ScaleDecision> decisions() {
    return sink.asFlux();
  }

  /** The cache this autoscaler drives. */
  public String cache() {
    return control.cache();
  }

  public AutoscalerSettings settings() {
    return settings;
  }

  /** True between {@link #start()} and the disposal of what it returned. */
  public boolean running() {
    Disposable current = loop.get();
    return current != null && !current.isDisposed();
  }

  /** True while a change of this autoscaler (first step and rehash) is under way. */
  public boolean changing() {
    return actuator.changing();
  }

  /** Decisions published with this action, applied or not. */
  public long decisions(Action action) {
    return counters.count(action, true) + counters.count(action, false);
  }

  /** GROW or SHRINK decisions that were applied (always 0 for HOLD). */
  public long applied(Action action) {
    return counters.count(action, true);
  }

  /**
   * GROW or SHRINK decisions the actuator could not apply: a rehash was running, the cache was at
   * its bounds, or the cache refused the change (always 0 for HOLD, which applies nothing).
   */
  public long refused(Action action) {
    return action == Action.HOLD ? 0 : counters.count(action, false);
  }

  /** Samples whose signals could not be read (error or timeout); each was published as HOLD. */
  public long samplingErrors() {
    return counters.samplingErrors();
  }

  /** Ticks dropped because the previous sample was still being processed. */
  public long skippedSamples() {
    return counters.skippedSamples();
  }

  /** Background rehashes that failed after their change was applied. */
  public long rehashFailures() {
    return actuator.rehashFailures();
  }

  DecisionCounters counters() {
    return counters;
  }

  /** One tick: sample, decide, maybe act, publish. Never signals an error. */
  private Mono<ScaleDecision> sampleOnce() {
    return sample()
        .flatMap(this::decideAndApply)
        .onErrorResume(this::unavailable)
        .map(this::withRehashFailure)
        .doOnNext(this::publish);
  }

  private Mono<ScalingSignals> sample() {
    return Mono.defer(control::signals)
        .timeout(settings.sampleInterval(), Mono.error(() -> new TimeoutException(
            "signals() did not answer within "
                + AutoscalerSettings.time(settings.sampleInterval()))), scheduler)
        .switchIfEmpty(Mono.error(() -> new IllegalStateException(
            "signals() completed without a sample")))
        .onErrorMap(SignalsUnavailable::new);
  }

  private Mono<ScaleDecision> decideAndApply(ScalingSignals sample) {
    ScalingPolicy.Step step = policy.decide(state, sample);
    state = step.next();
    return actuator.apply(step.decision()).doOnNext(published -> {
      if (published.applied()) {
        state = state.changedBy(published);
      }
    });
  }

  /** A HOLD for a sample that could not be taken (or, should the policy fail, decided). */
  private Mono<ScaleDecision> unavailable(Throwable error) {
    String reason;
    if (error instanceof SignalsUnavailable unavailable) {
      counters.samplingError();
      reason = "signals unavailable: " + Actuator.describe(unavailable.getCause());
    } else {
      reason = "autoscaler failed: " + Actuator.describe(error);
    }
    // No sample was taken: the decision carries the last one that was (null before the first).
    ScalingSignals last = state.previous();
    return Mono.just(new ScaleDecision(control.cache(), Action.HOLD, reason, last, false,
        scheduler.now(TimeUnit.MILLISECONDS), last == null ? 0 : last.shards()));
  }

  private ScaleDecision withRehashFailure(ScaleDecision d) {
    String failure = actuator.takeRehashFailure();
    if (failure == null) {
      return d;
    }
    return new ScaleDecision(d.cache(), d.action(), d.reason() + "; previous rehash failed: "
        + failure, d.signals(), d.applied(), d.atMillis(), d.targetShards());
  }

  private void publish(ScaleDecision decision) {
    counters.count(decision);
    // Emission comes from the sampling loop only, so a non-serialized failure is momentary.
    Sinks.EmitResult result;
    do {
      result = sink.tryEmitNext(decision);
    } while (result == Sinks.EmitResult.FAIL_NON_SERIALIZED);
    // FAIL_ZERO_SUBSCRIBER: nobody listens, the counters still have it; best effort otherwise.
  }

  private void loopFailed(Throwable error) {
    // Unreachable by construction (sampleOnce never signals an error); counted rather than lost.
    counters.samplingError();
  }

  /** The signals of the cache could not be read; carries the cause. */
  private static final class SignalsUnavailable extends RuntimeException {
    private static final long serialVersionUID = 1L;

    SignalsUnavailable(Throwable cause) {
      super(cause.getMessage(), cause, false, false);
    }
  }
}
