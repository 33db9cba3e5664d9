package dev.ollamabridge.bridge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ollamabridge.bridge.ModelAliases.ModelName;
import dev.ollamabridge.bridge.cache.AnswerCache;
import dev.ollamabridge.bridge.cache.CacheKey;
import dev.ollamabridge.bridge.translate.Answer;
import dev.ollamabridge.bridge.translate.ClientEncoder;
import dev.ollamabridge.bridge.translate.Dialect;
import dev.ollamabridge.bridge.translate.Event;
import dev.ollamabridge.bridge.translate.Json;
import dev.ollamabridge.bridge.translate.Kind;
import dev.ollamabridge.bridge.translate.Prompt;
import dev.ollamabridge.bridge.translate.PromptParser;
import dev.ollamabridge.bridge.translate.ResponsesRequest;
import dev.ollamabridge.bridge.translate.SameDialect;
import dev.ollamabridge.bridge.translate.ThinkFilter;
import dev.ollamabridge.bridge.translate.UpstreamDecoder;
import dev.ollamabridge.bridge.translate.UpstreamRequest;
import dev.ollamabridge.http.HangupWatch;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers chat and completion requests in either dialect: from the cache when it can, otherwise
 * from the upstream, translated both ways when the dialects differ and streamed as it arrives.
 */
final class GenerationHandler {

  static final String CACHE_HEADER = "bridge-cache-hit";
  private static final Logger log = LoggerFactory.getLogger(GenerationHandler.class);
  /** Only an answer that ended normally is worth replaying. */
  private static final Set<String> CACHEABLE_ENDINGS = Set.of("stop", "length");

  private final BridgeConfig config;
  private final Upstream upstream;
  private final AnswerCache cache;
  private final BridgeMetrics metrics;
  private final RemoteImages remoteImages;
  private final ModelAliases aliases;
  private final Admission admission;

