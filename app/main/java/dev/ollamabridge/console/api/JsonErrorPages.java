package dev.ollamabridge.console.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * The errors Jetty answers itself, before a request reaches the API (a malformed URL such as
 * {@code %00}, a header too large): in the API's JSON shape, never an HTML page.
 */
final class JsonErrorPages extends ErrorHandler {

  private static final HttpField CONTENT_TYPE = new HttpField(HttpHeader.CONTENT_TYPE, "application/json");

  private final ObjectMapper json;

  JsonErrorPages(ObjectMapper json) {
    this.json = json;
  }

  @Override
  protected void generateResponse(Request request, Response response, int code, String message, Throwable cause,
      Callback callback) {
    response.getHeaders().put(CONTENT_TYPE);
    response.getHeaders().put(ERROR_CACHE_CONTROL);
    response.write(true, ByteBuffer.wrap(body(code, message)), callback);
  }

  private byte[] body(int status, String message) {
    Map<String, Object> body = new LinkedHashMap<>();
    String reason = HttpStatus.getMessage(status);
    body.put("error", message == null || message.isBlank() || message.equals(reason)
        ? reason + ": the request is malformed (check the URL, its %-escapes and the headers)"
        : reason + ": " + message);
    body.put("status", status);
    try {
      return json.writeValueAsString(body).getBytes(StandardCharsets.UTF_8);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
