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
import dev.ollamabridge.http.BodyDeadline.BodyTimeoutException;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.TimeoutException;

/**
 * Reads a client's JSON body, refusing one larger than {@code --max-body-bytes}, one that did not
 * arrive within {@code --body-timeout}, and one that is not a JSON object: each with a message in
 * the client's terms, never the parser's.
 */
final class RequestBodies {

  /** A body is one JSON value: {@code {…} trailing} is as invalid as it is to Ollama and OpenAI. */
  private static final ObjectReader READER = Json.MAPPER.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private RequestBodies() {}

  static ObjectNode jsonObject(Context ctx, long maxBytes) {
    return jsonObject(bytes(ctx, maxBytes));
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
  static byte[] bytes(Context ctx, long maxBytes) {
    long declared = ctx.req().getContentLengthLong();
    if (declared > maxBytes) {
      throw tooLarge(maxBytes);
    }
    try (InputStream in = ctx.req().getInputStream()) {
      // A declared length is read into one array of that size; a chunked body into growing chunks.
      byte[] bytes = in.readNBytes((int) (declared >= 0 ? declared : Math.min(Integer.MAX_VALUE - 8, maxBytes + 1)));
      if (bytes.length > maxBytes) {
        throw tooLarge(maxBytes);
      }
      RequestState.requestBody(ctx, bytes);
      return bytes;
    } catch (IOException e) {
      BodyTimeoutException late = causeOf(e, BodyTimeoutException.class);
      if (late != null) {
        throw new ApiException(408, "the request body did not arrive within " + late.deadline().toMillis()
            + " ms; a client this slow needs a longer --body-timeout", null, "request_timeout");
      }
      if (causeOf(e, TimeoutException.class) != null) {
        throw new ApiException(408, "the request body stopped arriving before it was complete", null, "request_timeout");
      }
      throw ApiException.badRequest(null, "the request body could not be read: the client stopped sending it");
    }
  }

  private static <T extends Throwable> T causeOf(Throwable error, Class<T> type) {
    for (Throwable cause = error; cause != null; cause = cause.getCause()) {
      if (type.isInstance(cause)) {
        return type.cast(cause);
      }
    }
    return null;
  }

  private static ApiException tooLarge(long maxBytes) {
    return new ApiException(413, "the request body is larger than " + maxBytes + " bytes", null, "request_too_large");
  }
}
