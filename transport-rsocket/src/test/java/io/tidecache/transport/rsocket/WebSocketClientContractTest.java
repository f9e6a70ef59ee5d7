package io.tidecache.transport.rsocket;

/** The {@link ByteCacheContract} over RSocket on WebSocket. */
class WebSocketClientContractTest extends RemoteCacheContract {
  @Override
  protected boolean webSocket() {
    return true;
  }
}
