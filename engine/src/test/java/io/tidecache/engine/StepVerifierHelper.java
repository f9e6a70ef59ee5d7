package io.tidecache.engine;

import java.time.Duration;
import java.util.List;

/** Test helper: polls a list filled by another thread until it has n elements, or fails. */
final class StepVerifierHelper {
  private StepVerifierHelper() {}

  static void awaitSize(List<?> list, int n) {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (true) {
      synchronized (list) {
        if (list.size() >= n) {
          return;
        }
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("only " + list.size() + " of " + n + " outcomes arrived");
      }
      Thread.onSpinWait();
    }
  }
}
