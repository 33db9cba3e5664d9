package dev.ollamabridge.console.web;

import java.util.List;

/**
 * The part of the dashboard that updates itself ({@code instances/_live.jte}): the totals and every
 * instance's row, and what the last action did.
 *
 * @param notice what the action just taken did, or null
 * @param problem why the action just taken failed, or null
 */
public record Live(Totals totals, List<InstanceRow> rows, String notice, String problem) {

  /**
   * @param up instances whose bridge runs (or is external) and passes its health checks
   * @param requestsPerSecond the bridges' answers and nginx's own
   * @param errorsPerSecond the bridges' 5xx answers and every error nginx answered itself
   * @param nginxErrorsPerSecond the errors nginx answered itself (no bridge served the request), or null
   *     when the console runs no nginx of its own
   * @param revision the nginx revision being served, or a word for why there is none
   */
  public record Totals(long up, int total, String requestsPerSecond, String errorsPerSecond,
      String nginxErrorsPerSecond, String revision) {}
}
