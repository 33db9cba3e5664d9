package dev.ollamabridge.bridge.datapath;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;

/**
 * What the data path changes in a request on its way to the backend, after its own rewrite (the
 * API root's path, Host, hop-by-hop headers and the body's length). Runs on the event loop: it
 * must not block.
 */
@FunctionalInterface
public interface Forwarding {

  void rewrite(HttpRequest upstreamRequest);

  /** The client's request as it is. */
  static Forwarding passThrough() {
    return request -> {};
  }

  /** {@code --enable-shared-mode --api-key KEY}: every request carries the bridge's key, whatever the client sent. */
  static Forwarding withKey(String apiKey) {
    String authorization = "Bearer " + apiKey;
    return request -> request.headers().set(HttpHeaderNames.AUTHORIZATION, authorization);
  }
}
