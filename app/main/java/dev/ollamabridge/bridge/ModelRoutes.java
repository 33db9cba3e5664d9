package dev.ollamabridge.bridge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ollamabridge.bridge.ModelAliases.ModelName;
import dev.ollamabridge.bridge.translate.Dialect;
import dev.ollamabridge.bridge.translate.Json;
import dev.ollamabridge.bridge.translate.PromptParser;
import java.io.IOException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import okhttp3.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The routes around generation: embeddings, model lists, model details, version and running
 * models. Passed through when the upstream speaks the client's dialect, translated when not;
 * either way a model alias is the backend's model on the way in and the alias again on the way
 * out, and model lists show each alias of a model they list. Embeddings take a generation slot.
 */
final class ModelRoutes {

  private static final Logger log = LoggerFactory.getLogger(ModelRoutes.class);
  private static final String MODEL_PATH = "/v1/models/";

  private final BridgeConfig config;
  private final Upstream upstream;
  private final ModelAliases aliases;
  private final Admission admission;

  ModelRoutes(BridgeConfig config, Upstream upstream, ModelAliases aliases, Admission admission) {
    this.config = config;
    this.upstream = upstream;
    this.aliases = aliases;
    this.admission = admission;
  }

  /**
   * OpenAI's embeddings. Translated, each vector is written as {@code encoding_format} asks: float
   * arrays, or {@code base64} of little-endian float32 (what OpenAI's SDKs ask for by default).
   */
  void openAiEmbeddings(Exchange exchange) {
    ObjectNode body = RequestBodies.jsonObject(exchange, config.maxBodyBytes());
    PromptParser.requireModel(body);
    ModelName model = aliases.resolve(body, "model");
    ClientAccess.model(exchange.notes(), model);
    if (config.upstreamDialect() == Dialect.OPENAI) {
      relayAdmitted(exchange, () -> post(exchange, "/embeddings", body),
          counting(exchange, model, "usage", "prompt_tokens"));
      return;
    }
    boolean base64 = EmbeddingEncoding.base64(body.get("encoding_format"));
    ObjectNode request = Json.object().put("model", model.backend());
    request.set("input", body.path("input"));
    if (body.has("dimensions")) {
      request.set("dimensions", body.get("dimensions"));
    }
    JsonNode answer = admitted(exchange, () -> post(exchange, "/api/embed", request));
    ObjectNode out = Json.object().put("object", "list");
    ArrayNode data = out.putArray("data");
    int index = 0;
    for (JsonNode vector : answer.path("embeddings")) {
      ObjectNode item = data.addObject().put("object", "embedding").put("index", index++);
      if (base64) {
        item.put("embedding", EmbeddingEncoding.toBase64(vector));
      } else {
        item.set("embedding", vector);
      }
    }
    out.put("model", model.client());
    if (answer.has("prompt_eval_count")) { // usage the backend did not count is left out, not made up
      long tokens = answer.path("prompt_eval_count").asLong();
      exchange.notes().tokens(tokens, 0);
      out.putObject("usage").put("prompt_tokens", tokens).put("total_tokens", tokens);
    }
    json(exchange, out);
  }

  /** Ollama's older embeddings route: one {@code prompt} in, one {@code embedding} out. */
  void ollamaEmbeddings(Exchange exchange) {
    ObjectNode body = RequestBodies.jsonObject(exchange, config.maxBodyBytes());
    PromptParser.requireModel(body);
    ModelName model = aliases.resolve(body, "model");
    ClientAccess.model(exchange.notes(), model);
    if (config.upstreamDialect() == Dialect.OLLAMA) {
      relayAdmitted(exchange, () -> post(exchange, "/api/embeddings", body), model.restoring("model"));
      return;
    }
    ObjectNode request = Json.object().put("model", model.backend()).put("input", body.path("prompt").asText(""))
        .put("encoding_format", "float");
    JsonNode answer = admitted(exchange, () -> post(exchange, "/embeddings", request));
    countTokens(exchange, answer.path("usage").path("prompt_tokens"));
    ObjectNode out = Json.object();
    out.set("embedding", answer.path("data").path(0).path("embedding"));
    json(exchange, out);
  }

