package io.tidecache.transport.rsocket.testing;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;

/**
 * Not thread-safe (one test thread; another may write): a plain TCP socket speaking RSocket's TCP framing by hand,
 * for tests that send malformed or abusive traffic ({@link RawFrames}) and read back exactly
 * what the server sends. Blocking, with a read timeout: for the test thread only.
 */
public final class RawTcp implements AutoCloseable {
  /** How long a read waits before the test fails. */
  public static final java.time.Duration WAIT = java.time.Duration.ofSeconds(10);

  private final Socket socket;
  private final DataInputStream in;
  private final OutputStream out;

  public RawTcp(InetSocketAddress server) throws IOException {
    socket = new Socket();
    socket.connect(server, (int) WAIT.toMillis());
    socket.setSoTimeout((int) WAIT.toMillis());
    in = new DataInputStream(socket.getInputStream());
    out = socket.getOutputStream();
  }

  public Socket socket() {
    return socket;
  }

  /** Writes bytes (frames with their length prefixes: {@link RawFrames#tcp}) in one write. */
  public RawTcp send(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
    return this;
  }

  /** The next frame, or {@code null} at the end of the stream. */
  public RawFrames.Frame read() throws IOException {
    int b0 = in.read();
    if (b0 < 0) {
      return null;
    }
    int length = b0 << 16 | in.readUnsignedByte() << 8 | in.readUnsignedByte();
    byte[] frame = new byte[length];
    in.readFully(frame);
    return RawFrames.parse(frame);
  }

  /**
   * Every frame until the server closes the connection (a reset after the last frame counts as
   * a close); fails if the server neither closes nor sends within the read timeout.
   */
  public List<RawFrames.Frame> readUntilClosed() throws IOException {
    List<RawFrames.Frame> frames = new ArrayList<>();
    try {
      RawFrames.Frame f;
      while ((f = read()) != null) {
        frames.add(f);
      }
    } catch (EOFException e) {
      // closed in the middle of a frame: what came before is what was sent
    } catch (SocketTimeoutException e) {
      throw new AssertionError("the server neither closed nor sent within "
          + WAIT + "; frames so far: " + frames, e);
    } catch (SocketException e) {
      frames.add(null); // a reset: marked, so a test can tell it from a clean close
    }
    return frames;
  }

  public InputStream input() {
    return in;
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
