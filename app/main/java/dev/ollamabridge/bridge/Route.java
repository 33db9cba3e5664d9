package dev.ollamabridge.bridge;

import dev.ollamabridge.bridge.translate.Dialect;
import dev.ollamabridge.bridge.translate.Kind;

/** The API routes a bridge serves to clients; each answers (and fails) in its own dialect. */
enum Route {
  OPENAI_CHAT("/v1/chat/completions", Dialect.OPENAI, Kind.CHAT),
  OPENAI_COMPLETIONS("/v1/completions", Dialect.OPENAI, Kind.GENERATE),
  OPENAI_EMBEDDINGS("/v1/embeddings", Dialect.OPENAI, null),
  OPENAI_MODELS("/v1/models", Dialect.OPENAI, null),
  OLLAMA_CHAT("/api/chat", Dialect.OLLAMA, Kind.CHAT),
  OLLAMA_GENERATE("/api/generate", Dialect.OLLAMA, Kind.GENERATE),
  OLLAMA_EMBED("/api/embed", Dialect.OLLAMA, null),
  OLLAMA_TAGS("/api/tags", Dialect.OLLAMA, null),
  OLLAMA_SHOW("/api/show", Dialect.OLLAMA, null),
  OLLAMA_VERSION("/api/version", Dialect.OLLAMA, null),
  OLLAMA_PS("/api/ps", Dialect.OLLAMA, null);

  final String path;
  final Dialect dialect;
  /** What a generation route generates; null for the other routes. */
  final Kind kind;

  Route(String path, Dialect dialect, Kind kind) {
    this.path = path;
    this.dialect = dialect;
    this.kind = kind;
  }

  /** The dialect of errors for any path, including ones no route serves. */
  static Dialect dialectOf(String path) {
    return path.startsWith("/api/") ? Dialect.OLLAMA : Dialect.OPENAI;
  }
}
