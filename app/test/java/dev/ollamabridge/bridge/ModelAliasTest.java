package dev.ollamabridge.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ollamabridge.fake.Dialect;
import dev.ollamabridge.fake.FakeOllama;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code --model-alias CLIENT=BACKEND}: a client that asks for CLIENT is served by the backend's
 * BACKEND (the fake backend refuses any model it does not have), and everything it gets back names
 * CLIENT, in either dialect, against either dialect of backend, streamed or not.
 */
class ModelAliasTest {

  private static final String[] ALIASES = {
      "--model-alias", "llama=fake-llama", "--model-alias", "r1=fake-r1", "--model-alias", "ghost=not-on-the-backend"};

  private static FakeOllama ollama;
  private static FakeOllama openAi;
  private static BridgeServer toOllama;
  private static BridgeServer toOpenAi;

  @TempDir Path cacheDir;

  @BeforeAll
  static void start() {
    ollama = FakeOllama.start(FakeOllama.Options.defaults().withDialect(Dialect.OLLAMA).withTokens(6));
    openAi = FakeOllama.start(FakeOllama.Options.defaults().withDialect(Dialect.OPENAI).withTokens(6));
    toOllama = TestBridges.inFrontOf(ollama, ALIASES);
    List<String> args = new ArrayList<>(List.of("--ollama", openAi.baseUrl() + "/v1"));
    args.addAll(List.of(ALIASES));
    toOpenAi = TestBridges.start(args.toArray(String[]::new));
  }

  @AfterAll
  static void stop() {
    TestBridges.close(toOllama);
    TestBridges.close(toOpenAi);
    ollama.close();
    openAi.close();
  }

  private static BridgeServer bridgeTo(String backend) {
    return backend.equals("ollama") ? toOllama : toOpenAi;
  }

  static Stream<Arguments> generations() {
    List<Arguments> all = new ArrayList<>();
    for (String backend : List.of("ollama", "openai")) {
      for (String path : List.of("/v1/chat/completions", "/v1/completions", "/api/chat", "/api/generate")) {
        for (boolean stream : List.of(false, true)) {
          all.add(Arguments.of(backend, path, stream));
        }
      }
    }
    return all.stream();
  }

  @ParameterizedTest(name = "{0} backend, {1}, stream {2}")
  @MethodSource("generations")
  void aGenerationAskedForByItsAliasIsAnsweredUnderTheAlias(String backend, String path, boolean stream) {
    String question = path.endsWith("chat") || path.endsWith("chat/completions")
        ? "\"messages\":[{\"role\":\"user\",\"content\":\"Who are you?\"}]"
        : "\"prompt\":\"Who are you?\"";

    Response response = TestBridges.post(bridgeTo(backend), path,
        "{\"model\":\"llama\",\"stream\":" + stream + "," + question + "}");

    assertThat(response.code()).isEqualTo(200);
    String body = TestBridges.body(response);
    List<JsonNode> documents = stream ? TestBridges.chunks(body) : List.of(TestBridges.json(body));
    assertThat(documents).isNotEmpty().allSatisfy(document -> assertThat(document.path("model").asText()).isEqualTo("llama"));
    assertThat(body).doesNotContain("fake-llama");
  }

  @ParameterizedTest(name = "{0} backend")
  @ValueSource(strings = {"ollama", "openai"})
  void embeddingsAskedForByAnAliasComeFromItsModelAndNameTheAlias(String backend) {
    BridgeServer bridge = bridgeTo(backend);

    Response openAiStyle = TestBridges.post(bridge, "/v1/embeddings", """
        {"model":"llama","input":"the quick brown fox","encoding_format":"float"}""");
    Response ollamaStyle = TestBridges.post(bridge, "/api/embed", """
        {"model":"llama","input":"the quick brown fox"}""");
    Response older = TestBridges.post(bridge, "/api/embeddings", """
        {"model":"llama","prompt":"the quick brown fox"}""");

    assertThat(openAiStyle.code()).isEqualTo(200);
    assertThat(TestBridges.json(openAiStyle).path("model").asText()).isEqualTo("llama");
    assertThat(ollamaStyle.code()).isEqualTo(200);
    assertThat(TestBridges.json(ollamaStyle).path("model").asText()).isEqualTo("llama");
    assertThat(older.code()).isEqualTo(200);
    assertThat(TestBridges.json(older).path("embedding").size()).isPositive();
  }

  @ParameterizedTest(name = "{0} backend")
  @ValueSource(strings = {"ollama", "openai"})
  void modelListsShowEachAliasWhoseModelTheBackendHas(String backend) {
    BridgeServer bridge = bridgeTo(backend);

    JsonNode tags = TestBridges.json(TestBridges.get(bridge, "/api/tags")).path("models");
    JsonNode models = TestBridges.json(TestBridges.get(bridge, "/v1/models")).path("data");

    assertThat(tags.findValuesAsText("name")).containsExactlyInAnyOrder("fake-llama", "fake-r1", "llama", "r1");
    JsonNode llama = entry(tags, "name", "llama");
    JsonNode fakeLlama = entry(tags, "name", "fake-llama");
    assertThat(llama.path("model").asText()).isEqualTo("llama");
    assertThat(llama.path("digest")).as("a copy of the model's own entry").isEqualTo(fakeLlama.path("digest"));
    assertThat(models.findValuesAsText("id")).containsExactlyInAnyOrder("fake-llama", "fake-r1", "llama", "r1");
  }

