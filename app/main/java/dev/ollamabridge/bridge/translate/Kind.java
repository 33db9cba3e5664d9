package dev.ollamabridge.bridge.translate;

/** What a generation request asks for; a cache entry is only ever replayed for the same kind. */
public enum Kind {
  /** A conversation: {@code /api/chat}, {@code /v1/chat/completions}. */
  CHAT,
  /** A single prompt: {@code /api/generate}, {@code /v1/completions}. */
  GENERATE
}
