package io.tidecache.transport.rsocket;

/** The {@link io.tidecache.api.contract.ByteCacheContract} over RSocket on TCP (engine behind the server, client over TCP). */
class RSocketClientContractTest extends RemoteCacheContract {
  @Override
  protected boolean webSocket() {
    return false;
  }
}
