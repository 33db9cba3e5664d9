package dev.ollamabridge.bridge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ollamabridge.bridge.translate.Dialect;
import dev.ollamabridge.bridge.translate.Json;
import java.io.IOException;
import okhttp3.Response;
import okio.BufferedSource;

/** Errors as each dialect writes them: OpenAI's nested object, Ollama's single string. */
final class ErrorBodies {

  private static final int MAX_ERROR_BODY = 64 * 1024;

  private ErrorBodies() {}

  static byte[] of(Dialect dialect, ApiException error) {
    return Json.bytes(document(dialect, error));
  }

  /**
   * The error that ends a stream already under way, whose status line said 200: the same document
   * as a whole error, as each dialect sends it mid-stream (Ollama's {@code {"error": "…"}} line,
   * OpenAI's {@code data: {"error": {…}}} event, which its SDKs raise as an API error).
   */
  static ObjectNode inStream(Dialect dialect, ApiException error) {
    return document(dialect, error);
  }

  private static ObjectNode document(Dialect dialect, ApiException error) {
    if (dialect == Dialect.OLLAMA) {
      return Json.object().put("error", error.getMessage());
    }
    ObjectNode body = Json.object();
    body.putObject("error")
        .put("message", error.getMessage())
        .put("type", openAiType(error.status()))
        .put("param", error.param())
        .put("code", error.code());
    return body;
  }

  /** An upstream's error answer, in whichever dialect it came, with its status kept. */
  static ApiException fromUpstream(Response response) {
    String text;
    try {
      BufferedSource source = response.body().source();
      source.request(MAX_ERROR_BODY);
      text = source.getBuffer().readUtf8(Math.min(source.getBuffer().size(), MAX_ERROR_BODY));
    } catch (IOException | RuntimeException e) {
      text = "";
    }
    return fromUpstream(response.code(), text);
  }

  /** An upstream's error answer of {@code status}, whose body (its first bytes, at most) is {@code text}. */
  static ApiException fromUpstream(int status, String text) {
    String message = messageOf(text);
    if (message.isBlank()) {
      message = "the upstream answered HTTP " + status + (text.isBlank() ? "" : ": " + abbreviate(text));
    }
    JsonNode parsed = parse(text);
    JsonNode error = parsed.path("error");
    String param = error.path("param").isTextual() ? error.path("param").asText() : null;
    String code = error.path("code").isTextual() ? error.path("code").asText() : "upstream_error";
    return new ApiException(status, message, param, code);
  }

  private static String messageOf(String text) {
    JsonNode error = parse(text).path("error");
    if (error.isTextual()) {
      return error.asText();
    }
    return error.path("message").asText("");
  }

  private static JsonNode parse(String text) {
    try {
      JsonNode node = Json.MAPPER.readTree(text);
      return node == null ? Json.object() : node;
    } catch (IOException e) {
      return Json.object();
    }
  }

  private static String abbreviate(String text) {
    String flat = text.strip().replaceAll("\\s+", " ");
    return flat.length() > 200 ? flat.substring(0, 200) + "…" : flat;
  }

  private static String openAiType(int status) {
    return switch (status) {
      case 400, 404, 413 -> "invalid_request_error";
      case 401 -> "authentication_error";
      case 403 -> "permission_error";
      case 429 -> "rate_limit_error";
      default -> status >= 500 ? "api_error" : "invalid_request_error";
    };
  }
}
