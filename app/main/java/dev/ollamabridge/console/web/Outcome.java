package dev.ollamabridge.console.web;

/**
 * What the last action on a page did, shown above it: a notice, or a problem with what
 * {@code nginx -t} said (null when it said nothing).
 */
public record Outcome(String notice, String problem, String testOutput) {

  static final Outcome NONE = new Outcome(null, null, null);

  static Outcome notice(String notice) {
    return new Outcome(notice, null, null);
  }

  static Outcome problem(String problem, String testOutput) {
    return new Outcome(null, problem, testOutput);
  }
}
