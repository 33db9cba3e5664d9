package dev.ollamabridge.bridge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ollamabridge.bridge.translate.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.function.UnaryOperator;
import okhttp3.MediaType;
import okhttp3.Response;

/**
 * An upstream's answer passed on: as it is (status, type and body, each piece flushed as it comes),
 * or as one JSON document the bridge changes a little on its way.
 */
final class Relay {

  private Relay() {}

  /** Whether the answer is one JSON document (not a stream). */
  static boolean isJson(Response response) {
    MediaType type = response.body().contentType();
    return type != null && type.subtype().equals("json");
  }

  /**
   * A whole answer, read at once: a successful JSON object goes to the client as {@code rewrite}
   * changes it, anything else (an error, a body that is not a JSON object, any answer when
   * {@code rewrite} is null) as it came.
   */
  static void rewritten(Exchange exchange, Response response, UnaryOperator<ObjectNode> rewrite) throws IOException {
    MediaType type = response.body().contentType();
    byte[] body = response.body().bytes();
    if (rewrite != null && response.isSuccessful() && parse(body) instanceof ObjectNode object) {
      body = Json.bytes(rewrite.apply(object));
    }
    exchange.notes().responseBytes(body);
    exchange.answer(response.code(), type == null ? "application/json" : type.toString(), body);
  }

  private static JsonNode parse(byte[] body) {
    try {
      return Json.MAPPER.readTree(body);
    } catch (IOException e) {
      return null;
    }
  }

  static void streamed(Exchange exchange, Response response) throws IOException {
    MediaType type = response.body().contentType();
    if ("text/event-stream".equals(type == null ? null : type.type() + "/" + type.subtype())) {
      exchange.answerHeader("Cache-Control", "no-cache");
      exchange.answerHeader("X-Accel-Buffering", "no"); // tells nginx not to buffer this stream
    }
    OutputStream out = exchange.stream(response.code(), type == null ? null : type.toString());
    if (exchange.method().equals("HEAD")) {
      return;
    }
    try (InputStream in = response.body().byteStream()) {
      byte[] buffer = new byte[8192];
      for (int read = in.read(buffer); read != -1; read = in.read(buffer)) {
        out.write(buffer, 0, read);
      }
    } catch (IOException e) {
      if (!exchange.committed()) {
        throw new ApiException(502, "the upstream broke off its answer", null, "upstream_error");
      }
      throw e;
    }
  }
}
