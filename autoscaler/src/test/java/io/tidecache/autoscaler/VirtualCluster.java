package io.tidecache.autoscaler;

import io.tidecache.api.ScaleDecision;
import io.tidecache.api.ScaleDecision.Action;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import reactor.core.Disposable;
import reactor.test.scheduler.VirtualTimeScheduler;

/**
 * Not thread-safe (one test thread): a fake cache, an autoscaler driving it, and every published
 * decision, all on one virtual clock. Time moves only when the test calls {@link #runFor}; the
 * first sample is taken one interval after {@link #start()}.
 */
final class VirtualCluster implements AutoCloseable {
  final VirtualTimeScheduler clock = VirtualTimeScheduler.create();
  final FakeScalingControl cache;
  final Autoscaler autoscaler;
  private final List<ScaleDecision> decisions = new ArrayList<>();
  private final Disposable listening;
  private Disposable running;

  /** {@code shards} of which {@code baseShards} are base, 1000 slots and 4096 bytes per shard. */
  VirtualCluster(AutoscalerSettings settings, int baseShards, int shards, long poolFreeBytes) {
    this.cache = new FakeScalingControl(clock, baseShards, shards, SLOTS_PER_SHARD, SHARD_BYTES,
        poolFreeBytes);
    this.autoscaler = Autoscaler.create(cache, settings, clock);
    this.listening = autoscaler.decisions().subscribe(decisions::add);
  }

  static final long SLOTS_PER_SHARD = 1000;
  static final long SHARD_BYTES = 4096;

  /** One base shard, a pool with room for 1000 more. */
  VirtualCluster(AutoscalerSettings settings) {
    this(settings, 1, 1, 1000 * SHARD_BYTES);
  }

  VirtualCluster start() {
    running = autoscaler.start();
    return this;
  }

  VirtualCluster runFor(Duration d) {
    clock.advanceTimeBy(d);
    return this;
  }

  VirtualCluster runForSeconds(long seconds) {
    return runFor(Duration.ofSeconds(seconds));
  }

  long nowMillis() {
    return clock.now(java.util.concurrent.TimeUnit.MILLISECONDS);
  }

  List<ScaleDecision> decisions() {
    return List.copyOf(decisions);
  }

  /** The decision of the sample taken at {@code second} seconds of virtual time. */
  ScaleDecision at(long second) {
    return atMillis(second * 1000).orElseThrow(() -> new AssertionError(
        "no decision at " + second + "s; decisions at " + decisions.stream()
            .map(d -> d.atMillis() / 1000.0 + "s").toList()));
  }

  Optional<ScaleDecision> atMillis(long millis) {
    return decisions.stream().filter(d -> d.atMillis() == millis).findFirst();
  }

  List<ScaleDecision> applied() {
    return decisions.stream().filter(ScaleDecision::applied).toList();
  }

  List<ScaleDecision> withAction(Action action) {
    return decisions.stream().filter(d -> d.action() == action).toList();
  }

  /** A one-line history of the decisions, for assertion messages. */
  String history() {
    StringBuilder b = new StringBuilder();
    for (ScaleDecision d : decisions) {
      if (d.action() != Action.HOLD || d.reason().contains("not applied")) {
        b.append('\n').append(d.atMillis() / 1000.0).append("s ").append(d.action())
            .append(d.applied() ? " applied: " : ": ").append(d.reason());
      }
    }
    return b.toString();
  }

  @Override
  public void close() {
    if (running != null) {
      running.dispose();
    }
    listening.dispose();
    clock.dispose();
  }
}
