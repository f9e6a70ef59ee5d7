package io.tidecache.transport.rsocket;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.tidecache.api.CacheEntry;
import io.tidecache.api.InvalidRequest;
import io.tidecache.api.KeyTooLarge;
import java.nio.ByteBuffer;
import java.time.Duration;

/**
 * Thread-safe (stateless): the binary data layouts of the wire format. All integers are
 * big-endian (network order); lengths are unsigned.
 *
 * <pre>
 * key        = key bytes (the whole data)                       cache.get, cache.remove, getAll in
 * put        = keyLength u16 | key | ttlMillis i64 | value       cache.put
 * entry      = keyLength u16 | key | value                       getAll out, scan out, putAll in
 * removed    = 0x01 (was present) | 0x00 (absent)                cache.remove out
 * count      = stored i64                                         cache.putAll out
 * interval   = empty (1 s) | intervalMillis u32                  stats in
 * empty      = no bytes                                           cache.scan in
 * </pre>
 *
 * <p>ttlMillis: {@value WireFormat#TTL_DEFAULT} the cache's default, 0 never expires, a positive
 * number of milliseconds; any other negative number is refused (INVALID_REQUEST). The readers
 * copy the bytes they return out of the buffer and never retain it; the caller releases it.
 */
final class DataLayouts {
  private DataLayouts() {}

  /** Largest key the u16 length fields can carry. */
  static final int MAX_WIRE_KEY = 0xFFFF;

  /** A decoded put: {@code ttlMillis} as sent (see the class comment). */
  record Put(byte[] key, long ttlMillis, byte[] value) {}

  /** The whole data as a byte array. */
  static byte[] readAll(ByteBuf data) {
    return ByteBufUtil.getBytes(data);
  }

  /** @throws WireException BAD_PAYLOAD when the data does not follow the put layout */
  static Put readPut(ByteBuf data) {
    int n = data.readableBytes();
    if (n < 2 + 8) {
      throw WireException.badPayload("put data must hold keyLength u16, key, ttlMillis i64 and "
          + "value; got " + n + " bytes");
    }
    int i = data.readerIndex();
    int keyLength = data.getUnsignedShort(i);
    if (2 + keyLength + 8 > n) {
      throw WireException.badPayload("put data declares a key of " + keyLength + " bytes but "
          + "holds " + n + " bytes in all (2 + key + 8 + value)");
    }
    byte[] key = ByteBufUtil.getBytes(data, i + 2, keyLength);
    long ttl = data.getLong(i + 2 + keyLength);
    int valueStart = i + 2 + keyLength + 8;
    byte[] value = ByteBufUtil.getBytes(data, valueStart, data.writerIndex() - valueStart);
    return new Put(key, ttl, value);
  }

  /** @throws WireException BAD_PAYLOAD when the data does not follow the entry layout */
  static CacheEntry<byte[], byte[]> readEntry(ByteBuf data) {
    int n = data.readableBytes();
    int i = data.readerIndex();
    if (n < 2 || 2 + data.getUnsignedShort(i) > n) {
      throw WireException.badPayload("entry data must hold keyLength u16, key and value; got "
          + n + " bytes" + (n < 2 ? "" : " for a key of " + data.getUnsignedShort(i) + " bytes"));
    }
    int keyLength = data.getUnsignedShort(i);
    byte[] key = ByteBufUtil.getBytes(data, i + 2, keyLength);
    byte[] value = ByteBufUtil.getBytes(data, i + 2 + keyLength, n - 2 - keyLength);
    return new CacheEntry<>(key, value);
  }

  /** The entry layout, for a client's putAll or a server's getAll answer. */
  static byte[] entry(byte[] key, byte[] value) {
    checkWireKey(key);
    return ByteBuffer.allocate(2 + key.length + value.length)
        .putShort((short) key.length).put(key).put(value).array();
  }

  /** Reads the entry layout from a byte array (the client side). */
  static CacheEntry<byte[], byte[]> readEntry(byte[] data) {
    if (data.length < 2) {
      throw new InvalidRequest("BAD_PAYLOAD: an entry needs at least 2 bytes, got "
          + data.length);
    }
    int keyLength = ((data[0] & 0xFF) << 8) | (data[1] & 0xFF);
    if (2 + keyLength > data.length) {
      throw new InvalidRequest("BAD_PAYLOAD: an entry declares a key of " + keyLength
          + " bytes but holds " + data.length + " bytes");
    }
    byte[] key = new byte[keyLength];
    System.arraycopy(data, 2, key, 0, keyLength);
    byte[] value = new byte[data.length - 2 - keyLength];
    System.arraycopy(data, 2 + keyLength, value, 0, value.length);
    return new CacheEntry<>(key, value);
  }

