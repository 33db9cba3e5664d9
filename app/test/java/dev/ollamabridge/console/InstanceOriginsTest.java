package dev.ollamabridge.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ollamabridge.fake.FakeOllama;
import java.nio.file.Path;
import java.time.Duration;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An instance's allowed_origins reach its bridge, which serves those pages and still refuses others. */
class InstanceOriginsTest {

  @TempDir Path data;

  @Test
  void aBridgeLaunchedByTheConsoleServesTheOriginsItsInstanceAllows() throws Exception {
    try (FakeOllama backend = FakeOllama.start(FakeOllama.Options.defaults().withTokens(3));
        ConsoleApp console = TestConsoles.start(data)) {
      ConsoleClient api = new ConsoleClient(console.port(), console.adminToken());
      JsonNode created = api.post("/instances", """
          {"name":"web","upstream_url":"%s","allowed_origins":["HTTPS://App.Example.com:443"]}""".formatted(backend.baseUrl())).body();
      long id = created.path("id").asLong();
      await().atMost(Duration.ofSeconds(60)).until(() -> api.get("/instances/" + id).body().at("/process/state").asText().equals("RUNNING"));

      try (Response allowed = chat(created.path("port").asInt(), "https://app.example.com");
          Response refused = chat(created.path("port").asInt(), "http://evil.example")) {
        assertThat(created.path("allowed_origins").get(0).asText()).isEqualTo("https://app.example.com");
        assertThat(allowed.code()).isEqualTo(200);
        assertThat(allowed.header("Access-Control-Allow-Origin")).isEqualTo("https://app.example.com");
        assertThat(refused.code()).isEqualTo(403);
      }
    } // the bridge outlives its console by design: LeftoverProcesses kills it, also when an assertion failed
  }


  private static Response chat(int port, String origin) throws Exception {
    return new OkHttpClient().newCall(new Request.Builder().url("http://127.0.0.1:" + port + "/api/chat")
        .header("Origin", origin)
        .post(RequestBody.create("{\"model\":\"fake-llama\",\"stream\":false,\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}",
            MediaType.get("application/json"))).build()).execute();
  }
}
