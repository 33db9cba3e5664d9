package dev.ollamabridge.bridge.translate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ollamabridge.bridge.ApiException;
import dev.ollamabridge.bridge.cache.CacheKey;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TranslationTest {

  @Test
  void anOpenAiChatBecomesAnOllamaChatWithOptions() {
    ObjectNode body = json("""
        {"model":"llama3.2","messages":[{"role":"user","content":[{"type":"text","text":"Hi"},
         {"type":"image_url","image_url":{"url":"data:image/png;base64,AAAA"}}]}],
         "temperature":0.2,"max_tokens":50,"stop":"END","response_format":{"type":"json_object"},"stream":true}""");

    UpstreamRequest request = UpstreamRequest.of(parse(Dialect.OPENAI, Kind.CHAT, body), body, Dialect.OLLAMA);

    assertThat(request.path()).isEqualTo("/api/chat");
    JsonNode out = request.body();
    assertThat(out.at("/messages/0/content").asText()).isEqualTo("Hi");
    assertThat(out.at("/messages/0/images/0").asText()).isEqualTo("AAAA");
    assertThat(out.at("/options/temperature").asDouble()).isEqualTo(0.2);
    assertThat(out.at("/options/num_predict").asInt()).isEqualTo(50);
    assertThat(out.at("/options/stop/0").asText()).isEqualTo("END");
    assertThat(out.path("format").asText()).isEqualTo("json");
    assertThat(out.path("stream").asBoolean()).isTrue();
  }

  @Test
  void anOllamaChatBecomesAnOpenAiChatThatAsksForUsage() {
    ObjectNode body = json("""
        {"model":"deepseek-chat","messages":[{"role":"user","content":"Hi","images":["AAAA"]}],
         "options":{"temperature":1,"num_predict":20,"top_k":40},"keep_alive":"5m"}""");

    UpstreamRequest request = UpstreamRequest.of(parse(Dialect.OLLAMA, Kind.CHAT, body), body, Dialect.OPENAI);

    assertThat(request.path()).isEqualTo("/chat/completions");
    JsonNode out = request.body();
    assertThat(out.path("stream").asBoolean()).as("Ollama streams unless told not to").isTrue();
    assertThat(out.at("/stream_options/include_usage").asBoolean()).isTrue();
    assertThat(out.path("max_tokens").asInt()).isEqualTo(20);
    assertThat(out.has("top_k")).as("an Ollama-only option has no OpenAI name").isFalse();
    assertThat(out.at("/messages/0/content/1/image_url/url").asText()).isEqualTo("data:image/png;base64,AAAA");
  }

  @Test
  void anOllamaGenerateBecomesAnOpenAiChatWithSystemAndUserMessages() {
    ObjectNode body = json("""
        {"model":"m","prompt":"Why is the sky blue?","system":"Be brief.","stream":false}""");

    UpstreamRequest request = UpstreamRequest.of(parse(Dialect.OLLAMA, Kind.GENERATE, body), body, Dialect.OPENAI);

    assertThat(request.path()).isEqualTo("/chat/completions");
    assertThat(request.body().at("/messages/0/role").asText()).isEqualTo("system");
    assertThat(request.body().at("/messages/1/content").asText()).isEqualTo("Why is the sky blue?");
    assertThat(request.body().has("stream_options")).isFalse();
  }

  @Test
  void theSameQuestionInEitherDialectAndEitherModeHasOneCacheKey() {
    ObjectNode openAi = json("""
        {"model":"m","messages":[{"role":"user","content":"Hi"}],"temperature":1.0,"max_tokens":5,"stream":true}""");
    ObjectNode ollama = json("""
        {"model":"m","messages":[{"role":"user","content":"Hi"}],"options":{"temperature":1,"num_predict":5},"stream":false}""");
    ObjectNode warmer = json("""
        {"model":"m","messages":[{"role":"user","content":"Hi"}],"temperature":1.5,"max_tokens":5}""");

    String key = CacheKey.of(parse(Dialect.OPENAI, Kind.CHAT, openAi));

    assertThat(CacheKey.of(parse(Dialect.OLLAMA, Kind.CHAT, ollama))).isEqualTo(key);
    assertThat(CacheKey.of(parse(Dialect.OPENAI, Kind.CHAT, warmer))).isNotEqualTo(key);
  }

  @Test
  void aRequestWithoutModelOrWithBadMessagesIsRefusedNamingTheField() {
    assertThatThrownBy(() -> parse(Dialect.OPENAI, Kind.CHAT, json("{\"messages\":[]}")))
        .isInstanceOf(ApiException.class).hasMessageContaining("model is required")
        .extracting(e -> ((ApiException) e).param()).isEqualTo("model");
    assertThatThrownBy(() -> parse(Dialect.OPENAI, Kind.CHAT, json("{\"model\":\"m\",\"messages\":\"hi\"}")))
        .isInstanceOf(ApiException.class).extracting(e -> ((ApiException) e).param()).isEqualTo("messages");
  }

  @Test
  void anOpenAiStreamDecodesToDeltasAndOneEndWithUsage() {
    UpstreamDecoder decoder = UpstreamDecoder.of(Dialect.OPENAI);
    List<Event> events = new ArrayList<>();
    events.addAll(decoder.chunk(json("{\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}]}")));
    events.addAll(decoder.chunk(json("{\"choices\":[{\"index\":0,\"delta\":{\"reasoning_content\":\"hmm\"}}]}")));
    events.addAll(decoder.chunk(json("{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"},\"finish_reason\":\"stop\"}]}")));
    events.addAll(decoder.chunk(json("{\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":2}}")));
    events.addAll(decoder.endOfStream(true));

    assertThat(events).containsExactly(
        new Event.Delta("", "hmm"), new Event.Delta("Hi", ""), new Event.End("stop", new Usage(3, 2)));
  }

  @Test
  void anOllamaStreamEndsWithItsDoneLine() {
    UpstreamDecoder decoder = UpstreamDecoder.of(Dialect.OLLAMA);

    List<Event> first = decoder.chunk(json("{\"message\":{\"role\":\"assistant\",\"content\":\"Hi\"},\"done\":false}"));
    List<Event> last = decoder.chunk(json("""
        {"message":{"role":"assistant","content":""},"done":true,"done_reason":"length","prompt_eval_count":4,"eval_count":9}"""));

    assertThat(first).containsExactly(new Event.Delta("Hi", ""));
    assertThat(last).containsExactly(new Event.End("length", new Usage(4, 9)));
  }

  @Test
  void anOpenAiClientStreamOpensWithTheRoleAndClosesWithDone() {
    ClientEncoder encoder = new OpenAiEncoder(Kind.CHAT, "m", true);

    String text = utf8(encoder.delta(new Event.Delta("Hi", "why"))) + utf8(encoder.end(new Event.End("stop", new Usage(1, 2))));

    List<String> events = List.of(text.split("\n\n"));
    assertThat(events).hasSize(5);
    assertThat(json(events.get(0).substring(6)).at("/choices/0/delta/role").asText()).isEqualTo("assistant");
    assertThat(json(events.get(1).substring(6)).at("/choices/0/delta/reasoning_content").asText()).isEqualTo("why");
    assertThat(json(events.get(2).substring(6)).at("/choices/0/finish_reason").asText()).isEqualTo("stop");
    assertThat(json(events.get(3).substring(6)).at("/usage/total_tokens").asInt()).isEqualTo(3);
    assertThat(events.get(4)).isEqualTo("data: [DONE]");
  }

  @Test
  void anOllamaClientAnswerCarriesThinkingAndCounts() {
    ClientEncoder encoder = new OllamaEncoder(Kind.CHAT, "m");

    JsonNode whole = json(utf8(encoder.whole(new Answer("Hi", "why", "stop", new Usage(3, 4)))));

    assertThat(whole.at("/message/content").asText()).isEqualTo("Hi");
    assertThat(whole.at("/message/thinking").asText()).isEqualTo("why");
    assertThat(whole.path("done").asBoolean()).isTrue();
    assertThat(whole.path("prompt_eval_count").asInt()).isEqualTo(3);
    assertThat(whole.path("eval_count").asInt()).isEqualTo(4);
  }

  static Prompt parse(Dialect dialect, Kind kind, ObjectNode body) {
    return PromptParser.parse(dialect, kind, body);
  }

  static ObjectNode json(String text) {
    try {
      return (ObjectNode) Json.MAPPER.readTree(text);
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
  }

  private static String utf8(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
