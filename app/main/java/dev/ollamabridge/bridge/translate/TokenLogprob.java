package dev.ollamabridge.bridge.translate;

import java.util.List;

/**
 * One generated token's log probability and the likeliest tokens at its position, in neither
 * dialect: OpenAI's {@code choices[].logprobs.content[]} entry and Ollama's {@code logprobs[]} entry
 * carry the same fields ({@code token}, {@code logprob}, {@code bytes}, {@code top_logprobs}).
 *
 * @param bytes the token's UTF-8 bytes as the upstream sent them, null when it sent none
 * @param top the alternatives at this position, likeliest first; empty when none were asked for
 */
public record TokenLogprob(String token, double logprob, List<Integer> bytes, List<Alternative> top) {

  /** The most a request may ask for, in either dialect ({@code top_logprobs}); OpenAI's own limit. */
  public static final int MAX_TOP = 20;

  public TokenLogprob {
    bytes = bytes == null ? null : List.copyOf(bytes);
    top = List.copyOf(top);
  }

  /** One likely token at a position. {@code bytes} is null when the upstream sent none. */
  public record Alternative(String token, double logprob, List<Integer> bytes) {
    public Alternative {
      bytes = bytes == null ? null : List.copyOf(bytes);
    }
  }
}
