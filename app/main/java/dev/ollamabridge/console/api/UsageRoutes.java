package dev.ollamabridge.console.api;

import dev.ollamabridge.console.usage.UsageCounters;
import dev.ollamabridge.console.usage.UsageCsv;
import dev.ollamabridge.console.usage.UsageDay;
import dev.ollamabridge.console.usage.UsageDimension;
import dev.ollamabridge.console.usage.UsageQuery;
import dev.ollamabridge.console.usage.UsageReport;
import dev.ollamabridge.console.usage.UsageRow;
import dev.ollamabridge.console.usage.UsageService;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code GET /api/v1/usage?from=YYYY-MM-DD&to=YYYY-MM-DD&group_by=key,model}: the usage of the UTC
 * days {@code [from, to)} grouped as asked, with the totals and the cluster's days;
 * {@code GET /api/v1/usage.csv}: the same rows as CSV.
 */
final class UsageRoutes {

  private final UsageService usage;

  UsageRoutes(UsageService usage) {
    this.usage = usage;
  }

  void report(Context ctx) {
    UsageReport report = usage.report(UsageQuery.parse(ctx::queryParam, usage.today()));
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("from", report.query().from().toString());
    answer.put("to", report.query().to().toString());
    answer.put("group_by", report.query().groupBy().stream().map(UsageDimension::word).toList());
    answer.put("rows", report.rows().stream().map(row -> row(report, row)).toList());
    answer.put("totals", counts(new LinkedHashMap<>(), report.totals()));
    answer.put("days", report.days().stream().map(UsageRoutes::day).toList());
    ctx.json(answer);
  }

  void csv(Context ctx) {
    UsageReport report = usage.report(UsageQuery.parse(ctx::queryParam, usage.today()));
    ctx.header("Content-Disposition", "attachment; filename=\"" + UsageCsv.filename(report.query()) + "\"");
    ctx.contentType("text/csv; charset=utf-8; header=present").result(UsageCsv.of(report));
  }

  private static Map<String, Object> row(UsageReport report, UsageRow row) {
    Map<String, Object> json = new LinkedHashMap<>();
    for (UsageDimension dimension : report.query().groupBy()) {
      switch (dimension) {
        case KEY -> {
          json.put("key", row.keyId());
          json.put("key_name", row.keyName());
        }
        case MODEL -> json.put("model", row.model());
        case INSTANCE -> json.put("instance", row.instance());
        case HOST -> json.put("host", row.host());
      }
    }
    return counts(json, row.counters());
  }

  private static Map<String, Object> day(UsageDay day) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("day", day.day().toString());
    return counts(json, day.counters());
  }

  private static Map<String, Object> counts(Map<String, Object> json, UsageCounters counts) {
    json.put("requests", counts.requests());
    json.put("errors", counts.errors());
    json.put("prompt_tokens", counts.promptTokens());
    json.put("completion_tokens", counts.completionTokens());
    json.put("cache_hits", counts.cacheHits());
    return json;
  }
}
