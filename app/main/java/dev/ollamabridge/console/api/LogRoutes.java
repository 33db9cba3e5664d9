package dev.ollamabridge.console.api;

import dev.ollamabridge.console.instances.InvalidInput;
import dev.ollamabridge.console.logs.LoggedRequest;
import dev.ollamabridge.console.logs.RequestCursor;
import dev.ollamabridge.console.logs.RequestLogs;
import dev.ollamabridge.console.logs.RequestQuery;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /api/v1/logs/requests?status=4xx&key=&model=&instance=&host=&q=&after=&limit=}: the last requests
 * across the cluster, newest first, with the cursor to follow them ({@code after}); {@code
 * GET /api/v1/logs/requests/{id}}: one request's bridge and nginx lines; {@code GET /api/v1/logs/nginx-errors?host=}:
 * an nginx's error log.
 */
final class LogRoutes {

  private final RequestLogs logs;

  LogRoutes(RequestLogs logs) {
    this.logs = logs;
  }

  void requests(Context ctx) {
    RequestLogs.Found found = logs.search(RequestQuery.parse(ctx::queryParam));
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("requests", found.requests().stream().map(LoggedRequest::line).toList());
    answer.put("cursor", found.cursor() == null ? null : found.cursor().toString());
    answer.put("skipped", found.skipped());
    answer.put("unanswered", sources(found.unanswered()));
    ctx.json(answer);
  }

  void record(Context ctx) {
    String id = ctx.pathParam("id");
    if (!RequestCursor.ID.matcher(id).matches()) {
      throw new InvalidInput("id", "id must be 1 to 128 letters, digits, '.', '_', ':' or '-'");
    }
    RequestLogs.Record record = logs.record(id);
    if (record.bridge().isEmpty() && record.nginx().isEmpty()) {
      ctx.status(404).json(Map.of("error", "no request " + id + " in the logs' last lines", "status", 404,
          "unanswered", sources(record.unanswered())));
      return;
    }
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("id", id);
    answer.put("bridge", record.bridge().stream().map(LoggedRequest::line).toList());
    answer.put("nginx", record.nginx().stream().map(LoggedRequest::line).toList());
    answer.put("unanswered", sources(record.unanswered()));
    ctx.json(answer);
  }

  void nginxErrors(Context ctx) {
    String host = ctx.queryParam("host");
    host = host == null || host.isBlank() ? "local" : host.strip();
    if (!host.matches("[a-z0-9][a-z0-9-]{0,62}")) {
      throw new InvalidInput("host", "host must be local or the name of an edge host");
    }
    RequestLogs.ErrorLog errors = logs.nginxErrors(host);
    ctx.json(Map.of("host", errors.host(), "lines", errors.lines()));
  }

  private static List<Map<String, Object>> sources(List<RequestLogs.Source> sources) {
    return sources.stream().map(source -> {
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("host", source.host());
      json.put("instance", source.instance());
      json.put("error", source.error());
      return json;
    }).toList();
  }
}
