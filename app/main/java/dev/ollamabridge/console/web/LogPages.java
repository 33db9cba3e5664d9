package dev.ollamabridge.console.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ollamabridge.console.hosts.HostService;
import dev.ollamabridge.console.hosts.HostUnavailable;
import dev.ollamabridge.console.instances.Instance;
import dev.ollamabridge.console.instances.InstanceService;
import dev.ollamabridge.console.instances.InvalidInput;
import dev.ollamabridge.console.logs.LoggedRequest;
import dev.ollamabridge.console.logs.RequestCursor;
import dev.ollamabridge.console.logs.RequestLogs;
import dev.ollamabridge.console.logs.RequestQuery;
import io.javalin.http.Context;
import java.util.List;

/**
 * {@code /logs}: the last requests across the cluster with their filters (the API's parameters, the
 * same rules); {@code /logs/rows?…&after=CURSOR}: the rows newer than the cursor, which follow mode
 * prepends (the new cursor in {@value #CURSOR_HEADER}); {@code /logs/requests/{id}}: one request's
 * record, a page, or for htmx the panel's fragment; {@code /logs/nginx-errors?host=}: an nginx's error
 * log for the panel.
 */
final class LogPages {

  static final String CURSOR_HEADER = "X-Logs-Cursor";
  private static final List<String> FILTERS = List.of("status", "key", "model", "instance", "host", "q");

  private final RequestLogs logs;
  private final InstanceService instances;
  private final HostService hosts;
  private final ObjectMapper json;
  private final Pages pages;

  LogPages(RequestLogs logs, InstanceService instances, HostService hosts, ObjectMapper json, Pages pages) {
    this.logs = logs;
    this.instances = instances;
    this.hosts = hosts;
    this.json = json;
    this.pages = pages;
  }

  void list(Context ctx) {
    RequestQuery query = RequestQuery.parse(ctx::queryParam);
    RequestLogs.Found found = logs.search(query);
    List<String> hostNames = hosts.list().stream().map(view -> view.host().name()).toList();
    pages.render(ctx, "logs.jte", new LogsPage(WebRoutes.layout(ctx, "Logs", "logs"), FilterParams.value(ctx, "status"),
        FilterParams.value(ctx, "key"), FilterParams.value(ctx, "model"), FilterParams.value(ctx, "instance"),
        FilterParams.value(ctx, "host"), FilterParams.value(ctx, "q"),
        RequestQuery.STATUS_CLASSES, instances.list().stream().map(Instance::name).sorted().toList(), hostNames,
        new LogsPage.LogRows(found.requests()), "/logs/rows?" + FilterParams.query(ctx, FILTERS),
        found.cursor() == null ? "" : found.cursor().toString(), found.unanswered(), found.skipped(), logs.nginxHosts(),
        query.filtered()));
  }

  void rows(Context ctx) {
    RequestLogs.Found found = logs.search(RequestQuery.parse(ctx::queryParam));
    ctx.header(CURSOR_HEADER, found.cursor() == null ? "" : found.cursor().toString());
    pages.render(ctx, "logs/_rows.jte", new LogsPage.LogRows(found.requests()));
  }

  void record(Context ctx) {
    String id = ctx.pathParam("id");
    if (!RequestCursor.ID.matcher(id).matches()) {
      throw new InvalidInput("id", "id must be 1 to 128 letters, digits, '.', '_', ':' or '-'");
    }
    RequestLogs.Record record = logs.record(id);
    boolean fragment = ctx.header("HX-Request") != null;
    LogRecordPage page = new LogRecordPage(fragment ? null : WebRoutes.layout(ctx, "Request " + id, "logs"), id,
        lines(record.bridge()), lines(record.nginx()), record.unanswered());
    pages.render(ctx, fragment ? "logs/_record.jte" : "logs/record.jte", page);
  }

  void nginxErrors(Context ctx) {
    String host = FilterParams.value(ctx, "host");
    host = host.isEmpty() ? "local" : host;
    NginxErrorsPanel panel;
    if (!host.matches("[a-z0-9][a-z0-9-]{0,62}")) {
      panel = new NginxErrorsPanel(host, List.of(), "host must be local or the name of an edge host");
    } else {
      try {
        panel = new NginxErrorsPanel(host, logs.nginxErrors(host).lines(), null);
      } catch (HostUnavailable | InvalidInput e) {
        panel = new NginxErrorsPanel(host, List.of(), e.getMessage());
      }
    }
    pages.render(ctx, "logs/_errors.jte", panel);
  }

  private List<LogRecordPage.Line> lines(List<LoggedRequest> requests) {
    return requests.stream().map(request -> {
      try {
        return new LogRecordPage.Line(request.origin(), json.writerWithDefaultPrettyPrinter().writeValueAsString(request.line()));
      } catch (JsonProcessingException e) {
        throw new IllegalStateException(e);
      }
    }).toList();
  }

}
