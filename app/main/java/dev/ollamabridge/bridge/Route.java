package dev.ollamabridge.bridge;

import dev.ollamabridge.bridge.translate.Dialect;
import dev.ollamabridge.bridge.translate.Kind;

/** The API routes a bridge serves to clients; each answers (and fails) in its own dialect. */
enum Route {
  OPENAI_CHAT("POST", "/v1/chat/completions", Dialect.OPENAI, Kind.CHAT),
  OPENAI_COMPLETIONS("POST", "/v1/completions", Dialect.OPENAI, Kind.GENERATE),
  /** OpenAI's Responses API, answered as a chat when the upstream does not serve it itself. */
  OPENAI_RESPONSES("POST", "/v1/responses", Dialect.OPENAI, Kind.CHAT),
  OPENAI_EMBEDDINGS("POST", "/v1/embeddings", Dialect.OPENAI, null),
  OPENAI_MODELS("GET", "/v1/models", Dialect.OPENAI, null),
  /** One model; {@code <model>} takes ids with slashes, such as {@code org/model}. */
  OPENAI_MODEL("GET", "/v1/models/<model>", Dialect.OPENAI, null),
  OLLAMA_CHAT("POST", "/api/chat", Dialect.OLLAMA, Kind.CHAT),
  OLLAMA_GENERATE("POST", "/api/generate", Dialect.OLLAMA, Kind.GENERATE),
  OLLAMA_EMBED("POST", "/api/embed", Dialect.OLLAMA, null),
  /** The older embeddings route, one prompt in, one vector out; still what ollama-js's embeddings() calls. */
  OLLAMA_EMBEDDINGS("POST", "/api/embeddings", Dialect.OLLAMA, null),
  OLLAMA_PULL("POST", "/api/pull", Dialect.OLLAMA, null),
  OLLAMA_PUSH("POST", "/api/push", Dialect.OLLAMA, null),
  OLLAMA_CREATE("POST", "/api/create", Dialect.OLLAMA, null),
  OLLAMA_COPY("POST", "/api/copy", Dialect.OLLAMA, null),
  OLLAMA_DELETE("DELETE", "/api/delete", Dialect.OLLAMA, null),
  OLLAMA_BLOB_CHECK("HEAD", "/api/blobs/{digest}", Dialect.OLLAMA, null),
  OLLAMA_BLOB_PUSH("POST", "/api/blobs/{digest}", Dialect.OLLAMA, null),
  OLLAMA_TAGS("GET", "/api/tags", Dialect.OLLAMA, null),
  OLLAMA_SHOW("POST", "/api/show", Dialect.OLLAMA, null),
  OLLAMA_VERSION("GET", "/api/version", Dialect.OLLAMA, null),
  OLLAMA_PS("GET", "/api/ps", Dialect.OLLAMA, null);

  final String method;
  final String path;
  final Dialect dialect;
  /** What a generation route generates; null for the other routes. */
  final Kind kind;

  Route(String method, String path, Dialect dialect, Kind kind) {
    this.method = method;
    this.path = path;
    this.dialect = dialect;
    this.kind = kind;
  }

  /**
   * A chat or completion, answered on the event loop ({@link LoopGeneration}); the Responses API,
   * which may pass through to the backend's own route, runs on a thread of its own.
   */
  boolean chatOrCompletion() {
    return kind != null && this != OPENAI_RESPONSES;
  }

  /** The dialect of errors for any path, including ones no route serves. */
  static Dialect dialectOf(String path) {
    return path.startsWith("/api/") ? Dialect.OLLAMA : Dialect.OPENAI;
  }
}
