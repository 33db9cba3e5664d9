package dev.ollamabridge.bridge;

import dev.ollamabridge.bridge.translate.Dialect;
import java.io.IOException;
import java.io.InputStream;
import okhttp3.MediaType;
import okhttp3.RequestBody;
import okio.BufferedSink;
import okio.Okio;

/**
 * Ollama's model management (pull, push, create, copy, delete, blobs): passed through to an Ollama
 * backend when the bridge was started with {@code --allow-model-management}, byte for byte and as
 * it comes (a pull's progress lines reach the client one by one); refused otherwise, saying why.
 */
final class ModelManagement {

  private final BridgeConfig config;
  private final Upstream upstream;

  ModelManagement(BridgeConfig config, Upstream upstream) {
    this.config = config;
    this.upstream = upstream;
  }

  void handle(Exchange exchange, Route route) throws IOException {
    if (config.upstreamDialect() != Dialect.OLLAMA) {
      throw new ApiException(501, route.path + " is Ollama's model management, and this bridge's backend is an "
          + "OpenAI-compatible API, which has none", null, "not_implemented");
    }
    if (!config.allowModelManagement()) {
      throw new ApiException(403, route.path + " changes the models the backend holds; this bridge refuses it "
          + "unless started with --allow-model-management", null, "forbidden");
    }
    String method = route.method;
    RequestBody body = method.equals("HEAD") ? null : streamed(exchange);
    String authorization = ClientAccess.upstreamAuthorization(exchange);
    try (Upstream.Exchange answer = upstream.once(method, exchange.path(), body, authorization)) {
      Relay.streamed(exchange, answer.response());
    }
  }

  /** The client's body as it arrives, however large, never held whole in memory. */
  private static RequestBody streamed(Exchange exchange) {
    String type = exchange.contentType();
    long length = exchange.contentLength();
    return new RequestBody() {
      @Override
      public MediaType contentType() {
        return type == null ? null : MediaType.parse(type);
      }

      @Override
      public long contentLength() {
        return length;
      }

      @Override
      public boolean isOneShot() {
        return true;
      }

      @Override
      public void writeTo(BufferedSink sink) throws IOException {
        try (InputStream in = exchange.bodyStream()) {
          sink.writeAll(Okio.source(in));
        }
      }
    };
  }
}
