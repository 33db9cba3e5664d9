package dev.ollamabridge.console.logs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads one line of a bridge's request log or of nginx's JSON access log. A line is untrusted (a
 * bridge or an edge on another host wrote it, a client chose some of its text): it is bounded, keys
 * this class does not know are left out, texts are cut to their bounds, and a line that is no JSON
 * object, has no time, or gives a known key a value of the wrong type is refused (null), for the
 * caller to count.
 */
final class RequestLines {

  /** A longer line is refused unread: a bridge's longest (both bodies at 64 KiB) stays well under it. */
  static final int MAX_LINE_CHARS = 300_000;
  private static final int MAX_TEXT = 300;
  private static final int MAX_ERROR = 1000;
  private static final int MAX_BODY = 70_000;
  private static final String CUT = "…";
  private static final Pattern WHOLE = Pattern.compile("\\d{1,15}");
  private static final Pattern DECIMAL = Pattern.compile("\\d{1,12}(\\.\\d{1,9})?");
  private static final Pattern EPOCH = Pattern.compile("\\d{9,11}(\\.\\d{1,9})?");

  private enum Type { TEXT, ERROR, BODY, INTEGER, BOOLEAN, NUMBER }

  /** The keys of the bridge's line, in its order, with their types. */
  private static final Map<String, Type> BRIDGE = new LinkedHashMap<>();
  /** The keys of nginx's line; escape=json writes every value as a string, so numbers may come as text. */
  private static final Map<String, Type> NGINX = new LinkedHashMap<>();

  static {
    for (String key : new String[] {"time", "id", "key", "key_id", "model", "backend_model", "route", "dialect_in",
        "dialect_out"}) {
      BRIDGE.put(key, Type.TEXT);
    }
    BRIDGE.put("stream", Type.BOOLEAN);
    BRIDGE.put("status", Type.INTEGER);
    BRIDGE.put("cache", Type.TEXT);
    for (String key : new String[] {"latency_ms", "ttft_ms", "prompt_tokens", "completion_tokens", "bytes_in", "bytes_out"}) {
      BRIDGE.put(key, Type.INTEGER);
    }
    BRIDGE.put("client", Type.TEXT);
    BRIDGE.put("retries", Type.INTEGER);
    BRIDGE.put("error", Type.ERROR);
    BRIDGE.put("request_body", Type.BODY);
    BRIDGE.put("response_body", Type.BODY);
    for (String key : new String[] {"time", "id", "client", "method", "uri"}) {
      NGINX.put(key, Type.TEXT);
    }
    NGINX.put("status", Type.INTEGER);
    NGINX.put("bytes_out", Type.INTEGER);
    NGINX.put("request_time", Type.NUMBER);
    for (String key : new String[] {"upstream", "upstream_status", "upstream_time", "model"}) {
      NGINX.put(key, Type.TEXT);
    }
  }

  private final ObjectMapper json;

  RequestLines(ObjectMapper json) {
    this.json = json;
  }

  /** A bridge's line, or null when it is refused. */
  LoggedRequest bridge(String text, String host, String instance) {
    Map<String, Object> line = read(text, BRIDGE);
    if (line == null) {
      return null;
    }
    Instant time = time(line.get("time"));
    String id = (String) line.get("id");
    if (time == null || id != null && !RequestCursor.ID.matcher(id).matches()) {
      return null;
    }
    Integer status = line.get("status") == null ? null : Math.toIntExact((Long) line.get("status"));
    line.put("source", LoggedRequest.BRIDGE);
    line.put("host", host);
    line.put("instance", instance);
    return new LoggedRequest(LoggedRequest.BRIDGE, host, instance, time, id, status, (String) line.get("key"),
        (String) line.get("model"), (String) line.get("route"), (Long) line.get("latency_ms"),
        (Long) line.get("prompt_tokens"), (Long) line.get("completion_tokens"), (String) line.get("cache"),
        (String) line.get("error"), line);
  }

