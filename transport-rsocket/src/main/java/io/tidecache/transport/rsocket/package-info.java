/**
 * tidecache over RSocket: {@link io.tidecache.transport.rsocket.RSocketCacheServer} serves any
 * {@link io.tidecache.api.ByteCache} on TCP and WebSocket, and
 * {@link io.tidecache.transport.rsocket.RSocketCacheClient} is a {@code ByteCache} that talks to
 * it. The wire format is written down in {@code transport-rsocket/WIRE-FORMAT.md};
 * {@link io.tidecache.transport.rsocket.WireFormat} holds its names and numbers.
 *
 * <p>Threading, once for the package: server handlers run on the connection's Netty event loop
 * and never block; answers may be signalled on the cache's own threads, and RSocket serialises
 * the frames of a connection. Client operations are cold and non-blocking, like every
 * {@code ByteCache}. Memory: the server decodes frames zero-copy and releases every inbound
 * payload exactly once, right after copying what the cache API needs (see
 * {@code CacheResponder}); outbound payloads are built per subscription.
 */
package io.tidecache.transport.rsocket;
