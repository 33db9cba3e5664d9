package dev.ollamabridge.fake;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ollamabridge.fake.FakeAnswers.Answer;
import dev.ollamabridge.fake.FakeAnswers.Reasoning;
import dev.ollamabridge.fake.OpenAiBodies.Completion;
import dev.ollamabridge.fake.OpenAiBodies.Kind;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The OpenAI API under {@code /v1/}: streaming only when asked, SSE streams ending in
 * {@code [DONE]}, and {@code {"error": {"message", "type", "param", "code"}}} bodies.
 */
final class OpenAiRoutes {

  /** OpenAI-compatible servers without a reasoning parser pass R1's {@code <think>} tags through as content. */
  private static final Reasoning REASONING = Reasoning.INLINE;

  private final FakeBackend backend;
  private final boolean strictTools;
  private final boolean logprobs;
  private final OpenAiBodies bodies;
  private final AtomicLong completions = new AtomicLong();

  /**
   * @param strictTools whether chat messages must pair tool results with tool calls, as OpenAI demands
   * @param logprobs whether log probabilities are answered when asked for, or ignored as some backends do
   */
  OpenAiRoutes(FakeBackend backend, boolean strictTools, boolean logprobs) {
    this.backend = backend;
    this.strictTools = strictTools;
    this.logprobs = logprobs;
    this.bodies = new OpenAiBodies(backend.json());
  }

  void register(RoutesConfig routes) {
    routes.post("/v1/chat/completions", this::chatCompletions);
    routes.post("/v1/completions", this::completions);
    routes.post("/v1/embeddings", this::embeddings);
    routes.get("/v1/models", ctx -> ctx.json(bodies.modelList(backend.models().all())));
    // <id> rather than {id}: model ids may contain slashes, as in "org/model".
    routes.get("/v1/models/<id>", ctx -> {
      String id = ctx.pathParam("id");
      ctx.json(bodies.model(backend.models().find(id).orElseThrow(() -> modelNotFound(id))));
    });
  }

  /** An error in OpenAI's shape; {@code param} and {@code code} may be null. */
  static ApiError error(int status, String message, String type, String param, String code) {
    Map<String, Object> error = new LinkedHashMap<>();
    error.put("message", message);
    error.put("type", type);
    error.put("param", param);
    error.put("code", code);
    return new ApiError(status, Map.of("error", error));
  }

  static ApiError unauthorized(String authorization) {
    String message = authorization == null
        ? "You didn't provide an API key. You need to provide your API key in an Authorization header"
            + " using Bearer auth (i.e. Authorization: Bearer YOUR_KEY)."
        : "Incorrect API key provided.";
    return error(401, message, "invalid_request_error", null, "invalid_api_key");
  }

  static ApiError unavailable() {
    return error(503, "The server is overloaded or not ready yet. (fake-ollama is down)", "server_error", null, null);
  }

  private void chatCompletions(Context ctx) {
    long receivedAt = System.nanoTime();
    backend.traffic().received();
    JsonNode request = requestObject(ctx);
    String model = knownModel(request);
    JsonNode messages = request.path("messages");
    if (!messages.isArray()) {
      throw missing("messages");
    }
    if (messages.isEmpty()) {
      throw error(400, "[] is too short - 'messages'", "invalid_request_error", "messages", null);
    }
    if (strictTools) {
      StrictToolMessages.check(messages);
    }
    failIfInjected();
    Answer answer = backend.answers().chat(model, request, REASONING, maxTokens(request));
    deliver(ctx, receivedAt, request, Kind.CHAT, model, answer, Prompts.promptTokens(messages));
  }

  private void completions(Context ctx) {
    long receivedAt = System.nanoTime();
    backend.traffic().received();
    JsonNode request = requestObject(ctx);
    String model = knownModel(request);
    JsonNode prompt = request.path("prompt");
    if (prompt.isMissingNode() || prompt.isNull()) {
      throw missing("prompt");
    }
    failIfInjected();
    String text = Prompts.text(prompt);
    Answer answer = backend.answers().answer(model, text, REASONING, maxTokens(request));
    deliver(ctx, receivedAt, request, Kind.TEXT, model, answer, Prompts.promptTokens(text));
  }

