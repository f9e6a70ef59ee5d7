package io.tidecache.transport.rsocket;

import java.net.InetSocketAddress;

/**
 * Immutable: a connection the server refused or closed because of what its client did (a
 * connection limit, no SETUP in time, a refused SETUP or token, a frame that breaks the
 * protocol), as told to {@link RSocketCacheServer.Builder#onRefusal}. Each is also counted under
 * {@code reason} in {@link ServerCounters}.
 *
 * @param transport {@code "tcp"} or {@code "websocket"}
 * @param client the client's address and port, or {@code null} when unknown
 * @param reason the refusal, as counted (a {@link ServerCounters.Refusal})
 * @param message the message sent to the client (it starts with its code)
 */
public record ConnectionRefusal(String transport, InetSocketAddress client,
    ServerCounters.Refusal reason, String message) {}
