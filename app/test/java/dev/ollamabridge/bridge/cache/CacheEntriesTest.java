package dev.ollamabridge.bridge.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ollamabridge.bridge.cache.CacheEntries.Stored;
import dev.ollamabridge.bridge.translate.Answer;
import dev.ollamabridge.bridge.translate.Json;
import dev.ollamabridge.bridge.translate.Usage;
import org.junit.jupiter.api.Test;

/** A cache entry keeps an answer's reasoning tokens, and entries written before it counted them still read. */
class CacheEntriesTest {

  private static final String KEY = "k".repeat(64);

  @Test
  void anAnswerReadBackKeepsItsReasoningTokens() throws Exception {
    Stored entry = new Stored(new Answer("Hi", "Let me think.", "stop", new Usage(3, 9, 4)), 1000);

    Stored read = CacheEntries.read(KEY, Json.MAPPER.readTree(CacheEntries.json(KEY, entry))).orElseThrow();

    assertThat(read).isEqualTo(entry);
  }

  @Test
  void anEntryWithoutReasoningTokensReadsAsNone() throws Exception {
    String old = """
        {"key":"%s","created_ms":1000,"answer":{"content":"Hi","reasoning":"Let me think.","finish_reason":"stop",\
        "prompt_tokens":3,"completion_tokens":9}}""".formatted(KEY);

    Stored read = CacheEntries.read(KEY, Json.MAPPER.readTree(old)).orElseThrow();

    assertThat(read.answer().usage()).isEqualTo(new Usage(3, 9, 0));
  }

  @Test
  void moreReasoningTokensThanTokensAreNotBelievedPastTheWhole() throws Exception {
    String hostile = """
        {"key":"%s","created_ms":1000,"answer":{"content":"Hi","finish_reason":"stop",\
        "prompt_tokens":3,"completion_tokens":9,"reasoning_tokens":1000000}}""".formatted(KEY);

    Stored read = CacheEntries.read(KEY, Json.MAPPER.readTree(hostile)).orElseThrow();

    assertThat(read.answer().usage().reasoningTokens()).isEqualTo(9);
  }
}
