package dev.ollamabridge.bridge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ollamabridge.bridge.ModelAliases.ModelName;
import dev.ollamabridge.bridge.translate.Dialect;
import dev.ollamabridge.bridge.translate.Json;
import java.io.IOException;
import okhttp3.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /v1/responses}, OpenAI's Responses API. An OpenAI-compatible upstream that serves it
 * gets the request as it is and its answer goes back as it came (no cache, no think filter: the
 * backend's reasoning items are its own). Every other upstream, and one that answers the route
 * with 404, 405 or 501, gets the chat the request asks for ({@link GenerationHandler#responses}),
 * and the answer is written back as a response, streamed as its events.
 *
 * <p>Passed through under a model alias, a whole response names the client's model again; a
 * streamed one goes as it came, naming the backend's: renaming it would mean parsing and
 * re-framing every event of a stream this route otherwise only copies.
 */
final class ResponsesRoute {

  private static final Logger log = LoggerFactory.getLogger(ResponsesRoute.class);

  private final BridgeConfig config;
  private final Upstream upstream;
  private final GenerationHandler generation;
  private final ModelAliases aliases;
  private final Admission admission;
  /** Set once an OpenAI-compatible upstream has shown that it does not serve the route. */
  private volatile boolean upstreamLacksRoute;

  ResponsesRoute(BridgeConfig config, Upstream upstream, GenerationHandler generation, ModelAliases aliases,
      Admission admission) {
    this.config = config;
    this.upstream = upstream;
    this.generation = generation;
    this.aliases = aliases;
    this.admission = admission;
  }

  void handle(Exchange exchange) throws IOException {
    ObjectNode request = RequestBodies.jsonObject(exchange, config.maxBodyBytes());
    ModelName model = aliases.resolve(request, "model");
    ClientAccess.model(exchange.notes(), model);
    if (config.upstreamDialect() == Dialect.OPENAI && !upstreamLacksRoute && passedThrough(exchange, request, model)) {
      return;
    }
    generation.responses(exchange, request, model);
  }

  /** Sends the request to the upstream's own route; false when the upstream has no such route. */
  private boolean passedThrough(Exchange exchange, ObjectNode request, ModelName model) throws IOException {
    String authorization = ClientAccess.upstreamAuthorization(exchange);
    try (Admission.Slot slot = admission.enter(exchange.hangups());
        Upstream.Exchange answer = upstream.post("/responses", Json.bytes(request), authorization)) {
      Response response = answer.response();
      if (lacksRoute(response)) {
        upstreamLacksRoute = true;
        log.info("the upstream does not serve /responses (HTTP {}); Responses API requests are translated to chat", response.code());
        return false;
      }
      if (!response.isSuccessful()) {
        throw ErrorBodies.fromUpstream(response);
      }
      if (Relay.isJson(response)) {
        Relay.rewritten(exchange, response, document -> {
          JsonNode usage = document.path("usage");
          if (usage.has("input_tokens") || usage.has("output_tokens")) {
            exchange.notes().tokens(usage.path("input_tokens").asLong(0), usage.path("output_tokens").asLong(0));
          }
          return model.restore(document, "model");
        });
      } else {
        Relay.streamed(exchange, response);
      }
      return true;
    }
  }

  /** A 404 about the request's model comes from a route that exists; other 404s, 405 and 501 do not. */
  private static boolean lacksRoute(Response response) {
    if (response.code() == 405 || response.code() == 501) {
      return true;
    }
    if (response.code() != 404) {
      return false;
    }
    ApiException error = ErrorBodies.fromUpstream(response);
    return !"model_not_found".equals(error.code()) && !error.getMessage().toLowerCase().contains("model");
  }
}
