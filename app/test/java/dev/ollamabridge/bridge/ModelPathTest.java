package dev.ollamabridge.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ollamabridge.fake.Dialect;
import dev.ollamabridge.fake.FakeOllama;
import okhttp3.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code GET /v1/models/{model}}: the id is read from the path as clients encode it. */
class ModelPathTest {

  private static FakeOllama ollama;
  private static BridgeServer bridge;

  @BeforeAll
  static void start() {
    ollama = FakeOllama.start(FakeOllama.Options.defaults().withDialect(Dialect.OLLAMA)
        .withModels("library/llama3:8b", "a+b"));
    bridge = TestBridges.inFrontOf(ollama);
  }

  @AfterAll
  static void stop() {
    TestBridges.close(bridge);
    ollama.close();
  }

  @Test
  void anIdWithSlashesAndPercentEncodingIsTheModelItNames() {
    Response model = TestBridges.get(bridge, "/v1/models/library/llama3%3A8b");

    assertThat(model.code()).isEqualTo(200);
    assertThat(TestBridges.json(model).path("id").asText()).isEqualTo("library/llama3:8b");
  }

  @Test
  void aPlusInTheIdStaysAPlus() {
    Response model = TestBridges.get(bridge, "/v1/models/a+b");

    assertThat(model.code()).isEqualTo(200);
    assertThat(TestBridges.json(model).path("id").asText()).isEqualTo("a+b");
  }

  @Test
  void aBrokenPercentEncodingIsABadRequest() {
    try (Response model = TestBridges.get(bridge, "/v1/models/llama%zz")) {
      assertThat(model.code()).isEqualTo(400);
    }
  }
}
