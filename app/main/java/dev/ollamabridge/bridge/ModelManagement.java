package dev.ollamabridge.bridge;

import dev.ollamabridge.bridge.translate.Dialect;
import io.javalin.http.Context;
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

  void handle(Context ctx, Route route) throws IOException {
    if (config.upstreamDialect() != Dialect.OLLAMA) {
      throw new ApiException(501, route.path + " is Ollama's model management, and this bridge's backend is an "
          + "OpenAI-compatible API, which has none", null, "not_implemented");
    }
    if (!config.allowModelManagement()) {
      throw new ApiException(403, route.path + " changes the models the backend holds; this bridge refuses it "
          + "unless started with --allow-model-management", null, "forbidden");
    }
    String method = route.method.name();
    RequestBody body = method.equals("HEAD") ? null : streamed(ctx);
    try (Upstream.Exchange exchange = upstream.once(method, ctx.path(), body, RequestState.upstreamAuthorization(ctx))) {
      Relay.streamed(ctx, exchange.response());
    }
  }

  /** The client's body as it arrives, however large, never held whole in memory. */
  private static RequestBody streamed(Context ctx) {
    String type = ctx.contentType();
    long length = ctx.req().getContentLengthLong();
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
        try (InputStream in = ctx.req().getInputStream()) {
          sink.writeAll(Okio.source(in));
        }
      }
    };
  }
}
