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
 *
 * <p>One kind of report is set aside instead of failing the build: a client's own SETUP frame,
 * created by rsocket-java's {@code RSocketConnector} ({@code SetupFrameCodec.encode}) and last
 * touched by Netty releasing it, either when the connection closed under it
 * ({@code ChannelOutboundBuffer.close}) or after writing it ({@code ChannelOutboundBuffer.remove},
 * seen once on 2026-11-26 in a clean-clone CI run). rsocket-java 1.1.5 retains that frame once
 * more than it releases when the server drops the connection before the setup completes (seen in
 * {@code TlsTest.aPlaintextClientIsNotServed}, a plaintext client against a TLS port, about once
 * in a few dozen runs); no code of this project allocates, holds or releases that buffer. Such reports are counted and printed ({@link #setAside()}), never
 * dropped silently; every other report fails the class.
 */
public final class CountingLeakDetector<T> extends ResourceLeakDetector<T> {
  private static final ConcurrentLinkedQueue<String> REPORTS = new ConcurrentLinkedQueue<>();
  private static final AtomicInteger DETECTORS = new AtomicInteger();
  private static final AtomicInteger SET_ASIDE = new AtomicInteger();

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
    String report = "LEAK: " + resourceType + ".release() was not called before it's "
        + "garbage-collected." + records;
    if (isClientSetupFrameLeakedByRSocket(records)) {
      SET_ASIDE.incrementAndGet();
      System.err.println("[leak check] set aside (rsocket-java's own SETUP frame on a dropped "
          + "connection, see CountingLeakDetector): " + report);
      return;
    }
    REPORTS.add(report);
  }

  /** The one upstream leak set aside: see the class notes. */
  static boolean isClientSetupFrameLeakedByRSocket(String records) {
    return records.contains("io.rsocket.frame.SetupFrameCodec.encode")
        && records.contains("io.rsocket.core.RSocketConnector")
        && (records.contains("io.netty.channel.ChannelOutboundBuffer.close")
            || records.contains("io.netty.channel.ChannelOutboundBuffer.remove"))
        && !records.contains("io.tidecache.");
  }

  /** Reports set aside so far (see the class notes). */
  static int setAside() {
    return SET_ASIDE.get();
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
