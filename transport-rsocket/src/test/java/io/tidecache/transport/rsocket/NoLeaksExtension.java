package io.tidecache.transport.rsocket;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Not thread-safe (JUnit calls it on the test thread): after each test class of this module,
 * forces Netty to look for leaked buffers and fails the class on any {@code LEAK:} report.
 * Registered for every class by JUnit's extension autodetection (see junit-platform.properties).
 *
 * <p>How: a few rounds of {@code System.gc()}, each waiting (with a deadline, no sleep) until a
 * sentinel weak reference is enqueued, so the collector's reference processing has run; then
 * allocations from every allocator, since Netty reports a collected, unreleased buffer on its
 * next allocation. A leak is found by the class that runs the collection, which may be the class
 * after the one that leaked; either way the build fails.
 */
public final class NoLeaksExtension implements AfterAllCallback {

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    List<String> leaks = collect();
    if (!leaks.isEmpty()) {
      throw new AssertionError(leaks.size() + " Netty buffer leak(s) after "
          + context.getDisplayName() + ":\n" + String.join("\n\n", leaks));
    }
  }

  /** Runs the collection and returns (and forgets) every report made so far. */
  static List<String> collect() throws InterruptedException {
    if (ResourceLeakDetector.getLevel() != ResourceLeakDetector.Level.PARANOID) {
      throw new AssertionError("expected -Dio.netty.leakDetection.level=paranoid, got "
          + ResourceLeakDetector.getLevel());
    }
    for (int round = 0; round < 3; round++) {
      ReferenceQueue<Object> queue = new ReferenceQueue<>();
      WeakReference<Object> sentinel = new WeakReference<>(new Object(), queue);
      System.gc();
      queue.remove(2_000);
      sentinel.clear();
      allocate(ByteBufAllocator.DEFAULT);
      allocate(PooledByteBufAllocator.DEFAULT);
      allocate(UnpooledByteBufAllocator.DEFAULT);
    }
    if (CountingLeakDetector.detectors() == 0) {
      throw new AssertionError("Netty did not use CountingLeakDetector: set "
          + "-Dio.netty.customResourceLeakDetector in the surefire configuration");
    }
    return CountingLeakDetector.drain();
  }

  private static void allocate(ByteBufAllocator allocator) {
    for (int i = 0; i < 64; i++) {
      ByteBuf b = allocator.directBuffer(32);
      b.release();
      ByteBuf h = allocator.heapBuffer(32);
      h.release();
    }
  }
}
