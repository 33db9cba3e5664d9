package dev.ollamabridge.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ollamabridge.console.KeyedChats.Answer;
import dev.ollamabridge.fake.FakeOllama;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real console and a real bridge it runs: the bridge enforces the keys made on the console (no key
 * 401, a key 200, another model 403), the console still discovers the bridge's models with its own
 * key, and a revoked key is refused within seconds (the time is printed).
 */
class ClientKeysThroughBridgesTest {

  private static final OkHttpClient HTTP = new OkHttpClient.Builder().readTimeout(Duration.ofSeconds(30)).build();

  @TempDir Path data;
  private final FakeOllama backend = FakeOllama.start(FakeOllama.Options.defaults());
  private ConsoleApp console;

  @AfterEach
  void stop() {
    Teardown.run(Teardown.closing(console), backend::close);
  }

  @Test
  void theConsolesBridgesEnforceItsKeysAndARevokedKeyIsRefusedWithinSeconds() {
    console = TestConsoles.start(data);
    ConsoleClient api = TestConsoles.client(console, data);
    ConsoleClient.Answer set = api.patch("/settings", "{\"health.interval_ms\":300,\"models.refresh_s\":5,\"keys.required\":\"on\"}");
    assertThat(set.status()).as(set.body().toString()).isEqualTo(200);
    ConsoleClient.Answer created = api.post("/instances", "{\"name\":\"guarded\",\"upstream_url\":\"" + backend.baseUrl() + "\"}");
    assertThat(created.status()).as(created.body().toString()).isEqualTo(201);
    long id = created.body().path("id").asLong();
    String bridge = "http://127.0.0.1:" + created.body().path("port").asInt();
    await().atMost(Duration.ofSeconds(60)).until(() -> api.get("/instances/" + id).body().at("/health/healthy").asBoolean());

    // the bridge refuses a client without a key, yet the console learnt its models with its own
    assertThat(status(bridge + "/api/tags", null)).isEqualTo(401);
    await().atMost(Duration.ofSeconds(60)).until(() -> api.get("/models").body().toString().contains("fake-llama"));

    String secret = api.post("/keys", "{\"name\":\"app\",\"models\":[\"fake-l*\"]}").body().path("secret").asText();
    String other = api.post("/keys", "{\"name\":\"other\",\"models\":[\"fake-r1\"]}").body().path("secret").asText();
    // the bridge re-reads the file it watches: both keys are there once the second is known
    await().atMost(Duration.ofSeconds(10)).until(() -> chat(bridge, "/v1/chat/completions", other).code() != 401);
    assertThat(chat(bridge, "/v1/chat/completions", secret).code()).isEqualTo(200);

    Answer none = chat(bridge, "/v1/chat/completions", null);
    assertThat(none.code()).isEqualTo(401);
    assertThat(none.body()).contains("invalid_api_key");
    Answer ollamaNone = chat(bridge, "/api/chat", null);
    assertThat(ollamaNone.code()).isEqualTo(401);
    assertThat(ollamaNone.body()).startsWith("{\"error\":\"");
    assertThat(chat(bridge, "/api/chat", secret).code()).isEqualTo(200);
    Answer forbidden = chat(bridge, "/v1/chat/completions", other);
    assertThat(forbidden.code()).isEqualTo(403);
    assertThat(forbidden.body()).contains("fake-llama").contains("model_not_allowed");
    assertThat(chat(bridge, "/v1/chat/completions", "ob-" + "A".repeat(43)).code()).isEqualTo(401);

    String tiny = api.post("/keys", "{\"name\":\"tiny\",\"tokens_per_day\":1}").body().path("secret").asText();
    await().atMost(Duration.ofSeconds(10)).until(() -> chat(bridge, "/api/chat", tiny).code() != 401);
    // the bridge adds an answer's tokens once it is sent: the next request may come first
    Answer spent = await().atMost(Duration.ofSeconds(10)).until(() -> chat(bridge, "/api/chat", tiny), a -> a.code() == 429);
    assertThat(spent.body()).contains("tiny", "tokens");

    long keyId = api.get("/keys").body().findValues("id").get(0).asLong();
    long began = System.nanoTime();
    assertThat(api.delete("/keys/" + keyId).status()).isEqualTo(204);
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
        .until(() -> chat(bridge, "/v1/chat/completions", secret).code() == 401);
    long tookMs = (System.nanoTime() - began) / 1_000_000;
    System.out.println("MEASURED revoked key refused by the console's bridge " + tookMs + " ms after DELETE answered");
    assertThat(Files.exists(data.resolve("keys/client-keys.json"))).isTrue();
  }

  private static Answer chat(String bridge, String path, String key) {
    return KeyedChats.chat(bridge, path, "fake-llama", key);
  }

  private static int status(String url, String key) {
    Request.Builder request = new Request.Builder().url(url);
    if (key != null) {
      request.header("Authorization", "Bearer " + key);
    }
    try (Response response = HTTP.newCall(request.build()).execute()) {
      return response.code();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
