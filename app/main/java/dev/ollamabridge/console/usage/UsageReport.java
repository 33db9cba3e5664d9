package dev.ollamabridge.console.usage;

import java.util.List;

/**
 * The answer to a {@link UsageQuery}: its rows (the most requests first), the totals of the whole
 * range, and the cluster's counts for every day of it (zero where nothing was counted).
 */
public record UsageReport(UsageQuery query, List<UsageRow> rows, UsageCounters totals, List<UsageDay> days) {

  public UsageReport {
    rows = List.copyOf(rows);
    days = List.copyOf(days);
  }
}