  void ollamaEmbed(Exchange exchange) {
    ObjectNode body = RequestBodies.jsonObject(exchange, config.maxBodyBytes());
    PromptParser.requireModel(body);
    ModelName model = aliases.resolve(body, "model");
    ClientAccess.model(exchange.notes(), model);
    if (config.upstreamDialect() == Dialect.OLLAMA) {
      relayAdmitted(exchange, () -> post(exchange, "/api/embed", body), counting(exchange, model, "prompt_eval_count"));
      return;
    }
    ObjectNode request = Json.object().put("model", model.backend()).put("encoding_format", "float");
    request.set("input", body.path("input"));
    if (body.has("dimensions")) {
      request.set("dimensions", body.get("dimensions"));
    }
    long started = System.nanoTime();
    JsonNode answer = admitted(exchange, () -> post(exchange, "/embeddings", request));
    countTokens(exchange, answer.path("usage").path("prompt_tokens"));
    ObjectNode out = Json.object().put("model", model.client());
    ArrayNode embeddings = out.putArray("embeddings");
    answer.path("data").forEach(item -> embeddings.add(item.path("embedding")));
    // the fields Ollama always sends, which its clients rely on: zero where the backend cannot tell
    out.put("total_duration", System.nanoTime() - started).put("load_duration", 0)
        .put("prompt_eval_count", answer.path("usage").path("prompt_tokens").asLong(0));
    json(exchange, out);
  }

  void openAiModels(Exchange exchange) {
    if (config.upstreamDialect() == Dialect.OPENAI) {
      relay(exchange, get(exchange, "/models"), aliases.listing("data", "id"));
      return;
    }
    JsonNode tags = call(exchange, get(exchange, "/api/tags"));
    ObjectNode out = Json.object().put("object", "list");
    ArrayNode data = out.putArray("data");
    for (JsonNode model : tags.path("models")) {
      data.addObject()
          .put("id", model.path("name").asText())
          .put("object", "model")
          .put("created", createdSeconds(model.path("modified_at").asText()))
          .put("owned_by", "library");
    }
    aliases.addTo(data, "id");
    json(exchange, out);
  }

  /** {@code GET /v1/models/{model}}: one model, or OpenAI's 404 when the backend has no such model. */
  void openAiModel(Exchange exchange) {
    String id = modelId(exchange.path());
    ModelName asked = aliases.resolve(id);
    if (config.upstreamDialect() == Dialect.OPENAI) {
      relay(exchange, get(exchange, "/models/" + pathSegments(asked.backend())), asked.restoring("id"));
      return;
    }
    String backend = asked.backend();
    for (JsonNode model : call(exchange, get(exchange, "/api/tags")).path("models")) {
      String name = model.path("name").asText();
      if (name.equals(backend) || name.equals(backend + ":latest")) {
        json(exchange, Json.object().put("id", id).put("object", "model")
            .put("created", createdSeconds(model.path("modified_at").asText())).put("owned_by", "library"));
        return;
      }
    }
    throw new ApiException(404, "The model '" + id + "' does not exist", "model", "model_not_found");
  }

  void ollamaTags(Exchange exchange) {
    if (config.upstreamDialect() == Dialect.OLLAMA) {
      relay(exchange, get(exchange, "/api/tags"), aliases.listing("models", "name", "model"));
      return;
    }
    ObjectNode out = Json.object();
    ArrayNode models = out.putArray("models");
    for (JsonNode model : openAiModelList(exchange)) {
      ObjectNode tag = models.addObject();
      String id = model.path("id").asText();
      tag.put("name", id).put("model", id)
          .put("modified_at", Instant.ofEpochSecond(model.path("created").asLong(0)).toString())
          .put("size", 0).put("digest", "");
      tag.putObject("details").put("format", "").put("family", "").put("parameter_size", "").put("quantization_level", "");
    }
    aliases.addTo(models, "name", "model");
    json(exchange, out);
  }

  void ollamaShow(Exchange exchange) {
    ObjectNode body = RequestBodies.jsonObject(exchange, config.maxBodyBytes());
    // Ollama clients name the model in "model"; older ones in "name". The answer does not name it.
    aliases.resolve(body, "model");
    aliases.resolve(body, "name");
    if (config.upstreamDialect() == Dialect.OLLAMA) {
      relay(exchange, post(exchange, "/api/show", body), null);
      return;
    }
    String name = body.path("model").asText(body.path("name").asText(""));
    if (name.isBlank()) {
      throw ApiException.badRequest("model", "model is required: name the model to show");
    }
    for (JsonNode model : openAiModelList(exchange)) {
      if (name.equals(model.path("id").asText())) {
        ObjectNode out = Json.object().put("modelfile", "").put("parameters", "").put("template", "");
        out.putObject("details").put("format", "").put("family", "").put("parameter_size", "").put("quantization_level", "");
        out.putObject("model_info");
        out.putArray("capabilities").add("completion");
        json(exchange, out);
        return;
      }
    }
    throw new ApiException(404, "model '" + name + "' not found", "model", "model_not_found");
  }

  void ollamaVersion(Exchange exchange) {
    if (config.upstreamDialect() == Dialect.OLLAMA) {
      relay(exchange, get(exchange, "/api/version"), null);
      return;
    }
    json(exchange, Json.object().put("version", Dialect.OLLAMA_API_VERSION));
  }

