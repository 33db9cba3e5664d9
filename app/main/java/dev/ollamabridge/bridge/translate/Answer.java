package dev.ollamabridge.bridge.translate;

import java.util.ArrayList;
import java.util.List;

/**
 * A complete answer in neither dialect: what the cache stores and replays. {@code content} is the
 * text as the upstream produced it, before the think filter, so a replay can be filtered (or not)
 * by whichever bridge serves it. {@code logprobs} are the content tokens' log probabilities, in
 * order, empty when the upstream sent none.
 */
public record Answer(String content, String reasoning, String finishReason, Usage usage, List<ToolCall> toolCalls,
    List<TokenLogprob> logprobs) {

  public Answer {
    toolCalls = List.copyOf(toolCalls);
    logprobs = List.copyOf(logprobs);
  }

  /** An answer without log probabilities. */
  public Answer(String content, String reasoning, String finishReason, Usage usage, List<ToolCall> toolCalls) {
    this(content, reasoning, finishReason, usage, toolCalls, List.of());
  }

  /** An answer of text only. */
  public Answer(String content, String reasoning, String finishReason, Usage usage) {
    this(content, reasoning, finishReason, usage, List.of());
  }

  /** Collects the events of a stream into the answer they add up to. */
  public static final class Builder {
    private final StringBuilder content = new StringBuilder();
    private final StringBuilder reasoning = new StringBuilder();
    private final List<ToolCall> toolCalls = new ArrayList<>();
    private final List<TokenLogprob> logprobs = new ArrayList<>();
    private Event.End end;

    public void add(Event event) {
      if (event instanceof Event.Delta delta) {
        content.append(delta.content());
        reasoning.append(delta.reasoning());
        logprobs.addAll(delta.logprobs());
      } else if (event instanceof Event.ToolCalls calls) {
        toolCalls.addAll(calls.calls());
      } else {
        end = (Event.End) event;
      }
    }

    /** Whether the upstream said the answer was complete. */
    public boolean isComplete() {
      return end != null;
    }

    public Answer build() {
      Event.End last = end != null ? end : new Event.End(null, Usage.NONE);
      return new Answer(content.toString(), reasoning.toString(), last.finishReason(), last.usage(), toolCalls,
          logprobs);
    }
  }
}
