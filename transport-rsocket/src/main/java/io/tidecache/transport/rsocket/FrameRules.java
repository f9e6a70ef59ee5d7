package io.tidecache.transport.rsocket;

import io.netty.buffer.ByteBuf;

/**
 * Stateless: the layout of one inbound RSocket frame, checked before rsocket-java reads it.
 * {@link #layout} gives {@code null} for a frame rsocket-java can parse safely, or the reason it
 * cannot, in words a client's author can act on.
 *
 * <p>rsocket-java 1.1.5 trusts lengths: a frame shorter than its header, or a metadata length
 * that runs past the frame's end, makes it throw while handling the frame (and, with zero-copy
 * payloads, release a buffer twice). So every length is checked here first. Layouts are those of
 * the RSocket 1.0 protocol; the frame given has no TCP length prefix.
 *
 * <pre>
 * header   streamId u32 (top bit 0) | type u6, flags u10
 * SETUP    version u32 | keepalive u32 | lifetime u32 | [R: tokenLength u16, token]
 *          | mimeLength u8, mime | mimeLength u8, mime | [M: metadata] | data
 * REQUEST_STREAM, REQUEST_CHANNEL: initialRequestN u32 | [M: metadata] | data
 * REQUEST_RESPONSE, REQUEST_FNF, PAYLOAD: [M: metadata] | data
 * [M: metadata] = metadataLength u24 | metadata      (when flag M, 0x100, is set)
 * REQUEST_N u32 · KEEPALIVE position u64 | data · ERROR code u32 | message · LEASE ttl, n
 * </pre>
 */
final class FrameRules {
  private FrameRules() {}

  static final int HEADER = 6;
  static final int FLAG_IGNORE = 0x200;
  static final int FLAG_METADATA = 0x100;
  static final int FLAG_FOLLOWS = 0x80;
  static final int FLAG_RESUME = 0x80;
  static final int FLAG_LEASE = 0x40;
  static final int FLAG_COMPLETE = 0x40;
  static final int FLAG_NEXT = 0x20;

  static final int SETUP = 0x01;
  static final int LEASE = 0x02;
  static final int KEEPALIVE = 0x03;
  static final int REQUEST_RESPONSE = 0x04;
  static final int REQUEST_FNF = 0x05;
  static final int REQUEST_STREAM = 0x06;
  static final int REQUEST_CHANNEL = 0x07;
  static final int REQUEST_N = 0x08;
  static final int CANCEL = 0x09;
  static final int PAYLOAD = 0x0A;
  static final int ERROR = 0x0B;
  static final int METADATA_PUSH = 0x0C;
  static final int RESUME = 0x0D;
  static final int RESUME_OK = 0x0E;
  static final int EXT = 0x3F;

  static int streamId(ByteBuf frame) {
    return frame.getInt(frame.readerIndex()) & 0x7FFF_FFFF;
  }

  static int type(ByteBuf frame) {
    return frame.getUnsignedShort(frame.readerIndex() + 4) >>> 10;
  }

  static int flags(ByteBuf frame) {
    return frame.getUnsignedShort(frame.readerIndex() + 4) & 0x3FF;
  }

  static boolean isRequest(int type) {
    return type >= REQUEST_RESPONSE && type <= REQUEST_CHANNEL;
  }

  static String typeName(int type) {
    return switch (type) {
      case SETUP -> "SETUP";
      case LEASE -> "LEASE";
      case KEEPALIVE -> "KEEPALIVE";
      case REQUEST_RESPONSE -> "REQUEST_RESPONSE";
      case REQUEST_FNF -> "REQUEST_FNF";
      case REQUEST_STREAM -> "REQUEST_STREAM";
      case REQUEST_CHANNEL -> "REQUEST_CHANNEL";
      case REQUEST_N -> "REQUEST_N";
      case CANCEL -> "CANCEL";
      case PAYLOAD -> "PAYLOAD";
      case ERROR -> "ERROR";
      case METADATA_PUSH -> "METADATA_PUSH";
      case RESUME -> "RESUME";
      case RESUME_OK -> "RESUME_OK";
      case EXT -> "EXT";
      default -> String.format("0x%02X", type);
    };
  }

