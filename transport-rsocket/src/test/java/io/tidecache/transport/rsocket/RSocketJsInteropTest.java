package io.tidecache.transport.rsocket;

import static io.tidecache.transport.rsocket.InteropServer.await;
import static io.tidecache.transport.rsocket.RawRSocket.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.tidecache.api.ByteCache;
import io.tidecache.api.CacheStats;
import io.tidecache.transport.rsocket.ServerCounters.Refusal;
import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Not thread-safe (JUnit's thread): rsocket-js 1.0.0-alpha.3 on Node (interop-js/client.js, a
 * client written only from WIRE-FORMAT.md) against a real server, over TCP and over WebSocket.
 *
 * <p>The script connects with composite metadata, does put, get (checks the value), remove, get
 * again (checks the miss), remove of the absent key, a request to an unknown cache (checks the
 * UNKNOWN_CACHE error frame), a get of a key written here from Java, a put it leaves for Java to
 * read, a cache.scan it reads one entry at a time (request n 1, then REQUEST_N 1 per entry; it
 * fails on an entry beyond what it asked for), a stats stream it cancels after a few elements,
 * and cache.stats; one JSON line per step.
 * This test checks the exit code, every line, and the server side: the key left by Node is
 * readable from Java with the same bytes, the key it removed is gone, the refusal was counted,
 * and nothing is left in flight once Node has gone.
 *
 * <p>Needs {@code node} on the PATH and {@code interop-js/node_modules}: without them it fails
 * (never skips), saying to run {@code npm ci --prefix transport-rsocket/interop-js}, which
 * {@code .ci/run} does.
 */
class RSocketJsInteropTest {
  private static final String NPM_CI = "npm ci --prefix transport-rsocket/interop-js";
  private static final long NODE_TIMEOUT_SECONDS = 60;
  private static final HexFormat HEX = HexFormat.of();
  /** "Ada" then bytes that are not UTF-8 text: the value must arrive byte for byte. */
  private static final byte[] VALUE = {'A', 'd', 'a', 0x00, (byte) 0xff, 0x7f, (byte) 0x80};
  private static final byte[] FROM_JAVA = {'J', 0x01, (byte) 0xfe, 'v', 'a'};

  private static InteropServer server;
  private static Path moduleDir;
  private static Path node;

  @TempDir
  Path tmp;

