package dev.ollamabridge.console.web;

import dev.ollamabridge.console.health.HealthState;
import dev.ollamabridge.console.instances.Instance;
import dev.ollamabridge.console.instances.InstanceView;
import dev.ollamabridge.console.metrics.Figures;
import dev.ollamabridge.console.supervise.ProcessState;
import dev.ollamabridge.console.supervise.ProgramStatus;
import java.net.URI;
import java.util.Locale;

/**
 * One instance as a row of the dashboard shows it: every value already a word or a formatted
 * figure, so the template only places them. Times are ISO instants, shown in the browser's zone.
 *
 * @param host the machine its bridge runs on: {@code local}, or a host on the Hosts page
 * @param hostState that host's state when it is not Ready (its bridges are out of nginx), else null
 */
public record InstanceRow(
    long id,
    String name,
    String address,
    String host,
    String hostState,
    String upstream,
    String dialect,
    String role,
    int weight,
    long version,
    boolean managed,
    boolean enabled,
    boolean draining,
    String state,
    String since,
    int restarts,
    String processMessage,
    String health,
    String lastCheck,
    String latency,
    String lastError,
    String requestsPerSecond,
    String latencyP50,
    String latencyP95,
    String firstToken,
    String cacheHitRatio,
    String tokensPerSecond,
    String inFlight,
    String refusedPerSecond) {

  static InstanceRow of(InstanceView view) {
    return of(view, null);
  }

  /** @param hostState the state of the instance's host when it is not Ready, else null */
  static InstanceRow of(InstanceView view, String hostState) {
    Instance i = view.instance();
    ProgramStatus process = view.process();
    HealthState health = view.health();
    Figures figures = view.figures();
    return new InstanceRow(i.id(), i.name(), i.address(), i.host(), hostState, upstream(i.upstreamUrl()), i.upstreamDialect(), i.role(),
        i.weight(), i.version(), i.managed(), i.enabled(), view.draining(),
        state(view), process == null ? null : String.valueOf(process.since()), process == null ? 0 : process.restarts(),
        process == null ? null : process.message(),
        view.healthWord(),
        health == null || health.lastCheck() == null ? null : health.lastCheck().toString(),
        health == null || health.lastCheck() == null ? "" : health.latencyMillis() + " ms",
        view.healthError(),
        figures == null ? "–" : rate(figures.requestsPerSecond()),
        figures == null ? "–" : millis(figures.latencyP50Ms()),
        figures == null ? "–" : millis(figures.latencyP95Ms()),
        figures == null ? "–" : millis(figures.firstTokenP50Ms()),
        figures == null || figures.cacheHitRatio() == null ? "–" : Math.round(figures.cacheHitRatio() * 100) + " %",
        figures == null ? "–" : rate(figures.completionTokensPerSecond()),
        figures == null ? "–" : figures.inFlight() + (figures.queued() > 0 ? " + " + figures.queued() + " queued" : ""),
        figures == null || figures.refusedPerSecond() == 0 ? null : rate(figures.refusedPerSecond()));
  }

  /** The process state word, as supervisord says it; an instance the console does not run says why. */
  private static String state(InstanceView view) {
    if (view.draining()) {
      return "DRAINING";
    }
    if (view.process() != null) {
      return view.process().state().name();
    }
    return view.instance().managed() ? (view.instance().enabled() ? ProcessState.STOPPED.name() : "DISABLED") : "EXTERNAL";
  }

  /** A CSS class for the state word: good, busy, bad or idle. */
  public String stateTone() {
    return switch (state) {
      case "RUNNING", "EXTERNAL" -> "good";
      case "STARTING", "STOPPING", "DRAINING", "BACKOFF" -> "busy";
      case "FATAL", "EXITED", "UNKNOWN" -> "bad";
      default -> "idle";
    };
  }

  public String healthTone() {
    return healthTone(health);
  }

  /** A CSS class for a health word: good, bad, busy (starting, checking) or idle. */
  static String healthTone(String health) {
    return switch (health) {
      case "healthy" -> "good";
      case "unhealthy" -> "bad";
      case "starting", "checking" -> "busy";
      default -> "idle";
    };
  }

  /**
   * A fingerprint of what the dashboard's row shows: a poll sends a row again only when it changed. The
   * time and latency of the last health check, which change with every check, are left out (the row does
   * not show them).
   */
  public String digest() {
    return Digests.of(toString().replace(", lastCheck=" + lastCheck + ", latency=" + latency + ",", ","));
  }

  /** Median and 95th percentile latency, or one dash when nothing was answered. */
  public String latencies() {
    return latencyP50.equals("–") && latencyP95.equals("–") ? "–" : latencyP50 + " · " + latencyP95;
  }

  public boolean running() {
    return state.equals("RUNNING") || state.equals("STARTING") || state.equals("BACKOFF");
  }

  /** The upstream's {@code host:port}, the port also when the URL leaves it to its scheme: two backends on one host differ by it. */
  private static String upstream(String url) {
    try {
      URI uri = URI.create(url);
      if (uri.getHost() == null) {
        return url;
      }
      int port = uri.getPort() >= 0 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
      return uri.getHost() + ":" + port;
    } catch (IllegalArgumentException e) {
      return url;
    }
  }

  static String rate(double perSecond) {
    return perSecond >= 100 ? String.format(Locale.ROOT, "%.0f", perSecond) : String.format(Locale.ROOT, "%.1f", perSecond);
  }

  static String millis(Double ms) {
    if (ms == null) {
      return "–";
    }
    return ms >= 1000 ? String.format(Locale.ROOT, "%.2f s", ms / 1000) : String.format(Locale.ROOT, "%.0f ms", ms);
  }
}
