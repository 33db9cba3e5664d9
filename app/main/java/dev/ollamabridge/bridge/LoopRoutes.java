package dev.ollamabridge.bridge;

import dev.ollamabridge.bridge.PathTable.ForLocal;
import dev.ollamabridge.bridge.PathTable.ForRoute;
import dev.ollamabridge.bridge.PathTable.NotAllowed;
import dev.ollamabridge.bridge.PathTable.NotFound;
import dev.ollamabridge.bridge.PathTable.Options;
import dev.ollamabridge.bridge.datapath.ClientCall;
import dev.ollamabridge.bridge.datapath.Dispatcher;
import dev.ollamabridge.bridge.requestlog.RequestIds;
import dev.ollamabridge.bridge.requestlog.RequestLog;
import dev.ollamabridge.logs.LogText;
import dev.ollamabridge.http.ConsoleTraffic;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bridge's routes on the event-loop data path. Every request passes the origin check and
 * finds its path; a chat or completion is answered on the loop ({@link LoopGeneration}); every
 * other route, which may block (a model list, model management, {@code /health}), runs on a thread
 * of its own through a {@link LoopExchange}. Each routed request is logged once its answer ends.
 */
final class LoopRoutes implements Dispatcher {

  private static final Logger log = LoggerFactory.getLogger(LoopRoutes.class);
  private static final byte[] RUNNING = "Ollama is running".getBytes(StandardCharsets.UTF_8);

  private final PathTable table = new PathTable();
  private final BridgeConfig config;
  private final BrowserOrigins origins;
  private final RequestGate gate;
  private final Map<Route, RequestGate.RouteHandler> handlers;
  private final Map<PathTable.Local, RequestGate.RouteHandler> locals;
  private final LoopGeneration.Shared generations;
  private final ModelAliases aliases;
  private final ExecutorService threads;
  private final RequestLog requestLog;
  private final boolean logBodies;

  LoopRoutes(BridgeConfig config, BrowserOrigins origins, RequestGate gate, Map<Route, RequestGate.RouteHandler> handlers,
      Map<PathTable.Local, RequestGate.RouteHandler> locals, LoopGeneration.Shared generations, ModelAliases aliases, ExecutorService threads,
      RequestLog requestLog, boolean logBodies) {
    this.config = config;
    this.origins = origins;
    this.gate = gate;
    this.handlers = handlers;
    this.locals = locals;
    this.generations = generations;
    this.aliases = aliases;
    this.threads = threads;
    this.requestLog = requestLog;
    this.logBodies = logBodies;
  }

  /** A blob pushed to an Ollama backend may be gigabytes: it goes on as it arrives. */
  @Override
  public boolean streamsBody(HttpRequest head) {
    if (head.method() != HttpMethod.POST) {
      return false;
    }
    String uri = head.uri();
    int query = uri.indexOf('?');
    PathTable.Target target = table.find("POST", query < 0 ? uri : uri.substring(0, query));
    return target instanceof ForRoute routed && routed.route() == Route.OLLAMA_BLOB_PUSH;
  }

  @Override
  public void dispatch(ClientCall call) {
    CallRequest request = new CallRequest(call);
    String path = call.path();
    AnswerHeaders cors;
    try {
      cors = origins.check(request);
    } catch (ApiException refused) {
      answerError(call, withId(request), refused);
      return;
    }
    PathTable.Target target = table.find(request.method(), path);
    if (target instanceof ForRoute routed) {
      route(call, request, routed.route(), cors);
    } else if (target instanceof ForLocal local) {
      local(call, local.local(), cors);
    } else if (target instanceof Options options) {
      HttpHeaders headers = new DefaultHttpHeaders();
      cors.forEach(headers::add);
      origins.optionsHeaders(request, options.allowed()).forEach(headers::add);
      call.answer(204, headers, new byte[0]);
    } else if (target instanceof NotAllowed notAllowed) {
      HttpHeaders headers = withId(request);
      cors.forEach(headers::add);
      headers.set(HttpHeaderNames.ALLOW, notAllowed.allowed());
      answerError(call, headers, new ApiException(405, request.method() + " is not allowed on " + path + "; it answers "
          + notAllowed.allowed(), null, "method_not_allowed"));
    } else if (target instanceof NotFound) {
      HttpHeaders headers = withId(request);
      cors.forEach(headers::add);
      answerError(call, headers, new ApiException(404, "no route for " + request.method() + " " + path, null, "not_found"));
    }
  }

