package dev.ollamabridge.bridge;

import dev.ollamabridge.bridge.translate.Dialect;
import dev.ollamabridge.bridge.translate.Kind;
import io.javalin.http.HandlerType;

/** The API routes a bridge serves to clients; each answers (and fails) in its own dialect. */
enum Route {
  OPENAI_CHAT(HandlerType.POST, "/v1/chat/completions", Dialect.OPENAI, Kind.CHAT),
  OPENAI_COMPLETIONS(HandlerType.POST, "/v1/completions", Dialect.OPENAI, Kind.GENERATE),
  OPENAI_EMBEDDINGS(HandlerType.POST, "/v1/embeddings", Dialect.OPENAI, null),
  OPENAI_MODELS(HandlerType.GET, "/v1/models", Dialect.OPENAI, null),
  OLLAMA_CHAT(HandlerType.POST, "/api/chat", Dialect.OLLAMA, Kind.CHAT),
  OLLAMA_GENERATE(HandlerType.POST, "/api/generate", Dialect.OLLAMA, Kind.GENERATE),
  OLLAMA_EMBED(HandlerType.POST, "/api/embed", Dialect.OLLAMA, null),
  OLLAMA_TAGS(HandlerType.GET, "/api/tags", Dialect.OLLAMA, null),
  OLLAMA_SHOW(HandlerType.POST, "/api/show", Dialect.OLLAMA, null),
  OLLAMA_VERSION(HandlerType.GET, "/api/version", Dialect.OLLAMA, null),
  OLLAMA_PS(HandlerType.GET, "/api/ps", Dialect.OLLAMA, null);

  final HandlerType method;
  final String path;
  final Dialect dialect;
  /** What a generation route generates; null for the other routes. */
  final Kind kind;

  Route(HandlerType method, String path, Dialect dialect, Kind kind) {
    this.method = method;
    this.path = path;
    this.dialect = dialect;
    this.kind = kind;
  }

  /** The dialect of errors for any path, including ones no route serves. */
  static Dialect dialectOf(String path) {
    return path.startsWith("/api/") ? Dialect.OLLAMA : Dialect.OPENAI;
  }
}
