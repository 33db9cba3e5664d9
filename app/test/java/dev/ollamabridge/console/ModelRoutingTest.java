package dev.ollamabridge.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ollamabridge.fake.FakeOllama;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.StreamSupport;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Model-aware routing through the console's real nginx with njs: three backends with overlapping
 * models, each behind a bridge the console learns the models of. Every request lands only on a
 * backend that has its model (counted on the backends), in both dialects.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ModelRoutingTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final AtomicInteger QUESTIONS = new AtomicInteger();
  private static final OkHttpClient HTTP = new OkHttpClient.Builder().readTimeout(Duration.ofSeconds(30)).build();

  @TempDir static Path data;
  private static FakeOllama first;
  private static FakeOllama second;
  private static FakeOllama third;
  private static ManagedNginxFixture nginx;

  @BeforeAll
  static void start() throws IOException {
    first = FakeOllama.start(FakeOllama.Options.defaults().withModels("alpha", "shared").withTokens(3));
    second = FakeOllama.start(FakeOllama.Options.defaults().withModels("beta", "shared").withTokens(3));
    third = FakeOllama.start(FakeOllama.Options.defaults().withModels("gamma:7b", "pinned-only", "hidden").withTokens(20)
        .withTokenRate(40).withControlRoutes(true));
    nginx = new ManagedNginxFixture(data);
    long a = nginx.create("first", first.baseUrl(), 1);
    long b = nginx.create("second", second.baseUrl(), 1);
    long c = nginx.create("third", third.baseUrl(), 1);
    // the third backend lists more than this cluster should serve from it: its instance pins the list
    ConsoleClient.Answer pinned = nginx.api.patch("/instances/" + c,
        "{\"version\":1,\"models\":[\"gamma:7b\",\"pinned-only\"],\"model_aliases\":[\"delta=gamma:7b\"]}");
    assertThat(pinned.status()).as(pinned.body().toString()).isEqualTo(200);
    for (long id : new long[] {a, b, c}) {
      nginx.awaitHealthy(id);
    }
    nginx.awaitSettled();
    String config = nginx.appliedConfig();
    assertThat(config).as("every backend's models are routed to").contains("\"alpha\" \"@", "\"beta\" \"@",
        "\"gamma:7b\" \"@", "# first\n", "# second\n", "# third\n");
  }

  @AfterAll
  static void stop() {
    for (AutoCloseable part : new AutoCloseable[] {nginx, first, second, third}) {
      try {
        if (part != null) {
          part.close();
        }
      } catch (Exception e) {
        System.out.println("could not close " + part + ": " + e);
      }
    }
  }

  @Test
  void eachRequestLandsOnlyOnBackendsThatHaveItsModel() throws IOException {
    long[] before = {first.stats().requests(), second.stats().requests(), third.stats().requests()};

    for (int i = 0; i < 6; i++) {
      assertThat(post("/api/chat", chat("alpha", false)).code()).isEqualTo(200);
    }
    long[] afterAlpha = {first.stats().requests(), second.stats().requests(), third.stats().requests()};
    assertThat(afterAlpha[0] - before[0]).isEqualTo(6);
    assertThat(afterAlpha[1] - before[1]).isZero();
    assertThat(afterAlpha[2] - before[2]).isZero();

    for (int i = 0; i < 6; i++) {
      assertThat(post("/v1/chat/completions", chat("beta", false)).code()).isEqualTo(200);
      assertThat(post("/v1/chat/completions", chat("gamma:7b", false)).code()).isEqualTo(200);
    }
    long[] afterOpenAi = {first.stats().requests(), second.stats().requests(), third.stats().requests()};
    assertThat(afterOpenAi[0] - afterAlpha[0]).isZero();
    assertThat(afterOpenAi[1] - afterAlpha[1]).isEqualTo(6);
    assertThat(afterOpenAi[2] - afterAlpha[2]).isEqualTo(6);

    for (int i = 0; i < 8; i++) {
      assertThat(post("/api/generate", "{\"model\":\"shared\",\"prompt\":\"hi " + i + "\",\"stream\":false}").code()).isEqualTo(200);
    }
    long[] afterShared = {first.stats().requests(), second.stats().requests(), third.stats().requests()};
    assertThat(afterShared[0] - afterOpenAi[0] + afterShared[1] - afterOpenAi[1]).isEqualTo(8);
    assertThat(afterShared[2] - afterOpenAi[2]).as("the third backend lacks 'shared'").isZero();
  }

  @Test
  void anAliasIsRoutedToItsInstanceAndNamedBackInEitherDialect() throws IOException {
    long before = third.stats().requests();

    try (Response ollama = post("/api/chat", chat("delta", false))) {
      assertThat(ollama.code()).isEqualTo(200);
      assertThat(JSON.readTree(ollama.body().string()).path("model").asText()).isEqualTo("delta");
    }
    try (Response openAi = post("/v1/chat/completions", chat("delta", false))) {
      assertThat(openAi.code()).isEqualTo(200);
      assertThat(JSON.readTree(openAi.body().string()).path("model").asText()).isEqualTo("delta");
    }
    assertThat(third.stats().requests() - before).as("the backend knows it as gamma:7b").isEqualTo(2);
    JsonNode delta = StreamSupport.stream(nginx.api.get("/models").body().path("models").spliterator(), false)
        .filter(m -> m.path("name").asText().equals("delta")).findFirst().orElseThrow();
    assertThat(delta.at("/instances/0/source").asText()).isEqualTo("alias");
    assertThat(delta.at("/instances/0/backend_name").asText()).isEqualTo("gamma:7b");
  }

  @Test
  void anOllamaNameWithoutItsTagIsTheLatestOne() throws IOException {
    try (Response answer = post("/api/chat", chat("alpha:latest", false))) {
      assertThat(answer.code()).isEqualTo(200);
    }
  }

  @Test
  void aModelNoInstanceServesIsA404InTheRoutesDialectNamingThoseServed() throws IOException {
    try (Response ollama = post("/api/chat", chat("nope", false))) {
      assertThat(ollama.code()).isEqualTo(404);
      String error = JSON.readTree(ollama.body().string()).path("error").asText();
      assertThat(error).contains("\"nope\"", "alpha", "beta", "delta", "gamma:7b", "shared");
    }
    try (Response openAi = post("/v1/chat/completions", chat("nope", false))) {
      assertThat(openAi.code()).isEqualTo(404);
      JsonNode error = JSON.readTree(openAi.body().string()).path("error");
      assertThat(error.path("code").asText()).isEqualTo("model_not_found");
      assertThat(error.path("param").asText()).isEqualTo("model");
      assertThat(error.path("message").asText()).contains("`nope`");
    }
    try (Response one = get("/v1/models/nope")) {
      assertThat(one.code()).isEqualTo(404);
    }
    try (Response percent = get("/v1/models/%25")) {
      assertThat(percent.code()).as("nginx decodes the id once; router.js does not decode it again").isEqualTo(404);
      assertThat(JSON.readTree(percent.body().string()).at("/error/message").asText()).contains("`%`");
    }
    try (Response encoded = get("/v1/models/gamma%3A7b")) {
      assertThat(encoded.code()).isEqualTo(200);
      assertThat(JSON.readTree(encoded.body().string()).path("id").asText()).isEqualTo("gamma:7b");
    }
  }

  @Test
  void nginxAnswersTheUnionOfTheModelsItself() throws IOException {
    List<String> all = List.of("alpha", "beta", "delta", "gamma:7b", "pinned-only", "shared");
    try (Response models = get("/v1/models")) {
      JsonNode list = JSON.readTree(models.body().string());
      assertThat(StreamSupport.stream(list.path("data").spliterator(), false).map(m -> m.path("id").asText()).toList())
          .isEqualTo(all);
    }
    try (Response tags = get("/api/tags")) {
      JsonNode list = JSON.readTree(tags.body().string());
      assertThat(StreamSupport.stream(list.path("models").spliterator(), false).map(m -> m.path("name").asText()).toList())
          .isEqualTo(all);
    }
    try (Response one = get("/v1/models/gamma:7b")) {
      assertThat(one.code()).isEqualTo(200);
      assertThat(JSON.readTree(one.body().string()).path("id").asText()).isEqualTo("gamma:7b");
    }
    try (Response version = get("/api/version")) {
      assertThat(JSON.readTree(version.body().string()).path("version").asText()).isNotBlank();
    }
    JsonNode console = nginx.api.get("/models").body();
    assertThat(console.at("/routing/by_model").asBoolean()).isTrue();
    JsonNode shared = StreamSupport.stream(console.path("models").spliterator(), false)
        .filter(m -> m.path("name").asText().equals("shared")).findFirst().orElseThrow();
    assertThat(shared.path("instances").findValuesAsText("name")).containsExactlyInAnyOrder("first", "second");
    assertThat(shared.path("instances").findValuesAsText("source")).containsOnly("discovered");
    JsonNode pinned = StreamSupport.stream(console.path("models").spliterator(), false)
        .filter(m -> m.path("name").asText().equals("pinned-only")).findFirst().orElseThrow();
    assertThat(pinned.path("instances").findValuesAsText("source")).containsOnly("pinned");
    assertThat(nginx.api.get("/events?target=first").body().path("events").findValuesAsText("detail"))
        .as("what the console learnt is an event").contains("+alpha +shared");
  }

  @Test
  void aRoutedStreamsFirstTokenArrivesWhileTheBackendIsStillGenerating() throws IOException {
    // one token every 20 s: the backend takes over six minutes for this answer, longer than the client
    // waits for a line, so a first line that arrives at all arrives while the backend is generating;
    // buffered by nginx or njs, it would come only once the backend had finished
    pace(third, 0.05);
    try (Response stream = post("/api/chat", chat("gamma:7b", true));
        BufferedReader reader = new BufferedReader(new InputStreamReader(stream.body().byteStream(), StandardCharsets.UTF_8))) {
      assertThat(stream.code()).isEqualTo(200);
      assertThat(JSON.readTree(reader.readLine()).path("done").asBoolean()).as("the first token, not the end").isFalse();
      assertThat(third.stats().active()).as("the backend is still generating this answer").isEqualTo(1);
    } finally {
      pace(third, 40);
    }

    try (Response stream = post("/api/chat", chat("gamma:7b", true));
        BufferedReader reader = new BufferedReader(new InputStreamReader(stream.body().byteStream(), StandardCharsets.UTF_8))) {
      assertThat(stream.code()).isEqualTo(200);
      List<String> lines = reader.lines().toList();
      assertThat(lines).as("20 tokens and the done line, streamed whole").hasSize(21);
      assertThat(JSON.readTree(lines.get(20)).path("done").asBoolean()).isTrue();
    }
  }

  /** Sets how many tokens per second a backend streams, for the answers it starts from now on. */
  private static void pace(FakeOllama backend, double tokensPerSecond) throws IOException {
    try (Response changed = HTTP.newCall(new Request.Builder().url(backend.baseUrl() + "/_fake/faults")
        .post(RequestBody.create("{\"token_rate\":" + tokensPerSecond + "}", MediaType.get("application/json"))).build())
        .execute()) {
      assertThat(changed.code()).as("the fake's fault hook").isEqualTo(200);
    }
  }

  @Test
  @Order(Order.DEFAULT + 1) // after the tests that route by model: these change the settings
  void withUnknownModelsSentToTheClusterABridgeAnswersForItsBackend() throws IOException {
    assertThat(nginx.api.patch("/settings", "{\"routing.unknown_model\":\"any\"}").status()).isEqualTo(200);
    await().atMost(ManagedNginxFixture.PATIENCE).until(() -> {
      String config = nginx.appliedConfig();
      return config != null && config.contains("set $ob_unknown any;");
    });

    try (Response answer = post("/api/chat", chat("nope", false))) {
      assertThat(answer.code()).isEqualTo(404);
      assertThat(answer.body().string()).as("the backend's own words").contains("try pulling it first");
    }
  }

  @Test
  @Order(Order.DEFAULT + 2)
  void withRoutingOffTheConfigIsModelAgnosticAndServes() throws IOException {
    assertThat(nginx.api.patch("/settings", "{\"routing.by_model\":\"off\"}").status()).isEqualTo(200);
    await().atMost(ManagedNginxFixture.PATIENCE).until(() -> {
      String config = nginx.appliedConfig();
      return config != null && !config.contains("js_import");
    });

    try (Response models = get("/v1/models")) {
      assertThat(models.code()).isEqualTo(200);
      assertThat(JSON.readTree(models.body().string()).path("data").findValuesAsText("owned_by"))
          .as("a bridge answers now, with its backend's list").doesNotContain("ollama-bridge");
    }
    for (int i = 0; i < 4; i++) {
      try (Response answer = post("/api/chat", chat("shared", false))) {
        assertThat(answer.code()).isIn(200, 404); // the third backend lacks 'shared': no routing, no guarantee
      }
    }
    assertThat(nginx.api.get("/models").body().at("/routing/reason").asText()).isEqualTo("routing.by_model is off");
  }

  /** A chat of its own question each time, so that no bridge's cache answers it. */
  private static String chat(String model, boolean stream) {
    return "{\"model\":\"" + model + "\",\"stream\":" + stream + ",\"messages\":[{\"role\":\"user\",\"content\":\"question "
        + QUESTIONS.incrementAndGet() + "\"}]}";
  }

  private static Response post(String path, String body) throws IOException {
    return HTTP.newCall(new Request.Builder().url("http://127.0.0.1:" + nginx.nginxPort + path)
        .post(RequestBody.create(body, MediaType.get("application/json"))).build()).execute();
  }

  private static Response get(String path) throws IOException {
    return HTTP.newCall(new Request.Builder().url("http://127.0.0.1:" + nginx.nginxPort + path).build()).execute();
  }
}
