package dev.ollamabridge.bridge;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ollamabridge.bridge.ModelAliases.ModelName;
import dev.ollamabridge.bridge.cache.AnswerCache;
import dev.ollamabridge.bridge.translate.Answer;
import dev.ollamabridge.bridge.translate.Event;
import dev.ollamabridge.bridge.translate.Prompt;
import dev.ollamabridge.bridge.translate.UpstreamDecoder;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers a Responses API request as the chat it asks for, on the request's own thread: from the
 * cache when it can, otherwise from the upstream, translated and streamed as it arrives, blocking
 * where the cache, the admission queue and the upstream call do. (Chats and completions of either
 * dialect are driven the same way on the event loop, by {@link LoopGeneration}.)
 */
final class GenerationHandler {

  static final String CACHE_HEADER = "bridge-cache-hit";
  private static final Logger log = LoggerFactory.getLogger(GenerationHandler.class);

  private final BridgeConfig config;
  private final Upstream upstream;
  private final AnswerCache cache;
  private final BridgeMetrics metrics;
  private final RemoteImages remoteImages;
  private final Admission admission;

  GenerationHandler(BridgeConfig config, Upstream upstream, AnswerCache cache, BridgeMetrics metrics,
      RemoteImages remoteImages, Admission admission) {
    this.config = config;
    this.upstream = upstream;
    this.cache = cache;
    this.metrics = metrics;
    this.remoteImages = remoteImages;
    this.admission = admission;
  }

  /**
   * A Responses API request, answered as the chat it asks for and written back as a response.
   *
   * @param request the request, already naming the backend's {@code model}
   */
  void responses(Exchange exchange, ObjectNode request, ModelName model) {
    generate(exchange, GenerationPlan.responses(request, model, exchange.notes(), config));
  }

  private void generate(Exchange exchange, GenerationPlan plan) {
    RequestNotes notes = exchange.notes();
    Route route = plan.route();
    Prompt prompt = plan.prompt();
    ClientAnswer answer = new ClientAnswer(notes, new ExchangeSink(exchange), prompt.dialect(), plan.encoder(),
        plan.thinkFilter(), prompt.stream(),
        () -> {
          notes.firstToken();
          metrics.firstToken(route.path, notes.elapsedSeconds());
        });

    String key = plan.cacheKey();
    if (key != null) {
      Optional<Answer> hit = cache.get(key);
      notes.cacheOutcome(hit.isPresent() ? "hit" : "miss");
      exchange.answerHeader(CACHE_HEADER, Boolean.toString(hit.isPresent()));
      if (hit.isPresent()) {
        replay(hit.get(), answer);
        finish(answer, route);
        return;
      }
    }

    if (plan.inlinesImages()) {
      remoteImages.inline(prompt); // after the cache: a hit fetches nothing
    }
    GenerationPlan.UpstreamCall call = plan.upstreamCall();
    // the same dialect on both sides: the client gets the backend's own documents, not a re-encoding
    UpstreamStream.Documents sameDialect = plan.sameDialect() == null ? null : answer.documents(plan.sameDialect());
    String authorization = notes.upstreamAuthorization(exchange.header("Authorization"));
    Cancellation cancellation = new Cancellation();
    Hangups hangups = exchange.hangups();
    // A cache hit needs no slot: only what goes to the backend waits for one, or is turned away.
    // A client that hangs up before its answer is written is noticed as soon as it does, not when writing.
    boolean ended;
    try (Admission.Slot slot = admission.enter(hangups);
        Hangups.Watch watch = hangups.watch(cancellation::cancel)) {
      ended = relay(call.path(), call.body(), authorization, answer, cancellation, sameDialect);
    } catch (ClientAnswer.ClientGone | Cancellation.Cancelled gone) {
      cancellation.cancel();
      metrics.clientDisconnected();
      log.debug("client went away during {}; upstream call cancelled", route.path);
      return;
    } finally {
      notes.retries(cancellation.retries());
    }
    if (answer.isComplete()) {
      Answer complete = answer.answer();
      metrics.tokens(complete.usage().promptTokens(), complete.usage().completionTokens());
      notes.tokens(complete.usage().promptTokens(), complete.usage().completionTokens());
      // Tool calls are not replayed: the client acts on them, and their ids must be fresh.
      // Kept before a whole answer is written: a client that has it finds it in the cache.
      if (key != null && GenerationPlan.cacheable(complete)) {
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
