package dev.ollamabridge.bridge;

import dev.ollamabridge.bridge.requestlog.RequestIds;
import dev.ollamabridge.bridge.translate.Dialect;
import dev.ollamabridge.http.ConsoleTraffic;
import dev.ollamabridge.link.KeyRule;
import java.io.IOException;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every API route goes through, whichever server carries it: client key, rate limits,
 * in-flight count, request and usage metrics, and errors written in the route's dialect.
 */
final class RequestGate {

  /** A route's own work: reads the request and writes the answer through its exchange. */
  @FunctionalInterface
  interface RouteHandler {
    void handle(Exchange exchange) throws IOException;
  }

  private static final Logger log = LoggerFactory.getLogger(RequestGate.class);

  private final ClientAccess access;
  private final RateLimit rateLimit;
  private final BridgeMetrics metrics;
  private final boolean keepBodies;

  /** @param keepBodies whether the notes keep the answer's body, for {@code --log-bodies} */
  RequestGate(ClientAccess access, RateLimit rateLimit, BridgeMetrics metrics, boolean keepBodies) {
    this.access = access;
    this.rateLimit = rateLimit;
    this.metrics = metrics;
    this.keepBodies = keepBodies;
  }

  /** Lets the request through the checks to {@code handler}, and counts it once it is answered. */
  void handle(Route route, Exchange exchange, RouteHandler handler) throws IOException {
    Pass pass = enter(route, exchange, exchange.notes(), exchange::answerHeader);
    try {
      pass.check();
      handler.handle(exchange);
    } catch (ApiException e) {
      render(exchange, route.dialect, e);
    } catch (Admission.LeftQueue e) {
      metrics.clientDisconnected();
      log.debug("client went away while waiting for a slot on {}", route.path);
    } catch (RuntimeException e) {
      log.error("unexpected failure on {}", route.path, e);
      render(exchange, route.dialect, new ApiException(500, "internal error; the bridge's log tells what failed", null, "internal_error"));
    } finally {
      pass.close(exchange.status());
    }
  }

  /**
   * A request at the gate: noted, given its id (set on the answer through {@code answerHeader}) and
   * counted as in flight. {@link Pass#check()} then lets it through or refuses it, and
   * {@link Pass#close(int)}, once it is answered, counts it; a driver that answers on an event loop
   * calls them itself.
   */
  Pass enter(Route route, ClientRequest request, RequestNotes notes, BiConsumer<String, String> answerHeader) {
    notes.start();
    notes.route(route);
    String id = RequestIds.of(request.header(RequestIds.HEADER));
    notes.id(id);
    answerHeader.accept("x-request-id", id); // on every answer, errors too: the client can quote it
    if (keepBodies) {
      notes.keepResponseBody();
    }
    // the console's own requests are counted apart: the figures and charts show clients only
    boolean client = !countConsole(request, metrics, route.path);
    if (client) {
      metrics.enter();
    }
    return new Pass(route, request, notes, client);
  }

  /** One request let in at the gate. */
  final class Pass {
    private final Route route;
    private final ClientRequest request;
    private final RequestNotes notes;
    private final boolean client;
    private boolean closed;

    private Pass(Route route, ClientRequest request, RequestNotes notes, boolean client) {
      this.route = route;
      this.request = request;
      this.notes = notes;
      this.client = client;
    }

    /**
     * The request's key, the rate limit and the key's own limits.
     *
     * @throws ApiException 401/403 for a key refused, 429 past a limit
     */
    void check() {
      access.authenticate(request, notes);
      long retryAfter = rateLimit.tryAcquire();
      if (retryAfter > 0) {
        throw new ApiException(429, "rate limit exceeded: this bridge takes at most its --rate-limit requests per second; retry in " + retryAfter + " s", null, "rate_limit_exceeded", retryAfter);
      }
      access.admit(notes);
    }

    /** Counts the request, answered with {@code status}; once. */
    void close(int status) {
      if (closed) {
        return;
      }
      closed = true;
      access.spent(notes);
      if (client) {
        metrics.leave();
        String cache = notes.cacheOutcome();
        metrics.request(route.path, status, cache, notes.elapsedSeconds());
        KeyRule key = notes.key();
        if (key == null || !key.internal()) {
          metrics.usage(key == null ? null : key.id(), notes.model(), status, notes.promptTokens(),
              notes.completionTokens(), "hit".equals(cache));
        }
      }
    }
  }

  /** Answers an error in {@code dialect}; once an answer has begun, its own error chunk has told the client. */
  static void render(Exchange exchange, Dialect dialect, ApiException e) {
    exchange.notes().error(e.getMessage());
    if (exchange.committed()) {
      return;
    }
    byte[] body = ErrorBodies.of(dialect, e);
    exchange.notes().responseBytes(body);
    if (e.retryAfterSeconds() > 0) {
      exchange.answerHeader("Retry-After", Long.toString(e.retryAfterSeconds()));
    }
    exchange.answer(e.status(), "application/json", body);
  }

  /** Counts a request the console sent apart from the clients'; answers whether it was one. */
  static boolean countConsole(ClientRequest request, BridgeMetrics metrics, String route) {
    boolean console = ConsoleTraffic.marks(request.header(ConsoleTraffic.HEADER));
    if (console) {
      metrics.consoleRequest(route);
    }
    return console;
  }
}
