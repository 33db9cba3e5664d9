package dev.ollamabridge.console.api;

import dev.ollamabridge.console.events.EventLog;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /api/v1/events?limit=N&target=NAME&action=ACTION&before=ID}: the newest events first;
 * {@code before} pages back from the last id of the page before.
 */
final class EventRoutes {

  private final EventLog events;

  EventRoutes(EventLog events) {
    this.events = events;
  }

  void list(Context ctx) {
    int limit = QueryParams.integer(ctx, "limit", 100, 1, 1000);
    Long before = ctx.queryParamAsClass("before", Long.class).getOrNull();
    List<EventLog.Event> found = events.latest(limit, ctx.queryParam("target"), ctx.queryParam("action"), before);
    ctx.json(Map.of("events", found.stream().map(event -> {
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
