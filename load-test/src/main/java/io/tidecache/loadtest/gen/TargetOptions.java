package io.tidecache.loadtest.gen;

import io.tidecache.loadtest.report.ReportFolder;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * Not thread-safe (filled by picocli, read once): which target {@link LoadGenerator} drives, and
 * how to reach it. Only loopback addresses are accepted unless {@code --allow-non-loopback}.
 */
final class TargetOptions {
  /** The kinds of target. */
  enum Kind { EMBEDDED, RSOCKET, REDIS }

  @Option(names = "--target", defaultValue = "embedded",
      description = "embedded (in-process engine), rsocket://127.0.0.1:PORT (a running tidecache "
          + "server), redis://127.0.0.1:PORT (a running redis-server), or redis (start one as a "
          + "child process) (default: ${DEFAULT-VALUE})")
  String target;

  @Option(names = "--allow-non-loopback",
      description = "accept a target that is not on a loopback address")
  boolean allowNonLoopback;

  @Option(names = "--cache", defaultValue = "loadgen",
      description = "rsocket: the cache name on the server (default: ${DEFAULT-VALUE})")
  String cache;

  @Option(names = "--token", description = "rsocket: bearer token for the server")
  String token;

  @Option(names = "--server-pid", defaultValue = "0",
      description = "rsocket or redis: pid of the server, to read its RSS (redis: found by INFO "
          + "when on loopback)")
  long serverPid;

  @Option(names = "--redis-server", defaultValue = "redis-server",
      description = "redis: the binary started for --target redis (default: ${DEFAULT-VALUE})")
  String redisServer;

  @Option(names = "--redis-maxmemory", defaultValue = "2gb",
      description = "redis child: --maxmemory (default: ${DEFAULT-VALUE})")
  String redisMaxMemory;

  @Option(names = "--redis-policy", defaultValue = "allkeys-lru",
      description = "redis child: --maxmemory-policy (default: ${DEFAULT-VALUE})")
  String redisPolicy;

  Kind kind() {
    String t = target.trim();
    if (t.equals("embedded")) {
      return Kind.EMBEDDED;
    }
    if (t.equals("redis") || t.startsWith("redis://")) {
      return Kind.REDIS;
    }
    if (t.startsWith("rsocket://")) {
      return Kind.RSOCKET;
    }
    throw new IllegalArgumentException("--target must be embedded, rsocket://HOST:PORT, "
        + "redis://HOST:PORT or redis; got '" + target + "'");
  }

  /** Checks the target's form and address before anything is started or written. */
  void validate() throws IOException {
    if (kind() != Kind.EMBEDDED && !target.trim().equals("redis")) {
      uri();
    }
  }

  /** Requests in flight at most for this kind of target when not given. */
  int defaultOutstanding() {
    return kind() == Kind.RSOCKET ? 256 : 4096;
  }

  /**
   * Opens the target (starting a redis-server child for {@code --target redis}).
   *
   * @param engine builds the embedded engine
   */
  Target open(Duration ttl, EmbeddedTarget.Config engine, ReportFolder folder)
      throws IOException, InterruptedException {
    return switch (kind()) {
      case EMBEDDED -> new EmbeddedTarget(engine, ttl);
      case RSOCKET -> {
        URI u = uri();
        yield new RSocketTarget(u.getHost(), u.getPort(), cache, token, ttl, serverPid);
      }
      case REDIS -> {
        if (target.trim().equals("redis")) {
          RedisServerProcess child = RedisServerProcess.start(redisServer, redisMaxMemory,
              redisPolicy, folder.file("redis-server.log"));
          try {
            yield new RedisTarget("127.0.0.1", child.port(), ttl, child);
          } catch (RuntimeException e) {
            child.close();
            throw e;
          }
        }
        URI u = uri();
        yield new RedisTarget(u.getHost(), u.getPort(), ttl, null);
      }
    };
  }

  private URI uri() throws IOException {
    URI u = URI.create(target.trim());
    if (u.getHost() == null || u.getPort() < 1) {
      throw new IllegalArgumentException("--target " + target + " needs a host and a port");
    }
    if (!allowNonLoopback && !InetAddress.getByName(u.getHost()).isLoopbackAddress()) {
      throw new IllegalArgumentException("--target " + target + " is not a loopback address; "
          + "add --allow-non-loopback if you mean it");
    }
    return u;
  }
}
