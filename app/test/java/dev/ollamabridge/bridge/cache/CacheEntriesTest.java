package dev.ollamabridge.bridge.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ollamabridge.bridge.cache.CacheEntries.Stored;
import dev.ollamabridge.bridge.translate.Answer;
import dev.ollamabridge.bridge.translate.Json;
import dev.ollamabridge.bridge.translate.TokenLogprob;
import dev.ollamabridge.bridge.translate.Usage;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A cache entry keeps an answer's reasoning tokens and log probabilities, and entries written before
 * it kept them still read.
 */
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

  @Test
  void anAnswersLogprobsAreStoredAndReadBack() throws Exception {
    List<TokenLogprob> logprobs = List.of(
        new TokenLogprob("Hi", -0.5, List.of(72, 105), List.of(new TokenLogprob.Alternative("Hi", -0.5, null),
            new TokenLogprob.Alternative("Yo", -2.25, List.of(89, 111)))),
        new TokenLogprob("!", -1.0, null, List.of()));
    Answer answer = new Answer("Hi!", "", "stop", new Usage(3, 2), List.of(), logprobs);

    byte[] stored = CacheEntries.json(KEY, new CacheEntries.Stored(answer, 7));

    assertThat(CacheEntries.read(KEY, Json.MAPPER.readTree(stored)).orElseThrow().answer()).isEqualTo(answer);
  }

  @Test
  void anEntryWrittenBeforeLogprobsWereKeptReadsAsAnAnswerWithout() throws Exception {
    String old = "{\"key\":\"" + KEY + "\",\"created_ms\":7,\"answer\":{\"content\":\"Hi!\",\"reasoning\":\"\","
        + "\"finish_reason\":\"stop\",\"prompt_tokens\":3,\"completion_tokens\":2}}";

    Answer read = CacheEntries.read(KEY, Json.MAPPER.readTree(old)).orElseThrow().answer();

    assertThat(read).isEqualTo(new Answer("Hi!", "", "stop", new Usage(3, 2)));
    assertThat(read.logprobs()).isEmpty();
  }
}
