package dev.ollamabridge.console.web;

import dev.ollamabridge.console.edges.EdgeOverview;
import dev.ollamabridge.console.nginx.Revision;
import java.util.List;

/**
 * The nginx page: how nginx is run, what it serves, what an apply would change, the revisions and
 * the nginx settings.
 *
 * @param mode the nginx.mode setting: managed, system or off
 * @param applies whether the console applies configurations (false: it only renders them)
 * @param modeSetWith where the operator sets the mode, for the page to say
 * @param served the revision nginx serves, or null when none was applied yet
 * @param diff the unified diff from the served configuration to the one an apply would put in place; empty: no changes
 * @param pending the configuration an apply would put in place, or null when it cannot be rendered
 * @param renderError why it cannot be rendered, or null
 * @param hideAutomatic whether the list leaves out the revisions the console made by itself
 * @param unchanged whether an Apply just found nothing to change: the outcome says so, once
 * @param edges every edge and the revision it serves, which the page polls
 */
public record NginxPage(Layout layout, Outcome outcome, String mode, boolean applies, String modeSetWith,
    Revision served, String diff, String pending, String renderError, List<Revision> revisions, boolean hideAutomatic,
    boolean unchanged, SettingsForm settings, EdgeOverview edges) {

  /**
   * Whether nginx serves a rollback that the instances and settings no longer render, which the
   * next apply (an automatic one too) replaces.
   */
  public boolean servesRollback() {
    return served != null && served.rollback() && !diff.isEmpty();
  }

  public boolean serving(Revision revision) {
    return served != null && served.id() == revision.id();
  }

  /** The badge tone of a revision's result. */
  public static String tone(Revision revision) {
    return switch (revision.result()) {
      case "applied" -> "good";
      case "rejected", "failed" -> "bad";
      default -> "idle";
    };
  }
}
