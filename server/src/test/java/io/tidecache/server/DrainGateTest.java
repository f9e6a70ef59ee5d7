package io.tidecache.server;

import io.tidecache.transport.rsocket.testing.HeldCache;
import static org.assertj.core.api.Assertions.assertThat;

import io.tidecache.api.ByteCache;
import io.tidecache.api.CacheClosed;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;
import reactor.test.scheduler.VirtualTimeScheduler;

/**
 * Not thread-safe (JUnit's thread): the graceful stop's gate, on a cache whose answers the test
 * releases by hand: once closed, new requests are refused with CACHE_CLOSED and nothing reaches
 * the cache; requests admitted before finish, and the drain completes when the last one does, or
 * reports false when the grace runs out first (virtual time, no sleep).
 */
class DrainGateTest {

  @Test
  void closedGateRefusesNewRequestsAndDrainsWhenTheLastAdmittedOneEnds() {
    HeldCache held = new HeldCache();
    DrainGate gate = new DrainGate();
    ByteCache cache = gate.wrap(held);
    StepVerifier admitted = StepVerifier.create(cache.get(new byte[] {1}))
        .expectNextMatches(v -> Arrays.equals(v, new byte[] {42}))
        .expectComplete()
        .verifyLater();
    assertThat(gate.inFlight()).isEqualTo(1);

    gate.close();
    StepVerifier.create(cache.put(new byte[] {2}, new byte[] {2}))
        .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(CacheClosed.class)
            .hasMessage("cache 'held' is closed"))
        .verify(Duration.ofSeconds(5));
    assertThat(held.calls.get()).as("a refused request never reaches the cache").isEqualTo(1);

    StepVerifier.withVirtualTime(() -> gate.drained(Duration.ofSeconds(10),
            Duration.ofMillis(5), VirtualTimeScheduler.get()))
        .thenAwait(Duration.ofSeconds(1))
        .expectNoEvent(Duration.ofMillis(100)) // still waiting for the admitted request
        .then(() -> held.answer(new byte[] {42})) // it finishes...
        .thenAwait(Duration.ofMillis(5))
        .expectNext(true) // ...and the next poll sees the gate drained
        .verifyComplete();
    admitted.verify(Duration.ofSeconds(5));
    assertThat(gate.inFlight()).isZero();
    assertThat(gate.admitted()).isEqualTo(1);
    assertThat(gate.refused()).isEqualTo(1);
  }

  @Test
  void drainGivesUpWhenTheGraceRunsOut() {
    HeldCache held = new HeldCache();
    DrainGate gate = new DrainGate();
    gate.wrap(held).get(new byte[] {1}).subscribe();
    gate.close();
    StepVerifier.withVirtualTime(() -> gate.drained(Duration.ofSeconds(10), Duration.ofMillis(5),
            VirtualTimeScheduler.get()))
        .thenAwait(Duration.ofSeconds(10))
        .expectNext(false)
        .verifyComplete();
    assertThat(gate.inFlight()).isEqualTo(1);
  }

  @Test
  void aCancelledRequestLeavesTheCount() {
    HeldCache held = new HeldCache();
    DrainGate gate = new DrainGate();
    gate.wrap(held).get(new byte[] {1}).subscribe().dispose();
    assertThat(gate.inFlight()).isZero();
    StepVerifier.create(gate.wrap(held).stats()).expectNextCount(1).verifyComplete();
    assertThat(gate.inFlight()).isZero();
  }
}
