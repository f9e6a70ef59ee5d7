package io.tidecache.transport.rsocket;

import io.netty.util.ResourceLeakDetector;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Thread-safe: the leak detector Netty uses in this module's test JVM (system property
 * {@code io.netty.customResourceLeakDetector}, set in the pom): it keeps every {@code LEAK:}
 * report instead of logging it, so that {@link NoLeaksExtension} can fail the test class.
 *
 * <p>Netty reports a leak only when a tracked buffer was garbage-collected unreleased and a later
 * allocation polls the reference queue; the extension forces both.
 */
public final class CountingLeakDetector<T> extends ResourceLeakDetector<T> {
  private static final ConcurrentLinkedQueue<String> REPORTS = new ConcurrentLinkedQueue<>();
  private static final AtomicInteger DETECTORS = new AtomicInteger();

  public CountingLeakDetector(Class<?> resourceType, int samplingInterval) {
    super(resourceType, samplingInterval);
    DETECTORS.incrementAndGet();
  }

  /** The constructor Netty tries first (deprecated there, still called). */
  @SuppressWarnings("deprecation")
  public CountingLeakDetector(Class<?> resourceType, int samplingInterval, long maxActive) {
    super(resourceType, samplingInterval, maxActive);
    DETECTORS.incrementAndGet();
  }

  /** Report even though Netty's logger (slf4j without a binding here) would drop it. */
  @Override
  protected boolean needReport() {
    return true;
  }

  @Override
  protected void reportTracedLeak(String resourceType, String records) {
    REPORTS.add("LEAK: " + resourceType + ".release() was not called before it's garbage-collected."
        + records);
  }

  @Override
  protected void reportUntracedLeak(String resourceType) {
    REPORTS.add("LEAK: " + resourceType + ".release() was not called (untraced)");
  }

  /** Detectors Netty made of this class (0 means the system property did not take). */
  static int detectors() {
    return DETECTORS.get();
  }

  /** The reports so far, removed. */
  static List<String> drain() {
    List<String> out = new ArrayList<>();
    String r;
    while ((r = REPORTS.poll()) != null) {
      out.add(r);
    }
    return out;
  }
}
