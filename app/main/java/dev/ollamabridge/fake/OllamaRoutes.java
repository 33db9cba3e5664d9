package dev.ollamabridge.fake;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ollamabridge.fake.FakeAnswers.Answer;
import dev.ollamabridge.fake.FakeAnswers.Reasoning;
import dev.ollamabridge.fake.OllamaBodies.Endpoint;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Ollama's native API under {@code /api/}: streaming is the default, errors are
 * {@code {"error": "…"}}, and the shapes come from {@link OllamaBodies}.
 */
final class OllamaRoutes {

  static final String VERSION = "0.12.0";

  private final FakeBackend backend;
  private final boolean logprobs;
  private final OllamaBodies bodies;

  /** @param logprobs whether log probabilities are answered when asked for, or ignored as some backends do */
  OllamaRoutes(FakeBackend backend, boolean logprobs) {
    this.backend = backend;
    this.logprobs = logprobs;
    this.bodies = new OllamaBodies(backend.json());
  }

  void register(RoutesConfig routes) {
    routes.post("/api/chat", this::chat);
    routes.post("/api/generate", this::generate);
    routes.post("/api/embed", this::embed);
    routes.post("/api/embeddings", this::embeddings);
    routes.get("/api/tags", ctx -> ctx.json(Map.of("models", bodies.listing(backend.models().all(), false))));
    routes.get("/api/ps", ctx -> ctx.json(Map.of("models", bodies.listing(backend.models().all(), true))));
    routes.post("/api/show", this::show);
    routes.get("/api/version", ctx -> ctx.json(Map.of("version", VERSION)));
  }

  /** An error in Ollama's shape. */
  static ApiError error(int status, String message) {
    return new ApiError(status, Map.of("error", message));
  }

  private void chat(Context ctx) {
    long receivedAt = System.nanoTime();
    backend.traffic().received();
    JsonNode request = requestObject(ctx);
    String model = knownModel(request);
    Reasoning reasoning = reasoning(request, model);
    failIfInjected();
    JsonNode messages = request.path("messages");
    if (!messages.isArray() || messages.isEmpty()) {
      // Like real Ollama: a chat without messages only loads the model.
      answerLoaded(ctx, receivedAt, Endpoint.CHAT, model);
      return;
    }
    Answer answer = backend.answers().chat(model, request, reasoning, numPredict(request));
    deliver(ctx, receivedAt, request, Endpoint.CHAT, model, answer, Prompts.promptTokens(messages));
  }

  private void generate(Context ctx) {
    long receivedAt = System.nanoTime();
    backend.traffic().received();
    JsonNode request = requestObject(ctx);
    String model = knownModel(request);
    Reasoning reasoning = reasoning(request, model);
    failIfInjected();
    String prompt = request.path("prompt").asText("");
    if (prompt.isEmpty()) {
      answerLoaded(ctx, receivedAt, Endpoint.GENERATE, model);
      return;
    }
    int promptTokens = Prompts.promptTokens(prompt, request.path("system").asText(""));
    Answer answer = backend.answers().answer(model, prompt, reasoning, numPredict(request));
    deliver(ctx, receivedAt, request, Endpoint.GENERATE, model, answer, promptTokens);
  }

  private static int numPredict(JsonNode request) {
    return FakeBackend.positiveInt(request.path("options").path("num_predict"));
  }

  private void deliver(
      Context ctx, long receivedAt, JsonNode request, Endpoint endpoint, String model, Answer answer, int promptTokens) {
    int top = logprobs ? FakeLogprobs.askedByOllama(request) : -1;
    if (FakeBackend.streamRequested(request, true)) {
      backend.delivery().stream(ctx, receivedAt, answer, bodies.stream(endpoint, model, answer, promptTokens, top));
    } else {
      backend.delivery().whole(ctx, receivedAt, answer,
          timings -> bodies.whole(endpoint, model, answer, timings, promptTokens, top));
    }
  }

  private void answerLoaded(Context ctx, long receivedAt, Endpoint endpoint, String model) {
    Answer nothing = new Answer(List.of(), "load");
    backend.delivery().whole(ctx, receivedAt, nothing,
        timings -> bodies.line(endpoint, model, "", null, true).put("done_reason", "load"));
  }

  private void embed(Context ctx) {
    long receivedAt = System.nanoTime();
    backend.traffic().received();
    JsonNode request = requestObject(ctx);
    String model = knownModel(request);
    failIfInjected();
    List<String> inputs = inputs(request.path("input"));
    List<double[]> vectors = inputs.stream().map(FakeAnswers::embedding).toList();
    int promptTokens = Prompts.promptTokens(inputs.toArray(String[]::new));
    backend.delivery().embedding(ctx, receivedAt,
        timings -> bodies.embeddings(model, vectors, timings, promptTokens));
  }

  /** The older route: one {@code prompt}, one {@code embedding}. */
  private void embeddings(Context ctx) {
    long receivedAt = System.nanoTime();
    backend.traffic().received();
    JsonNode request = requestObject(ctx);
    knownModel(request);
    failIfInjected();
    double[] vector = FakeAnswers.embedding(request.path("prompt").asText(""));
    backend.delivery().embedding(ctx, receivedAt, timings -> bodies.embedding(vector));
  }

  private void show(Context ctx) {
    JsonNode request = requestObject(ctx);
    // Older clients send "name" instead of "model".
    String requested = request.path("model").asText(request.path("name").asText(""));
    if (requested.isEmpty()) {
      throw error(400, "model is required");
    }
    ModelCatalog.Model model = backend.models().find(requested).orElseThrow(() -> notFound(requested));
    ctx.json(bodies.show(model, backend.answers().thinks()));
  }

  private JsonNode requestObject(Context ctx) {
    return backend.requestObject(ctx).orElseThrow(() -> error(400, "invalid JSON in request body"));
  }

  private String knownModel(JsonNode request) {
    String model = request.path("model").asText("");
    if (model.isEmpty()) {
      throw error(400, "model is required");
    }
    backend.models().find(model).orElseThrow(() -> notFound(model));
    return model;
  }

  private static ApiError notFound(String model) {
    return error(404, "model \"" + model + "\" not found, try pulling it first");
  }

  /** {@code think} absent: tags inline, as Ollama sent them before it parsed reasoning; true or a level: a field apart. */
  private Reasoning reasoning(JsonNode request, String model) {
    JsonNode think = request.path("think");
    if (think.isMissingNode() || think.isNull()) {
      return Reasoning.INLINE;
    }
    if (think.isBoolean() && !think.booleanValue()) {
      return Reasoning.NONE;
    }
    if (!backend.answers().thinks()) {
      throw error(400, "\"" + model + "\" does not support thinking");
    }
    return Reasoning.SEPARATE;
  }

  private void failIfInjected() {
    if (backend.faults().nextRequestFails()) {
      throw error(500, "llama runner process has terminated: fake-ollama injected failure (error rate)");
    }
  }

  private static List<String> inputs(JsonNode input) {
    if (input.isTextual()) {
      return List.of(input.textValue());
    }
    List<String> texts = new ArrayList<>();
    for (JsonNode item : input) {
      if (!item.isTextual()) {
        throw error(400, "invalid input type");
      }
      texts.add(item.textValue());
    }
    return texts;
  }
}
