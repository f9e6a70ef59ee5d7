package io.tidecache.transport.rsocket;

import io.netty.buffer.ByteBuf;
import io.rsocket.RSocketErrorException;
import io.rsocket.exceptions.ConnectionErrorException;
import io.rsocket.exceptions.InvalidSetupException;

/**
 * Thread-safe for its contract: {@link #inbound} on the connection's event loop only (one frame
 * at a time), {@link #outbound} from any thread. Decides, for each frame a client sends, whether
 * rsocket-java may see it: the frame's layout ({@link FrameRules}), the frame types a server
 * accepts when, and the client's use of stream ids ({@link OpenStreams}).
 *
 * <p>A frame that breaks a rule refuses the connection: the caller sends the {@link Violation}'s
 * error on stream 0 (CONNECTION_ERROR 0x101, or INVALID_SETUP 0x001 for the first frame) and
 * closes, because after a broken frame the connection's state cannot be trusted. The rules:
 * <ul>
 *   <li>every length fits ({@code MALFORMED_FRAME});
 *   <li>the first frame's keepalive interval and max lifetime are positive ({@code INVALID_SETUP});
 *       a first frame other than SETUP is left to rsocket-java, which refuses it;
 *   <li>later: no second SETUP, no RESUME or RESUME_OK, no LEASE (this server offers no lease);
 *       KEEPALIVE and METADATA_PUSH on stream 0; a frame of a stream on an odd stream id (the
 *       server opens no streams of its own, so stream 0 and even ids are not a client's to use);
 *       a request never on the id of a stream still open; initial request n and REQUEST_N of at
 *       least 1; at most {@code maxOpen} streams open; a frame type this server does not know is
 *       dropped when its I (ignore) flag is set and refused otherwise ({@code PROTOCOL_ERROR}).
 * </ul>
 */
final class InboundCheck {
  /** What to do with one inbound frame. */
  enum Verdict {
    /** Hand it to rsocket-java. */
    PASS,
    /** Ignore it (the protocol says so: an unknown frame with the I flag). */
    DROP,
    /** Refuse the connection: see {@link #violation()}. */
    REFUSE
  }

  /**
   * A broken rule: the refusal counted and the error sent on stream 0.
   *
   * @param refusal the counter it is counted under
   * @param error the error frame's content (its message starts with the code)
   */
  record Violation(ServerCounters.Refusal refusal, RSocketErrorException error) {
    String message() {
      return error.getMessage();
    }
  }

  private final OpenStreams streams = new OpenStreams();
  private final int maxOpen;
  private boolean first = true;
  private Violation violation;

  /** @param maxOpen streams a client may hold open at once */
  InboundCheck(int maxOpen) {
    this.maxOpen = maxOpen;
  }

  /** The rule the last {@link Verdict#REFUSE} broke. */
  Violation violation() {
    return violation;
  }

  /** Streams the client has open now. */
  int openStreams() {
    return streams.size();
  }

  /** Whether the first frame (SETUP) has been seen. */
  boolean pastFirstFrame() {
    return !first;
  }

  /** The verdict on the client's next frame (it has no TCP length prefix). */
  Verdict inbound(ByteBuf frame) {
    String broken = FrameRules.layout(frame);
    if (broken != null) {
      boolean setup = first && frame.readableBytes() >= FrameRules.HEADER
          && FrameRules.type(frame) == FrameRules.SETUP;
      first = false;
      return setup ? invalidSetup(broken) : refuse(ServerCounters.Refusal.MALFORMED_FRAME,
          WireFormat.MALFORMED_FRAME, broken);
    }
    int type = FrameRules.type(frame);
    int flags = FrameRules.flags(frame);
    int id = FrameRules.streamId(frame);
    if (first) {
      first = false;
      if (type == FrameRules.SETUP) {
        String bad = FrameRules.setupValues(frame);
        return bad == null ? Verdict.PASS : invalidSetup(bad);
      }
      return Verdict.PASS; // rsocket-java answers INVALID_SETUP (or REJECTED_RESUME)
    }
    String name = FrameRules.typeName(type);
    switch (type) {
      case FrameRules.SETUP, FrameRules.RESUME, FrameRules.RESUME_OK:
        return protocol("a " + name + " frame after the connection was set up");
      case FrameRules.LEASE:
        return protocol("a LEASE frame, but this server offers no lease (SETUP without flag L)");
      case FrameRules.KEEPALIVE, FrameRules.METADATA_PUSH:
        return id == 0 ? Verdict.PASS
            : protocol("a " + name + " frame on stream " + id + "; it belongs on stream 0");
      case FrameRules.ERROR:
        if (id == 0) {
          return Verdict.PASS; // the client ends the connection
        }
        return onStream(id, type, flags, name, frame);
      case FrameRules.REQUEST_RESPONSE, FrameRules.REQUEST_FNF, FrameRules.REQUEST_STREAM,
          FrameRules.REQUEST_CHANNEL, FrameRules.REQUEST_N, FrameRules.CANCEL,
          FrameRules.PAYLOAD:
        return onStream(id, type, flags, name, frame);
      default:
        if ((flags & FrameRules.FLAG_IGNORE) != 0) {
          return Verdict.DROP;
        }
        return protocol("a frame of type " + name + " that this server does not know, without "
            + "flag I (ignore)");
    }
  }

  private Verdict onStream(int id, int type, int flags, String name, ByteBuf frame) {
    if (id == 0) {
      return protocol("a " + name + " frame on stream 0, which is the connection's own; a "
          + "client's streams use odd ids from 1");
    }
    if ((id & 1) == 0) {
      return protocol("a " + name + " frame on even stream " + id + "; this server opens no "
          + "streams, so a client's streams use odd ids");
    }
    if (type == FrameRules.REQUEST_STREAM || type == FrameRules.REQUEST_CHANNEL
        || type == FrameRules.REQUEST_N) {
      long n = frame.getUnsignedInt(frame.readerIndex() + FrameRules.HEADER);
      if (n == 0) {
        return protocol("a " + name + " frame on stream " + id + " asks for 0 elements; "
            + "allowed: 1 to 2^31 - 1");
      }
    }
    if (FrameRules.isRequest(type)) {
      if (streams.isOpen(id)) {
        return protocol("a " + name + " frame on stream " + id + ", which is still open: "
            + "a stream id is not reused until its stream has ended");
      }
      if (streams.size() >= maxOpen) {
        return protocol("a " + name + " frame on stream " + id + " while " + maxOpen
            + " streams are open (the limit)");
      }
    }
    streams.inbound(id, type, flags);
    return Verdict.PASS;
  }

  /** The server sends {@code frame} on stream {@code id} (no TCP length prefix). */
  void outbound(int id, ByteBuf frame) {
    if (id == 0 || (id & 1) == 0 || frame.readableBytes() < FrameRules.HEADER) {
      return;
    }
    streams.outbound(id, FrameRules.type(frame), FrameRules.flags(frame));
  }

  private Verdict protocol(String why) {
    return refuse(ServerCounters.Refusal.PROTOCOL_ERROR, WireFormat.PROTOCOL_ERROR, why);
  }

  private Verdict invalidSetup(String why) {
    violation = new Violation(ServerCounters.Refusal.INVALID_SETUP, new InvalidSetupException(
        WireFormat.INVALID_SETUP + ": " + why + "; connection closed"));
    return Verdict.REFUSE;
  }

  private Verdict refuse(ServerCounters.Refusal refusal, String code, String why) {
    violation = new Violation(refusal, new ConnectionErrorException(code + ": " + why
        + "; connection closed"));
    return Verdict.REFUSE;
  }
}
