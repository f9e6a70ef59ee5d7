package io.tidecache.loadtest.abuse;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs once: clients that send {@code cache.get} 1,000 per write and never read an answer, for a
 * bounded time, over TCP on loopback; then they close. Prints, once a second and at the end, how
 * many requests the server has taken off the sockets (a write that returns has been taken by the
 * kernel, so this is an upper bound of what the server read).
 *
 * <pre>
 * run io.tidecache.loadtest.abuse.NonReadingClients --port 7878 --connections 1 --seconds 60
 * </pre>
 */
public final class NonReadingClients {
  private NonReadingClients() {}

  public static void main(String[] argv) throws Exception {
    Args args = new Args(argv, "NonReadingClients [--host 127.0.0.1] [--port 7878] "
        + "[--connections 1] [--seconds 60] [--cache default] [--key k]");
    String host = args.text("host", "127.0.0.1");
    int port = args.integer("port", 7878);
    int connections = args.integer("connections", 1);
    int seconds = args.integer("seconds", 60);
    String cache = args.text("cache", "default");
    byte[] key = args.text("key", "k").getBytes(java.nio.charset.StandardCharsets.UTF_8);
    AtomicLong written = new AtomicLong();
    List<Socket> sockets = new ArrayList<>();
    List<Thread> writers = new ArrayList<>();
    for (int c = 0; c < connections; c++) {
      Socket s = new Socket();
      s.connect(new InetSocketAddress(host, port), 10_000);
      sockets.add(s);
      writers.add(Thread.ofPlatform().name("writer-" + c).start(() -> write(s, cache, key,
          written)));
    }
    long end = System.nanoTime() + seconds * 1_000_000_000L;
    for (int t = 1; System.nanoTime() < end; t++) {
      Thread.sleep(Math.min(1000, Math.max(1, (end - System.nanoTime()) / 1_000_000)));
      System.out.printf("t=%ds requests taken by the server's socket: %,d%n", t, written.get());
    }
    for (Socket s : sockets) {
      s.close();
    }
    for (Thread w : writers) {
      w.join(5_000);
    }
    System.out.printf("done: %d connection(s), %,d requests taken in %d s, none read back%n",
        connections, written.get(), seconds);
  }

  private static void write(Socket s, String cache, byte[] key, AtomicLong written) {
    try {
      OutputStream out = s.getOutputStream();
      out.write(AbuseFrames.tcp(AbuseFrames.setup()));
      int id = 1;
      while (true) {
        byte[][] batch = new byte[1000][];
        for (int i = 0; i < batch.length; i++) {
          batch[i] = AbuseFrames.get(id, cache, key);
          id += 2;
          if (id < 0) {
            id = 1;
          }
        }
        out.write(AbuseFrames.tcp(batch));
        written.addAndGet(batch.length);
      }
    } catch (IOException e) {
      // closed at the end (or by the server)
    }
  }
}
