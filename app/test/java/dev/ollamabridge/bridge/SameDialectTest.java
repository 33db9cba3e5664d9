package dev.ollamabridge.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import java.util.List;
import java.nio.file.Path;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client and a backend of the same dialect: what the bridge does not need to change reaches the
 * client as the backend sent it (every choice, logprobs, fingerprints), the think filter still
 * moving each choice's reasoning.
 */
class SameDialectTest {

  private static final String TWO_CHOICES = """
      {"id":"chatcmpl-42","object":"chat.completion","created":1700000000,"model":"m","system_fingerprint":"fp_7",
       "service_tier":"default","choices":[
        {"index":0,"message":{"role":"assistant","content":"<think>hmm</think>Blue."},
         "logprobs":{"content":[{"token":"Blue","logprob":-0.1,"bytes":[66],"top_logprobs":[]}]},"finish_reason":"stop"},
        {"index":1,"message":{"role":"assistant","content":"Azure."},
         "logprobs":{"content":[{"token":"Azure","logprob":-0.9,"bytes":[65],"top_logprobs":[]}]},"finish_reason":"stop"}],
       "usage":{"prompt_tokens":5,"completion_tokens":4,"total_tokens":9}}""";

  private final MockWebServer upstream = new MockWebServer();
  private BridgeServer bridge;
  @TempDir Path cacheDir;

  @BeforeEach
  void start() throws Exception {
    upstream.start();
    bridge = TestBridges.start("--ollama", upstream.url("/v1").toString(), "--enable-cache", "--cache-dir",
        cacheDir.toString());
  }

  @AfterEach
  void stop() {
    try {
      TestBridges.close(bridge);
    } finally {
      upstream.close();
    }
  }

  @Test
  void everyChoiceAndItsLogprobsReachAnOpenAiClient() {
    upstream.enqueue(new MockResponse.Builder().addHeader("Content-Type", "application/json").body(TWO_CHOICES).build());
    upstream.enqueue(new MockResponse.Builder().addHeader("Content-Type", "application/json").body(TWO_CHOICES).build());
    OpenAIClient client = OpenAIOkHttpClient.builder().baseUrl(TestBridges.url(bridge, "/v1")).apiKey("unused")
        .maxRetries(0).build();
    try {
      ChatCompletion completion = client.chat().completions().create(ChatCompletionCreateParams.builder()
          .model("m").addUserMessage("Colour of the sky?").n(2).logprobs(true).build());

      assertThat(completion.id()).isEqualTo("chatcmpl-42");
      assertThat(completion.systemFingerprint()).contains("fp_7");
      assertThat(completion.choices()).hasSize(2);
      assertThat(completion.choices().get(0).message().content()).contains("Blue.");
      assertThat(completion.choices().get(1).message().content()).contains("Azure.");
      assertThat(completion.choices().get(1).logprobs()).hasValueSatisfying(logprobs ->
          assertThat(logprobs.content().orElseThrow().get(0).token()).isEqualTo("Azure"));
      ChatCompletion again = client.chat().completions().create(ChatCompletionCreateParams.builder()
          .model("m").addUserMessage("Colour of the sky?").n(2).logprobs(true).build());
      assertThat(again.choices()).as("several choices are never answered from the cache").hasSize(2);
      assertThat(upstream.getRequestCount()).isEqualTo(2);
    } finally {
      client.close();
    }
  }

  @Test
  void aStreamedChunkKeepsItsFieldsAndEachChoiceIsFilteredOnItsOwn() {
    upstream.enqueue(new MockResponse.Builder().addHeader("Content-Type", "text/event-stream").body(String.join("", List.of(
        chunk(0, "<think>a"), chunk(1, "<think>b"), chunk(0, "</think>Blue"), chunk(1, "</think>Azure"),
        "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"},"
            + "{\"index\":1,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n",
        "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"choices\":[],\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":2,\"total_tokens\":3}}\n\n",
        "data: [DONE]\n\n"))).build());

    String body = TestBridges.body(TestBridges.post(bridge, "/v1/chat/completions",
        "{\"model\":\"m\",\"n\":2,\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}"));

    StringBuilder[] content = {new StringBuilder(), new StringBuilder()};
    StringBuilder[] reasoning = {new StringBuilder(), new StringBuilder()};
    List<JsonNode> chunks = TestBridges.chunks(body);
    for (JsonNode chunk : chunks) {
      assertThat(chunk.path("system_fingerprint").asText()).as(chunk.toString()).isIn("fp_9", "");
      for (JsonNode choice : chunk.path("choices")) {
        int index = choice.path("index").asInt();
        content[index].append(choice.at("/delta/content").asText(""));
        reasoning[index].append(choice.at("/delta/reasoning_content").asText(""));
      }
      assertThat(chunk.has("usage")).as("the client did not ask for usage").isFalse();
    }
    assertThat(content[0].toString()).isEqualTo("Blue");
    assertThat(content[1].toString()).isEqualTo("Azure");
    assertThat(reasoning[0].toString()).isEqualTo("a");
    assertThat(reasoning[1].toString()).isEqualTo("b");
    assertThat(chunks.get(0).path("system_fingerprint").asText()).isEqualTo("fp_9");
    assertThat(body).endsWith("data: [DONE]\n\n");
  }

  private static String chunk(int index, String content) {
    return "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"system_fingerprint\":\"fp_9\",\"choices\":[{\"index\":"
        + index + ",\"delta\":{\"content\":\"" + content.replace("/", "\\/") + "\"},\"logprobs\":null,\"finish_reason\":null}]}\n\n";
  }
}