  /**
   * Why {@code frame} cannot be parsed, or {@code null} when its lengths hold. Only the layout:
   * which frames are allowed when is {@link InboundCheck}'s business.
   */
  static String layout(ByteBuf frame) {
    int length = frame.readableBytes();
    if (length < HEADER) {
      return "a frame of " + length + " bytes is shorter than the " + HEADER
          + "-byte frame header (stream id u32, type and flags u16)";
    }
    int type = type(frame);
    int flags = flags(frame);
    int at = frame.readerIndex();
    int end = at + length;
    String name = typeName(type);
    return switch (type) {
      case SETUP -> setup(frame, at + HEADER, end);
      case KEEPALIVE -> atLeast(name, length, HEADER + 8, "a last-received position u64");
      case REQUEST_RESPONSE, REQUEST_FNF, PAYLOAD -> metadata(name, frame, flags, at + HEADER,
          end);
      case REQUEST_STREAM, REQUEST_CHANNEL -> {
        String shortBy = atLeast(name, length, HEADER + 4, "an initial request n u32");
        yield shortBy != null ? shortBy : metadata(name, frame, flags, at + HEADER + 4, end);
      }
      case REQUEST_N -> atLeast(name, length, HEADER + 4, "a request n u32");
      case ERROR -> atLeast(name, length, HEADER + 4, "an error code u32");
      case LEASE -> atLeast(name, length, HEADER + 8, "a time to live u32 and a count u32");
      case EXT -> atLeast(name, length, HEADER + 4, "an extended type u32");
      default -> null;
    };
  }

  private static String atLeast(String name, int length, int needed, String what) {
    return length >= needed ? null : "a " + name + " frame of " + length + " bytes is too short "
        + "for its header and " + what + " (" + needed + " bytes)";
  }

  /** With flag M, the u24 metadata length at {@code at} must fit before {@code end}. */
  private static String metadata(String name, ByteBuf frame, int flags, int at, int end) {
    if ((flags & FLAG_METADATA) == 0) {
      return null;
    }
    if (at + 3 > end) {
      return "a " + name + " frame with flag M (metadata) ends before its metadata length u24";
    }
    int metadataLength = frame.getUnsignedMedium(at);
    if (at + 3 + metadataLength > end) {
      return "a " + name + " frame declares " + metadataLength + " bytes of metadata but holds "
          + (end - at - 3) + " after the metadata length";
    }
    return null;
  }

  private static String setup(ByteBuf frame, int at, int end) {
    int flags = flags(frame);
    if (at + 12 > end) {
      return "a SETUP frame of " + (end - at + HEADER) + " bytes is too short for its version, "
          + "keepalive interval and max lifetime (18 bytes)";
    }
    int p = at + 12;
    if ((flags & FLAG_RESUME) != 0) {
      if (p + 2 > end) {
        return "a SETUP frame with flag R ends before its resume token length u16";
      }
      p += 2 + frame.getUnsignedShort(p);
    }
    for (String which : new String[] {"metadata", "data"}) {
      if (p + 1 > end) {
        return "a SETUP frame ends before its " + which + " MIME type length u8";
      }
      p += 1 + frame.getUnsignedByte(p);
      if (p > end) {
        return "a SETUP frame's " + which + " MIME type runs past the end of the frame";
      }
    }
    return metadata("SETUP", frame, flags, p, end);
  }

  /**
   * Why a well-formed SETUP cannot be served, or {@code null}: the keepalive interval and the
   * max lifetime must be positive (rsocket-java schedules its keepalive with the interval).
   */
  static String setupValues(ByteBuf frame) {
    int at = frame.readerIndex() + HEADER;
    long keepalive = frame.getUnsignedInt(at + 4);
    long lifetime = frame.getUnsignedInt(at + 8);
    if (keepalive == 0 || keepalive > Integer.MAX_VALUE) {
      return "keepalive interval " + keepalive + " ms; allowed: 1 to 2^31 - 1";
    }
    if (lifetime == 0 || lifetime > Integer.MAX_VALUE) {
      return "max lifetime " + lifetime + " ms; allowed: 1 to 2^31 - 1";
    }
    return null;
  }
}
