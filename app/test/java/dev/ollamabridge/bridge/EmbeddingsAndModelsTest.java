package dev.ollamabridge.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.errors.NotFoundException;
import com.openai.models.embeddings.CreateEmbeddingResponse;
import com.openai.models.embeddings.EmbeddingCreateParams;
import com.openai.models.models.Model;
import dev.ollamabridge.fake.Dialect;
import dev.ollamabridge.fake.FakeOllama;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import okhttp3.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Embeddings and model lookups as real clients make them, through a bridge in front of a backend
 * of the other dialect: the vectors that arrive are the backend's, however they were encoded.
 */
class EmbeddingsAndModelsTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private static FakeOllama ollama;
  private static FakeOllama openAi;
  private static BridgeServer toOllama;
  private static BridgeServer toOpenAi;
  private static OpenAIClient sdk;

  @BeforeAll
  static void start() {
    ollama = FakeOllama.start(FakeOllama.Options.defaults().withDialect(Dialect.OLLAMA));
    openAi = FakeOllama.start(FakeOllama.Options.defaults().withDialect(Dialect.OPENAI));
    toOllama = TestBridges.inFrontOf(ollama);
    toOpenAi = TestBridges.start("--ollama", openAi.baseUrl() + "/v1");
    sdk = OpenAIOkHttpClient.builder().baseUrl(TestBridges.url(toOllama, "/v1")).apiKey("unused").maxRetries(0).build();
  }

  @AfterAll
  static void stop() {
    sdk.close();
    TestBridges.close(toOllama);
    TestBridges.close(toOpenAi);
    ollama.close();
    openAi.close();
  }

  @Test
  void theSdksDefaultBase64EmbeddingsCarryTheBackendsVectors() throws IOException {
    List<Float> expected = ollamaVector("the quick brown fox");

    CreateEmbeddingResponse answer = sdk.embeddings().create(EmbeddingCreateParams.builder()
        .model("fake-llama").input("the quick brown fox").build());

    assertThat(answer.data()).hasSize(1);
    assertThat(answer.data().get(0).embedding()).hasSize(expected.size()).containsExactlyElementsOf(expected);
  }

  @Test
  void floatEmbeddingsAskedForAreFloats() throws IOException {
    List<Float> expected = ollamaVector("a lazy dog");

    CreateEmbeddingResponse answer = sdk.embeddings().create(EmbeddingCreateParams.builder()
        .model("fake-llama").input("a lazy dog").encodingFormat(EmbeddingCreateParams.EncodingFormat.FLOAT).build());

    assertThat(answer.data().get(0).embedding()).containsExactlyElementsOf(expected);
  }

  @Test
  void inFrontOfAnOpenAiBackendTheSdksBase64PassesThroughUnchanged() {
    OpenAIClient client = OpenAIOkHttpClient.builder().baseUrl(TestBridges.url(toOpenAi, "/v1")).apiKey("unused")
        .maxRetries(0).build();
    try {
      CreateEmbeddingResponse answer = client.embeddings().create(EmbeddingCreateParams.builder()
          .model("fake-llama").input("the quick brown fox").build());

      assertThat(answer.data().get(0).embedding()).containsExactlyElementsOf(ollamaVector("the quick brown fox"));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } finally {
      client.close();
    }
  }

  @Test
  void anUnknownEncodingFormatIsA400NamingIt() throws IOException {
    try (Response answer = TestBridges.post(toOllama, "/v1/embeddings",
        "{\"model\":\"fake-llama\",\"input\":\"x\",\"encoding_format\":\"hex\"}")) {
      assertThat(answer.code()).isEqualTo(400);
      assertThat(JSON.readTree(answer.body().string()).at("/error/param").asText()).isEqualTo("encoding_format");
    }
  }

  @Test
  void ollamaEmbedFromAnOpenAiBackendCarriesTheFieldsOllamaAlwaysSends() throws IOException {
    try (Response answer = TestBridges.post(toOpenAi, "/api/embed", "{\"model\":\"fake-llama\",\"input\":[\"one\",\"two\"]}")) {
      JsonNode body = JSON.readTree(answer.body().string());
      assertThat(answer.code()).isEqualTo(200);
      assertThat(body.path("embeddings")).hasSize(2);
      assertThat(body.path("total_duration").isIntegralNumber()).isTrue();
      assertThat(body.path("total_duration").asLong()).isPositive();
      assertThat(body.path("load_duration").isIntegralNumber()).isTrue();
      assertThat(body.path("prompt_eval_count").isIntegralNumber()).isTrue();
    }
  }

  @Test
  void theOlderEmbeddingsRouteWorksInFrontOfEitherBackend() throws IOException {
    List<Float> expected = ollamaVector("river");
    for (BridgeServer bridge : List.of(toOllama, toOpenAi)) {
      try (Response answer = TestBridges.post(bridge, "/api/embeddings", "{\"model\":\"fake-llama\",\"prompt\":\"river\"}")) {
        JsonNode body = JSON.readTree(answer.body().string());
        assertThat(answer.code()).as(body.toString()).isEqualTo(200);
        assertThat(floats(body.path("embedding"))).hasSize(expected.size());
      }
    }
  }

  @Test
  void aModelIsRetrievedByIdInFrontOfEitherBackendAndAnUnknownOneIsOpenAisNotFound() {
    for (BridgeServer bridge : List.of(toOllama, toOpenAi)) {
      OpenAIClient client = OpenAIOkHttpClient.builder().baseUrl(TestBridges.url(bridge, "/v1")).apiKey("unused")
          .maxRetries(0).build();
      try {
        Model model = client.models().retrieve("fake-llama");
        assertThat(model.id()).isEqualTo("fake-llama");
        assertThatThrownBy(() -> client.models().retrieve("no-such-model")).isInstanceOf(NotFoundException.class);
      } finally {
        client.close();
      }
    }
  }

  /** The vector the Ollama backend itself answers, straight from it. */
  private static List<Float> ollamaVector(String text) throws IOException {
    okhttp3.Request request = new okhttp3.Request.Builder().url(ollama.baseUrl() + "/api/embed")
        .post(okhttp3.RequestBody.create("{\"model\":\"fake-llama\",\"input\":\"" + text + "\"}",
            okhttp3.MediaType.get("application/json"))).build();
    try (Response answer = TestBridges.HTTP.newCall(request).execute()) {
      return floats(JSON.readTree(answer.body().string()).path("embeddings").path(0));
    }
  }

  private static List<Float> floats(JsonNode vector) {
    List<Float> values = new ArrayList<>();
    vector.forEach(number -> values.add(number.floatValue()));
    return values;
  }
}
