package io.tidecache.engine;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Test helper, thread-safe: a {@link Seams.Hook} that acts once at a named point. It either runs
 * an action on the thread that reached the point, or holds that thread there (a busy loop, which
 * BlockHound allows on an engine thread) until the test releases it. Install with
 * {@link #install()}, and always {@link #close()} it (it releases a held thread and removes the
 * hook).
 */
final class SeamPause implements Seams.Hook, AutoCloseable {
  private static final Duration DEADLINE = Duration.ofSeconds(10);
  private final String point;
  private final Consumer<Object> action;
  private final boolean hold;
  private final AtomicBoolean armed = new AtomicBoolean(true);
  private final CountDownLatch reached = new CountDownLatch(1);
  private volatile boolean released;

  private SeamPause(String point, Consumer<Object> action, boolean hold) {
    this.point = point;
    this.action = action;
    this.hold = hold;
  }

  /** Holds the first thread that reaches {@code point} until {@link #release()}. */
  static SeamPause holdAt(String point) {
    return new SeamPause(point, s -> {}, true).install();
  }

  /** Runs {@code action} (with the point's subject) on the first thread that reaches it. */
  static SeamPause runAt(String point, Consumer<Object> action) {
    return new SeamPause(point, action, false).install();
  }

  private SeamPause install() {
    Seams.hook = this;
    return this;
  }

  @Override
  public void at(String p, Object subject) {
    if (!p.equals(point) || !armed.compareAndSet(true, false)) {
      return;
    }
    try {
      action.accept(subject);
    } finally {
      reached.countDown();
    }
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    while (hold && !released && System.nanoTime() < deadline) {
      // a plain busy loop: BlockHound counts Thread.onSpinWait as blocking
    }
  }

  /** Waits until a thread reached the point (and, when holding, is held there). */
  void awaitReached() throws InterruptedException {
    if (!reached.await(DEADLINE.toSeconds(), TimeUnit.SECONDS)) {
      throw new AssertionError("no thread reached " + point);
    }
  }

  void release() {
    released = true;
  }

  @Override
  public void close() {
    release();
    if (Seams.hook == this) {
      Seams.hook = null;
    }
  }
}
