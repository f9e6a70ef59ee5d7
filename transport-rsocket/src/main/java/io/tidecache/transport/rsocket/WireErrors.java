package io.tidecache.transport.rsocket;

import io.rsocket.RSocketErrorException;
import io.rsocket.exceptions.ApplicationErrorException;
import io.rsocket.exceptions.CanceledException;
import io.rsocket.exceptions.ConnectionCloseException;
import io.rsocket.exceptions.ConnectionErrorException;
import io.rsocket.exceptions.InvalidSetupException;
import io.rsocket.exceptions.RejectedResumeException;
import io.rsocket.exceptions.RejectedSetupException;
import io.rsocket.exceptions.UnsupportedSetupException;
import io.rsocket.exceptions.InvalidException;
import io.rsocket.exceptions.RejectedException;
import io.tidecache.api.CacheClosed;
import io.tidecache.api.Disconnected;
import io.tidecache.api.InvalidRequest;
import io.tidecache.api.KeyTooLarge;
import io.tidecache.api.LeaseExpired;
import io.tidecache.api.Overloaded;
import io.tidecache.api.PoolExhausted;
import io.tidecache.api.TideCacheException;
import io.tidecache.api.ValueTooLarge;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import reactor.netty.channel.AbortedException;

/**
 * Thread-safe (stateless): turns errors into ERROR frames on the server, and ERROR frames back
 * into typed {@link TideCacheException}s on the client.
 *
 * <p>Every error message on the wire is {@code CODE: text}. A cache's {@link TideCacheException}
 * keeps its {@link TideCacheException#code()} and message; {@link Overloaded} travels as REJECTED
 * (0x202), every other error as APPLICATION_ERROR (0x201). The client rebuilds the typed exception
 * from the code and the numbers in the text, so that its message reads as the server's did.
 */
final class WireErrors {
  private WireErrors() {}

  private static final Pattern NUMBER = Pattern.compile("-?\\d+");
  private static final Pattern CACHE = Pattern.compile("cache '([^']*)'");
  private static final Pattern OVERLOADED = Pattern.compile("^(.*) is full \\(limit (-?\\d+)\\)");
  private static final Pattern LEASE = Pattern.compile("^lease (-?\\d+) is no longer valid: (.*)$",
      Pattern.DOTALL);

  /** The exception a responder returns for {@code error}, counted under its refusal. */
  static Throwable toFrame(Throwable error, ServerCounters counters) {
    if (error instanceof WireException w) {
      counters.refused(w.refusal());
      return new ApplicationErrorException(w.wireMessage());
    }
    if (error instanceof Overloaded o) {
      counters.refused(ServerCounters.Refusal.CACHE_ERROR);
      return new RejectedException(o.code() + ": " + o.getMessage());
    }
    if (error instanceof TideCacheException t) {
      counters.refused(ServerCounters.Refusal.CACHE_ERROR);
      return new ApplicationErrorException(t.code() + ": " + t.getMessage());
    }
    if (error instanceof RSocketErrorException) {
      return error; // already a frame, counted where it was made (the in-flight limit)
    }
    counters.refused(ServerCounters.Refusal.INTERNAL);
    return new ApplicationErrorException(WireFormat.INTERNAL + ": " + error);
  }

  /** The typed exception for an error a client got from {@code endpoint} for cache {@code cache}. */
  static TideCacheException toTyped(Throwable error, String cache, String endpoint) {
    if (error instanceof TideCacheException t) {
      return t;
    }
    if (error instanceof ApplicationErrorException || error instanceof RejectedException) {
      return fromMessage(error, cache, endpoint);
    }
    if (error instanceof ConnectionCloseException
        && String.valueOf(error.getMessage()).startsWith(WireFormat.CACHE_CLOSED + ": ")) {
      // The server stopped: its CONNECTION_CLOSE ends every request it had not answered, and
      // none of them was served.
      return new CacheClosed(cache);
    }
    if (connectionLost(error)) {
      return new Disconnected(endpoint, error);
    }
    // CANCELED (a payload over the server's size limit), INVALID, a payload RSocket refused to
    // send, or a failure of the caller's own publisher: the request as it stood was refused.
    String kind = error instanceof CanceledException ? "CANCELED: "
        : error instanceof InvalidException ? "INVALID: " : "";
    return new InvalidRequest(kind + error.getMessage());
  }

  /** Whether the error means the connection is gone (or was never set up). */
  private static boolean connectionLost(Throwable e) {
    return e instanceof IOException
        || e instanceof ConnectionErrorException || e instanceof ConnectionCloseException
        || e instanceof RejectedSetupException || e instanceof InvalidSetupException
        || e instanceof UnsupportedSetupException || e instanceof RejectedResumeException
        || e instanceof CancellationException || e instanceof TimeoutException
        || e instanceof AbortedException;
  }

  private static TideCacheException fromMessage(Throwable error, String cache, String endpoint) {
    String message = String.valueOf(error.getMessage());
    int colon = message.indexOf(": ");
    String code = colon < 0 ? "" : message.substring(0, colon);
    String text = colon < 0 ? message : message.substring(colon + 2);
    if (error instanceof RejectedException && colon < 0) {
      return new Overloaded("requests to " + endpoint + " (" + message + ")", -1);
    }
    List<Long> n = numbers(text);
    Matcher named = CACHE.matcher(text);
    String name = named.find() ? named.group(1) : cache;
    switch (code) {
      case "KEY_TOO_LARGE":
        if (n.size() >= 2) {
          return new KeyTooLarge(name, n.get(0).intValue(), n.get(1).intValue());
        }
        break;
      case "VALUE_TOO_LARGE":
        if (n.size() >= 2) {
          return new ValueTooLarge(name, n.get(0).intValue(), n.get(1).intValue());
        }
        break;
      case "INVALID_REQUEST":
        return new InvalidRequest(text);
      case WireFormat.OVERLOADED: {
        Matcher m = OVERLOADED.matcher(text);
        return m.find() ? new Overloaded(m.group(1), Integer.parseInt(m.group(2)))
            : new Overloaded(text, -1);
      }
      case "CACHE_CLOSED":
        return new CacheClosed(name);
      case "LEASE_EXPIRED": {
        Matcher m = LEASE.matcher(text);
        return m.find() ? new LeaseExpired(Long.parseLong(m.group(1)), m.group(2))
            : new LeaseExpired(-1, text);
      }
      case "POOL_EXHAUSTED":
        if (n.size() >= 3) {
          return new PoolExhausted(n.get(0), n.get(1), n.get(2));
        }
        break;
      case "DISCONNECTED":
        return new Disconnected(endpoint, error);
      default:
        break;
    }
    // UNKNOWN_ROUTE, UNKNOWN_CACHE, BAD_METADATA, BAD_PAYLOAD, INTERNAL or a code we do not know:
    // the request was refused as it stood; the full message keeps the code.
    return new InvalidRequest(message);
  }

  private static List<Long> numbers(String text) {
    List<Long> out = new ArrayList<>(3);
    Matcher m = NUMBER.matcher(text);
    while (m.find()) {
      try {
        out.add(Long.parseLong(m.group()));
      } catch (NumberFormatException e) {
        out.add(-1L);
      }
    }
    return out;
  }
}
