package dev.ollamabridge.bridge;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * The bridge's paths and the methods each answers, without a web framework: what a request's
 * method and path ask for, the methods {@code Allow} lists for a path, and {@code OPTIONS} on every
 * path served. A trailing slash is ignored, as it was under Javalin.
 */
final class PathTable {

  /** The bridge's own answers, not the backend's. */
  enum Local { ROOT, HEALTH, METRICS, KEY_CHECK }

  /** What a request asks for: one of a route, a local answer, an OPTIONS answer, a 405, a 404. */
  sealed interface Target permits ForRoute, ForLocal, Options, NotAllowed, NotFound {}

  record ForRoute(Route route) implements Target {}

  record ForLocal(Local local) implements Target {}

  /** {@code OPTIONS} on a path served, whose methods {@code allowed} lists. */
  record Options(String allowed) implements Target {}

  record NotAllowed(String allowed) implements Target {}

  record NotFound() implements Target {}

  private static final String MODEL_PREFIX = "/v1/models/";
  private static final String BLOB_PREFIX = "/api/blobs/";

  /** Per path pattern, per method, what answers it. */
  private final Map<String, Map<String, Target>> paths = new LinkedHashMap<>();

  PathTable() {
    add("GET", "/", new ForLocal(Local.ROOT));
    add("HEAD", "/", new ForLocal(Local.ROOT));
    add("GET", "/health", new ForLocal(Local.HEALTH));
    add("GET", "/metrics", new ForLocal(Local.METRICS));
    add("GET", "/key-check", new ForLocal(Local.KEY_CHECK));
    for (Route route : Route.values()) {
      add(route.method, route.path, new ForRoute(route));
    }
  }

  private void add(String method, String path, Target target) {
    paths.computeIfAbsent(path, p -> new LinkedHashMap<>()).put(method, target);
  }

  Target find(String method, String rawPath) {
    Map<String, Target> methods = paths.get(pattern(rawPath));
    if (methods == null) {
      return new NotFound();
    }
    Target target = methods.get(method);
    if (target != null) {
      return target;
    }
    String allowed = allowed(methods.keySet());
    return method.equals("OPTIONS") ? new Options(allowed) : new NotAllowed(allowed);
  }

  /** The pattern a path falls under: itself, or a route's with a parameter. */
  private static String pattern(String rawPath) {
    String path = rawPath.length() > 1 && rawPath.endsWith("/") ? rawPath.substring(0, rawPath.length() - 1) : rawPath;
    if (path.startsWith(MODEL_PREFIX) && path.length() > MODEL_PREFIX.length()) {
      return Route.OPENAI_MODEL.path; // ids may hold slashes: org/model
    }
    if (path.startsWith(BLOB_PREFIX) && path.length() > BLOB_PREFIX.length() && path.indexOf('/', BLOB_PREFIX.length()) < 0) {
      return Route.OLLAMA_BLOB_PUSH.path;
    }
    return path;
  }

  private static String allowed(Set<String> methods) {
    Set<String> all = new LinkedHashSet<>(methods);
    all.add("OPTIONS");
    return String.join(", ", all);
  }
}
