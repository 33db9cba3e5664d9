package dev.ollamabridge.console.web;

import java.util.List;

/** The generated files, each as it would be rendered now, with its download link. */
public record FilesPage(Layout layout, List<Preview> files) {

  /**
   * One file.
   *
   * @param text its text, or null when it cannot be rendered
   * @param error why not, or null
   */
  public record Preview(String name, String text, String error, String note) {}
}
