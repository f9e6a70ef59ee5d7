package io.tidecache.transport.rsocket;

import io.netty.buffer.ByteBuf;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Thread-safe (stateless): reads and writes the metadata of the wire format: composite metadata,
 * its routing entry and its authentication entry.
 *
 * <p>Implementation notes. The reader never moves the reader index of the buffer it is given and
 * never retains it: the caller owns the buffer and releases it. Every length is checked against
 * the readable bytes; a malformed buffer is answered with {@link WireException} (BAD_METADATA),
 * never with an {@code IndexOutOfBoundsException}.
 *
 * <pre>
 * composite metadata = entry*
 * entry   = 0x80|id (1 byte, well-known MIME id)   length (u24) content
 *         | len-1 (1 byte, high bit 0) mime (ASCII) length (u24) content
 * routing = (tagLength (u8) tag (UTF-8))+      the first tag is the route
 * auth    = 0x80|0x01 token (UTF-8)             bearer
 *         | 0x80|0x00 userLen (u16) user password simple: the password is the token
 * </pre>
 */
final class MetadataCodec {
  private MetadataCodec() {}

  /**
   * The route of a request: the first tag of the routing entry of composite metadata, or of a
   * bare routing metadata.
   *
   * @throws WireException BAD_METADATA when there is no route or the metadata is malformed
   */
  static String readRoute(ByteBuf metadata, boolean composite) {
    int start = metadata.readerIndex();
    int end = metadata.writerIndex();
    if (start == end) {
      throw WireException.badMetadata("the request has no metadata; expected a routing entry ("
          + WireFormat.ROUTING + ")");
    }
    if (composite) {
      long span = findEntry(metadata, WireFormat.ROUTING_ID, WireFormat.ROUTING);
      if (span < 0) {
        throw WireException.badMetadata("the composite metadata has no routing entry ("
            + WireFormat.ROUTING + ")");
      }
      start = (int) (span >>> 32);
      end = (int) span;
    }
    if (end - start < 1) {
      throw WireException.badMetadata("the routing entry is empty");
    }
    int tagLength = metadata.getUnsignedByte(start);
    if (tagLength == 0 || start + 1 + tagLength > end) {
      throw WireException.badMetadata("the first routing tag declares " + tagLength
          + " bytes but " + (end - start - 1) + " follow");
    }
    return metadata.toString(start + 1, tagLength, StandardCharsets.UTF_8);
  }

  /**
   * The token of the authentication entry of composite SETUP metadata: a bearer token, or the
   * password of simple authentication. {@code null} when there is no authentication entry.
   *
   * @throws WireException BAD_METADATA when the metadata or the entry is malformed, or uses an
   *     auth type other than simple or bearer
   */
  static String readToken(ByteBuf metadata) {
    long span = findEntry(metadata, WireFormat.AUTHENTICATION_ID, WireFormat.AUTHENTICATION);
    if (span < 0) {
      return null;
    }
    int start = (int) (span >>> 32);
    int end = (int) span;
    if (end - start < 1) {
      throw WireException.badMetadata("the authentication entry is empty");
    }
    int type = metadata.getUnsignedByte(start);
    if (type == (0x80 | WireFormat.AUTH_BEARER)) {
      return metadata.toString(start + 1, end - start - 1, StandardCharsets.UTF_8);
    }
    if (type == (0x80 | WireFormat.AUTH_SIMPLE)) {
      if (end - start < 3) {
        throw WireException.badMetadata("simple authentication needs a username length");
      }
      int userLength = metadata.getUnsignedShort(start + 1);
      int passwordStart = start + 3 + userLength;
      if (passwordStart > end) {
        throw WireException.badMetadata("simple authentication declares a username of "
            + userLength + " bytes but " + (end - start - 3) + " follow");
      }
      return metadata.toString(passwordStart, end - passwordStart, StandardCharsets.UTF_8);
    }
    throw WireException.badMetadata("auth type 0x" + Integer.toHexString(type)
        + " is not supported; use bearer (0x81) or simple (0x80)");
  }

  /**
   * The content span of the first entry of the given MIME type, packed as {@code start << 32 |
   * end}, or -1 when absent.
   */
  private static long findEntry(ByteBuf m, int wellKnownId, String mime) {
    int i = m.readerIndex();
    int end = m.writerIndex();
    while (i < end) {
      int head = m.getUnsignedByte(i++);
      boolean match;
      if ((head & 0x80) != 0) {
        match = (head & 0x7F) == wellKnownId;
      } else {
        int mimeLength = (head & 0x7F) + 1;
        if (i + mimeLength > end) {
          throw WireException.badMetadata("a composite entry declares a MIME type of "
              + mimeLength + " bytes but " + (end - i) + " follow");
        }
        match = mime.equals(m.toString(i, mimeLength, StandardCharsets.US_ASCII));
        i += mimeLength;
      }
      if (i + 3 > end) {
        throw WireException.badMetadata("a composite entry is cut short before its length");
      }
      int length = m.getUnsignedMedium(i);
      i += 3;
      if (i + length > end) {
        throw WireException.badMetadata("a composite entry declares " + length + " bytes but "
            + (end - i) + " follow");
      }
      if (match) {
        return ((long) i << 32) | (i + length);
      }
      i += length;
    }
    return -1;
  }

  /** Composite metadata holding one routing entry with one tag: the route. */
  static byte[] compositeRoute(String route) {
    byte[] tag = route.getBytes(StandardCharsets.UTF_8);
    if (tag.length < 1 || tag.length > 255) {
      throw new IllegalArgumentException("a route must be 1 to 255 bytes, got " + tag.length);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(5 + tag.length);
    out.write(0x80 | WireFormat.ROUTING_ID);
    writeU24(out, 1 + tag.length);
    out.write(tag.length);
    out.writeBytes(tag);
    return out.toByteArray();
  }

  /** Composite SETUP metadata holding one bearer authentication entry. */
  static byte[] compositeBearer(String token) {
    byte[] t = token.getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream out = new ByteArrayOutputStream(5 + t.length);
    out.write(0x80 | WireFormat.AUTHENTICATION_ID);
    writeU24(out, 1 + t.length);
    out.write(0x80 | WireFormat.AUTH_BEARER);
    out.writeBytes(t);
    return out.toByteArray();
  }

  private static void writeU24(ByteArrayOutputStream out, int v) {
    out.write(v >>> 16);
    out.write(v >>> 8);
    out.write(v);
  }
}
