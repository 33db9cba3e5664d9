package dev.ollamabridge.console.web;

import dev.ollamabridge.console.cache.SharedCache;
import dev.ollamabridge.console.instances.BridgeArchive;
import dev.ollamabridge.console.jdk.BridgeJava;
import dev.ollamabridge.console.settings.Setting;
import java.util.List;
import java.util.Map;

/**
 * The settings page: every setting by group, the console's own editable in one form, the
 * operator's shown read-only with where they are set.
 *
 * @param current every setting's value now, for the groups the form does not edit
 * @param bridgeJava the java the bridges are launched on, which bridge.java chose
 * @param archive where the bridges' shared class-data archive stands
 * @param cache where the shared Redis stands (a part of the page that refreshes itself)
 */
public record SettingsPage(Layout layout, Outcome outcome, List<SettingGroup> groups, Map<Setting, String> current,
    SettingsForm form, BridgeJava bridgeJava, BridgeArchive.Status archive, SharedCache.Status cache) {

  /** A CSS class for the archive's state: good, busy, bad or idle. */
  public String archiveTone() {
    return switch (archive.state()) {
      case "ready" -> "good";
      case "building" -> "busy";
      case "failed" -> "bad";
      default -> "idle";
    };
  }

  public String current(Setting setting) {
    return current.get(setting);
  }

  /** What an operator setting came to, shown beside its value; null when it is what it says. */
  public String outcome(Setting setting) {
    return setting == Setting.BRIDGE_JAVA ? "bridges run on " + bridgeJava.describe() : null;
  }
}