  GenerationHandler(BridgeConfig config, Upstream upstream, AnswerCache cache, BridgeMetrics metrics,
      RemoteImages remoteImages, ModelAliases aliases, Admission admission) {
    this.config = config;
    this.upstream = upstream;
    this.cache = cache;
    this.metrics = metrics;
    this.remoteImages = remoteImages;
    this.aliases = aliases;
    this.admission = admission;
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

  /** A chat or completion request of either dialect. */
  void handle(Context ctx, Route route) {
    byte[] bytes = RequestBodies.bytes(ctx, config.maxBodyBytes());
    ObjectNode body = RequestBodies.jsonObject(bytes);
    ModelName model = aliases.resolve(body, "model");
    ClientAccess.model(ctx, model);
    Prompt prompt = PromptParser.parse(route.dialect, route.kind, body);
    generate(ctx, route, prompt, body, model.aliased() ? null : bytes, ClientEncoder.of(prompt, model.client()), model,
        true);
  }

  /**
   * A Responses API request, answered as the chat it asks for and written back as a response.
   *
   * @param request the request, already naming the backend's {@code model}
   */
  void responses(Context ctx, ObjectNode request, ModelName model) {
    ObjectNode chat = ResponsesRequest.toChat(request);
    Prompt prompt = PromptParser.parse(Dialect.OPENAI, Kind.CHAT, chat);
    generate(ctx, Route.OPENAI_RESPONSES, prompt, chat, null, ClientEncoder.responses(request, model.client()), model,
        false);
  }

  /**
   * @param prompt the request, naming the backend's model, so that the cache key is the same
   *     whatever name the client used
   * @param body the request in the prompt's dialect, sent as it is to an upstream of that dialect
   * @param bytes the client's own encoding of {@code body}, when it is that exactly; null otherwise
   * @param ownDocuments whether the client reads the upstream's documents when the dialects match
   *     (false for a client of another API, such as the Responses API, over the same dialect)
   */
  private void generate(Context ctx, Route route, Prompt prompt, ObjectNode body, byte[] bytes, ClientEncoder encoder,
      ModelName model, boolean ownDocuments) {
    UpstreamRequest.checkTranslatable(prompt, body, config.upstreamDialect());
    ClientAnswer answer = new ClientAnswer(
        ctx, prompt.dialect(), encoder, new ThinkFilter(config.thinkFilter(), wantsReasoning(prompt)),
        prompt.stream(),
        () -> {
          RequestState.firstToken(ctx);
          metrics.firstToken(route.path, RequestState.elapsedSeconds(ctx));
        });
    RequestState.stream(ctx, prompt.stream());

    String key = cache == null || !replayable(body) ? null : CacheKey.of(prompt);
    if (key != null) {
      Optional<Answer> hit = cache.get(key);
      RequestState.cacheOutcome(ctx, hit.isPresent() ? "hit" : "miss");
      ctx.header(CACHE_HEADER, Boolean.toString(hit.isPresent()));
      if (hit.isPresent()) {
        replay(hit.get(), answer);
        finish(answer, route);
        return;
      }
    }

    if (prompt.dialect() == Dialect.OPENAI && config.upstreamDialect() == Dialect.OLLAMA) {
      remoteImages.inline(prompt); // after the cache: a hit fetches nothing
    }
    UpstreamRequest request = UpstreamRequest.of(prompt, body, config.upstreamDialect());
    // a request that goes upstream unchanged goes as the client encoded it, not encoded again
    byte[] upstreamBody = request.body() == body && bytes != null ? bytes : Json.bytes(request.body());
    // the same dialect on both sides: the client gets the backend's own documents, not a re-encoding
    UpstreamStream.Documents sameDialect = ownDocuments && prompt.dialect() == config.upstreamDialect()
        ? answer.documents(new SameDialect(prompt.dialect(), config.thinkFilter(), wantsReasoning(prompt),
            prompt.includeUsage(), model.aliased() ? model.client() : null))
        : null;
    String authorization = RequestState.upstreamAuthorization(ctx);
    Cancellation cancellation = new Cancellation();
    // A cache hit needs no slot: only what goes to the backend waits for one, or is turned away.
    // A client that hangs up before its answer is written is noticed as soon as it does, not when writing.
    boolean ended;
    try (Admission.Slot slot = admission.enter(ctx);
        HangupWatch watch = HangupWatch.start(ctx.req(), cancellation::cancel)) {
      ended = relay(request.path(), upstreamBody, authorization, answer, cancellation, sameDialect);
    } catch (ClientAnswer.ClientGone | Cancellation.Cancelled gone) {
      cancellation.cancel();
      metrics.clientDisconnected();
      log.debug("client went away during {}; upstream call cancelled", route.path);
      return;
    } finally {
      RequestState.retries(ctx, cancellation.retries());
    }
    if (answer.isComplete()) {
      Answer complete = answer.answer();
      metrics.tokens(complete.usage().promptTokens(), complete.usage().completionTokens());
      RequestState.tokens(ctx, complete.usage().promptTokens(), complete.usage().completionTokens());
      // Tool calls are not replayed: the client acts on them, and their ids must be fresh.
      // Kept before a whole answer is written: a client that has it finds it in the cache.
      if (key != null && CACHEABLE_ENDINGS.contains(complete.finishReason()) && complete.toolCalls().isEmpty()) {
        cache.put(key, complete);
      }
    }
    // Only now, with the watch no longer reading the connection: a client that has its whole
    // answer may send its next request on that connection at once.
    if (ended) {
      finish(answer, route);
    }
  }

  /**
   * Sends the request upstream and its answer on to the client; a failure carries its status.
   * Answers whether the upstream's answer was read to its end, for {@link ClientAnswer#finish()}.
   */
  private boolean relay(String path, byte[] body, String authorization, ClientAnswer answer, Cancellation cancellation,
      UpstreamStream.Documents sameDialect) {
    try (Upstream.Exchange exchange = upstream.post(path, body, authorization, cancellation)) {
      if (!exchange.response().isSuccessful()) {
        throw ErrorBodies.fromUpstream(exchange.response());
      }
      UpstreamDecoder decoder = UpstreamDecoder.of(config.upstreamDialect());
      if (sameDialect != null) {
        UpstreamStream.read(exchange.response().body(), decoder, sameDialect);
      } else {
        UpstreamStream.read(exchange.response().body(), decoder, answer::accept);
      }
      return true;
    } catch (UpstreamDecoder.StreamError e) {
      metrics.upstreamError("stream");
      answer.fail(new ApiException(502, e.getMessage(), null, "upstream_error"));
    } catch (IOException e) {
      if (cancellation.cancelled()) {
        throw new Cancellation.Cancelled();
      }
      if (e instanceof InterruptedIOException) {
        metrics.upstreamError("timeout");
        answer.fail(upstream.timedOut());
      } else {
        metrics.upstreamError("stream");
        log.warn("the upstream connection broke during an answer: {}", e.toString());
        answer.fail(new ApiException(502, "the upstream connection broke off the answer", null, "upstream_error"));
      }
    }
    return false;
  }

  /** Ends the answer, written whole if it was not streamed. */
  private void finish(ClientAnswer answer, Route route) {
    try {
      answer.finish();
    } catch (ClientAnswer.ClientGone gone) {
      metrics.clientDisconnected();
      log.debug("client went away as its answer on {} was written", route.path);
    }
  }

  private static void replay(Answer hit, ClientAnswer answer) {
    answer.accept(new Event.Delta(hit.content(), hit.reasoning(), hit.logprobs()));
    answer.accept(new Event.End(hit.finishReason(), hit.usage()));
  }
}
