package dev.ollamabridge.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/** Talks to a console's REST API as an operator's script would. */
final class ConsoleClient {

  private static final MediaType JSON_TYPE = MediaType.get("application/json");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final OkHttpClient HTTP = new OkHttpClient.Builder().readTimeout(Duration.ofSeconds(60)).build();

  /** An answer: status and parsed body (null when empty). */
  record Answer(int status, JsonNode body) {
    String error() {
      return body == null ? null : body.path("error").asText(null);
    }

    String field() {
      return body == null ? null : body.path("field").asText(null);
    }
  }

  /** A plain-text answer, such as a generated file. */
  record Text(int status, String body) {}

  private final String base;
  private final String token;

  String token() {
    return token;
  }

  ConsoleClient(int port, String token) {
    this.base = "http://127.0.0.1:" + port + "/api/v1";
    this.token = token;
  }

  ConsoleClient withToken(String other) {
    return new ConsoleClient(base, other);
  }

  private ConsoleClient(String base, String token) {
    this.base = base;
    this.token = token;
  }

  Answer get(String path) {
    return send(new Request.Builder().url(base + path).get());
  }

  Answer post(String path, String json) {
    return send(new Request.Builder().url(base + path).post(RequestBody.create(json, JSON_TYPE)));
  }

  Answer patch(String path, String json) {
    return send(new Request.Builder().url(base + path).patch(RequestBody.create(json, JSON_TYPE)));
  }

  Answer delete(String path) {
    return send(new Request.Builder().url(base + path).delete());
  }

  Text text(String path) {
    Request.Builder request = new Request.Builder().url(base + path).get();
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    try (Response response = HTTP.newCall(request.build()).execute()) {
      return new Text(response.code(), response.body().string());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private Answer send(Request.Builder request) {
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    try (Response response = HTTP.newCall(request.build()).execute()) {
      String text = response.body().string();
      return new Answer(response.code(), text.isBlank() ? null : JSON.readTree(text));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
