package dev.ollamabridge.console.web;

import java.util.List;

/**
 * The end of a bridge's log, as the instance page follows it ({@code instances/_log.jte}). Its lines
 * are whatever the process, and through it a backend, wrote: the fragment shows them as escaped text
 * inside an {@code hx-disable} region, so that no markup in them becomes an element htmx would act on.
 */
public record LogTail(List<String> lines) {

  public String text() {
    return lines.isEmpty() ? "(nothing logged yet)" : String.join("\n", lines);
  }
}