  /** An nginx access log line, or null when it is refused. */
  LoggedRequest nginx(String text, String host) {
    Map<String, Object> line = read(text, NGINX);
    if (line == null) {
      return null;
    }
    Instant time = time(line.get("time"));
    String id = blankToNull((String) line.get("id"));
    if (time == null || id != null && !RequestCursor.ID.matcher(id).matches()) {
      return null;
    }
    Integer status = line.get("status") == null ? null : Math.toIntExact((Long) line.get("status"));
    Long latency = line.get("request_time") == null ? null
        : ((BigDecimal) line.get("request_time")).movePointRight(3).longValue();
    String method = blankToNull((String) line.get("method"));
    String uri = blankToNull((String) line.get("uri"));
    String route = uri == null ? method : method == null ? uri : method + " " + uri;
    line.put("source", LoggedRequest.NGINX);
    line.put("host", host);
    return new LoggedRequest(LoggedRequest.NGINX, host, null, time, id, status, null,
        blankToNull((String) line.get("model")), route, latency, null, null, null, null, line);
  }

  /** The known keys of a JSON object line, each of its type and bounds; null when the line breaks a rule. */
  private Map<String, Object> read(String text, Map<String, Type> keys) {
    if (text == null || text.length() > MAX_LINE_CHARS || text.isBlank()) {
      return null;
    }
    JsonNode node;
    try {
      node = json.readTree(text);
    } catch (JsonProcessingException e) {
      return null;
    }
    if (node == null || !node.isObject()) {
      return null;
    }
    Map<String, Object> line = new LinkedHashMap<>();
    for (Map.Entry<String, Type> key : keys.entrySet()) {
      JsonNode value = node.get(key.getKey());
      if (value == null) {
        continue;
      }
      if (value.isNull()) {
        line.put(key.getKey(), null);
        continue;
      }
      Object checked = value(value, key.getValue());
      if (checked == null) {
        return null;
      }
      line.put(key.getKey(), checked);
    }
    return line;
  }

  /** The value if it has the type (a number may come as its text), cut to its bound; null if not. */
  private static Object value(JsonNode value, Type type) {
    return switch (type) {
      case TEXT -> value.isTextual() ? cut(value.asText(), MAX_TEXT) : null;
      case ERROR -> value.isTextual() ? cut(value.asText(), MAX_ERROR) : null;
      case BODY -> value.isTextual() ? cut(value.asText(), MAX_BODY) : null;
      case BOOLEAN -> value.isBoolean() ? value.booleanValue() : null;
      case INTEGER -> integer(value);
      case NUMBER -> number(value);
    };
  }

  private static Long integer(JsonNode value) {
    if (value.isIntegralNumber() && value.canConvertToLong()) {
      return value.longValue();
    }
    if (value.isTextual() && WHOLE.matcher(value.asText()).matches()) {
      return Long.parseLong(value.asText());
    }
    return null;
  }

  private static BigDecimal number(JsonNode value) {
    if (value.isNumber()) {
      return value.decimalValue();
    }
    return value.isTextual() && DECIMAL.matcher(value.asText()).matches() ? new BigDecimal(value.asText()) : null;
  }

  /**
   * An ISO-8601 instant ({@code 2026-12-07T15:30:00.123Z}), a time with an offset (nginx's
   * {@code $time_iso8601}) or epoch seconds with a fraction (nginx's {@code $msec}); null otherwise.
   */
  static Instant time(Object value) {
    if (!(value instanceof String text) || text.length() > 40) {
      return null;
    }
    try {
      if (EPOCH.matcher(text).matches()) {
        return Instant.ofEpochMilli(new BigDecimal(text).movePointRight(3).longValue());
      }
      return text.endsWith("Z") ? Instant.parse(text) : OffsetDateTime.parse(text).toInstant();
    } catch (DateTimeException | ArithmeticException e) {
      return null;
    }
  }

  private static String cut(String text, int max) {
    return text.length() <= max ? text : text.substring(0, max) + CUT;
  }

  private static String blankToNull(String text) {
    return text == null || text.isEmpty() || text.equals("-") ? null : text;
  }
}
