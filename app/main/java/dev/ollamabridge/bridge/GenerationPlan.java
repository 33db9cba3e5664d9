package dev.ollamabridge.bridge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ollamabridge.bridge.ModelAliases.ModelName;
import dev.ollamabridge.bridge.cache.CacheKey;
import dev.ollamabridge.bridge.translate.Answer;
import dev.ollamabridge.bridge.translate.ClientEncoder;
import dev.ollamabridge.bridge.translate.Dialect;
import dev.ollamabridge.bridge.translate.Json;
import dev.ollamabridge.bridge.translate.Kind;
import dev.ollamabridge.bridge.translate.Prompt;
import dev.ollamabridge.bridge.translate.PromptParser;
import dev.ollamabridge.bridge.translate.ResponsesRequest;
import dev.ollamabridge.bridge.translate.SameDialect;
import dev.ollamabridge.bridge.translate.ThinkFilter;
import dev.ollamabridge.bridge.translate.UpstreamRequest;
import java.util.Set;

/**
 * What one chat or completion request asks of the bridge, worked out from its body alone: no I/O
 * and nothing that blocks, so that a driver on the route's own thread ({@link GenerationHandler})
 * and one on an event loop share it. The driver looks in the cache, inlines remote images when it
 * must, takes a slot, calls the upstream and writes the answer. A plan serves one request: its
 * {@link SameDialect} rewrite keeps the state of that request's stream.
 *
 * @param body the request in the prompt's dialect, naming the backend's model
 * @param clientBytes the client's own encoding of {@code body}, when it is that exactly; null otherwise
 * @param sameDialect the rewrite of the backend's own documents for a client of the upstream's
 *     dialect; null when the client gets the answer re-encoded (another dialect, or another API such
 *     as the Responses API)
 * @param cacheKey the answer's key in the cache; null when there is no cache or the answer is not
 *     one it keeps (several choices)
 * @param wantsReasoning whether the client wants the model's reasoning (Ollama's {@code "think": false} does not)
 */
record GenerationPlan(Route route, Prompt prompt, ObjectNode body, byte[] clientBytes, ClientEncoder encoder,
    Dialect upstreamDialect, boolean filterThinking, SameDialect sameDialect, String cacheKey, boolean wantsReasoning) {

  /** The request to send upstream: a path under the API root and its body. */
  record UpstreamCall(String path, byte[] body) {}

  /**
   * The plan of a chat or completion request of either dialect; notes its model in {@code notes}.
   *
   * @throws ApiException 400 for a body that is no request the route serves, 403 for a model the
   *     request's key may not use
   */
  static GenerationPlan of(Route route, byte[] bytes, RequestNotes notes, BridgeConfig config, ModelAliases aliases) {
    ObjectNode body = RequestBodies.jsonObject(bytes);
    ModelName model = aliases.resolve(body, "model");
    ClientAccess.model(notes, model);
    Prompt prompt = PromptParser.parse(route.dialect, route.kind, body);
    return of(route, prompt, body, model.aliased() ? null : bytes, ClientEncoder.of(prompt, model.client()), model, true,
        notes, config);
  }

  /**
   * The plan of a Responses API request, answered as the chat it asks for and written back as a response.
   *
   * @param request the request, already naming the backend's {@code model}
   */
  static GenerationPlan responses(ObjectNode request, ModelName model, RequestNotes notes, BridgeConfig config) {
    ObjectNode chat = ResponsesRequest.toChat(request);
    Prompt prompt = PromptParser.parse(Dialect.OPENAI, Kind.CHAT, chat);
    return of(Route.OPENAI_RESPONSES, prompt, chat, null, ClientEncoder.responses(request, model.client()), model, false,
        notes, config);
  }

  /**
   * @param prompt the request, naming the backend's model, so that the cache key is the same
   *     whatever name the client used
   * @param ownDocuments whether the client reads the upstream's documents when the dialects match
   */
  private static GenerationPlan of(Route route, Prompt prompt, ObjectNode body, byte[] clientBytes,
      ClientEncoder encoder, ModelName model, boolean ownDocuments, RequestNotes notes, BridgeConfig config) {
    Dialect upstream = config.upstreamDialect();
    UpstreamRequest.checkTranslatable(prompt, body, upstream);
    notes.stream(prompt.stream());
    boolean wantsReasoning = wantsReasoning(prompt);
    SameDialect sameDialect = ownDocuments && prompt.dialect() == upstream
        ? new SameDialect(prompt.dialect(), config.thinkFilter(), wantsReasoning, prompt.includeUsage(),
            model.aliased() ? model.client() : null)
        : null;
    String cacheKey = config.cacheEnabled() && replayable(body) ? CacheKey.of(prompt) : null;
    return new GenerationPlan(route, prompt, body, clientBytes, encoder, upstream, config.thinkFilter(), sameDialect,
        cacheKey, wantsReasoning);
  }

  /** Ollama's {@code "think": false} asks for no reasoning; an OpenAI-compatible backend cannot be told, so it is dropped. */
  private static boolean wantsReasoning(Prompt prompt) {
    JsonNode think = prompt.extra().get("think");
    return think == null || !think.isBoolean() || think.asBoolean();
  }

  /**
   * The cache keeps one choice's text (and its log probabilities): an answer of several choices is
   * neither looked up nor kept.
   */
  private static boolean replayable(ObjectNode body) {
    return body.path("n").asInt(1) <= 1;
  }

  /** Only an answer that ended normally is worth replaying. */
  private static final Set<String> CACHEABLE_ENDINGS = Set.of("stop", "length");

  /**
   * Whether a complete answer is kept in the cache: one that ended normally, without tool calls (the
   * client acts on those, and their ids must be fresh).
   */
  static boolean cacheable(Answer answer) {
    return CACHEABLE_ENDINGS.contains(answer.finishReason()) && answer.toolCalls().isEmpty();
  }

  /** A new think filter for the answer re-encoded for the client. */
  ThinkFilter thinkFilter() {
    return new ThinkFilter(filterThinking, wantsReasoning);
  }

  /**
   * Whether the prompt's remote images must be fetched and inlined ({@link RemoteImages#inline}, which
   * blocks) before {@link #upstreamCall()}: an Ollama backend takes images inline only. After the
   * cache: a hit fetches nothing.
   */
  boolean inlinesImages() {
    return prompt.dialect() == Dialect.OPENAI && upstreamDialect == Dialect.OLLAMA;
  }

  /**
   * The request for the upstream, once any images are inlined. A request that goes upstream
   * unchanged goes as the client encoded it, not encoded again.
   */
  UpstreamCall upstreamCall() {
    UpstreamRequest request = UpstreamRequest.of(prompt, body, upstreamDialect);
    byte[] bytes = request.body() == body && clientBytes != null ? clientBytes : Json.bytes(request.body());
    return new UpstreamCall(request.path(), bytes);
  }
}
