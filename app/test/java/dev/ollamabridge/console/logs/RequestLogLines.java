package dev.ollamabridge.console.logs;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;

/** Request log lines in the formats the bridges and nginx write, for tests to put in files. */
public final class RequestLogLines {

  private static final ObjectMapper JSON = new ObjectMapper();

  private RequestLogLines() {}

  /** A bridge's line with every key of the contract; {@code error} null for a success. */
  public static String bridge(Instant time, String id, String key, String model, int status, long latencyMs, String error) {
    ObjectNode line = JSON.createObjectNode();
    line.put("time", time.toString()).put("id", id).put("key", key).put("key_id", key == null ? null : "k-" + key)
        .put("model", model).put("backend_model", model).put("route", "/v1/chat/completions")
        .put("dialect_in", "openai").put("dialect_out", "ollama").put("stream", false).put("status", status)
        .put("cache", status == 200 ? "miss" : "off").put("latency_ms", latencyMs).put("ttft_ms", latencyMs / 2)
        .put("prompt_tokens", 12).put("completion_tokens", status == 200 ? 34 : 0).put("bytes_in", 180)
        .put("bytes_out", 640).put("client", "127.0.0.1").put("retries", 0).put("error", error);
    return line.toString();
  }

  /** nginx's JSON access log line, every value a string as {@code escape=json} writes it. */
  public static String nginx(Instant time, String id, String uri, int status, String model) {
    ObjectNode line = JSON.createObjectNode();
    line.put("time", time.toString()).put("id", id).put("client", "127.0.0.1").put("method", "POST").put("uri", uri)
        .put("status", Integer.toString(status)).put("bytes_out", "640").put("request_time", "0.125")
        .put("upstream", "127.0.0.1:3100").put("upstream_status", Integer.toString(status)).put("upstream_time", "0.120")
        .put("model", model);
    return line.toString();
  }
}
