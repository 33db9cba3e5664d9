package dev.ollamabridge.bridge.translate;

import static dev.ollamabridge.bridge.translate.TranslationTest.json;
import static dev.ollamabridge.bridge.translate.TranslationTest.parse;
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

/** Log probabilities asked for, read and written in both dialects, and through the think filter. */
class LogprobTranslationTest {

  private static final String CHAT = "\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]";

  @Test
  void everyWayOfAskingTheSameMakesTheSameUpstreamFieldsAndCacheKey() {
    ObjectNode openAiChat = json("{" + CHAT + ",\"logprobs\":true,\"top_logprobs\":3}");
    ObjectNode ollamaChat = json("{" + CHAT + ",\"logprobs\":true,\"top_logprobs\":3,\"stream\":false}");
    ObjectNode legacy = json("{\"model\":\"m\",\"prompt\":\"Hi\",\"logprobs\":3}");
    ObjectNode generate = json("{\"model\":\"m\",\"prompt\":\"Hi\",\"logprobs\":true,\"top_logprobs\":3,\"stream\":false}");

    JsonNode toOllama = UpstreamRequest.of(parse(Dialect.OPENAI, Kind.CHAT, openAiChat), openAiChat, Dialect.OLLAMA).body();
    JsonNode legacyToOllama = UpstreamRequest.of(parse(Dialect.OPENAI, Kind.GENERATE, legacy), legacy, Dialect.OLLAMA).body();
    JsonNode toOpenAi = UpstreamRequest.of(parse(Dialect.OLLAMA, Kind.GENERATE, generate), generate, Dialect.OPENAI).body();

    for (JsonNode out : List.of(toOllama, legacyToOllama, toOpenAi)) {
      assertThat(out.path("logprobs").asBoolean()).isTrue();
      assertThat(out.path("top_logprobs").asInt()).isEqualTo(3);
    }
    assertThat(CacheKey.of(parse(Dialect.OPENAI, Kind.CHAT, openAiChat)))
        .isEqualTo(CacheKey.of(parse(Dialect.OLLAMA, Kind.CHAT, ollamaChat)));
    assertThat(CacheKey.of(parse(Dialect.OPENAI, Kind.GENERATE, legacy)))
        .isEqualTo(CacheKey.of(parse(Dialect.OLLAMA, Kind.GENERATE, generate)));
  }

  @Test
  void notAskingSendsNothingAndKeepsTheKeyOfARequestWithout() {
    ObjectNode plain = json("{" + CHAT + "}");
    ObjectNode askedFalse = json("{" + CHAT + ",\"logprobs\":false,\"top_logprobs\":2}");

    JsonNode out = UpstreamRequest.of(parse(Dialect.OPENAI, Kind.CHAT, askedFalse), askedFalse, Dialect.OLLAMA).body();

    assertThat(out.has("logprobs")).isFalse();
    assertThat(out.has("top_logprobs")).isFalse();
    assertThat(CacheKey.of(parse(Dialect.OPENAI, Kind.CHAT, askedFalse))).isEqualTo(CacheKey.of(parse(Dialect.OPENAI, Kind.CHAT, plain)));
  }

