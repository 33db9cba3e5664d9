package dev.ollamabridge.console.web;

import dev.ollamabridge.console.logs.RequestLogs;
import java.util.List;

/**
 * One request's whole record: each line its bridge and its nginx wrote, pretty-printed JSON shown as
 * text. {@code layout} is null when the record is a fragment for the Logs page's panel.
 */
public record LogRecordPage(Layout layout, String id, List<Line> bridge, List<Line> nginx,
    List<RequestLogs.Source> unanswered) {

  /** A line: where it was written ({@code origin}) and its JSON, indented. */
  public record Line(String origin, String json) {}

  public boolean found() {
    return !bridge.isEmpty() || !nginx.isEmpty();
  }
}
