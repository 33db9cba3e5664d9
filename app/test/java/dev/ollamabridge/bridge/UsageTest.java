package dev.ollamabridge.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Token counts an upstream did not report are left out of a translated answer, never made up as zeros. */
class UsageTest {

  private static final String UNCOUNTED = """
      {"model":"m","created_at":"2026-01-01T00:00:00Z","message":{"role":"assistant","content":"Hello there"},\
      "done":true,"done_reason":"stop"}""";

  private final MockWebServer upstream = new MockWebServer();
  private BridgeServer bridge;

  @BeforeEach
  void start() throws Exception {
    upstream.start();
    bridge = TestBridges.start("--ollama", upstream.url("/").toString().replaceAll("/$", ""), "--upstream-dialect", "ollama");
  }

  @AfterEach
  void stop() {
    TestBridges.close(bridge);
    upstream.close();
  }

  @Test
  void aWholeAnswerHasNoUsageAndTheSdkSeesNone() {
    upstream.enqueue(new MockResponse.Builder().addHeader("Content-Type", "application/json").body(UNCOUNTED).build());
    OpenAIClient client = OpenAIOkHttpClient.builder().baseUrl(TestBridges.url(bridge, "/v1")).apiKey("unused")
        .maxRetries(0).build();
    try {
      ChatCompletion completion = client.chat().completions().create(ChatCompletionCreateParams.builder()
          .model("m").addUserMessage("Hi").build());

      assertThat(completion.choices().get(0).message().content()).contains("Hello there");
      assertThat(completion.usage()).isEmpty();
    } finally {
      client.close();
    }
  }

  @Test
  void aStreamThatAskedForUsageGetsANullOne() {
    upstream.enqueue(new MockResponse.Builder().addHeader("Content-Type", "application/x-ndjson")
        .body(UNCOUNTED + "\n").build());

    String body = TestBridges.body(TestBridges.post(bridge, "/v1/chat/completions", """
        {"model":"m","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"Hi"}]}"""));

    JsonNode last = TestBridges.chunks(body).get(TestBridges.chunks(body).size() - 1);
    assertThat(last.has("usage")).isTrue();
    assertThat(last.get("usage").isNull()).isTrue();
  }
}
