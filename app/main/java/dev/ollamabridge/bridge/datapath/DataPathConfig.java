package dev.ollamabridge.bridge.datapath;

import java.net.URI;
import java.time.Duration;
import java.util.Locale;

/**
 * How the event-loop data path listens and where it forwards, validated at construction.
 *
 * @param listenHost the address to bind (an IP literal or a name)
 * @param listenPort the port to bind; 0 for any free one
 * @param upstream the backend's API root, {@code http://host[:port][/path]}: a request for
 *     {@code /x} goes to {@code <path>/x} there
 * @param loops event-loop threads; each owns its client connections and its keep-alive upstream ones
 * @param idleUpstreamPerLoop how many idle keep-alive upstream connections a loop keeps at most
 * @param maxBodyBytes the largest request body; a larger one is refused with 413 before it is read
 * @param bodyTimeout how long a request's body may take to arrive whole; past it, 408 and the
 *     connection is closed
 * @param connectTimeout how long a new upstream connection may take
 * @param idleTimeout how long a connection without an exchange stays open, a client's or an idle
 *     upstream one (an exchange waiting for a slow model is never cut by it)
 * @param shutdownTimeout how long {@link DataPathServer#close()} lets exchanges in flight finish
 */
public record DataPathConfig(
    String listenHost,
    int listenPort,
    URI upstream,
    int loops,
    int idleUpstreamPerLoop,
    long maxBodyBytes,
    Duration bodyTimeout,
    Duration connectTimeout,
    Duration idleTimeout,
    Duration shutdownTimeout) {

  public DataPathConfig {
    if (listenHost == null || listenHost.isBlank()) {
      throw new IllegalArgumentException("listenHost must be an address, e.g. 127.0.0.1");
    }
    if (listenPort < 0 || listenPort > 65_535) {
      throw new IllegalArgumentException("listenPort must be 0..65535, not " + listenPort);
    }
    String scheme = upstream == null || upstream.getScheme() == null ? null : upstream.getScheme().toLowerCase(Locale.ROOT);
    if (!"http".equals(scheme) && !"https".equals(scheme) || upstream.getHost() == null || upstream.getRawQuery() != null
        || upstream.getRawFragment() != null) {
      throw new IllegalArgumentException("upstream must be an http:// or https:// URL without query or fragment, not " + upstream);
    }
    if (loops < 1 || loops > 256) {
      throw new IllegalArgumentException("loops must be 1..256, not " + loops);
    }
    if (idleUpstreamPerLoop < 0 || idleUpstreamPerLoop > 10_000) {
      throw new IllegalArgumentException("idleUpstreamPerLoop must be 0..10000, not " + idleUpstreamPerLoop);
    }
    if (maxBodyBytes < 1 || maxBodyBytes > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("maxBodyBytes must be 1.." + Integer.MAX_VALUE + ", not " + maxBodyBytes);
    }
    requirePositive("bodyTimeout", bodyTimeout);
    requirePositive("connectTimeout", connectTimeout);
    requirePositive("idleTimeout", idleTimeout);
    if (shutdownTimeout == null || shutdownTimeout.isNegative()) {
      throw new IllegalArgumentException("shutdownTimeout must be 0 or more");
    }
  }

  /** Loops = cores, 64 idle upstream connections per loop kept up to 30 s (clients' too), and the bridge's defaults otherwise. */
  public static DataPathConfig of(String listenHost, int listenPort, URI upstream, long maxBodyBytes, Duration bodyTimeout,
      Duration shutdownTimeout) {
    return new DataPathConfig(listenHost, listenPort, upstream, Runtime.getRuntime().availableProcessors(), 64,
        maxBodyBytes, bodyTimeout, Duration.ofSeconds(10), Duration.ofSeconds(30), shutdownTimeout);
  }

  private static void requirePositive(String name, Duration value) {
    if (value == null || value.isZero() || value.isNegative()) {
      throw new IllegalArgumentException(name + " must be more than 0");
    }
  }

  String upstreamHost() {
    return upstream.getHost();
  }

  int upstreamPort() {
    return upstream.getPort() != -1 ? upstream.getPort() : tls() ? 443 : 80;
  }

  /** Whether the backend speaks TLS (an https:// API root). */
  boolean tls() {
    return "https".equalsIgnoreCase(upstream.getScheme());
  }

  /** The Host header the backend gets. */
  String upstreamHostHeader() {
    return upstream.getPort() == -1 ? upstream.getHost() : upstream.getHost() + ":" + upstream.getPort();
  }

  /** The API root's path without a trailing slash; empty for none. */
  String upstreamBasePath() {
    String path = upstream.getRawPath() == null ? "" : upstream.getRawPath();
    return path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
  }
}
