package dev.ollamabridge.bridge.translate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ThinkFilterTest {

  private static final String ANSWER = "<think>\nThe user greets me.\n</think>\n\nHello there!";

  @Test
  void movesThinkTextFromContentToReasoning() {
    Answer filtered = new ThinkFilter(true).apply(new Answer(ANSWER, "", "stop", Usage.NONE));

    assertThat(filtered.content()).isEqualTo("Hello there!");
    assertThat(filtered.reasoning()).isEqualTo("The user greets me.\n");
  }

  @ParameterizedTest(name = "chunks of {0} characters")
  @ValueSource(ints = {1, 2, 3, 5, 7, 8, 9, 13})
  void findsTagsSplitAcrossChunksOfAnySize(int size) {
    List<String> chunks = new ArrayList<>();
    for (int i = 0; i < ANSWER.length(); i += size) {
      chunks.add(ANSWER.substring(i, Math.min(ANSWER.length(), i + size)));
    }

    Event.Delta result = stream(new ThinkFilter(true), chunks);

    assertThat(result.content()).isEqualTo("Hello there!");
    assertThat(result.reasoning()).isEqualTo("The user greets me.\n");
  }

  @Test
  void neverLetsAPartialTagReachTheContent() {
    ThinkFilter filter = new ThinkFilter(true);

    Event.Delta first = filter.apply(new Event.Delta("<thi", ""));
    Event.Delta second = filter.apply(new Event.Delta("nk>why</th", ""));
    Event.Delta third = filter.apply(new Event.Delta("ink>answer", ""));

    assertThat(first.content() + second.content()).isEmpty();
    assertThat(second.reasoning()).isEqualTo("why");
    assertThat(third.content()).isEqualTo("answer");
  }

  @Test
  void releasesTextThatOnlyLookedLikeATagAtTheEnd() {
    ThinkFilter filter = new ThinkFilter(true);

    Event.Delta body = filter.apply(new Event.Delta("a < b and b <th", ""));
    Event.Delta tail = filter.finish();

    assertThat(body.content() + tail.content()).isEqualTo("a < b and b <th");
  }

  @Test
  void keepsAnUnclosedThinkBlockAsReasoning() {
    Answer filtered = new ThinkFilter(true).apply(new Answer("<think>still thinking", "", "length", Usage.NONE));

    assertThat(filtered.content()).isEmpty();
    assertThat(filtered.reasoning()).isEqualTo("still thinking");
  }

  @Test
  void passesReasoningTheUpstreamAlreadySeparated() {
    Event.Delta out = new ThinkFilter(true).apply(new Event.Delta("", "because"));

    assertThat(out).isEqualTo(new Event.Delta("", "because"));
  }

  @Test
  void leavesContentUntouchedWhenDisabled() {
    Answer untouched = new ThinkFilter(false).apply(new Answer(ANSWER, "", "stop", Usage.NONE));

    assertThat(untouched.content()).isEqualTo(ANSWER);
    assertThat(untouched.reasoning()).isEmpty();
  }

  private static Event.Delta stream(ThinkFilter filter, List<String> chunks) {
    StringBuilder content = new StringBuilder();
    StringBuilder reasoning = new StringBuilder();
    for (String chunk : chunks) {
      Event.Delta out = filter.apply(new Event.Delta(chunk, ""));
      content.append(out.content());
      reasoning.append(out.reasoning());
    }
    Event.Delta tail = filter.finish();
    return new Event.Delta(content.append(tail.content()).toString(), reasoning.append(tail.reasoning()).toString());
  }
}
