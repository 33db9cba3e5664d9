package dev.ollamabridge.bridge;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ollamabridge.bridge.translate.Json;
import java.io.IOException;
import java.time.Duration;

/**
 * Reads a client's JSON body, refusing one larger than {@code --max-body-bytes}, one that did not
 * arrive within {@code --body-timeout}, and one that is not a JSON object: each with a message in
 * the client's terms, never the parser's.
 */
final class RequestBodies {

  /** A body is one JSON value: {@code {…} trailing} is as invalid as it is to Ollama and OpenAI. */
  private static final ObjectReader READER = Json.MAPPER.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private RequestBodies() {}

  static ObjectNode jsonObject(Exchange exchange, long maxBytes) {
    return jsonObject(exchange.body(maxBytes));
  }

  static ObjectNode jsonObject(byte[] bytes) {
    JsonNode node;
    try {
      node = READER.readTree(bytes);
    } catch (JsonProcessingException e) {
      throw ApiException.badRequest(null, "the request body is not valid JSON: " + problem(e));
    } catch (IOException e) {
      throw ApiException.badRequest(null, "the request body could not be read");
    }
    if (node == null || !node.isObject()) {
      throw ApiException.badRequest(null, "the request body must be a JSON object, e.g. {\"model\": \"llama3.2\", …}");
    }
    return (ObjectNode) node;
  }

  /** What is wrong with the JSON, and where, as a person would say it. */
  private static String problem(JsonProcessingException e) {
    if (e instanceof StreamConstraintsException) {
      return "it nests too deeply, or holds a number or text too long to read";
    }
    if (e instanceof JsonEOFException) {
      return "it ends before its JSON value does";
    }
    String where = where(e.getLocation());
    if (e instanceof MismatchedInputException) {
      return "there is more after its JSON value" + where;
    }
    String original = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
    if (original.startsWith("Invalid UTF-8")) {
      return "it is not UTF-8 text" + where;
    }
    return "unexpected text" + where;
  }

  private static String where(JsonLocation location) {
    if (location == null || location.getLineNr() < 1) {
      return "";
    }
    return " at line " + location.getLineNr() + ", column " + location.getColumnNr();
  }

  /** The body as it came, for a request that may go upstream unchanged; {@link #jsonObject(byte[])} reads it. */
  static byte[] bytes(Exchange exchange, long maxBytes) {
    return exchange.body(maxBytes);
  }

  /** The refusal of a body larger than {@code --max-body-bytes}, whichever server read it. */
  static ApiException tooLarge(long maxBytes) {
    return new ApiException(413, "the request body is larger than " + maxBytes + " bytes", null, "request_too_large");
  }

  /** The refusal of a body that did not arrive within {@code --body-timeout}, whichever server waited for it. */
  static ApiException late(Duration deadline) {
    return new ApiException(408, "the request body did not arrive within " + deadline.toMillis()
        + " ms; a client this slow needs a longer --body-timeout", null, "request_timeout");
  }
}
