package dev.ollamabridge.bridge.translate;

import java.util.List;

/** One step of an answer, in neither dialect: decoders produce these, encoders consume them. */
public sealed interface Event {

  /**
   * A piece of answer text and/or of reasoning text; either may be empty. {@code logprobs} are those
   * of the content's tokens that came with this piece, empty when the upstream sent none.
   */
  record Delta(String content, String reasoning, List<TokenLogprob> logprobs) implements Event {
    public Delta {
      logprobs = List.copyOf(logprobs);
    }

    /** A piece without log probabilities. */
    public Delta(String content, String reasoning) {
      this(content, reasoning, List.of());
    }

    public boolean isEmpty() {
      return content.isEmpty() && reasoning.isEmpty() && logprobs.isEmpty();
    }
  }

  /** Complete tool calls; OpenAI streams arrive in fragments and are joined before this event. */
  record ToolCalls(List<ToolCall> calls) implements Event {}

  /**
   * The end of a complete answer. {@code finishReason} uses OpenAI's words ({@code stop},
   * {@code length}, {@code tool_calls}, {@code content_filter}).
   */
  record End(String finishReason, Usage usage) implements Event {}
}
