package dev.ollamabridge.console.api;

import dev.ollamabridge.console.events.EventLog;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@code GET /api/v1/events?limit=N&target=NAME}: the newest events first. */
final class EventRoutes {

  private final EventLog events;

  EventRoutes(EventLog events) {
    this.events = events;
  }

  void list(Context ctx) {
    int limit = QueryParams.integer(ctx, "limit", 100, 1, 1000);
    ctx.json(Map.of("events", events.latest(limit, ctx.queryParam("target")).stream().map(event -> {
      Map<String, Object> json = new LinkedHashMap<>();
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
