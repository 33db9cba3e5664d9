package dev.ollamabridge.console.web;

import dev.ollamabridge.console.settings.Setting;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The settings that share a prefix ({@code health.*}), shown together; those without one are the
 * defaults new instances get.
 *
 * @param prefix the keys' prefix, or {@code ""} for those without one
 */
public record SettingGroup(String prefix, String title, List<Setting> settings) {

  private static final Map<String, String> TITLES = Map.ofEntries(
      Map.entry("", "Defaults for new instances"),
      Map.entry("health", "Health checks"),
      Map.entry("supervise", "Supervision of the bridges"),
      Map.entry("bridge", "The bridges' Java"),
      Map.entry("events", "Audit log"),
      Map.entry("models", "Model discovery"),
      Map.entry("metrics", "Metrics"),
      Map.entry("routing", "Model routing"),
      Map.entry("nginx", "nginx"),
      Map.entry("cache", "Caches"),
      Map.entry("backup", "Backups"),
      Map.entry("keys", "Client keys"),
      Map.entry("logs", "Request logs"));

  /** Every setting, by group, in the order {@link Setting} declares them. */
  static List<SettingGroup> all() {
    Map<String, List<Setting>> byPrefix = new LinkedHashMap<>();
    for (Setting setting : Setting.values()) {
      byPrefix.computeIfAbsent(prefix(setting), p -> new ArrayList<>()).add(setting);
    }
    List<SettingGroup> groups = new ArrayList<>();
    // a prefix without a title of its own (usage) is its own title, capitalised
    byPrefix.forEach((prefix, settings) -> groups.add(new SettingGroup(prefix, TITLES.getOrDefault(prefix,
        prefix.isEmpty() ? prefix : Character.toUpperCase(prefix.charAt(0)) + prefix.substring(1)), List.copyOf(settings))));
    return groups;
  }

  /** The settings of one prefix, as the nginx page edits them. */
  static List<Setting> of(String prefix) {
    return all().stream().filter(group -> group.prefix.equals(prefix)).flatMap(group -> group.settings.stream()).toList();
  }

  /** Whether the running console reads every setting of this group, some of them editable here, only when it starts. */
  public boolean readAtStart() {
    return settings.stream().allMatch(Setting::readAtStart) && settings.stream().anyMatch(setting -> !setting.operator());
  }

  /** Whether the settings page only shows this group and another page edits it. */
  public boolean editedElsewhere() {
    return prefix.equals("nginx");
  }

  private static String prefix(Setting setting) {
    int dot = setting.key().indexOf('.');
    return dot < 0 ? "" : setting.key().substring(0, dot);
  }
}
