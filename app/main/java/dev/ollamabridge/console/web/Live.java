package dev.ollamabridge.console.web;

import java.util.List;

/**
 * The part of the dashboard that updates itself: the totals and the rows the filter keeps, in its
 * order. A poll answers only what differs from what the page shows ({@link LiveChanges}).
 *
 * @param rows the rows the filter keeps, in its order
 */
public record Live(Totals totals, List<InstanceRow> rows, RowFilter filter) {

  /**
   * @param up instances whose bridge runs (or is external) and passes its health checks
   * @param revision the nginx revision being served, or a word for why there is none
   */
  public record Totals(long up, int total, String requestsPerSecond, String errorsPerSecond, String revision) {}

  /** What the summary above the table says: the totals, and how many rows of how many the filter shows. */
  public String summaryDigest() {
    return Digests.of(totals + "|" + rows.size() + "|" + filter.narrows());
  }
}
