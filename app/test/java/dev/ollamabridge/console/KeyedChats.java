package dev.ollamabridge.console;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * Chats with a bridge (or nginx) as a client with a key, for the client keys' tests: each question is
 * new, since a cached answer spends no tokens and would never use up a budget.
 */
final class KeyedChats {

  private static final OkHttpClient HTTP = new OkHttpClient.Builder().readTimeout(Duration.ofSeconds(30)).build();
  private static final MediaType JSON = MediaType.get("application/json");
  private static final AtomicInteger QUESTIONS = new AtomicInteger();

  /** An answer: its status, body and {@code Retry-After}. */
  record Answer(int code, String body, String retryAfter) {}

  private KeyedChats() {}

  /** A non-streamed chat at {@code base + route} for {@code model}, with {@code key} (null: none). */
  static Answer chat(String base, String route, String model, String key) {
    Request.Builder request = new Request.Builder().url(base + route).post(RequestBody.create(
        "{\"model\":\"" + model + "\",\"stream\":false,\"messages\":[{\"role\":\"user\",\"content\":\"hi "
            + QUESTIONS.incrementAndGet() + "\"}]}", JSON));
    if (key != null) {
      request.header("Authorization", "Bearer " + key);
    }
    try (Response response = HTTP.newCall(request.build()).execute()) {
      return new Answer(response.code(), response.body().string(), response.header("Retry-After"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
