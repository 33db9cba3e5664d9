package dev.ollamabridge.console.web;

import dev.ollamabridge.console.usage.UsageCounters;
import dev.ollamabridge.console.usage.UsageRow;
import java.util.List;
import java.util.Locale;

/**
 * The Usage page: a range of UTC days, the cluster's totals, a chart per day, and tables by key,
 * by model and by instance.
 *
 * @param from the first day shown (YYYY-MM-DD)
 * @param to the day the range ends before, as the form sends it
 * @param problem why the form's range was refused (the last 7 days are shown instead), or null
 * @param problemField the parameter refused, or null
 * @param chart the days as chart columns (JSON: epochSeconds, requests, errors, promptTokens, completionTokens)
 * @param csv the link that downloads the range by key, model and instance as CSV
 */
public record UsagePage(Layout layout, String from, String to, String problem, String problemField,
    UsageCounters totals, String chart, List<UsageRow> byKey, List<UsageRow> byModel, List<UsageRow> byInstance,
    String csv) {

  /** A count with thousands separators: 1,234,567. */
  public String number(long count) {
    return String.format(Locale.ROOT, "%,d", count);
  }

  /** The share of errors among the requests, as the totals show it (one decimal), or "" with none. */
  public String errorShare(UsageCounters counts) {
    return counts.requests() == 0 ? "" : String.format(Locale.ROOT, "%.1f %%", 100.0 * counts.errors() / counts.requests());
  }
}
