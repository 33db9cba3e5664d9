package dev.ollamabridge.bridge;

import dev.ollamabridge.cli.HostPort;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Which web pages may call the bridge. A browser sends {@code Origin} with every cross-origin
 * request and with same-origin POSTs; such a request is served only when its origin is the
 * bridge's own ({@code http://<listen host>:<port>}, and {@code http://localhost}, {@code 127.0.0.1}
 * and {@code [::1]} on that port when it listens on loopback or all interfaces) or one given with
 * {@code --allowed-origin} ({@code *}: any). Anything else is refused with 403, which closes blind
 * cross-site requests. The Host header plays no part: a page that DNS rebinding pointed at the
 * bridge still sends its own origin ({@code http://evil.example:3000}) and is refused whatever its
 * Host says, while requests without {@code Origin} (curl, SDKs, nginx) are served as before.
 */
public final class BrowserOrigins {

  private static final Pattern SCHEME = Pattern.compile("[a-z][a-z0-9+.-]*");
  /** IP literals, told apart from names without a DNS lookup. */
  private static final List<String> LOOPBACK_HOSTS = List.of("localhost", "127.0.0.1", "[::1]");
  private static final String DEFAULT_ALLOWED_HEADERS = "Authorization, Content-Type";

  private final boolean any;
  private final Set<String> allowed = new HashSet<>();
  private final String listenHost;
  private final boolean local;

  BrowserOrigins(BridgeConfig config) {
    this.any = config.allowedOrigins().contains("*");
    config.allowedOrigins().stream().filter(origin -> !origin.equals("*")).map(BrowserOrigins::normalize).forEach(allowed::add);
    String host = config.listen().host();
    this.listenHost = host.contains(":") ? "[" + host + "]" : host;
    this.local = HostPort.isLoopbackOrWildcard(host);
  }

  /** A {@code --allowed-origin} value in the form the bridge compares: {@code *}, or a normal origin; null if it is neither. */
  public static String normalForm(String value) {
    return value.equals("*") ? value : normalize(value);
  }

  /** Checks a {@code --allowed-origin} value; the message says what form is expected. */
  static void checkAllowed(String value) {
    if (!value.equals("*") && normalize(value) == null) {
      throw new IllegalArgumentException("--allowed-origin '" + value + "' must be * or an origin: a scheme, a host and"
          + " an optional port, e.g. https://app.example.com or http://localhost:5173");
    }
  }

  /**
   * Before every request: one with a refused {@code Origin} ends in 403; one with an allowed
   * {@code Origin} is told so in CORS headers (answered), so the page may read the answer.
   */
  AnswerHeaders check(ClientRequest request) {
    AnswerHeaders headers = new AnswerHeaders();
    String origin = request.header("Origin");
    if (origin == null) {
      return headers;
    }
    if (!allows(origin, request.localPort())) {
      throw new ApiException(403, "requests from web pages at origin " + origin + " are refused; to allow them, start"
          + " the bridge with --allowed-origin " + origin, null, "origin_not_allowed");
    }
    return headers.set("Access-Control-Allow-Origin", origin)
        .set("Vary", "Origin")
        .set("Access-Control-Expose-Headers", GenerationHandler.CACHE_HEADER + ", Retry-After");
  }

  /** The headers of an {@code OPTIONS} answer (204): the methods of the path, and for a preflight what the page may send. */
  AnswerHeaders optionsHeaders(ClientRequest request, String methods) {
    AnswerHeaders headers = new AnswerHeaders().set("Allow", methods);
    if (request.header("Origin") != null) { // check() has allowed it
      String requested = request.header("Access-Control-Request-Headers");
      headers.set("Access-Control-Allow-Methods", methods)
          .set("Access-Control-Allow-Headers", requested == null || requested.isBlank() ? DEFAULT_ALLOWED_HEADERS : requested)
          .set("Access-Control-Max-Age", "600");
      if ("true".equals(request.header("Access-Control-Request-Private-Network"))) {
        headers.set("Access-Control-Allow-Private-Network", "true");
      }
    }
    return headers;
  }

  boolean allows(String origin, int port) {
    if (any) {
      return true;
    }
    String normalized = normalize(origin);
    return normalized != null && (allowed.contains(normalized) || own(port).contains(normalized));
  }

  private Set<String> own(int port) {
    Set<String> own = new HashSet<>();
    own.add(normalize("http://" + listenHost + ":" + port));
    if (local) {
      LOOPBACK_HOSTS.forEach(host -> own.add(normalize("http://" + host + ":" + port)));
    }
    return own;
  }

  /** {@code scheme://host[:port]} in lower case without a default port, or null if it is no origin. */
  static String normalize(String origin) {
    URI uri;
    try {
      uri = new URI(origin);
    } catch (URISyntaxException e) {
      return null;
    }
    String path = uri.getRawPath();
    if (uri.getScheme() == null || uri.getHost() == null || uri.getRawUserInfo() != null || uri.getRawQuery() != null
        || uri.getRawFragment() != null || (path != null && !path.isEmpty() && !path.equals("/"))) {
      return null;
    }
    String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
    if (!SCHEME.matcher(scheme).matches()) {
      return null;
    }
    int port = uri.getPort();
    boolean defaultPort = (scheme.equals("http") && port == 80) || (scheme.equals("https") && port == 443);
    return scheme + "://" + uri.getHost().toLowerCase(Locale.ROOT) + (port == -1 || defaultPort ? "" : ":" + port);
  }
}
