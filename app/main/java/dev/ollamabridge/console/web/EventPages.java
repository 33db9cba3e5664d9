package dev.ollamabridge.console.web;

import dev.ollamabridge.console.events.EventLog;
import dev.ollamabridge.console.events.EventQuery;
import io.javalin.http.Context;
import java.util.List;

/**
 * {@code /events}: the audit log, newest first, by a part of the target (or, from a link, the target exactly), the action, a text in the
 * action or detail and a time range, a page at a time in both directions. The same parameters as
 * the API's, with the same bounds.
 */
final class EventPages {

  private static final int PAGE_SIZE = 100;
  /** The filter parameters a paging link carries on, as the form sent them. */
  private static final List<String> FILTERS = List.of("target", "target_contains", "action", "q", "from", "to", "tz");

  private final EventLog events;
  private final Pages pages;

  EventPages(EventLog events, Pages pages) {
    this.events = events;
    this.pages = pages;
  }

  void list(Context ctx) {
    EventQuery query = EventQuery.parse(ctx::queryParam, PAGE_SIZE);
    EventLog.Page found = events.search(query);
    List<EventLog.Event> shown = found.events();
    boolean newest = query.before() == null && (query.after() == null || !found.more());
    boolean oldest = query.after() == null && !found.more();
    String filters = FilterParams.query(ctx, FILTERS);
    String older = oldest || shown.isEmpty() ? null : link(filters, "before=" + shown.get(shown.size() - 1).id());
    String newer = newest || shown.isEmpty() ? null : link(filters, "after=" + shown.get(0).id());
    pages.render(ctx, "events.jte", new EventsPage(WebRoutes.layout(ctx, "Events", "events"), shown,
        FilterParams.value(ctx, "target_contains"), FilterParams.value(ctx, "action"), FilterParams.value(ctx, "q"),
        FilterParams.value(ctx, "from"), FilterParams.value(ctx, "to"),
        events.actions(), older, newer, !newest, link(filters, null), query.filtered()));
  }

  private static String link(String filters, String paging) {
    String query = paging == null ? filters : filters.isEmpty() ? paging : filters + "&" + paging;
    return "/events" + (query.isEmpty() ? "" : "?" + query);
  }
}
