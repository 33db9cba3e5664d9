package dev.ollamabridge.bridge;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ollamabridge.bridge.translate.Json;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;

/** Reads a client's JSON body, refusing one larger than {@code --max-body-bytes}. */
final class RequestBodies {

  private RequestBodies() {}

  static ObjectNode jsonObject(Context ctx, long maxBytes) {
    byte[] bytes = read(ctx, maxBytes);
    JsonNode node;
    try {
      node = Json.MAPPER.readTree(bytes);
    } catch (JsonProcessingException e) {
      throw ApiException.badRequest(null, "the request body is not valid JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw ApiException.badRequest(null, "the request body could not be read: " + e.getMessage());
    }
    if (node == null || !node.isObject()) {
      throw ApiException.badRequest(null, "the request body must be a JSON object");
    }
    return (ObjectNode) node;
  }

  private static byte[] read(Context ctx, long maxBytes) {
    if (ctx.req().getContentLengthLong() > maxBytes) {
      throw tooLarge(maxBytes);
    }
    try (InputStream in = ctx.req().getInputStream()) {
      byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
      if (bytes.length > maxBytes) {
        throw tooLarge(maxBytes);
      }
      return bytes;
    } catch (IOException e) {
      throw ApiException.badRequest(null, "the request body could not be read: " + e.getMessage());
    }
  }

  private static ApiException tooLarge(long maxBytes) {
    return new ApiException(413, "the request body is larger than " + maxBytes + " bytes", null, "request_too_large");
  }
}
