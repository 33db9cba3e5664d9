package dev.ollamabridge.console.logs;

import java.time.Instant;
import java.util.Map;

/**
 * One request as a log line told it: a bridge's line ({@code source} {@value #BRIDGE}) or an nginx access
 * log line ({@value #NGINX}), checked and bounded, with the columns the Logs page shows.
 *
 * @param host the host whose bridge or nginx wrote it ({@code local}: the console's machine)
 * @param instance the bridge's instance, or null for an nginx line
 * @param id the request id, or null when the line had none
 * @param route the bridge's route, or nginx's method and URI
 * @param latencyMs the bridge's latency, or nginx's request time in milliseconds
 * @param line the line's known keys as it gave them (unknown ones left out), then {@code source}, {@code host}
 *     and {@code instance}: what the record view shows
 */
public record LoggedRequest(String source, String host, String instance, Instant time, String id, Integer status,
    String key, String model, String route, Long latencyMs, Long promptTokens, Long completionTokens, String cache,
    String error, Map<String, Object> line) {

  public static final String BRIDGE = "bridge";
  public static final String NGINX = "nginx";

  /** Where the line came from, as the table shows it: the instance, or nginx, at its host. */
  public String origin() {
    return (instance == null ? "nginx" : instance) + " @ " + host;
  }

  /** Prompt and completion tokens as {@code 12 → 340}, or empty when the line has neither. */
  public String tokens() {
    if (promptTokens == null && completionTokens == null) {
      return "";
    }
    return (promptTokens == null ? "–" : promptTokens) + " → " + (completionTokens == null ? "–" : completionTokens);
  }

  /** The status class the filters speak of: {@code 2xx}, {@code 4xx}…, or empty. */
  public String statusClass() {
    return status == null ? "" : status / 100 + "xx";
  }

  /** This line's place in follow mode. */
  public RequestCursor cursor() {
    return new RequestCursor(time.toEpochMilli(), id == null ? "" : id);
  }
}
