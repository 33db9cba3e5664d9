package dev.ollamabridge.console.usage;

import java.util.ArrayList;
import java.util.List;

/**
 * A usage report as CSV (RFC 4180: CRLF line ends, a cell with a comma, a quote or a line break
 * quoted, its quotes doubled), one line per row under a header. Key and model names come from
 * clients: a cell that a spreadsheet would take for a formula (it starts with {@code = + - @}, a tab
 * or a carriage return) is written with a leading {@code '}, as OWASP advises.
 */
public final class UsageCsv {

  private UsageCsv() {}

  /** The name a download of this query is saved under. */
  public static String filename(UsageQuery query) {
    return "usage-" + query.from() + "-" + query.to() + ".csv";
  }

  public static String of(UsageReport report) {
    StringBuilder csv = new StringBuilder();
    List<String> header = new ArrayList<>();
    header.add("from");
    header.add("to");
    for (UsageDimension dimension : report.query().groupBy()) {
      header.add(dimension.word());
      if (dimension == UsageDimension.KEY) {
        header.add("key_name");
      }
    }
    header.addAll(List.of("requests", "errors", "prompt_tokens", "completion_tokens", "cache_hits"));
    line(csv, header);
    List<UsageRow> rows = report.query().groupBy().isEmpty()
        ? List.of(new UsageRow(null, null, null, null, null, report.totals())) : report.rows();
    for (UsageRow row : rows) {
      List<String> cells = new ArrayList<>();
      cells.add(report.query().from().toString());
      cells.add(report.query().to().toString());
      for (UsageDimension dimension : report.query().groupBy()) {
        switch (dimension) {
          case KEY -> {
            cells.add(row.keyId());
            cells.add(row.keyName() == null ? "" : row.keyName());
          }
          case MODEL -> cells.add(row.model());
          case INSTANCE -> cells.add(row.instance());
          case HOST -> cells.add(row.host());
        }
      }
      UsageCounters counts = row.counters();
      for (long count : new long[] {counts.requests(), counts.errors(), counts.promptTokens(), counts.completionTokens(),
          counts.cacheHits()}) {
        cells.add(Long.toString(count));
      }
      line(csv, cells);
    }
    return csv.toString();
  }

  private static void line(StringBuilder csv, List<String> cells) {
    for (int i = 0; i < cells.size(); i++) {
      if (i > 0) {
        csv.append(',');
      }
      csv.append(cell(cells.get(i)));
    }
    csv.append("\r\n");
  }

  static String cell(String value) {
    String text = value == null ? "" : value;
    if (!text.isEmpty() && "=+-@\t\r".indexOf(text.charAt(0)) >= 0) {
      text = "'" + text;
    }
    if (text.indexOf(',') >= 0 || text.indexOf('"') >= 0 || text.indexOf('\n') >= 0 || text.indexOf('\r') >= 0) {
      return '"' + text.replace("\"", "\"\"") + '"';
    }
    return text;
  }
}
