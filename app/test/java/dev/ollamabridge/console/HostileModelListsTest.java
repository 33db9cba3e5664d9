package dev.ollamabridge.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ollamabridge.console.web.Browser;
import dev.ollamabridge.console.web.Page;
import dev.ollamabridge.fake.FakeOllama;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a backend's model list can do to the cluster, the backend being someone else's server: list
 * another instance's model in capitals to take its traffic, or list 100,000 names, with newlines and
 * markup among them, to fill the console's memory, database and pages.
 */
class HostileModelListsTest {

  @TempDir Path data;

  @Test
  void aModelListedInCapitalsIsOneModelWithTheHonestOnesAndTheApiAndNginxSaySo() throws Exception {
    try (FakeOllama honestBackend = FakeOllama.start(FakeOllama.Options.defaults().withModels("llama3").withTokens(1));
        HostileBackend loudBackend = HostileBackend.start()
            .on("GET /api/tags", HostileBackend.models(List.of("LLAMA3")))
            .on("POST /api/chat", HostileBackend.json("{\"model\":\"LLAMA3\",\"created_at\":\"2026-01-01T00:00:00Z\","
                + "\"message\":{\"role\":\"assistant\",\"content\":\"mine\"},\"done\":true,\"done_reason\":\"stop\"}"));
        ManagedNginxFixture nginx = new ManagedNginxFixture(data)) {
      long honest = nginx.create("honest", honestBackend.baseUrl(), 1);
      nginx.create("loud", loudBackend.baseUrl(), 1);

      await().atMost(ManagedNginxFixture.PATIENCE).until(() -> {
        String config = nginx.appliedConfig();
        if (config == null || !config.contains("\"llama3\" \"@group_1\";")) {
          return false;
        }
        String group = config.substring(config.indexOf("upstream group_1 {"));
        group = group.substring(0, group.indexOf('}'));
        return group.contains("; # honest") && group.contains("; # loud");
      });
      assertThat(nginx.appliedConfig()).as("one routing key, never the capitals as a key of their own")
          .doesNotContain("\"LLAMA3\" \"@", "group_2");

      JsonNode models = nginx.api.get("/models").body().path("models");
      assertThat(models).hasSize(1);
      assertThat(models.get(0).path("name").asText()).isEqualTo("llama3");
      assertThat(StreamSupport.stream(models.get(0).path("spellings").spliterator(), false).map(JsonNode::asText))
          .containsExactly("LLAMA3", "llama3");
      assertThat(models.get(0).path("instances").findValuesAsText("name")).containsExactlyInAnyOrder("honest", "loud");
      assertThat(models.get(0).path("instances").findValuesAsText("listed_as")).containsExactlyInAnyOrder("llama3", "LLAMA3");
      Page page = Browser.loggedIn(nginx.console, data).get("/models");
      assertThat(page.body()).contains(">honest</a>", ">loud</a>", "as LLAMA3");

      List<Integer> statuses = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        statuses.add(nginx.chat("llama3", "question " + i));
      }
      assertThat(statuses).containsOnly(200);
      assertThat(ManagedNginxFixture.answered(nginx.port(honest))).as("the honest instance keeps its share of llama3")
          .isPositive();
    }
  }

  @Test
  void aHundredThousandModelsCostTheConsoleAThousandOneEventAndBoundedPages() throws Exception {
    List<String> names = new ArrayList<>(HostileBackend.manyNames("catalogue", 100_000, 40));
    names.add("forged\n2026-12-07T00:00:00Z ERROR d.o.c.ConsoleApp - the console was breached");
    names.add("<img src=x onerror=alert(1)>");
    try (HostileBackend backend = HostileBackend.start().on("GET /api/tags", HostileBackend.models(names));
        ConsoleApp console = TestConsoles.start(data)) {
      ConsoleClient api = TestConsoles.client(console, data);
      api.patch("/settings", "{\"health.interval_ms\":300,\"health.rise\":2,\"health.fall\":3}");
      ConsoleClient.Answer created = api.post("/instances",
          "{\"name\":\"catalogue\",\"upstream_url\":\"" + backend.baseUrl() + "\"}");
      assertThat(created.status()).as(created.body().toString()).isEqualTo(201);

      await().atMost(ManagedNginxFixture.PATIENCE).until(() ->
          api.get("/events?target=catalogue").body().path("events").findValuesAsText("action").contains("models.changed"));

      assertThat(api.get("/models").body().path("models")).hasSize(1000);
      JsonNode events = api.get("/events?target=catalogue").body().path("events");
      List<String> actions = events.findValuesAsText("action");
      assertThat(actions.stream().filter("models.capped"::equals)).hasSize(1);
      for (JsonNode event : events) {
        assertThat(event.path("detail").asText()).doesNotContain("\n", "<img").hasSizeLessThan(2_000);
      }
      assertThat(events.findValuesAsText("detail")).anyMatch(detail -> detail.contains("lists 100000 models"));

      Page nginxPage = Browser.loggedIn(console, data).get("/nginx");
      assertThat(nginxPage.status()).isEqualTo(200);
      assertThat(nginxPage.body().length()).as("the nginx page of a 1,000-model instance").isLessThan(2 << 20);
      assertThat(Files.size(data.resolve("console.db")) + walSize()).as("the database").isLessThan(8L << 20);
    }
  }

  private long walSize() throws java.io.IOException {
    Path wal = data.resolve("console.db-wal");
    return Files.exists(wal) ? Files.size(wal) : 0;
  }
}
