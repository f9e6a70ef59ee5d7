package io.tidecache.transport.rsocket;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.rsocket.exceptions.ApplicationErrorException;
import io.rsocket.exceptions.RejectedSetupException;
import io.rsocket.frame.ErrorFrameCodec;
import io.rsocket.frame.FrameLengthCodec;
import io.rsocket.frame.PayloadFrameCodec;
import io.rsocket.frame.RequestChannelFrameCodec;
import io.rsocket.frame.RequestNFrameCodec;
import io.rsocket.frame.RequestResponseFrameCodec;
import io.rsocket.frame.RequestStreamFrameCodec;
import io.rsocket.frame.SetupFrameCodec;
import io.rsocket.util.DefaultPayload;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Thread-safe (stateless): the worked examples of WIRE-FORMAT.md, built with rsocket-java's own
 * frame codecs around this module's metadata and data encoders, as TCP frames (3-byte length
 * prefix included) in lower-case hex. {@link WireFormatTest} checks them against the document.
 */
final class WireExamples {
  private WireExamples() {}

  private static final ByteBufAllocator ALLOC = ByteBufAllocator.DEFAULT;

  static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** Every example, by the name the document gives it, in document order. */
  static Map<String, String> all() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("setup", tcp(SetupFrameCodec.encode(ALLOC, false, 20_000, 90_000,
        WireFormat.COMPOSITE_METADATA, WireFormat.OCTET_STREAM,
        DefaultPayload.create(new byte[0], MetadataCodec.compositeBearer("s3cret")))));
    m.put("setup-rejected", tcp(ErrorFrameCodec.encode(ALLOC, 0,
        new RejectedSetupException("UNAUTHORIZED: the token is not accepted"))));
    m.put("get", tcp(RequestResponseFrameCodec.encode(ALLOC, 1, false,
        buf(MetadataCodec.compositeRoute("cache.get.users")), buf(b("id-1")))));
    m.put("get-hit", tcp(next(1, b("Ada"), true)));
    m.put("get-miss", tcp(PayloadFrameCodec.encodeComplete(ALLOC, 1)));
    m.put("put", tcp(RequestResponseFrameCodec.encode(ALLOC, 3, false,
        buf(MetadataCodec.compositeRoute("cache.put.users")),
        buf(DataLayouts.put(b("id-1"), DataLayouts.ttlMillis(Duration.ofMinutes(1)), b("Ada"))))));
    m.put("put-done", tcp(PayloadFrameCodec.encodeComplete(ALLOC, 3)));
    m.put("put-error", tcp(ErrorFrameCodec.encode(ALLOC, 3, new ApplicationErrorException(
        "KEY_TOO_LARGE: key of 300 bytes exceeds the key stride of 64 bytes of cache 'users'"))));
    m.put("remove", tcp(RequestResponseFrameCodec.encode(ALLOC, 5, false,
        buf(MetadataCodec.compositeRoute("cache.remove.users")), buf(b("id-1")))));
    m.put("remove-answer", tcp(next(5, DataLayouts.removed(true), true)));
    m.put("stats", tcp(RequestResponseFrameCodec.encode(ALLOC, 7, false,
        buf(MetadataCodec.compositeRoute("cache.stats.users")), Unpooled.EMPTY_BUFFER)));
    m.put("getAll-first", tcp(RequestChannelFrameCodec.encode(ALLOC, 9, false, false, 8,
        buf(MetadataCodec.compositeRoute("cache.getAll.users")), buf(b("id-1")))));
    m.put("getAll-next", tcp(next(9, b("id-2"), false)));
    m.put("getAll-complete", tcp(PayloadFrameCodec.encodeComplete(ALLOC, 9)));
    m.put("getAll-answer", tcp(next(9, DataLayouts.entry(b("id-1"), b("Ada")), false)));
    m.put("putAll-first", tcp(RequestChannelFrameCodec.encode(ALLOC, 11, false, false, 1,
        buf(MetadataCodec.compositeRoute("cache.putAll.users")),
        buf(DataLayouts.entry(b("id-1"), b("Ada"))))));
    m.put("putAll-next", tcp(next(11, DataLayouts.entry(b("id-2"), b("Bob")), false)));
    m.put("putAll-end", tcp(PayloadFrameCodec.encodeComplete(ALLOC, 11)));
    m.put("putAll-answer", tcp(next(11, DataLayouts.count(2), false)));
    m.put("putAll-done", tcp(PayloadFrameCodec.encodeComplete(ALLOC, 11)));
    m.put("stats-stream", tcp(RequestStreamFrameCodec.encode(ALLOC, 13, false, 16,
        buf(MetadataCodec.compositeRoute("stats.users")),
        buf(DataLayouts.interval(Duration.ofSeconds(1))))));
    m.put("events", tcp(RequestStreamFrameCodec.encode(ALLOC, 15, false, Integer.MAX_VALUE,
        buf(MetadataCodec.compositeRoute("events")), Unpooled.EMPTY_BUFFER)));
    m.put("scan", tcp(RequestStreamFrameCodec.encode(ALLOC, 17, false, 64,
        buf(MetadataCodec.compositeRoute("cache.scan.users")), Unpooled.EMPTY_BUFFER)));
    m.put("scan-answer", tcp(next(17, DataLayouts.entry(b("id-1"), b("Ada")), false)));
    m.put("scan-request-n", tcp(RequestNFrameCodec.encode(ALLOC, 17, 64)));
    m.put("scan-complete", tcp(PayloadFrameCodec.encodeComplete(ALLOC, 17)));
    m.put("rejected", tcp(ErrorFrameCodec.encode(ALLOC, 19, new io.rsocket.exceptions
        .RejectedException("OVERLOADED: requests in flight on this connection is full "
            + "(limit 256); request refused, nothing changed"))));
    return m;
  }

  private static ByteBuf next(int stream, byte[] data, boolean complete) {
    return PayloadFrameCodec.encode(ALLOC, stream, false, complete, true, null, buf(data));
  }

  private static ByteBuf buf(byte[] bytes) {
    return Unpooled.wrappedBuffer(bytes);
  }

  /** The frame with its TCP length prefix, as hex; the buffer is released. */
  private static String tcp(ByteBuf frame) {
    ByteBuf framed = FrameLengthCodec.encode(ALLOC, frame.readableBytes(), frame);
    try {
      return ByteBufUtil.hexDump(framed);
    } finally {
      framed.release();
    }
  }
}
