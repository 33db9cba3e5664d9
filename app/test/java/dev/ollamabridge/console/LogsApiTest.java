package dev.ollamabridge.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ollamabridge.console.instances.BridgeLaunch;
import dev.ollamabridge.console.logs.RequestLogLines;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /api/v1/logs/…} on a real console over log files in its data directory: the parameters are
 * validated (400 naming the parameter), a cursor follows, one request's record joins its bridge and nginx
 * lines, and nginx's error log is read for local only.
 */
class LogsApiTest {

  @TempDir Path data;
  private ConsoleApp console;

  @AfterEach
  void stop() {
    Teardown.run(Teardown.closing(console));
  }

  @Test
  void theRequestsAreServedFilteredAndFollowedAndEveryBadParameterIsRefusedByName() throws IOException {
    console = TestConsoles.start(data);
    ConsoleClient api = TestConsoles.client(console, data);
    // a disabled instance runs no bridge, but has its request log read
    assertThat(api.post("/instances", "{\"name\":\"gpu\",\"upstream_url\":\"http://127.0.0.1:9\",\"enabled\":false}").status())
        .isEqualTo(201);
    Instant t0 = Instant.parse("2026-12-07T09:00:00Z");
    write(BridgeLaunch.requestLog(data, "gpu"), RequestLogLines.bridge(t0.minusSeconds(10), "r-1", "app", "llama3", 200, 40, null),
        RequestLogLines.bridge(t0.plusSeconds(1), "r-2", "app", "llama3", 401, 1, "invalid_api_key"), "{broken");
    write(data.resolve("nginx/logs/requests.jsonl"), RequestLogLines.nginx(t0.plusMillis(1500), "r-2", "/v1/chat/completions", 401, ""));
    write(data.resolve("nginx/logs/error.log"), "2026/12/07 09:00:00 [error] 7#7: *1 connect() failed (111: Connection refused)");

    JsonNode all = api.get("/logs/requests").body();
    assertThat(ids(all)).containsExactly("r-2", "r-2", "r-1");
    assertThat(all.path("skipped").asInt()).isEqualTo(1);
    JsonNode refusedLine = all.path("requests").get(1);
    assertThat(refusedLine.path("instance").asText()).isEqualTo("gpu");
    assertThat(refusedLine.path("host").asText()).isEqualTo("local");
    assertThat(refusedLine.path("error").asText()).isEqualTo("invalid_api_key");
    assertThat(ids(api.get("/logs/requests?status=4xx&instance=gpu").body())).containsExactly("r-2");
    String cursor = all.path("cursor").asText();
    write(BridgeLaunch.requestLog(data, "gpu"), RequestLogLines.bridge(t0.plusSeconds(5), "r-3", "ops", "qwen", 200, 9, null));
    JsonNode since = api.get("/logs/requests?after=" + cursor).body();
    assertThat(ids(since)).as("the new line, and those of the 2 s before the cursor").containsExactly("r-3", "r-2", "r-2");
    assertThat(ids(api.get("/logs/requests?after=" + since.path("cursor").asText()).body())).containsExactly("r-3");

    JsonNode record = api.get("/logs/requests/r-2").body();
    assertThat(record.path("bridge")).hasSize(1);
    assertThat(record.path("nginx")).hasSize(1);
    assertThat(record.at("/nginx/0/status").asText()).isEqualTo("401");
    assertThat(api.get("/logs/requests/nowhere").status()).isEqualTo(404);
    assertThat(api.get("/logs/nginx-errors").body().path("lines").get(0).asText()).contains("connect() failed");

    for (String[] refused : new String[][] {
        {"/logs/requests?status=6xx", "status"}, {"/logs/requests?limit=0", "limit"}, {"/logs/requests?limit=abc", "limit"},
        {"/logs/requests?after=yesterday", "after"}, {"/logs/requests?instance=..%2Fetc", "instance"},
        {"/logs/requests?host=Nope!", "host"}, {"/logs/requests?q=" + "x".repeat(201), "q"},
        {"/logs/requests/bad%20id", "id"}, {"/logs/nginx-errors?host=gpu-9", "host"}}) {
      ConsoleClient.Answer answer = api.get(refused[0]);
      assertThat(answer.status()).as(refused[0]).isEqualTo(400);
      assertThat(answer.body().path("field").asText()).as(refused[0]).isEqualTo(refused[1]);
    }
    assertThat(api.withToken(null).get("/logs/requests").status()).isEqualTo(401);
  }

  private static List<String> ids(JsonNode answer) {
    List<String> ids = new ArrayList<>();
    answer.path("requests").forEach(line -> ids.add(line.path("id").asText()));
    return ids;
  }

  private static void write(Path file, String... lines) throws IOException {
    Files.createDirectories(file.getParent());
    Files.writeString(file, String.join("\n", lines) + "\n", java.nio.file.StandardOpenOption.CREATE,
        java.nio.file.StandardOpenOption.APPEND);
  }
}