  @ParameterizedTest(name = "{0} backend")
  @ValueSource(strings = {"ollama", "openai"})
  void oneModelAskedForByItsAliasIsTheAliasesModel(String backend) {
    BridgeServer bridge = bridgeTo(backend);

    Response model = TestBridges.get(bridge, "/v1/models/llama");
    Response show = TestBridges.post(bridge, "/api/show", "{\"model\":\"r1\"}");
    Response ghost = TestBridges.get(bridge, "/v1/models/ghost");

    assertThat(model.code()).isEqualTo(200);
    assertThat(TestBridges.json(model).path("id").asText()).isEqualTo("llama");
    assertThat(show.code()).isEqualTo(200);
    TestBridges.body(show);
    assertThat(ghost.code()).as("an alias of a model the backend does not have").isEqualTo(404);
    TestBridges.body(ghost);
  }

  @ParameterizedTest(name = "{0} backend, stream {1}")
  @MethodSource("backendsAndModes")
  void aResponsesApiRequestByAnAliasIsAnsweredUnderTheAlias(String backend, boolean stream) {
    Response response = TestBridges.post(bridgeTo(backend), "/v1/responses",
        "{\"model\":\"llama\",\"input\":\"Who are you?\",\"stream\":" + stream + "}");

    assertThat(response.code()).isEqualTo(200);
    String body = TestBridges.body(response);
    if (stream) {
      List<JsonNode> withResponse = events(body).stream().filter(event -> event.has("response")).toList();
      assertThat(withResponse).isNotEmpty()
          .allSatisfy(event -> assertThat(event.at("/response/model").asText()).isEqualTo("llama"));
    } else {
      assertThat(TestBridges.json(body).path("model").asText()).isEqualTo("llama");
    }
    assertThat(body).doesNotContain("fake-llama");
  }

  static Stream<Arguments> backendsAndModes() {
    return Stream.of(Arguments.of("ollama", false), Arguments.of("ollama", true),
        Arguments.of("openai", false), Arguments.of("openai", true));
  }

  @Test
  void aBackendsOwnResponsesApiGetsTheBackendsModelAndTheClientTheAlias() throws Exception {
    try (MockWebServer upstream = new MockWebServer()) {
      upstream.start();
      upstream.enqueue(new MockResponse.Builder().addHeader("Content-Type", "application/json").body("""
          {"id":"resp_1","object":"response","created_at":1700000000,"status":"completed","model":"deepseek-chat",
           "output":[{"type":"message","id":"msg_1","status":"completed","role":"assistant",
             "content":[{"type":"output_text","text":"Hello.","annotations":[]}]}]}""").build());
      BridgeServer bridge = TestBridges.start("--ollama", upstream.url("/v1").toString(),
          "--model-alias", "deepseek=deepseek-chat");
      try {
        Response response = TestBridges.post(bridge, "/v1/responses", "{\"model\":\"deepseek\",\"input\":\"Hi\"}");

        assertThat(response.code()).isEqualTo(200);
        JsonNode answer = TestBridges.json(response);
        assertThat(answer.path("model").asText()).isEqualTo("deepseek");
        assertThat(answer.at("/output/0/content/0/text").asText()).isEqualTo("Hello.");
        RecordedRequest sent = upstream.takeRequest();
        assertThat(TestBridges.json(sent.getBody().utf8()).path("model").asText()).isEqualTo("deepseek-chat");
      } finally {
        TestBridges.close(bridge);
      }
    }
  }

  @Test
  void theAliasAndTheModelsOwnNameShareCacheEntries() {
    FakeOllama backend = FakeOllama.start(FakeOllama.Options.defaults().withTokens(6));
    BridgeServer bridge = TestBridges.inFrontOf(backend, "--enable-cache", "--cache-dir", cacheDir.toString(),
        "--model-alias", "llama=fake-llama");
    try {
      String chat = "{\"model\":\"%s\",\"stream\":%s,\"messages\":[{\"role\":\"user\",\"content\":\"What is a cache?\"}]}";
      Response miss = TestBridges.post(bridge, "/api/chat", chat.formatted("llama", false));
      assertThat(miss.header("bridge-cache-hit")).isEqualTo("false");
      String answer = TestBridges.json(miss).at("/message/content").asText();

      Response byOwnName = TestBridges.post(bridge, "/v1/chat/completions", chat.formatted("fake-llama", false));
      Response byAliasStreamed = TestBridges.post(bridge, "/api/chat", chat.formatted("llama", true));

      assertThat(byOwnName.header("bridge-cache-hit")).isEqualTo("true");
      JsonNode own = TestBridges.json(byOwnName);
      assertThat(own.at("/choices/0/message/content").asText()).isEqualTo(answer);
      assertThat(own.path("model").asText()).isEqualTo("fake-llama");
      assertThat(byAliasStreamed.header("bridge-cache-hit")).isEqualTo("true");
      assertThat(TestBridges.chunks(TestBridges.body(byAliasStreamed)))
          .allSatisfy(chunk -> assertThat(chunk.path("model").asText()).isEqualTo("llama"));
      assertThat(backend.stats().requests()).as("only the first request reached the backend").isEqualTo(1);
    } finally {
      TestBridges.close(bridge);
      backend.close();
    }
  }

  private static JsonNode entry(JsonNode list, String field, String name) {
    for (JsonNode entry : list) {
      if (entry.path(field).asText().equals(name)) {
        return entry;
      }
    }
    throw new AssertionError("no entry named " + name + " in " + list);
  }

  /** The data of each SSE event (the Responses API names each event on an {@code event:} line besides). */
  private static List<JsonNode> events(String body) {
    return body.lines().filter(line -> line.startsWith("data: ")).map(line -> TestBridges.json(line.substring(6))).toList();
  }
}