  @BeforeAll
  static void start() {
    moduleDir = moduleBasedir();
    node = findNode();
    Path script = moduleDir.resolve("interop-js/client.js");
    assertThat(script).as("the rsocket-js client script").isRegularFile();
    for (String pkg : List.of("rsocket-core", "rsocket-tcp-client", "rsocket-websocket-client",
        "rsocket-composite-metadata", "ws")) {
      if (!Files.isRegularFile(moduleDir.resolve("interop-js/node_modules/" + pkg
          + "/package.json"))) {
        fail("interop-js/node_modules/" + pkg + " is missing under " + moduleDir
            + ": run `" + NPM_CI + "` once (from the repository root; .ci/run does it)");
      }
    }
    server = InteropServer.start();
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void rsocketJsOverTcp() throws Exception {
    InetSocketAddress a = server.tcp();
    roundTrip("js-tcp", "tcp", List.of("--transport", "tcp", "--host", a.getHostString(),
        "--port", Integer.toString(a.getPort())));
  }

  @Test
  void rsocketJsOverWebSocket() throws Exception {
    roundTrip("js-ws", "ws", List.of("--transport", "ws",
        "--url", server.webSocketUri().toString()));
  }

  private void roundTrip(String cacheName, String transport, List<String> connectArgs)
      throws Exception {
    ByteCache cache = server.createCache(cacheName);
    cache.put(bytes("from-java"), FROM_JAVA).block(WAIT);
    long unknownCacheBefore = server.counters().refusals(Refusal.UNKNOWN_CACHE);

    List<String> args = new ArrayList<>(connectArgs);
    args.addAll(List.of("--cache", cacheName, "--key", "node-key",
        "--value-hex", HEX.formatHex(VALUE), "--leave-key", "left-by-node",
        "--expect", "from-java=" + HEX.formatHex(FROM_JAVA),
        "--stream-elements", "3", "--timeout-ms", "30000"));
    Result r = runNode(args);

    assertThat(r.exitCode).as("node's exit code; stdout:%n%s%nstderr:%n%s", r.stdout, r.stderr)
        .isZero();
    List<String> lines = r.stdout.lines().toList();
    String hex = HEX.formatHex(VALUE);
    assertThat(lines).as("stdout of node").hasSize(14);
    assertThat(lines.subList(0, 6)).containsExactly(
        "{\"step\":\"connect\",\"ok\":true,\"transport\":\"" + transport + "\"}",
        "{\"step\":\"put\",\"ok\":true,\"key\":\"node-key\",\"valueHex\":\"" + hex
            + "\",\"ttlMillis\":60000}",
        "{\"step\":\"get\",\"ok\":true,\"key\":\"node-key\",\"valueHex\":\"" + hex + "\"}",
        "{\"step\":\"remove\",\"ok\":true,\"key\":\"node-key\",\"removed\":true}",
        "{\"step\":\"get-miss\",\"ok\":true,\"key\":\"node-key\",\"hit\":false}",
        "{\"step\":\"remove-absent\",\"ok\":true,\"key\":\"node-key\",\"removed\":false}");
    assertThat(lines.get(6)).as("the ERROR frame, as rsocket-js reports it")
        .startsWith("{\"step\":\"error\",\"ok\":true,\"code\":513,"
            + "\"message\":\"UNKNOWN_CACHE: ");
    assertThat(lines.subList(7, 9)).containsExactly(
        "{\"step\":\"get-expected\",\"ok\":true,\"key\":\"from-java\",\"valueHex\":\""
            + HEX.formatHex(FROM_JAVA) + "\"}",
        "{\"step\":\"put-leave\",\"ok\":true,\"key\":\"left-by-node\",\"valueHex\":\"" + hex
            + "\",\"ttlMillis\":0}");
    assertThat(lines.get(9)).as("the scan: every entry once, in the entry layout").isEqualTo(
        "{\"step\":\"scan\",\"ok\":true,\"route\":\"cache.scan." + cacheName + "\","
            + "\"requestN\":1,\"entries\":[{\"key\":\"from-java\",\"valueHex\":\""
            + HEX.formatHex(FROM_JAVA) + "\"},{\"key\":\"left-by-node\",\"valueHex\":\"" + hex
            + "\"}]}");
    assertThat(lines.get(10)).startsWith("{\"step\":\"stream\",\"ok\":true,\"route\":\"stats."
        + cacheName + "\",\"elements\":3,\"cancelled\":true,\"last\":{\"type\":\"CacheStats\","
        + "\"cache\":\"" + cacheName + "\",");
    assertThat(lines.get(11)).startsWith("{\"step\":\"stats\",\"ok\":true,\"stats\":{"
        + "\"type\":\"CacheStats\",\"cache\":\"" + cacheName + "\",");
    assertThat(lines.subList(12, 14)).containsExactly(
        "{\"step\":\"close\",\"ok\":true}", "{\"step\":\"done\",\"ok\":true}");

    // The server side: what Node wrote is there for Java, byte for byte; what it removed is gone.
    assertThat(cache.get(bytes("left-by-node")).block(WAIT)).isEqualTo(VALUE);
    assertThat(cache.get(bytes("node-key")).blockOptional(WAIT)).isEmpty();
    CacheStats stats = cache.stats().block(WAIT);
    assertThat(stats.puts()).as("puts: from-java, node-key, left-by-node").isEqualTo(3);
    assertThat(stats.removes()).as("removes").isEqualTo(1);
    assertThat(server.counters().refusals(Refusal.UNKNOWN_CACHE))
        .as("the request to an unknown cache, refused").isEqualTo(unknownCacheBefore + 1);
    await("Node's connection to close and its stream to end",
        () -> server.counters().connections() == 0 && server.counters().inFlight() == 0);
  }

  private record Result(int exitCode, String stdout, String stderr) {}

  private Result runNode(List<String> args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(node.toString());
    command.add("client.js");
    command.addAll(args);
    File out = tmp.resolve("node.out").toFile();
    File err = tmp.resolve("node.err").toFile();
    Process p = new ProcessBuilder(command).directory(moduleDir.resolve("interop-js").toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
        .redirectOutput(out).redirectError(err).start();
    if (!p.waitFor(NODE_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
      p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      fail("node did not finish within " + NODE_TIMEOUT_SECONDS + " s: " + String.join(" ", command)
          + "\nstdout:\n" + read(out) + "\nstderr:\n" + read(err));
    }
    return new Result(p.exitValue(), read(out), read(err));
  }

  private static String read(File f) throws IOException {
    return Files.readString(f.toPath(), StandardCharsets.UTF_8);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** The module's directory: set by the surefire configuration, else Maven's basedir. */
  private static Path moduleBasedir() {
    String dir = System.getProperty("tidecache.module.basedir",
        System.getProperty("basedir", System.getProperty("user.dir")));
    return Path.of(dir).toAbsolutePath();
  }

  /** The {@code node} executable on the PATH; fails the class with the fix when there is none. */
  private static Path findNode() {
    String path = System.getenv("PATH");
    if (path != null) {
      for (String dir : path.split(File.pathSeparator)) {
        if (!dir.isEmpty()) {
          Path candidate = Path.of(dir, "node");
          if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
            return candidate;
          }
        }
      }
    }
    return fail("`node` (Node.js 20) is not on the PATH (" + path + "): install Node.js 20 and "
        + "npm, then run `" + NPM_CI + "` once (from the repository root; .ci/run does it)");
  }
}
