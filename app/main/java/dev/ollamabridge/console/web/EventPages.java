package dev.ollamabridge.console.web;

import dev.ollamabridge.console.events.EventLog;
import io.javalin.http.Context;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** {@code /events}: the audit log, newest first, by target and action, a page at a time. */
final class EventPages {

  private static final int PAGE_SIZE = 100;

  private final EventLog events;
  private final Pages pages;

  EventPages(EventLog events, Pages pages) {
    this.events = events;
    this.pages = pages;
  }

  void list(Context ctx) {
    String target = filter(ctx.queryParam("target"));
    String action = filter(ctx.queryParam("action"));
    Long before = ctx.queryParamAsClass("before", Long.class).getOrNull();
    List<EventLog.Event> page = events.latest(PAGE_SIZE, target, action, before);
    String older = page.size() < PAGE_SIZE ? null : link(target, action, page.get(page.size() - 1).id());
    pages.render(ctx, "events.jte", new EventsPage(WebRoutes.layout(ctx, "Events", "events"), page,
        target == null ? "" : target, action == null ? "" : action, events.actions(), older, before != null,
        link(target, action, null)));
  }

  private static String filter(String value) {
    return value == null || value.isBlank() ? null : value.strip();
  }

  private static String link(String target, String action, Long before) {
    List<String> query = new ArrayList<>();
    if (target != null) {
      query.add("target=" + URLEncoder.encode(target, StandardCharsets.UTF_8));
    }
    if (action != null) {
      query.add("action=" + URLEncoder.encode(action, StandardCharsets.UTF_8));
    }
    if (before != null) {
      query.add("before=" + before);
    }
    return "/events" + (query.isEmpty() ? "" : "?" + String.join("&", query));
  }
}