  /** The put layout. */
  static byte[] put(byte[] key, long ttlMillis, byte[] value) {
    checkWireKey(key);
    return ByteBuffer.allocate(2 + key.length + 8 + value.length)
        .putShort((short) key.length).put(key).putLong(ttlMillis).put(value).array();
  }

  /**
   * A TTL for the put layout: whole milliseconds rounded up (a positive TTL never becomes
   * "never"), saturated at {@code Long.MAX_VALUE} (which the cache then refuses).
   *
   * @throws InvalidRequest for a null or negative TTL
   */
  static long ttlMillis(Duration ttl) {
    if (ttl == null || ttl.isNegative()) {
      throw new InvalidRequest("ttl must be 0 (never expires) or positive, got " + ttl);
    }
    if (ttl.isZero()) {
      return WireFormat.TTL_NEVER;
    }
    try {
      long ms = ttl.toMillis();
      return ttl.equals(Duration.ofMillis(ms)) ? ms : ms + 1;
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE;
    }
  }

  /**
   * The TTL a put carries, for {@code ByteCache.put}: {@code null} for the cache default.
   *
   * @throws InvalidRequest for a negative TTL other than -1 (the code a cache gives a bad TTL)
   */
  static Duration ttl(long ttlMillis) {
    if (ttlMillis == WireFormat.TTL_DEFAULT) {
      return null;
    }
    if (ttlMillis < 0) {
      throw new InvalidRequest("ttlMillis must be -1 (cache default), 0 (never expires) or "
          + "positive, got " + ttlMillis);
    }
    return Duration.ofMillis(ttlMillis);
  }

  static byte[] removed(boolean wasPresent) {
    return new byte[] {(byte) (wasPresent ? 1 : 0)};
  }

  static boolean readRemoved(byte[] data) {
    if (data.length != 1 || (data[0] != 0 && data[0] != 1)) {
      throw new InvalidRequest("BAD_PAYLOAD: a remove answer is one byte 0x00 or 0x01, got "
          + data.length + " bytes");
    }
    return data[0] == 1;
  }

  static byte[] count(long stored) {
    return ByteBuffer.allocate(8).putLong(stored).array();
  }

  static long readCount(byte[] data) {
    if (data.length != 8) {
      throw new InvalidRequest("BAD_PAYLOAD: a putAll answer is 8 bytes, got " + data.length);
    }
    return ByteBuffer.wrap(data).getLong();
  }

  /** @throws WireException BAD_PAYLOAD for data other than empty or a u32 in range */
  static Duration readInterval(ByteBuf data) {
    int n = data.readableBytes();
    if (n == 0) {
      return WireFormat.DEFAULT_STATS_INTERVAL;
    }
    if (n != 4) {
      throw WireException.badPayload("stats data must be empty or intervalMillis u32; got " + n
          + " bytes");
    }
    long ms = data.getUnsignedInt(data.readerIndex());
    if (ms < WireFormat.MIN_STATS_INTERVAL.toMillis()
        || ms > WireFormat.MAX_STATS_INTERVAL.toMillis()) {
      throw WireException.badPayload("intervalMillis must be between "
          + WireFormat.MIN_STATS_INTERVAL.toMillis() + " and "
          + WireFormat.MAX_STATS_INTERVAL.toMillis() + ", got " + ms);
    }
    return Duration.ofMillis(ms);
  }

  /**
   * Checks that a request carries no data (reserved for later use, so refused today).
   *
   * @throws WireException BAD_PAYLOAD for any data
   */
  static void readEmpty(ByteBuf data, String route) {
    int n = data.readableBytes();
    if (n != 0) {
      throw WireException.badPayload(route + " data must be empty; got " + n + " bytes");
    }
  }

  static byte[] interval(Duration interval) {
    return ByteBuffer.allocate(4).putInt((int) interval.toMillis()).array();
  }

  private static void checkWireKey(byte[] key) {
    if (key.length > MAX_WIRE_KEY) {
      throw new KeyTooLarge("(wire format)", key.length, MAX_WIRE_KEY);
    }
  }
}
