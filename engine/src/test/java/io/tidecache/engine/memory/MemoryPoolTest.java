package io.tidecache.engine.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tidecache.api.CacheEvent;
import io.tidecache.api.InvalidRequest;
import io.tidecache.api.LeaseEvent;
import io.tidecache.api.LeaseExpired;
import io.tidecache.api.PoolExhausted;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.test.scheduler.VirtualTimeScheduler;

/** Leases in virtual time: no test here waits for a real clock. */
class MemoryPoolTest {
  private final VirtualTimeScheduler clock = VirtualTimeScheduler.create();
  /** Every lease event the pool reports to its listener. */
  private final List<CacheEvent> events = new CopyOnWriteArrayList<>();
  private final MemoryPool pool = MemoryPool.create(1 << 20, clock, events::add);

  @Test
  void unrenewedLeaseExpiresExactlyAtItsTtlAndReturnsItsBytes() {
    MemLease lease = pool.lease(4096, Duration.ofSeconds(10));
    assertThat(pool.freeBytes()).isEqualTo((1 << 20) - 4096);
    assertThat(pool.activeLeases()).isEqualTo(1);

    clock.advanceTimeBy(Duration.ofMillis(9_999));
    assertThat(lease.isLive()).isTrue();
    lease.segment().set(ValueLayout.JAVA_LONG, 0, 42L);

    clock.advanceTimeBy(Duration.ofMillis(1));
    assertThat(pool.freeBytes()).isEqualTo(1 << 20);
    assertThat(pool.activeLeases()).isZero();
    assertThat(lease.isLive()).isFalse();
    assertThatThrownBy(lease::segment).isInstanceOf(LeaseExpired.class)
        .hasMessageContaining("expired before it was renewed");
    assertThatThrownBy(() -> lease.renew(Duration.ofSeconds(1)))
        .isInstanceOf(LeaseExpired.class);
    assertThat(events).extracting(e -> ((LeaseEvent) e).kind())
        .containsExactly(LeaseEvent.Kind.ACQUIRED, LeaseEvent.Kind.EXPIRED);
  }

  @Test
  void renewedLeaseLivesOn() {
    MemLease lease = pool.lease(4096, Duration.ofSeconds(10));
    Disposable renewal = clock.schedulePeriodically(() -> lease.renew(Duration.ofSeconds(10)),
        3, 3, TimeUnit.SECONDS);
    clock.advanceTimeBy(Duration.ofMinutes(5));
    assertThat(lease.isLive()).isTrue();
    assertThat(pool.activeLeases()).isEqualTo(1);
    renewal.dispose();
    // The last renewal was at 300 s (deadline 310 s): it expires 10 s after that, not before.
    clock.advanceTimeBy(Duration.ofMillis(9_999));
    assertThat(lease.isLive()).isTrue();
    clock.advanceTimeBy(Duration.ofMillis(1));
    assertThat(lease.isLive()).isFalse();
    assertThat(pool.freeBytes()).isEqualTo(pool.budget());
  }

  @Test
  void accessToAnExpiredSegmentFailsWithoutCrashing() {
    MemLease lease = pool.lease(4096, Duration.ofSeconds(1));
    var segment = lease.segment();
    clock.advanceTimeBy(Duration.ofSeconds(1));
    // The arena is closed: the raw segment refuses access instead of reading freed memory.
    assertThatThrownBy(() -> segment.get(ValueLayout.JAVA_LONG, 0))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void releaseFreesAtOnceAndIsIdempotent() {
    MemLease lease = pool.lease(8192, Duration.ofSeconds(10));
    assertThat(lease.release()).isTrue();
    assertThat(lease.release()).isFalse();
    assertThat(pool.freeBytes()).isEqualTo(pool.budget());
    assertThatThrownBy(lease::segment).isInstanceOf(LeaseExpired.class)
        .hasMessageContaining("released");
    clock.advanceTimeBy(Duration.ofSeconds(20)); // the expiry timer finds nothing to do
    assertThat(events).extracting(e -> ((LeaseEvent) e).kind())
        .containsExactly(LeaseEvent.Kind.ACQUIRED, LeaseEvent.Kind.RELEASED);
  }

  @Test
  void exhaustedPoolRefusesWithFiguresAndChangesNothing() {
    MemLease a = pool.lease(700_000, Duration.ofSeconds(10));
    assertThatThrownBy(() -> pool.lease(400_000, Duration.ofSeconds(10)))
        .isInstanceOf(PoolExhausted.class)
        .hasMessage("lease of 400000 bytes refused: the pool has " + ((1 << 20) - 700_000)
            + " of 1048576 bytes free");
    assertThat(pool.freeBytes()).isEqualTo((1 << 20) - 700_000);
    assertThat(pool.activeLeases()).isEqualTo(1);
    a.release();
    assertThat(pool.lease(400_000, Duration.ofSeconds(10)).bytes()).isEqualTo(400_000);
  }

  @Test
  void badArgumentsAreRefusedClearly() {
    assertThatThrownBy(() -> MemoryPool.create(0, clock)).isInstanceOf(InvalidRequest.class)
        .hasMessageContaining("must be positive, got 0");
    assertThatThrownBy(() -> MemoryPool.create(-5, clock)).isInstanceOf(InvalidRequest.class)
        .hasMessageContaining("got -5");
    assertThatThrownBy(() -> pool.lease(2 << 20, Duration.ofSeconds(1)))
        .isInstanceOf(InvalidRequest.class)
        .hasMessageContaining("larger than the whole pool (1048576 bytes)");
    assertThatThrownBy(() -> pool.lease(0, Duration.ofSeconds(1)))
        .isInstanceOf(InvalidRequest.class).hasMessageContaining("got 0 bytes");
    assertThatThrownBy(() -> pool.lease(10, Duration.ofSeconds(-1)))
        .isInstanceOf(InvalidRequest.class).hasMessageContaining("TTL must be positive");
    assertThat(pool.freeBytes()).isEqualTo(pool.budget());
    assertThat(pool.activeLeases()).isZero();
  }

  @Test
  void racingLeasesNeverExceedTheBudget() throws InterruptedException {
    MemoryPool shared = MemoryPool.create(1_000_000, clock);
    int threads = 4;
    AtomicLong granted = new AtomicLong();
    CountDownLatch start = new CountDownLatch(1);
    CountDownLatch done = new CountDownLatch(threads);
    for (int t = 0; t < threads; t++) {
      Thread.ofPlatform().start(() -> {
        try {
          start.await();
          for (int i = 0; i < 500; i++) {
            try {
              granted.addAndGet(shared.lease(3_000, Duration.ofMinutes(1)).bytes());
            } catch (PoolExhausted expected) {
              // counted below
            }
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        } finally {
          done.countDown();
        }
      });
    }
    start.countDown();
    assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
    assertThat(granted.get()).isEqualTo(333 * 3_000L).isLessThanOrEqualTo(shared.budget());
    assertThat(shared.leasedBytes()).isEqualTo(granted.get());
    shared.releaseAll();
    assertThat(shared.freeBytes()).isEqualTo(shared.budget());
  }
}
