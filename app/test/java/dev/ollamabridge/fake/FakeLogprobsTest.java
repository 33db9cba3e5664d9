package dev.ollamabridge.fake;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The fake answers log probabilities in both dialects when asked, the same whole and streamed, and only then. */
class FakeLogprobsTest {

  private static final String CHAT = "{\"model\":\"fake-llama\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi there\"}]";

  private static FakeOllama fake;
  private static FakeOllama ignoring;
  private static FakeHttp http;
  private static FakeHttp ignoringHttp;

  @BeforeAll
  static void start() {
    fake = FakeOllama.start(FakeOllama.Options.defaults().withTokens(5));
    ignoring = FakeOllama.start(FakeOllama.Options.defaults().withTokens(5).withLogprobs(false));
    http = new FakeHttp(fake);
    ignoringHttp = new FakeHttp(ignoring);
  }

  @AfterAll
  static void stop() {
    fake.close();
    ignoring.close();
  }

  @Test
  void anOllamaChatGetsOneEntryPerTokenWithTheAskedAlternativesChosenFirstAndFallingOff() throws Exception {
    JsonNode answer = http.postForJson("/api/chat", CHAT + ",\"stream\":false,\"logprobs\":true,\"top_logprobs\":3}");

    JsonNode logprobs = answer.path("logprobs");
    assertThat(logprobs.size()).isEqualTo(5);
    assertThat(tokens(logprobs)).isEqualTo(answer.path("message").path("content").asText());
    for (JsonNode entry : logprobs) {
      assertThat(entry.path("logprob").asDouble()).isNegative();
      assertThat(entry.path("bytes").size()).isEqualTo(entry.path("token").asText().getBytes().length);
      JsonNode top = entry.path("top_logprobs");
      assertThat(top.size()).isEqualTo(3);
      assertThat(top.get(0).path("token").asText()).isEqualTo(entry.path("token").asText());
      assertThat(top.get(0).path("logprob").asDouble()).isEqualTo(entry.path("logprob").asDouble());
      assertThat(top.get(1).path("logprob").asDouble()).isLessThan(top.get(0).path("logprob").asDouble());
      assertThat(top.get(2).path("logprob").asDouble()).isLessThan(top.get(1).path("logprob").asDouble());
    }
  }

  @Test
  void anOllamaStreamCarriesEachTokensEntryOnItsOwnLineTheSameAsTheWholeAnswer() throws Exception {
    JsonNode whole = http.postForJson("/api/generate",
        "{\"model\":\"fake-llama\",\"prompt\":\"Hi\",\"stream\":false,\"logprobs\":true,\"top_logprobs\":2}");
    HttpResponse<String> streamed = http.post("/api/generate",
        "{\"model\":\"fake-llama\",\"prompt\":\"Hi\",\"logprobs\":true,\"top_logprobs\":2}");

    List<JsonNode> entries = new ArrayList<>();
    for (JsonNode line : FakeHttp.lines(streamed.body())) {
      if (!line.path("response").asText().isEmpty()) {
        assertThat(line.path("logprobs").size()).isEqualTo(1);
        assertThat(line.path("logprobs").get(0).path("token").asText()).isEqualTo(line.path("response").asText());
      }
      line.path("logprobs").forEach(entries::add);
    }
    assertThat(entries).containsExactlyElementsOf(whole.path("logprobs"));
  }

  @Test
  void anOpenAiChatGetsContentEntriesWholeAndStreamed() throws Exception {
    JsonNode whole = http.postForJson("/v1/chat/completions", CHAT + ",\"logprobs\":true,\"top_logprobs\":2}");
    HttpResponse<String> streamed =
        http.post("/v1/chat/completions", CHAT + ",\"stream\":true,\"logprobs\":true,\"top_logprobs\":2}");

    JsonNode logprobs = whole.path("choices").path(0).path("logprobs");
    assertThat(logprobs.path("refusal").isNull()).isTrue();
    assertThat(tokens(logprobs.path("content"))).isEqualTo(whole.path("choices").path(0).path("message").path("content").asText());
    assertThat(logprobs.path("content").get(0).path("top_logprobs").size()).isEqualTo(2);
    List<JsonNode> entries = new ArrayList<>();
    for (String data : FakeHttp.sseData(streamed.body())) {
      if (!data.equals("[DONE]")) {
        FakeHttp.json(data).path("choices").path(0).path("logprobs").path("content").forEach(entries::add);
      }
    }
    assertThat(entries).containsExactlyElementsOf(logprobs.path("content"));
  }

  @Test
  void anOpenAiCompletionGetsTheLegacyListsWithOffsetsIntoItsText() throws Exception {
    JsonNode whole = http.postForJson("/v1/completions", "{\"model\":\"fake-llama\",\"prompt\":\"Hi\",\"logprobs\":2}");

    JsonNode choice = whole.path("choices").path(0);
    JsonNode logprobs = choice.path("logprobs");
    String text = choice.path("text").asText();
    assertThat(tokens(logprobs.path("tokens"))).isEqualTo(text);
    assertThat(logprobs.path("token_logprobs").size()).isEqualTo(5);
    assertThat(logprobs.path("top_logprobs").get(0).size()).isEqualTo(2);
    for (int i = 0; i < 5; i++) {
      assertThat(text.substring(logprobs.path("text_offset").get(i).asInt())).startsWith(logprobs.path("tokens").get(i).asText());
    }
  }

  @Test
  void notAskedOrIgnoredTheyAreAbsentOrNullAsRealServersSendThem() throws Exception {
    assertThat(http.postForJson("/api/chat", CHAT + ",\"stream\":false}").has("logprobs")).isFalse();
    assertThat(http.postForJson("/v1/chat/completions", CHAT + "}").path("choices").path(0).path("logprobs").isNull()).isTrue();
    assertThat(ignoringHttp.postForJson("/api/chat", CHAT + ",\"stream\":false,\"logprobs\":true}").has("logprobs")).isFalse();
    assertThat(ignoringHttp.postForJson("/v1/chat/completions", CHAT + ",\"logprobs\":true}")
        .path("choices").path(0).path("logprobs").isNull()).isTrue();
  }

  @Test
  void tooManyAlternativesAreRefusedAsOllamaAndOpenAiRefuseThem() throws Exception {
    HttpResponse<String> ollama = http.post("/api/chat", CHAT + ",\"logprobs\":true,\"top_logprobs\":21}");
    HttpResponse<String> openAi = http.post("/v1/chat/completions", CHAT + ",\"logprobs\":true,\"top_logprobs\":21}");

    assertThat(ollama.statusCode()).isEqualTo(400);
    assertThat(FakeHttp.json(ollama.body()).path("error").asText()).contains("top_logprobs");
    assertThat(openAi.statusCode()).isEqualTo(400);
    assertThat(FakeHttp.json(openAi.body()).path("error").path("param").asText()).isEqualTo("top_logprobs");
  }

  private static String tokens(JsonNode entries) {
    StringBuilder text = new StringBuilder();
    entries.forEach(entry -> text.append(entry.isTextual() ? entry.asText() : entry.path("token").asText()));
    return text.toString();
  }
}
