package dev.ollamabridge.console.web;

import dev.ollamabridge.console.instances.InstanceView;
import java.util.List;

/**
 * The part of the dashboard that updates itself: the totals and the rows the filter keeps, in its
 * order. A poll answers only what differs from what the page shows ({@link LiveChanges}).
 *
 * @param rows the rows the filter keeps, in its order
 * @param outage that no instance is up, why, and what to check; null while one is (or all are still starting)
 */
public record Live(Totals totals, List<InstanceRow> rows, RowFilter filter, String outage) {

  private static final int REASONS_SHOWN = 2;

  /**
   * The banner of a cluster with no instance up: nginx has nowhere to send requests. Only once a check
   * has failed somewhere; instances that are all still starting or checking are no outage yet.
   */
  static String outage(List<InstanceView> views) {
    if (views.isEmpty() || views.stream().anyMatch(view -> view.healthWord().equals("healthy") && !view.draining())
        || views.stream().noneMatch(view -> view.healthWord().equals("unhealthy"))) {
      return null;
    }
    List<String> reasons = views.stream().filter(view -> view.healthWord().equals("unhealthy") && view.healthError() != null)
        .map(InstanceView::healthError).distinct().limit(REASONS_SHOWN).toList();
    return "No instance is up, so every client request fails."
        + (reasons.isEmpty() ? "" : " The checks say: " + sentence(String.join("; ", reasons)))
        + " Check that the backends run and answer at the instances' upstream URLs, and read the bridges' logs on their pages.";
  }

  private static String sentence(String text) {
    return text.endsWith(".") || text.endsWith("…") ? text : text + ".";
  }

  /**
   * @param up instances whose bridge runs (or is external) and passes its health checks
   * @param requestsPerSecond the bridges' answers and nginx's own
   * @param errorsPerSecond the bridges' 5xx answers and every error nginx answered itself
   * @param nginxErrorsPerSecond the errors nginx answered itself (no bridge served the request), or null
   *     when the console runs no nginx of its own
   * @param revision the nginx revision being served, or a word for why there is none
   * @param rollback when that revision is a rollback, what it rolled back to and until when; else null
   */
  public record Totals(long up, int total, String requestsPerSecond, String errorsPerSecond,
      String nginxErrorsPerSecond, String revision, String rollback) {}

  /** What the summary above the table says: the totals, how many rows of how many the filter shows, the outage. */
  public String summaryDigest() {
    return Digests.of(totals + "|" + rows.size() + "|" + filter.narrows() + "|" + outage);
  }
}
