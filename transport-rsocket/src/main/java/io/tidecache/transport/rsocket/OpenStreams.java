package io.tidecache.transport.rsocket;

import io.netty.util.collection.IntObjectHashMap;

/**
 * Thread-safe (every method holds the instance's lock): the streams a client has opened on one
 * connection and that have not ended yet, as far as the frames in both directions tell. It exists
 * to refuse a request that reuses the id of an open stream, which rsocket-java 1.1.5 would answer
 * twice.
 *
 * <p>Implementation notes. Inbound frames arrive on the connection's event loop, outbound ones
 * from any thread that answers, so a lock guards the map (it is uncontended but for that pair).
 * A stream opens with its request frame and ends:
 * <ul>
 *   <li>request-response and request-stream: when the server sends ERROR or a PAYLOAD with C
 *       (the last fragment of one), or the client sends CANCEL or ERROR;
 *   <li>request-channel: both halves must end: the client's by its PAYLOAD with C, the server's
 *       CANCEL, or an ERROR; the server's by its PAYLOAD with C, the client's CANCEL, or ERROR;
 *   <li>a fragmented fire-and-forget: with its last fragment.
 * </ul>
 * Every doubt resolves toward "ended": a stream forgotten too early only means a later reuse of
 * its id goes unnoticed, while one remembered too long would refuse a lawful request.
 */
final class OpenStreams {
  private static final byte RESPONSE = 1;
  private static final byte STREAM = 2;
  private static final byte CHANNEL = 3;
  private static final byte FIRE_AND_FORGET = 4;

  /** Kind and the ended halves of one stream. */
  private static final class State {
    final byte kind;
    boolean inboundDone;
    boolean outboundDone;

    State(byte kind) {
      this.kind = kind;
    }
  }

  private final IntObjectHashMap<State> open = new IntObjectHashMap<>();

  /** Whether stream {@code id} is open. */
  synchronized boolean isOpen(int id) {
    return open.containsKey(id);
  }

  /** Streams open now. */
  synchronized int size() {
    return open.size();
  }

  /** The client's frame of {@code type} and {@code flags} on odd stream {@code id}. */
  synchronized void inbound(int id, int type, int flags) {
    boolean follows = (flags & FrameRules.FLAG_FOLLOWS) != 0;
    boolean complete = (flags & FrameRules.FLAG_COMPLETE) != 0;
    switch (type) {
      case FrameRules.REQUEST_RESPONSE -> open.put(id, new State(RESPONSE));
      case FrameRules.REQUEST_STREAM -> open.put(id, new State(STREAM));
      case FrameRules.REQUEST_FNF -> {
        if (follows) {
          open.put(id, new State(FIRE_AND_FORGET));
        }
      }
      case FrameRules.REQUEST_CHANNEL -> {
        State s = new State(CHANNEL);
        s.inboundDone = complete && !follows;
        open.put(id, s);
      }
      case FrameRules.PAYLOAD -> {
        State s = open.get(id);
        if (s == null || follows) {
          return;
        }
        if (s.kind == FIRE_AND_FORGET) {
          open.remove(id);
        } else if (s.kind == CHANNEL && complete) {
          s.inboundDone = true;
          removeIfBothDone(id, s);
        }
      }
      case FrameRules.CANCEL, FrameRules.ERROR -> open.remove(id);
      default -> { }
    }
  }

  /** The server's frame of {@code type} and {@code flags} on stream {@code id}. */
  synchronized void outbound(int id, int type, int flags) {
    State s = open.get(id);
    if (s == null) {
      return;
    }
    switch (type) {
      case FrameRules.ERROR -> open.remove(id);
      case FrameRules.PAYLOAD -> {
        boolean follows = (flags & FrameRules.FLAG_FOLLOWS) != 0;
        boolean complete = (flags & FrameRules.FLAG_COMPLETE) != 0;
        if (follows) {
          return;
        }
        if (s.kind == RESPONSE) {
          open.remove(id);
        } else if (complete) {
          s.outboundDone = true;
          removeIfBothDone(id, s);
        }
      }
      case FrameRules.CANCEL -> {
        s.inboundDone = true;
        removeIfBothDone(id, s);
      }
      default -> { }
    }
  }

  private void removeIfBothDone(int id, State s) {
    if (s.kind != CHANNEL || (s.inboundDone && s.outboundDone)) {
      open.remove(id);
    }
  }
}
