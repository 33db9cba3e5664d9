package dev.ollamabridge.fake;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.Map;

/**
 * The test hooks under {@code /_fake/}: read the traffic counters and change faults while the
 * server runs. Served in every dialect, never behind a key and never down, and only when the fake
 * is started with them ({@code --control-routes}): anyone who reaches them can take the fake down.
 */
final class ControlRoutes {

  private final FakeBackend backend;

  ControlRoutes(FakeBackend backend) {
    this.backend = backend;
  }

  void register(RoutesConfig routes) {
    routes.get("/_fake/stats", ctx -> ctx.json(backend.traffic().snapshot()));
    routes.get("/_fake/faults", ctx -> ctx.json(backend.faults().current()));
    routes.post("/_fake/faults", this::changeFaults);
  }

  /** Applies the fields present, all or none; answers the settings now in force. */
  private void changeFaults(Context ctx) {
    JsonNode change = backend.requestObject(ctx).orElseThrow(() -> invalid(
        "send a JSON object such as {\"latency_ms\": 200, \"error_rate\": 0.5, \"token_rate\": 20, \"down\": false}"));
    try {
      Faults now = backend.faults().update(old -> new Faults(
          number(change, "latency_ms", old.latencyMs()).longValue(),
          number(change, "error_rate", old.errorRate()).doubleValue(),
          number(change, "token_rate", old.tokenRate()).doubleValue(),
          flag(change, "down", old.down())));
      ctx.json(now);
    } catch (IllegalArgumentException e) {
      throw invalid(e.getMessage());
    }
  }

  private static Number number(JsonNode change, String field, Number unchanged) {
    JsonNode value = change.path(field);
    if (value.isMissingNode()) {
      return unchanged;
    }
    if (!value.isNumber()) {
      throw new IllegalArgumentException(field + " must be a number (got " + value + ")");
    }
    return value.numberValue();
  }

  private static boolean flag(JsonNode change, String field, boolean unchanged) {
    JsonNode value = change.path(field);
    if (value.isMissingNode()) {
      return unchanged;
    }
    if (!value.isBoolean()) {
      throw new IllegalArgumentException(field + " must be true or false (got " + value + ")");
    }
    return value.booleanValue();
  }

  private static ApiError invalid(String message) {
    return new ApiError(400, Map.of("error", message));
  }
}
