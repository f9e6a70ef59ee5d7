package io.tidecache.spring;

import io.tidecache.transport.rsocket.RSocketCacheClient;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Immutable: where and how the client connects, checked from {@code tidecache.client.*}.
 *
 * @param uri the URI as configured
 * @param host the server's host
 * @param port the server's port
 * @param webSocketPath the WebSocket path, or {@code null} for TCP
 * @param trustedCert the PEM certificate to trust, or {@code null} without TLS
 * @param token the bearer token, or {@code null}
 * @param connectTimeout how long to wait for a connection
 * @param bestEffort miss and drop instead of failing while disconnected
 */
record ClientEndpoint(String uri, String host, int port, String webSocketPath, Path trustedCert,
    String token, Duration connectTimeout, boolean bestEffort) {
  static final String URI_PROPERTY = "tidecache.client.uri";
  static final String CERT_PROPERTY = "tidecache.client.tls.trusted-cert";
  private static final String URI_ALLOWED = "tcp://host:port, tcp+tls://host:port, "
      + "ws://host:port/path or wss://host:port/path (ports 1 to 65535)";

  /** Checks {@code tidecache.client.*}; throws a {@link TideCachePropertyException} if bad. */
  static ClientEndpoint of(TideCacheProperties.Client c) {
    if (c.uri() == null || c.uri().isBlank()) {
      throw new TideCachePropertyException(URI_PROPERTY, c.uri() == null ? "" : c.uri(),
          URI_ALLOWED + " (tidecache.mode is client)");
    }
    URI uri;
    try {
      uri = new URI(c.uri().trim());
    } catch (java.net.URISyntaxException e) {
      throw new TideCachePropertyException(URI_PROPERTY, c.uri(), URI_ALLOWED, e);
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme();
    boolean webSocket = scheme.equals("ws") || scheme.equals("wss");
    boolean tls = scheme.equals("tcp+tls") || scheme.equals("wss");
    if (!(webSocket || scheme.equals("tcp") || scheme.equals("tcp+tls"))
        || uri.getHost() == null || uri.getPort() < 1 || uri.getPort() > 65_535) {
      throw new TideCachePropertyException(URI_PROPERTY, c.uri(), URI_ALLOWED);
    }
    String path = uri.getRawPath();
    if (webSocket && (path == null || path.isEmpty())) {
      throw new TideCachePropertyException(URI_PROPERTY, c.uri(), URI_ALLOWED
          + "; a WebSocket URI needs its path, e.g. ws://127.0.0.1:7879/rsocket");
    }
    Path cert = c.tls().trustedCert();
    if (tls && cert == null) {
      throw new TideCachePropertyException(CERT_PROPERTY, "", "a readable PEM file with the "
          + "server's certificate: " + URI_PROPERTY + " '" + c.uri() + "' uses TLS");
    }
    if (!tls && cert != null) {
      throw new TideCachePropertyException(CERT_PROPERTY, cert, "unset, since " + URI_PROPERTY
          + " '" + c.uri() + "' does not use TLS (use tcp+tls:// or wss://)");
    }
    if (cert != null && !Files.isReadable(cert)) {
      throw new TideCachePropertyException(CERT_PROPERTY, cert, "a readable PEM file");
    }
    if (c.cache() == null || !c.cache().matches("[A-Za-z0-9._-]{1,255}")) {
      throw new TideCachePropertyException("tidecache.client.cache", c.cache(),
          "1 to 255 characters of letters, digits, '.', '_' or '-'");
    }
    if (c.token() != null && c.token().isBlank()) {
      throw new TideCachePropertyException("tidecache.client.token", c.token(),
          "a non-blank token, or unset");
    }
    if (c.connectTimeout().isNegative() || c.connectTimeout().isZero()) {
      throw new TideCachePropertyException("tidecache.client.connect-timeout",
          c.connectTimeout(), "a positive duration");
    }
    return new ClientEndpoint(c.uri(), uri.getHost(), uri.getPort(), webSocket ? path : null,
        cert, c.token(), c.connectTimeout(), c.bestEffort());
  }

  /** A client of {@code cache} at this endpoint; it connects in the background. */
  RSocketCacheClient build(String cache) {
    RSocketCacheClient.Builder b = RSocketCacheClient.builder(cache);
    if (webSocketPath == null) {
      b.tcp(host, port);
    } else {
      b.webSocket(host, port, webSocketPath);
    }
    if (trustedCert != null) {
      b.tls(trustedCert);
    }
    if (token != null) {
      b.token(token);
    }
    return b.bestEffort(bestEffort).connectTimeout(connectTimeout).build();
  }
}
