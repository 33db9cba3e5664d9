package dev.ollamabridge.bridge;

import dev.ollamabridge.bridge.translate.Dialect;
import dev.ollamabridge.bridge.translate.Kind;
import io.javalin.http.HandlerType;

/** The API routes a bridge serves to clients; each answers (and fails) in its own dialect. */
enum Route {
  OPENAI_CHAT(HandlerType.POST, "/v1/chat/completions", Dialect.OPENAI, Kind.CHAT),
  OPENAI_COMPLETIONS(HandlerType.POST, "/v1/completions", Dialect.OPENAI, Kind.GENERATE),
  /** OpenAI's Responses API, answered as a chat when the upstream does not serve it itself. */
  OPENAI_RESPONSES(HandlerType.POST, "/v1/responses", Dialect.OPENAI, Kind.CHAT),
  OPENAI_EMBEDDINGS(HandlerType.POST, "/v1/embeddings", Dialect.OPENAI, null),
  OPENAI_MODELS(HandlerType.GET, "/v1/models", Dialect.OPENAI, null),
  /** One model; {@code <model>} takes ids with slashes, such as {@code org/model}. */
  OPENAI_MODEL(HandlerType.GET, "/v1/models/<model>", Dialect.OPENAI, null),
  OLLAMA_CHAT(HandlerType.POST, "/api/chat", Dialect.OLLAMA, Kind.CHAT),
  OLLAMA_GENERATE(HandlerType.POST, "/api/generate", Dialect.OLLAMA, Kind.GENERATE),
  OLLAMA_EMBED(HandlerType.POST, "/api/embed", Dialect.OLLAMA, null),
  /** The older embeddings route, one prompt in, one vector out; still what ollama-js's embeddings() calls. */
  OLLAMA_EMBEDDINGS(HandlerType.POST, "/api/embeddings", Dialect.OLLAMA, null),
  OLLAMA_PULL(HandlerType.POST, "/api/pull", Dialect.OLLAMA, null),
  OLLAMA_PUSH(HandlerType.POST, "/api/push", Dialect.OLLAMA, null),
  OLLAMA_CREATE(HandlerType.POST, "/api/create", Dialect.OLLAMA, null),
  OLLAMA_COPY(HandlerType.POST, "/api/copy", Dialect.OLLAMA, null),
  OLLAMA_DELETE(HandlerType.DELETE, "/api/delete", Dialect.OLLAMA, null),
  OLLAMA_BLOB_CHECK(HandlerType.HEAD, "/api/blobs/{digest}", Dialect.OLLAMA, null),
  OLLAMA_BLOB_PUSH(HandlerType.POST, "/api/blobs/{digest}", Dialect.OLLAMA, null),
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
