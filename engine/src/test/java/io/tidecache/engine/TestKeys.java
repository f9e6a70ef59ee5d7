package io.tidecache.engine;

/** Stateless: keys for the table tests, a long as 8 big-endian bytes (as the simulator makes them). */
public final class TestKeys {
  private TestKeys() {}

  public static byte[] of(long k) {
    byte[] key = new byte[8];
    for (int i = 7; i >= 0; i--) {
      key[i] = (byte) k;
      k >>>= 8;
    }
    return key;
  }
}
