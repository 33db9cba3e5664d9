package dev.ollamabridge.bridge.translate;

/** The two wire formats the bridge speaks on either side. */
public enum Dialect {
  /** Ollama's native API: {@code /api/chat}, NDJSON streams, {@code {"error":"…"}}. */
  OLLAMA,
  /** The OpenAI-compatible API: {@code /v1/chat/completions}, SSE streams, nested errors. */
  OPENAI
}
