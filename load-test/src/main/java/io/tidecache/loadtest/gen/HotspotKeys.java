package io.tidecache.loadtest.gen;

import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Single thread: only the issuing thread calls {@link #next}. A hotspot: a fraction
 * {@code trafficShare} of the requests go to the first {@code keyShare} of the key space (uniform
 * within it), the rest to the other keys (uniform within them).
 */
final class HotspotKeys implements KeyChooser {
  private final double trafficShare;
  private final double keyShare;

  HotspotKeys(double trafficShare, double keyShare) {
    if (!(trafficShare >= 0 && trafficShare <= 1) || !(keyShare > 0 && keyShare <= 1)) {
      throw new IllegalArgumentException("hotspot shares must be 0..1 (traffic) and above 0 to 1 "
          + "(keys), got " + trafficShare + " and " + keyShare);
    }
    this.trafficShare = trafficShare;
    this.keyShare = keyShare;
  }

  @Override
  public long next(SplittableRandom random, long keySpace) {
    long hot = Math.max(1, Math.min(keySpace, (long) Math.ceil(keySpace * keyShare)));
    if (hot == keySpace || random.nextDouble() < trafficShare) {
      return random.nextLong(hot);
    }
    return hot + random.nextLong(keySpace - hot);
  }

  @Override
  public String describe() {
    return String.format(Locale.ROOT, "hotspot (%.1f%% of traffic on %.1f%% of keys)",
        trafficShare * 100, keyShare * 100);
  }
}
