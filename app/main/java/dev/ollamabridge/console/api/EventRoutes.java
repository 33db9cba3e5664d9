package dev.ollamabridge.console.api;

import dev.ollamabridge.console.events.EventLog;
import dev.ollamabridge.console.events.EventQuery;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code GET /api/v1/events?limit=N&target=NAME&target_contains=PART&action=ACTION&q=TEXT&from=TIME&to=TIME&before=ID&after=ID}:
 * the newest events first; {@code before} pages back from the last id of a page, {@code after} forward
 * from its first.
 */
final class EventRoutes {

  private final EventLog events;

  EventRoutes(EventLog events) {
    this.events = events;
  }

  void list(Context ctx) {
    EventLog.Page page = events.search(EventQuery.parse(ctx::queryParam, 100));
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("events", page.events().stream().map(event -> {
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("id", event.id());
      json.put("at", event.at().toString());
      json.put("actor", event.actor());
      json.put("action", event.action());
      json.put("target", event.target());
      json.put("detail", event.detail());
      return json;
    }).toList());
    answer.put("more", page.more());
    ctx.json(answer);
  }
}
