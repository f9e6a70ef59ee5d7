package io.tidecache.loadtest.abuse;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Stateless: the few RSocket frames the misbehaving clients send, written by hand (layouts of
 * transport-rsocket/WIRE-FORMAT.md, section 5), each with or without the TCP length prefix.
 */
final class AbuseFrames {
  private AbuseFrames() {}

  /** SETUP, composite metadata, keepalive 20 s, lifetime 90 s. */
  static byte[] setup() {
    byte[] meta = "message/x.rsocket.composite-metadata.v0".getBytes(StandardCharsets.US_ASCII);
    byte[] data = "application/octet-stream".getBytes(StandardCharsets.US_ASCII);
    return ByteBuffer.allocate(6 + 12 + 2 + meta.length + data.length)
        .putInt(0).putShort((short) (0x01 << 10)).putShort((short) 1).putShort((short) 0)
        .putInt(20_000).putInt(90_000).put((byte) meta.length).put(meta)
        .put((byte) data.length).put(data).array();
  }

  private static byte[] route(String route) {
    byte[] tag = route.getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(5 + tag.length).put((byte) 0xFE).put((byte) 0).put((byte) 0)
        .put((byte) (1 + tag.length)).put((byte) tag.length).put(tag).array();
  }

  /** REQUEST_RESPONSE cache.get.{cache} of {@code key} on stream {@code id}. */
  static byte[] get(int id, String cache, byte[] key) {
    byte[] m = route("cache.get." + cache);
    return ByteBuffer.allocate(6 + 3 + m.length + key.length).putInt(id)
        .putShort((short) (0x04 << 10 | 0x100)).put((byte) 0).put((byte) 0)
        .put((byte) m.length).put(m).put(key).array();
  }

  /** REQUEST_STREAM cache.scan.{cache} with initial request n 2^31 - 1 on stream {@code id}. */
  static byte[] scan(int id, String cache) {
    byte[] m = route("cache.scan." + cache);
    return ByteBuffer.allocate(6 + 4 + 3 + m.length).putInt(id)
        .putShort((short) (0x06 << 10 | 0x100)).putInt(Integer.MAX_VALUE)
        .put((byte) 0).put((byte) 0).put((byte) m.length).put(m).array();
  }

  /** The frames, each with its u24 length prefix, in one buffer. */
  static byte[] tcp(byte[]... frames) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] f : frames) {
      out.write(f.length >>> 16);
      out.write(f.length >>> 8);
      out.write(f.length);
      out.writeBytes(f);
    }
    return out.toByteArray();
  }
}
