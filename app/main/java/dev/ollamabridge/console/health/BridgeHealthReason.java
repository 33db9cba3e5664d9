package dev.ollamabridge.console.health;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ollamabridge.logs.LogText;
import java.io.IOException;
import java.util.Optional;
import okhttp3.Response;

/**
 * Why a bridge says it is not healthy, read from the body of its {@code /health} answer: its
 * {@code reason}, or, from a bridge before that field, its upstream's status or error. The body is a
 * foreign program's text (an external bridge is anyone's): at most 16 KiB is read, and the reason is
 * one line of at most 200 characters, control and format characters escaped ({@link LogText}); pages
 * escape its markup like any other text.
 */
final class BridgeHealthReason {

  static final int MAX_BODY = 16 * 1024;
  static final int MAX_REASON = 200;
  private static final ObjectMapper JSON = new ObjectMapper();

  private BridgeHealthReason() {}

  /** The bridge's reason, or empty when its body holds none (not JSON, cut short, no such field). */
  static Optional<String> of(Response response) {
    JsonNode body;
    try {
      body = JSON.readTree(response.peekBody(MAX_BODY).bytes());
    } catch (IOException e) {
      return Optional.empty();
    }
    if (body == null || !body.isObject()) {
      return Optional.empty();
    }
    String reason = body.path("reason").isTextual() ? body.path("reason").asText() : fromUpstream(body.path("upstream"));
    return Optional.ofNullable(reason).map(String::strip).filter(text -> !text.isEmpty())
        .map(text -> LogText.oneLine(text, MAX_REASON));
  }

  /** What a bridge without a {@code reason} field says of its upstream. */
  private static String fromUpstream(JsonNode upstream) {
    if (upstream.path("error").isTextual()) {
      return "upstream: " + upstream.path("error").asText();
    }
    int status = upstream.path("status").asInt(0);
    return status >= 500 ? "upstream answered " + status : null;
  }
}
