package dev.ollamabridge.bridge.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ollamabridge.bridge.translate.Answer;
import dev.ollamabridge.bridge.translate.Json;
import dev.ollamabridge.bridge.translate.TokenLogprob;
import dev.ollamabridge.bridge.translate.Usage;
import java.util.List;
import org.junit.jupiter.api.Test;

class CacheEntriesTest {

  private static final String KEY = "cd" + "0".repeat(62);

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
