package dev.ollamabridge.console.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ollamabridge.console.instances.InvalidInput;
import dev.ollamabridge.console.usage.UsageCsv;
import dev.ollamabridge.console.usage.UsageDay;
import dev.ollamabridge.console.usage.UsageDimension;
import dev.ollamabridge.console.usage.UsageQuery;
import dev.ollamabridge.console.usage.UsageReport;
import dev.ollamabridge.console.usage.UsageService;
import io.javalin.http.Context;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code /usage}: what the cluster's keys used over a range of UTC days (the API's {@code from} and
 * {@code to}, the same rules), and {@code /usage.csv}, its download for a session.
 */
final class UsagePages {

  private static final List<UsageDimension> CSV_GROUPS = List.of(UsageDimension.KEY, UsageDimension.MODEL,
      UsageDimension.INSTANCE, UsageDimension.HOST);

  private final UsageService usage;
  private final ObjectMapper json;
  private final Pages pages;

  UsagePages(UsageService usage, ObjectMapper json, Pages pages) {
    this.usage = usage;
    this.json = json;
    this.pages = pages;
  }

  void show(Context ctx) throws JsonProcessingException {
    UsageQuery query;
    String problem = null;
    String problemField = null;
    try {
      query = UsageQuery.parse(ctx::queryParam, usage.today());
    } catch (InvalidInput e) {
      problem = e.getMessage();
      problemField = e.field();
      query = UsageQuery.parse(name -> null, usage.today());
      ctx.status(400);
    }
    UsageReport byKey = usage.report(query.groupedBy(List.of(UsageDimension.KEY)));
    UsageReport byModel = usage.report(query.groupedBy(List.of(UsageDimension.MODEL)));
    UsageReport byInstance = usage.report(query.groupedBy(List.of(UsageDimension.INSTANCE, UsageDimension.HOST)));
    String range = "from=" + query.from() + "&to=" + query.to();
    pages.render(ctx, "usage.jte", new UsagePage(WebRoutes.layout(ctx, "Usage", "usage"),
        problem == null ? query.from().toString() : value(ctx, "from"),
        problem == null ? query.to().toString() : value(ctx, "to"), problem, problemField, byKey.totals(),
        json.writeValueAsString(chart(byKey.days())), byKey.rows(), byModel.rows(), byInstance.rows(),
        "/usage.csv?" + range + "&group_by=key,model,instance,host"));
  }

  void csv(Context ctx) {
    UsageQuery query = UsageQuery.parse(ctx::queryParam, usage.today());
    UsageReport report = usage.report(query.groupBy().isEmpty() ? query.groupedBy(CSV_GROUPS) : query);
    ctx.header("Content-Disposition", "attachment; filename=\"" + UsageCsv.filename(query) + "\"");
    ctx.contentType("text/csv; charset=utf-8; header=present").result(UsageCsv.of(report));
  }

  /** The days in uPlot's column layout, as console.js draws them. */
  private static Map<String, Object> chart(List<UsageDay> days) {
    Map<String, Object> columns = new LinkedHashMap<>();
    columns.put("epochSeconds", days.stream().map(d -> d.day().atStartOfDay(ZoneOffset.UTC).toEpochSecond()).toList());
    columns.put("requests", days.stream().map(d -> d.counters().requests()).toList());
    columns.put("errors", days.stream().map(d -> d.counters().errors()).toList());
    columns.put("promptTokens", days.stream().map(d -> d.counters().promptTokens()).toList());
    columns.put("completionTokens", days.stream().map(d -> d.counters().completionTokens()).toList());
    columns.put("cacheHits", days.stream().map(d -> d.counters().cacheHits()).toList());
    return columns;
  }

  private static String value(Context ctx, String name) {
    String value = ctx.queryParam(name);
    return value == null ? "" : value.strip();
  }
}