  void ollamaPs(Exchange exchange) {
    if (config.upstreamDialect() == Dialect.OLLAMA) {
      relay(exchange, get(exchange, "/api/ps"), aliases.listing("models", "name", "model"));
      return;
    }
    ObjectNode out = Json.object();
    out.putArray("models"); // an OpenAI-compatible API does not say what it has loaded
    json(exchange, out);
  }

  /**
   * A passed-through embedding's rewrite: notes the prompt tokens the backend counted (at
   * {@code usagePath}), and names the client's model again under an alias.
   */
  private static UnaryOperator<ObjectNode> counting(Exchange exchange, ModelName model, String... usagePath) {
    return answer -> {
      JsonNode tokens = answer;
      for (String field : usagePath) {
        tokens = tokens.path(field);
      }
      countTokens(exchange, tokens);
      return model.restore(answer, "model");
    };
  }

  /** Notes an embedding's prompt tokens; a count the backend did not send is left unknown, not made 0. */
  private static void countTokens(Exchange exchange, JsonNode promptTokens) {
    if (promptTokens.isIntegralNumber()) {
      exchange.notes().tokens(promptTokens.asLong(), 0);
    }
  }

  /**
   * The model id of a {@code /v1/models/{model}} path, percent-decoded as Javalin decodes a path
   * parameter: only when it holds a {@code %} or {@code +}, and a {@code +} stays a {@code +}.
   */
  private static String modelId(String path) {
    String raw = path.substring(MODEL_PATH.length());
    if (raw.indexOf('%') < 0 && raw.indexOf('+') < 0) {
      return raw;
    }
    try {
      return URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest("model", "the model id in the path is not valid percent-encoding");
    }
  }

  /** A model id such as {@code library/llama3:8b} as URL path segments, each percent-encoded. */
  private static String pathSegments(String id) {
    return Arrays.stream(id.split("/", -1))
        .map(segment -> URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20"))
        .collect(Collectors.joining("/"));
  }

  private JsonNode openAiModelList(Exchange exchange) {
    return call(exchange, get(exchange, "/models")).path("data");
  }

  /** A GET to the upstream, with the client's Authorization as it may go there. */
  private Upstream.Exchange get(Exchange exchange, String path) {
    return upstream.get(path, ClientAccess.upstreamAuthorization(exchange));
  }

  /** A POST of a JSON body to the upstream, with the client's Authorization as it may go there. */
  private Upstream.Exchange post(Exchange exchange, String path, JsonNode body) {
    return upstream.post(path, Json.bytes(body), ClientAccess.upstreamAuthorization(exchange));
  }

  /** The upstream's JSON answer, or its error as this route's error. */
  private static JsonNode call(Exchange exchange, Upstream.Exchange upstreamExchange) {
    try (upstreamExchange) {
      Response response = upstreamExchange.response();
      if (!response.isSuccessful()) {
        throw ErrorBodies.fromUpstream(response);
      }
      return Json.MAPPER.readTree(response.body().byteStream());
    } catch (IOException e) {
      log.warn("the upstream sent an unreadable answer to {}: {}", exchange.path(), e.toString());
      throw new ApiException(502, "the upstream sent an unreadable answer", null, "upstream_error");
    }
  }

  /** The upstream's JSON answer to an embedding, fetched in one of the {@code --max-concurrent} slots. */
  private JsonNode admitted(Exchange exchange, Supplier<Upstream.Exchange> call) {
    try (Admission.Slot slot = admission.enter(exchange.hangups())) {
      return call(exchange, call.get());
    }
  }

  /** {@link #relay} of an embedding, in one of the {@code --max-concurrent} slots. */
  private void relayAdmitted(Exchange exchange, Supplier<Upstream.Exchange> call, UnaryOperator<ObjectNode> rewrite) {
    try (Admission.Slot slot = admission.enter(exchange.hangups())) {
      relay(exchange, call.get(), rewrite);
    }
  }

  /**
   * Same dialect: status, type and body go to the client as they came, but for {@code rewrite}
   * (null for none), which a successful JSON answer passes through.
   */
  private static void relay(Exchange exchange, Upstream.Exchange upstreamExchange, UnaryOperator<ObjectNode> rewrite) {
    try (upstreamExchange) {
      Relay.rewritten(exchange, upstreamExchange.response(), rewrite);
    } catch (IOException e) {
      log.warn("the upstream broke off its answer to {}: {}", exchange.path(), e.toString());
      throw new ApiException(502, "the upstream broke off its answer", null, "upstream_error");
    }
  }

  private static void json(Exchange exchange, JsonNode node) {
    byte[] body = Json.bytes(node);
    exchange.notes().responseBytes(body);
    exchange.answer(200, "application/json", body);
  }

  private static long createdSeconds(String modifiedAt) {
    try {
      return java.time.OffsetDateTime.parse(modifiedAt).toEpochSecond();
    } catch (RuntimeException e) {
      return 0;
    }
  }
}
