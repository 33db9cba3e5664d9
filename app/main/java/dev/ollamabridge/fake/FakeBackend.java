package dev.ollamabridge.fake;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * What every dialect's handlers share: the JSON mapper, the models, the answers, the live faults,
 * the traffic counters and the paced delivery.
 */
record FakeBackend(
    ObjectMapper json,
    ModelCatalog models,
    FakeAnswers answers,
    LiveFaults faults,
    Traffic traffic,
    AnswerDelivery delivery) {

  /** The request body if it is a JSON object; empty if it is not JSON or not an object. */
  Optional<JsonNode> requestObject(Context ctx) {
    try {
      JsonNode body = json.readTree(ctx.bodyAsBytes());
      return body != null && body.isObject() ? Optional.of(body) : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** One frame of a stream: {@code value} as JSON between {@code prefix} and {@code suffix}. */
  static byte[] frame(ObjectMapper json, Object value, String prefix, String suffix) {
    try {
      return (prefix + json.writeValueAsString(value) + suffix).getBytes(StandardCharsets.UTF_8);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A positive integer field, or 0 when absent or not a positive number. */
  static int positiveInt(JsonNode node) {
    return node.canConvertToInt() && node.asInt() > 0 ? node.asInt() : 0;
  }

  /** {@code stream} with a default, since Ollama streams unless told not to and OpenAI does not. */
  static boolean streamRequested(JsonNode request, boolean byDefault) {
    JsonNode stream = request.path("stream");
    return stream.isBoolean() ? stream.booleanValue() : byDefault;
  }
}
