package dev.ollamabridge.bridge.translate;

/** The two wire formats the bridge speaks on either side. */
public enum Dialect {
  /** Ollama's native API: {@code /api/chat}, NDJSON streams, {@code {"error":"…"}}. */
  OLLAMA,
  /** The OpenAI-compatible API: {@code /v1/chat/completions}, SSE streams, nested errors. */
  OPENAI;

  /**
   * The Ollama API version answered where no Ollama backend can tell its own: a bridge in front of
   * an OpenAI-compatible backend, and nginx in front of a mixed cluster.
   */
  public static final String OLLAMA_API_VERSION = "0.12.0";
}