  @Test
  void countsOutside0To20AreRefusedNamingTheField() {
    assertThatThrownBy(() -> parse(Dialect.OPENAI, Kind.CHAT, json("{" + CHAT + ",\"logprobs\":true,\"top_logprobs\":21}")))
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.param()).isEqualTo("top_logprobs"));
    assertThatThrownBy(() -> parse(Dialect.OLLAMA, Kind.CHAT, json("{" + CHAT + ",\"logprobs\":true,\"top_logprobs\":1.5}")))
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.param()).isEqualTo("top_logprobs"));
    assertThatThrownBy(() -> parse(Dialect.OPENAI, Kind.GENERATE, json("{\"model\":\"m\",\"prompt\":\"Hi\",\"logprobs\":true}")))
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.param()).isEqualTo("logprobs"));
    assertThatThrownBy(() -> parse(Dialect.OPENAI, Kind.CHAT, json("{" + CHAT + ",\"logprobs\":3}")))
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.param()).isEqualTo("logprobs"));
  }

  @Test
  void anOllamaLineBecomesAnOpenAiChunkWithContentEntries() {
    JsonNode line = json("""
        {"model":"m","message":{"role":"assistant","content":"Hi"},"done":false,
         "logprobs":[{"token":"Hi","logprob":-0.5,"bytes":[72,105],"top_logprobs":[{"token":"Hi","logprob":-0.5},{"token":"Yo","logprob":-1.5}]}]}""");

    Event.Delta delta = (Event.Delta) new OllamaDecoder().chunk(line).get(0);
    JsonNode chunk = sse(new OpenAiEncoder(Kind.CHAT, "m", false).delta(delta)).get(1);

    JsonNode logprobs = chunk.at("/choices/0/logprobs");
    assertThat(logprobs.path("refusal").isNull()).isTrue();
    assertThat(logprobs.at("/content/0/token").asText()).isEqualTo("Hi");
    assertThat(logprobs.at("/content/0/bytes/1").asInt()).isEqualTo(105);
    assertThat(logprobs.at("/content/0/top_logprobs/1/token").asText()).isEqualTo("Yo");
    assertThat(logprobs.at("/content/0/top_logprobs/1").has("bytes")).as("OpenAI's entries always carry bytes").isTrue();
    assertThat(logprobs.at("/content/0/top_logprobs/1/bytes").isNull()).isTrue();
  }

  @Test
  void openAiLegacyListsBecomeOllamasListAndBackWithOffsetsCountedAcrossAStream() {
    JsonNode first = json("""
        {"choices":[{"index":0,"text":"Hello","logprobs":{"tokens":["Hello"],"token_logprobs":[-0.25],
          "top_logprobs":[{"Hi":-2.0,"Hello":-0.25}],"text_offset":[0]},"finish_reason":null}]}""");
    JsonNode second = json("""
        {"choices":[{"index":0,"text":" you","logprobs":{"tokens":[" you"],"token_logprobs":[-1.0],
          "top_logprobs":[{" you":-1.0}],"text_offset":[5]},"finish_reason":null}]}""");
    OpenAiDecoder decoder = new OpenAiDecoder();
    Event.Delta hello = (Event.Delta) decoder.chunk(first).get(0);
    Event.Delta you = (Event.Delta) decoder.chunk(second).get(0);

    JsonNode ollama = json(new String(new OllamaEncoder(Kind.GENERATE, "m").delta(hello), StandardCharsets.UTF_8));
    OpenAiEncoder legacy = new OpenAiEncoder(Kind.GENERATE, "m", false);
    legacy.delta(hello);
    JsonNode again = sse(legacy.delta(you)).get(0);

    assertThat(hello.logprobs().get(0).top()).extracting(TokenLogprob.Alternative::token).containsExactly("Hello", "Hi");
    assertThat(ollama.at("/logprobs/0/token").asText()).isEqualTo("Hello");
    assertThat(ollama.at("/logprobs/0/top_logprobs/0/token").asText()).isEqualTo("Hello");
    assertThat(ollama.at("/logprobs/0").has("bytes")).as("Ollama leaves out what it does not know").isFalse();
    assertThat(again.at("/choices/0/logprobs/text_offset/0").asInt()).isEqualTo(5);
    assertThat(again.at("/choices/0/logprobs/top_logprobs/0/ you").asDouble()).isEqualTo(-1.0);
  }

  @Test
  void aMalformedOrOversizedListIsReadAsNoneAndTooManyAlternativesAreCut() {
    StringBuilder alternatives = new StringBuilder();
    for (int i = 0; i < 30; i++) {
      alternatives.append(i == 0 ? "" : ",").append("{\"token\":\"t").append(i).append("\",\"logprob\":-").append(i).append("}");
    }

    assertThat(LogprobJson.read(json("{\"l\":[{\"token\":\"a\",\"logprob\":\"high\"}]}").path("l"))).isEmpty();
    assertThat(LogprobJson.read(json("{\"l\":[{\"token\":\"a\",\"logprob\":-1},42]}").path("l"))).isEmpty();
    assertThat(LogprobJson.read(json("{\"l\":[{\"token\":\"a\",\"logprob\":-1,\"bytes\":[999]}]}").path("l")).get(0).bytes()).isNull();
    assertThat(LogprobJson.read(json("{\"l\":[{\"token\":\"a\",\"logprob\":-1,\"top_logprobs\":[" + alternatives + "]}]}").path("l"))
        .get(0).top()).hasSize(TokenLogprob.MAX_TOP);
    assertThat(LogprobJson.readLegacy(json("{\"tokens\":[\"a\",\"b\"],\"token_logprobs\":[-1]}"))).isEmpty();
  }

  @Test
  void theThinkFilterKeepsOnlyTheLogprobsOfTokensItPassesUntouched() {
    List<String> tokens = List.of("<think>", "Let", " me", "</think>", "\n\n", "Hello", " there", " <", "b");
    List<TokenLogprob> logprobs = new ArrayList<>();
    tokens.forEach(token -> logprobs.add(new TokenLogprob(token, -1, null, List.of())));

    Answer whole = new ThinkFilter(true).apply(new Answer(String.join("", tokens), "", "stop", Usage.NONE, List.of(), logprobs));
    ThinkFilter streaming = new ThinkFilter(true);
    List<String> kept = new ArrayList<>();
    for (TokenLogprob logprob : logprobs) {
      streaming.apply(new Event.Delta(logprob.token(), "", List.of(logprob))).logprobs().forEach(l -> kept.add(l.token()));
    }

    assertThat(whole.content()).isEqualTo("Hello there <b");
    assertThat(whole.logprobs()).extracting(TokenLogprob::token).containsExactly("Hello", " there");
    assertThat(kept).containsExactly("Hello", " there");
    assertThat(new ThinkFilter(false).apply(new Event.Delta("<think>", "", logprobs.subList(0, 1))).logprobs()).hasSize(1);
  }

  private static List<JsonNode> sse(byte[] bytes) {
    List<JsonNode> events = new ArrayList<>();
    for (String event : new String(bytes, StandardCharsets.UTF_8).split("\n\n")) {
      if (event.startsWith("data: {")) {
        events.add(json(event.substring(6)));
      }
    }
    return events;
  }
}
