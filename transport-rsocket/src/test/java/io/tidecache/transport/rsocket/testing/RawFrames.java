package io.tidecache.transport.rsocket.testing;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Stateless test helper: RSocket frames written byte by byte, for tests that must send what no
 * RSocket library would (short frames, wrong lengths, reused stream ids). Shared by the
 * transport's and the server's tests through this module's test jar. Each method gives one frame
 * without the TCP length prefix; {@link #tcp} adds it. Layouts as in WIRE-FORMAT.md section 5.
 */
public final class RawFrames {
  private RawFrames() {}

  public static final int SETUP = 0x01;
  public static final int LEASE = 0x02;
  public static final int KEEPALIVE = 0x03;
  public static final int REQUEST_RESPONSE = 0x04;
  public static final int REQUEST_STREAM = 0x06;
  public static final int REQUEST_N = 0x08;
  public static final int CANCEL = 0x09;
  public static final int PAYLOAD = 0x0A;
  public static final int ERROR = 0x0B;
  public static final int FLAG_METADATA = 0x100;

  /** The frame header: stream id u32, type and flags u16. */
  public static ByteBuffer header(int capacity, int streamId, int type, int flags) {
    return ByteBuffer.allocate(capacity).putInt(streamId).putShort((short) (type << 10 | flags));
  }

  /** A SETUP with composite metadata, keepalive 20 s, lifetime 90 s, no token. */
  public static byte[] setup() {
    return setup(20_000, 90_000);
  }

  public static byte[] setup(int keepaliveMillis, int lifetimeMillis) {
    byte[] meta = "message/x.rsocket.composite-metadata.v0".getBytes(StandardCharsets.US_ASCII);
    byte[] data = "application/octet-stream".getBytes(StandardCharsets.US_ASCII);
    ByteBuffer b = header(6 + 12 + 2 + meta.length + data.length, 0, SETUP, 0)
        .putShort((short) 1).putShort((short) 0).putInt(keepaliveMillis).putInt(lifetimeMillis)
        .put((byte) meta.length).put(meta).put((byte) data.length).put(data);
    return b.array();
  }

  /** Composite metadata holding one routing entry with {@code route}. */
  public static byte[] route(String route) {
    byte[] tag = route.getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(1 + 3 + 1 + tag.length).put((byte) 0xFE)
        .put(u24(1 + tag.length)).put((byte) tag.length).put(tag).array();
  }

  /** REQUEST_RESPONSE with a route and data. */
  public static byte[] requestResponse(int streamId, String route, byte[] data) {
    byte[] m = route(route);
    return header(6 + 3 + m.length + data.length, streamId, REQUEST_RESPONSE, FLAG_METADATA)
        .put(u24(m.length)).put(m).put(data).array();
  }

  /** REQUEST_STREAM with a route, an initial request n and data. */
  public static byte[] requestStream(int streamId, long n, String route, byte[] data) {
    byte[] m = route(route);
    return header(6 + 4 + 3 + m.length + data.length, streamId, REQUEST_STREAM, FLAG_METADATA)
        .putInt((int) n).put(u24(m.length)).put(m).put(data).array();
  }

  public static byte[] requestN(int streamId, long n) {
    return header(10, streamId, REQUEST_N, 0).putInt((int) n).array();
  }

  public static byte[] cancel(int streamId) {
    return header(6, streamId, CANCEL, 0).array();
  }

  /** Any frame: a header and the given body. */
  public static byte[] frame(int streamId, int type, int flags, byte[] body) {
    return header(6 + body.length, streamId, type, flags).put(body).array();
  }

  /** The frame with its TCP length prefix (u24). */
  public static byte[] tcp(byte[] frame) {
    return ByteBuffer.allocate(3 + frame.length).put(u24(frame.length)).put(frame).array();
  }

  /** Frames, each with its TCP length prefix, in one buffer (one write). */
  public static byte[] tcp(byte[]... frames) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] f : frames) {
      out.writeBytes(tcp(f));
    }
    return out.toByteArray();
  }

  public static byte[] u24(int n) {
    return new byte[] {(byte) (n >>> 16), (byte) (n >>> 8), (byte) n};
  }

  /** A cache.get request's data: the key. */
  public static byte[] key(String k) {
    return k.getBytes(StandardCharsets.UTF_8);
  }

  /** One frame read back: its header and the rest. */
  public record Frame(int streamId, int type, int flags, byte[] body) {
    /** An ERROR frame's code. */
    public int errorCode() {
      return ByteBuffer.wrap(body).getInt();
    }

    /** An ERROR frame's message. */
    public String errorMessage() {
      return new String(body, 4, body.length - 4, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
      return "Frame[stream " + streamId + ", type 0x" + Integer.toHexString(type) + ", flags 0x"
          + Integer.toHexString(flags) + (type == ERROR ? ", error 0x"
          + Integer.toHexString(errorCode()) + " " + errorMessage() : ", " + body.length
          + " bytes") + "]";
    }
  }

  /** Parses one frame (no length prefix). */
  public static Frame parse(byte[] frame) {
    ByteBuffer b = ByteBuffer.wrap(frame);
    int id = b.getInt() & 0x7FFF_FFFF;
    int typeFlags = b.getShort() & 0xFFFF;
    byte[] body = new byte[b.remaining()];
    b.get(body);
    return new Frame(id, typeFlags >>> 10, typeFlags & 0x3FF, body);
  }
}
