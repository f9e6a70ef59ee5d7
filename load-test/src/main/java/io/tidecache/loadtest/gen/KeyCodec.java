package io.tidecache.loadtest.gen;

/**
 * Stateless: key numbers as the 16 bytes every target stores. A generated key {@code i} is
 * {@code key:<12 decimal digits>} (redis-benchmark's random-key form, readable in
 * {@code redis-cli}); a key replayed from a trace is its 64-bit number in 16 hexadecimal digits.
 */
final class KeyCodec {
  /** Bytes of every key. */
  static final int KEY_BYTES = 16;
  private static final long MAX_GENERATED = 999_999_999_999L;
  private static final byte[] HEX = "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

  private KeyCodec() {}

  /** The key of generated number {@code i}, 0 to 999,999,999,999. */
  static byte[] generated(long i) {
    if (i < 0 || i > MAX_GENERATED) {
      throw new IllegalArgumentException("key number out of range: " + i);
    }
    byte[] k = {'k', 'e', 'y', ':', '0', '0', '0', '0', '0', '0', '0', '0', '0', '0', '0', '0'};
    for (int p = KEY_BYTES - 1; i > 0; p--) {
      k[p] = (byte) ('0' + (i % 10));
      i /= 10;
    }
    return k;
  }

  /** The key of a trace's 64-bit key number. */
  static byte[] traced(long n) {
    byte[] k = new byte[KEY_BYTES];
    for (int p = KEY_BYTES - 1; p >= 0; p--) {
      k[p] = HEX[(int) (n & 0xF)];
      n >>>= 4;
    }
    return k;
  }
}