  private void route(ClientCall call, CallRequest request, Route route, AnswerHeaders cors) {
    long started = System.nanoTime();
    RequestNotes notes = new RequestNotes();
    call.onEnd(() -> logged(call, notes, started));
    if (route.chatOrCompletion()) {
      generate(call, request, route, notes, cors);
      return;
    }
    LoopExchange exchange = new LoopExchange(call, notes);
    cors.forEach(exchange::answerHeader);
    RequestGate.RouteHandler handler = handlers.get(route);
    onThread(exchange, () -> gate.handle(route, exchange, handler));
  }

  /** A chat or completion: its checks, its plan and its answer, all on the loop. */
  private void generate(ClientCall call, CallRequest request, Route route, RequestNotes notes, AnswerHeaders cors) {
    LoopSink sink = new LoopSink(call);
    cors.forEach(sink::header);
    RequestGate.Pass pass = gate.enter(route, request, notes, sink::header);
    call.onEnd(() -> pass.close(call.status()));
    try {
      pass.check();
      byte[] body = call.bodyBytes();
      notes.requestBody(body);
      GenerationPlan plan = GenerationPlan.of(route, body, notes, config, aliases);
      new LoopGeneration(generations, call, notes, plan, sink).start();
    } catch (ApiException e) {
      notes.error(e.getMessage());
      byte[] body = ErrorBodies.of(route.dialect, e);
      notes.responseBytes(body);
      sink.error(e, body);
    } catch (RuntimeException e) {
      log.error("unexpected failure on {}", route.path, e);
      ApiException internal = new ApiException(500, "internal error; the bridge's log tells what failed", null,
          "internal_error");
      if (call.begun()) {
        call.abort();
      } else {
        sink.error(internal, ErrorBodies.of(route.dialect, internal));
      }
    }
  }

  private void local(ClientCall call, PathTable.Local local, AnswerHeaders cors) {
    if (local == PathTable.Local.ROOT) {
      HttpHeaders headers = new DefaultHttpHeaders();
      cors.forEach(headers::add);
      headers.set(HttpHeaderNames.CONTENT_TYPE, "text/plain");
      call.answer(200, headers, call.method().name().equals("HEAD") ? new byte[0] : RUNNING);
      return;
    }
    LoopExchange exchange = new LoopExchange(call, new RequestNotes());
    cors.forEach(exchange::answerHeader);
    onThread(exchange, () -> {
      try {
        locals.get(local).handle(exchange);
      } catch (ApiException e) {
        RequestGate.render(exchange, Route.dialectOf(exchange.path()), e);
      }
    });
  }

  /** Runs a route on a thread of its own; what it leaves open is ended when it returns. */
  private void onThread(LoopExchange exchange, RouteWork work) {
    threads.execute(() -> {
      try {
        work.run();
      } catch (Exception e) {
        log.error("unexpected failure on {}", LogText.oneLine(exchange.path()), e);
        if (!exchange.committed()) {
          RequestGate.render(exchange, Route.dialectOf(exchange.path()),
              new ApiException(500, "internal error; the bridge's log tells what failed", null, "internal_error"));
        }
      } finally {
        exchange.routeReturned();
      }
    });
  }

  @FunctionalInterface
  private interface RouteWork {
    void run() throws Exception;
  }

  private void logged(ClientCall call, RequestNotes notes, long started) {
    if (requestLog == null || notes.route() == null || ConsoleTraffic.marks(call.header(ConsoleTraffic.HEADER))) {
      return;
    }
    float millis = (System.nanoTime() - started) / 1e6f;
    requestLog.add(RequestLines.of(notes, config.upstreamDialect(), new RequestLines.Written(call.status(), millis,
        call.declaredLength(), call.bytesWritten(), call.remoteAddress()), logBodies));
  }

  private static HttpHeaders withId(ClientRequest request) {
    HttpHeaders headers = new DefaultHttpHeaders();
    headers.set("x-request-id", RequestIds.of(request.header(RequestIds.HEADER)));
    return headers;
  }

  private static void answerError(ClientCall call, HttpHeaders headers, ApiException error) {
    if (error.retryAfterSeconds() > 0) {
      headers.set(HttpHeaderNames.RETRY_AFTER, Long.toString(error.retryAfterSeconds()));
    }
    headers.set(HttpHeaderNames.CONTENT_TYPE, "application/json");
    call.answer(error.status(), headers, ErrorBodies.of(Route.dialectOf(call.path()), error));
  }

  /** What the checks read of a call, on its loop. */
  private record CallRequest(ClientCall call) implements ClientRequest {
    @Override
    public String method() {
      return call.method().name();
    }

    @Override
    public String path() {
      return call.path();
    }

    @Override
    public String header(String name) {
      return call.header(name);
    }

    @Override
    public String remoteAddress() {
      return call.remoteAddress();
    }

    @Override
    public int localPort() {
      return call.localPort();
    }
  }
}
