package io.tidecache.transport.rsocket;

/** The {@link io.tidecache.api.contract.ByteCacheContract} over RSocket on WebSocket. */
class WebSocketClientContractTest extends RemoteCacheContract {
  @Override
  protected boolean webSocket() {
    return true;
  }
}
