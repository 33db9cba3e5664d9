package dev.ollamabridge.console.api;

import dev.ollamabridge.console.events.EventLog;
import dev.ollamabridge.console.instances.InvalidInput;
import io.javalin.http.Context;
import java.util.Map;

/** {@code GET /api/v1/events?limit=N&target=NAME}: the newest events first. */
final class EventRoutes {

  private EventRoutes() {}

  static void list(Context ctx, EventLog events) {
    int limit = 100;
    String given = ctx.queryParam("limit");
    if (given != null) {
      try {
        limit = Integer.parseInt(given);
      } catch (NumberFormatException e) {
        limit = -1;
      }
      if (limit < 1 || limit > 1000) {
        throw new InvalidInput("limit", "limit must be an integer from 1 to 1000");
      }
    }
    ctx.json(Map.of("events", events.latest(limit, ctx.queryParam("target")).stream().map(event -> {
      var json = new java.util.LinkedHashMap<String, Object>();
      json.put("id", event.id());
      json.put("at", event.at().toString());
      json.put("actor", event.actor());
      json.put("action", event.action());
      json.put("target", event.target());
      json.put("detail", event.detail());
      return json;
    }).toList()));
  }
}
