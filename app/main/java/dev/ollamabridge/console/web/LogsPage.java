package dev.ollamabridge.console.web;

import dev.ollamabridge.console.logs.LoggedRequest;
import dev.ollamabridge.console.logs.RequestLogs;
import java.util.List;

/**
 * The last requests across the cluster, newest first, and the filters they were chosen by (each as it
 * was typed, {@code ""}: none).
 *
 * @param instances the filter's choices of instance; {@code hosts} those of host
 * @param rows the URL follow mode polls for newer rows: the filters, without the cursor
 * @param cursor the place of the newest line shown, which follow mode starts from
 * @param nginxHosts the hosts whose nginx error log the page can show: local and the edges
 */
public record LogsPage(Layout layout, String status, String key, String model, String instance, String host, String text,
    List<String> statusClasses, List<String> instances, List<String> hosts, LogRows found, String rows, String cursor,
    List<RequestLogs.Source> unanswered, int skipped, List<String> nginxHosts, boolean filtered) {

  /** Rows of the table: the first page's, or those follow mode prepends. */
  public record LogRows(List<LoggedRequest> requests) {}
}