  /** max_completion_tokens replaced max_tokens for chat; clients send one or the other. */
  private static int maxTokens(JsonNode request) {
    int maxTokens = FakeBackend.positiveInt(request.path("max_completion_tokens"));
    return maxTokens > 0 ? maxTokens : FakeBackend.positiveInt(request.path("max_tokens"));
  }

  private void deliver(
      Context ctx, long receivedAt, JsonNode request, Kind kind, String model, Answer answer, int promptTokens) {
    String id = (kind == Kind.CHAT ? "chatcmpl-fake" : "cmpl-fake") + completions.incrementAndGet();
    long created = System.currentTimeMillis() / 1000;
    int top = !logprobs ? -1
        : kind == Kind.CHAT ? FakeLogprobs.askedByOpenAiChat(request) : FakeLogprobs.askedByOpenAiCompletion(request);
    Completion completion = new Completion(kind, id, created, model, answer, promptTokens, top);
    if (FakeBackend.streamRequested(request, false)) {
      boolean includeUsage = request.path("stream_options").path("include_usage").asBoolean(false);
      backend.delivery().stream(ctx, receivedAt, answer, bodies.stream(completion, includeUsage));
    } else {
      backend.delivery().whole(ctx, receivedAt, answer, timings -> bodies.whole(completion));
    }
  }

  private void embeddings(Context ctx) {
    long receivedAt = System.nanoTime();
    backend.traffic().received();
    JsonNode request = requestObject(ctx);
    String model = knownModel(request);
    JsonNode input = request.path("input");
    if (input.isMissingNode() || input.isNull()) {
      throw missing("input");
    }
    failIfInjected();
    List<String> texts = inputs(input);
    List<double[]> vectors = texts.stream().map(FakeAnswers::embedding).toList();
    int promptTokens = Prompts.promptTokens(texts.toArray(String[]::new));
    boolean base64 = request.path("encoding_format").asText("float").equals("base64");
    backend.delivery().embedding(ctx, receivedAt, timings -> bodies.embeddings(model, vectors, promptTokens, base64));
  }

  /** One text per input: a string, each string of a list, or each token array as its JSON. */
  private static List<String> inputs(JsonNode input) {
    if (input.isTextual() || !input.isArray()) {
      return List.of(input.isTextual() ? input.textValue() : input.toString());
    }
    if (!input.isEmpty() && input.get(0).isNumber()) {
      return List.of(input.toString());
    }
    List<String> texts = new ArrayList<>();
    input.forEach(item -> texts.add(item.isTextual() ? item.textValue() : item.toString()));
    return texts;
  }

  private JsonNode requestObject(Context ctx) {
    return backend.requestObject(ctx).orElseThrow(() -> error(400,
        "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your"
            + " HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not"
            + " valid JSON.)",
        "invalid_request_error", null, null));
  }

  private String knownModel(JsonNode request) {
    String model = request.path("model").asText("");
    if (model.isEmpty()) {
      throw error(400, "you must provide a model parameter", "invalid_request_error", null, null);
    }
    backend.models().find(model).orElseThrow(() -> modelNotFound(model));
    return model;
  }

  private static ApiError modelNotFound(String model) {
    return error(404, "The model `" + model + "` does not exist", "invalid_request_error", "model", "model_not_found");
  }

  private static ApiError missing(String parameter) {
    return error(400, "Missing required parameter: '" + parameter + "'.", "invalid_request_error", parameter,
        "missing_required_parameter");
  }

  private void failIfInjected() {
    if (backend.faults().nextRequestFails()) {
      throw error(500, "The server had an error while processing your request. Sorry about that!"
          + " (fake-ollama injected failure)", "server_error", null, null);
    }
  }
}
