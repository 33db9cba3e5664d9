package dev.ollamabridge.bridge.translate;

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

  /** Filters the next delta; reasoning the upstream already separated passes through. */
  public Event.Delta apply(Event.Delta delta) {
    Event.Delta filtered = separate(delta);
    return keepReasoning || filtered.reasoning().isEmpty() ? filtered : new Event.Delta(filtered.content(), "");
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

  /** Filters a whole answer at once. */
  public Answer apply(Answer answer) {
    Event.Delta body = apply(new Event.Delta(answer.content(), answer.reasoning()));
    Event.Delta tail = finish();
    return new Answer(
        body.content() + tail.content(),
        body.reasoning() + tail.reasoning(),
        answer.finishReason(),
        answer.usage(),
        answer.toolCalls());
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
