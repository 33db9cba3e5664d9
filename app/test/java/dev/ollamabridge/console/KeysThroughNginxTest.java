package dev.ollamabridge.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ollamabridge.fake.FakeOllama;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The answers the console's real nginx makes itself with njs (the model lists, the version) check the
 * client key once keys are required: {@code auth_request} asks a bridge's {@code /key-check}, whose
 * refusal becomes nginx's own JSON in the route's dialect; before the first key they stay open.
 */
class KeysThroughNginxTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final OkHttpClient HTTP = new OkHttpClient.Builder().readTimeout(Duration.ofSeconds(30)).build();

  @TempDir Path data;
  private final FakeOllama backend = FakeOllama.start(FakeOllama.Options.defaults());
  private ManagedNginxFixture nginx;

  @AfterEach
  void stop() {
    Teardown.run(Teardown.closing(nginx), backend::close);
  }

  @Test
  void nginxsOwnModelListsNeedAKeyOnceKeysAreRequired() throws IOException {
    nginx = new ManagedNginxFixture(data);
    long id = nginx.create("one", backend.baseUrl(), 1);
    nginx.awaitHealthy(id);
    nginx.awaitSettled();
    assertThat(nginx.appliedConfig()).as("njs answers the lists").contains("js_content router.openAiModels")
        .doesNotContain("auth_request");
    assertThat(get("/v1/models", null).code()).as("no key yet: open").isEqualTo(200);

    String secret = nginx.api.post("/keys", "{\"name\":\"lists\"}").body().path("secret").asText();
    String other = nginx.api.post("/keys", "{\"name\":\"soon-revoked\"}").body().path("secret").asText();
    await().atMost(ManagedNginxFixture.PATIENCE).until(() -> get("/v1/models", null).code() == 401);
    nginx.awaitSettled();
    assertThat(nginx.appliedConfig()).contains("auth_request /ob-key-check;", "location = /ob-key-check {");

    Answer openAi = get("/v1/models", null);
    assertThat(openAi.json().at("/error/code").asText()).isEqualTo("invalid_api_key");
    assertThat(openAi.contentType()).startsWith("application/json");
    Answer ollama = get("/api/tags", "ob-" + "x".repeat(43));
    assertThat(ollama.code()).isEqualTo(401);
    assertThat(ollama.json().path("error").asText()).contains("client key");
    assertThat(get("/api/ps", null).code()).isEqualTo(401);
    assertThat(get("/api/version", null).code()).isEqualTo(401);
    assertThat(get("/v1/models/fake-llama", null).code()).isEqualTo(401);

    await().atMost(Duration.ofSeconds(10)).until(() -> get("/v1/models", other).code() == 200);
    Answer listed = get("/v1/models", secret);
    assertThat(listed.code()).isEqualTo(200);
    assertThat(listed.body()).contains("fake-llama");
    assertThat(get("/api/tags", secret).body()).contains("fake-llama");
    assertThat(get("/v1/models/fake-llama", secret).code()).isEqualTo(200);
    assertThat(get("/api/version", secret).code()).isEqualTo(200);

    long revoked = nginx.api.get("/keys").body().findValues("name").get(1).asText().equals("soon-revoked")
        ? nginx.api.get("/keys").body().get(1).path("id").asLong() : nginx.api.get("/keys").body().get(0).path("id").asLong();
    long began = System.nanoTime();
    assertThat(nginx.api.delete("/keys/" + revoked).status()).isEqualTo(204);
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20)).until(() -> get("/v1/models", other).code() == 401);
    System.out.println("MEASURED revoked key refused at nginx's /v1/models " + (System.nanoTime() - began) / 1_000_000
        + " ms after DELETE answered");
    assertThat(get("/v1/models", secret).code()).isEqualTo(200);
  }

  private record Answer(int code, String body, String contentType) {
    JsonNode json() {
      try {
        return JSON.readTree(body);
      } catch (IOException e) {
        throw new AssertionError("not JSON: " + body, e);
      }
    }
  }

  private Answer get(String path, String key) {
    Request.Builder request = new Request.Builder().url("http://127.0.0.1:" + nginx.nginxPort + path);
    if (key != null) {
      request.header("Authorization", "Bearer " + key);
    }
    try (Response response = HTTP.newCall(request.build()).execute()) {
      return new Answer(response.code(), response.body().string(), String.valueOf(response.header("Content-Type")));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
