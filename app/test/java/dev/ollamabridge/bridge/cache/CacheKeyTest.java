package dev.ollamabridge.bridge.cache;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ollamabridge.bridge.translate.Dialect;
import dev.ollamabridge.bridge.translate.Json;
import dev.ollamabridge.bridge.translate.Kind;
import dev.ollamabridge.bridge.translate.PromptParser;
import org.junit.jupiter.api.Test;

/**
 * A cache key is what finds the entries a bridge wrote before its last restart: it must not change
 * unless the format number does, not even for text beyond the Basic Multilingual Plane.
 */
class CacheKeyTest {

  private static final String CHAT = """
      {"model":"llama3.2","stream":false,"options":{"temperature":0,"seed":7},
       "messages":[{"role":"user","content":"Grüße 世界 😀, \\"quoted\\"\\u0001"}]}""";

  @Test
  void aKeyIsStableAcrossReleases() throws Exception {
    assertThat(key(Dialect.OLLAMA, CHAT)).isEqualTo("c88220074f5dc047ec300d6154cf9c33c5bfe1dfeb87c9af3039721f12747dc8");
  }

  @Test
  void neitherFieldOrderNorStreamingNorTheDialectChangesIt() throws Exception {
    String reordered = """
        {"messages":[{"content":"Grüße 世界 😀, \\"quoted\\"\\u0001","role":"user"}],"stream":true,
         "options":{"seed":7,"temperature":0},"model":"llama3.2"}""";
    String openAi = """
        {"model":"llama3.2","temperature":0,"seed":7,
         "messages":[{"role":"user","content":"Grüße 世界 😀, \\"quoted\\"\\u0001"}]}""";
    String key = key(Dialect.OLLAMA, CHAT);
    assertThat(key(Dialect.OLLAMA, reordered)).isEqualTo(key);
    assertThat(key(Dialect.OPENAI, openAi)).isEqualTo(key);
  }

  /** The key of a chat request of {@code dialect}. */
  private static String key(Dialect dialect, String json) throws Exception {
    return CacheKey.of(PromptParser.parse(dialect, Kind.CHAT, (ObjectNode) Json.MAPPER.readTree(json)));
  }
}
