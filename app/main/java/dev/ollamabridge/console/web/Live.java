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
   * @param revision the nginx revision being served, or a word for why there is none
   * @param rollback when that revision is a rollback, what it rolled back to and until when; else null
   */
  public record Totals(long up, int total, String requestsPerSecond, String errorsPerSecond, String revision,
      String rollback) {}
}
