package dev.ollamabridge.bridge.translate;

import java.util.ArrayList;
import java.util.List;

/**
 * Moves DeepSeek-R1 style {@code <think>…</think>} text out of the answer content and into the
 * reasoning, one chunk at a time. A tag split across chunks is recognised: text that could still
 * become a tag is held back until the next chunk (or {@link #finish()}) decides.
 *
 * <p>Not thread-safe: one filter per answer.
 */
public final class ThinkFilter {

  private static final String OPEN = "<think>";
  private static final String CLOSE = "</think>";

  private final boolean enabled;
  private final boolean keepReasoning;
  private final StringBuilder held = new StringBuilder();
  private boolean inside;
  /** Whitespace right after a tag is layout, not content: drop it until real text comes. */
  private boolean trimNext;

  public ThinkFilter(boolean enabled) {
    this(enabled, true);
  }

  /**
   * @param keepReasoning false when the client asked for no reasoning ({@code "think": false}): a
   *     backend that cannot be told so still thinks, and its reasoning is dropped here
   */
  public ThinkFilter(boolean enabled, boolean keepReasoning) {
    this.enabled = enabled;
    this.keepReasoning = keepReasoning;
  }

  /**
   * Filters the next delta; reasoning the upstream already separated passes through.
   *
   * <p>Log probabilities stay only with content the filter passes through untouched: when the
   * delta's tokens add up to its content, each token goes through the filter on its own and keeps
   * its log probability only if its text comes out as it went in (not moved into the reasoning, not
   * dropped as a tag or as the whitespace after one, not held back as a possible tag); when they do
   * not add up, the delta keeps its log probabilities only if the filter changed nothing in it. So a
   * client never gets the log probabilities of {@code <think>} text as those of its content.
   */
  public Event.Delta apply(Event.Delta delta) {
    Event.Delta filtered = separateWithLogprobs(delta);
    return keepReasoning || filtered.reasoning().isEmpty()
        ? filtered
        : new Event.Delta(filtered.content(), "", filtered.logprobs());
  }

  private Event.Delta separateWithLogprobs(Event.Delta delta) {
    if (!enabled || delta.logprobs().isEmpty()) {
      return separate(delta);
    }
    StringBuilder tokens = new StringBuilder();
    delta.logprobs().forEach(logprob -> tokens.append(logprob.token()));
    if (!tokens.toString().equals(delta.content())) {
      boolean untouchedBefore = held.isEmpty();
      Event.Delta filtered = separate(delta);
      boolean untouched = untouchedBefore && held.isEmpty() && filtered.content().equals(delta.content());
      return new Event.Delta(filtered.content(), filtered.reasoning(), untouched ? delta.logprobs() : List.of());
    }
    StringBuilder content = new StringBuilder();
    StringBuilder reasoning = new StringBuilder(delta.reasoning());
    List<TokenLogprob> kept = new ArrayList<>();
    for (TokenLogprob logprob : delta.logprobs()) {
      boolean untouchedBefore = held.isEmpty();
      Event.Delta token = separate(new Event.Delta(logprob.token(), ""));
      content.append(token.content());
      reasoning.append(token.reasoning());
      if (untouchedBefore && held.isEmpty() && token.content().equals(logprob.token())) {
        kept.add(logprob);
      }
    }
    return new Event.Delta(content.toString(), reasoning.toString(), kept);
  }

  private Event.Delta separate(Event.Delta delta) {
    if (!enabled || delta.content().isEmpty()) {
      return delta;
    }
    StringBuilder content = new StringBuilder();
    StringBuilder reasoning = new StringBuilder(delta.reasoning());
    held.append(delta.content());
    while (held.length() > 0) {
      String tag = inside ? CLOSE : OPEN;
      StringBuilder target = inside ? reasoning : content;
      int at = held.indexOf(tag);
      if (at >= 0) {
        emit(target, held.substring(0, at));
        held.delete(0, at + tag.length());
        inside = !inside;
        trimNext = true;
        continue;
      }
      int keep = partialTagAtEnd(tag);
      emit(target, held.substring(0, held.length() - keep));
      held.delete(0, held.length() - keep);
      break;
    }
    return new Event.Delta(content.toString(), reasoning.toString());
  }

  /** Releases what was held back at the end of the answer: it never became a tag. */
  public Event.Delta finish() {
    String rest = held.toString();
    held.setLength(0);
    StringBuilder out = new StringBuilder();
    emit(out, rest);
    if (inside) {
      return new Event.Delta("", keepReasoning ? out.toString() : "");
    }
    return new Event.Delta(out.toString(), "");
  }

  /** Filters a whole answer at once, its log probabilities as {@link #apply(Event.Delta)} does. */
  public Answer apply(Answer answer) {
    Event.Delta body = apply(new Event.Delta(answer.content(), answer.reasoning(), answer.logprobs()));
    Event.Delta tail = finish();
    return new Answer(
        body.content() + tail.content(),
        body.reasoning() + tail.reasoning(),
        answer.finishReason(),
        answer.usage(),
        answer.toolCalls(),
        body.logprobs());
  }

  private void emit(StringBuilder target, String text) {
    if (trimNext) {
      text = text.stripLeading();
      if (text.isEmpty()) {
        return;
      }
      trimNext = false;
    }
    target.append(text);
  }

  /** The length of the longest suffix of the held text that is a proper prefix of the tag. */
  private int partialTagAtEnd(String tag) {
    String text = held.toString();
    for (int n = Math.min(tag.length() - 1, text.length()); n > 0; n--) {
      if (text.regionMatches(text.length() - n, tag, 0, n)) {
        return n;
      }
    }
    return 0;
  }
}
