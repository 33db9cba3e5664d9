package dev.ollamabridge.bridge;

import io.javalin.http.Handler;
import io.javalin.http.HandlerType;
import io.javalin.router.JavalinDefaultRoutingApi;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * The bridge's paths and the methods each answers: it registers the handlers, answers
 * {@code OPTIONS} on every path, and tells a 405 what {@code Allow} says.
 */
final class RouteTable {

  private final JavalinDefaultRoutingApi routes;
  private final Map<String, Set<String>> methods = new LinkedHashMap<>();

  RouteTable(JavalinDefaultRoutingApi routes) {
    this.routes = routes;
  }

  RouteTable add(HandlerType method, String path, Handler handler) {
    routes.addHttpHandler(method, path, handler);
    methods.computeIfAbsent(path, p -> new LinkedHashSet<>()).add(method.name());
    return this;
  }

  /** Registers {@code OPTIONS} on every path added so far; call it last. */
  void answerOptions(BrowserOrigins origins) {
    for (String path : methods.keySet()) {
      String allowed = allowed(path);
      routes.addHttpHandler(HandlerType.OPTIONS, path, ctx -> {
        JavalinExchange exchange = new JavalinExchange(ctx);
        origins.optionsHeaders(exchange, allowed).applyTo(exchange);
        ctx.status(204);
      });
    }
  }

  /** What {@code Allow} says for a path, e.g. {@code POST, OPTIONS}; empty for a path not served. */
  String allowed(String path) {
    Set<String> served = methods.get(path);
    return served == null ? "" : String.join(", ", served) + ", OPTIONS";
  }
}
