package dev.ollamabridge.fake;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The settings that {@code POST /_fake/faults} may change while the server runs.
 *
 * @param latencyMs extra wait before the first token or a whole answer
 * @param errorRate share of generation and embedding requests answered with HTTP 500
 * @param tokenRate tokens per second per stream; 0 means as fast as possible
 * @param down whether every route except {@code /_fake/*} answers 503
 */
record Faults(
    @JsonProperty("latency_ms") long latencyMs,
    @JsonProperty("error_rate") double errorRate,
    @JsonProperty("token_rate") double tokenRate,
    @JsonProperty("down") boolean down) {

  Faults {
    if (latencyMs < 0) {
      throw new IllegalArgumentException("latency must be 0 ms or more (got " + latencyMs + ")");
    }
    if (!(errorRate >= 0.0 && errorRate <= 1.0)) {
      throw new IllegalArgumentException("error rate must be between 0.0 and 1.0 (got " + errorRate + ")");
    }
    if (!(tokenRate >= 0.0) || Double.isInfinite(tokenRate)) {
      throw new IllegalArgumentException(
          "token rate must be 0 (unpaced) or a positive number of tokens per second (got " + tokenRate + ")");
    }
  }
}
