package dev.ollamabridge.console.files;

import dev.ollamabridge.console.instances.Instance;
import dev.ollamabridge.console.settings.Setting;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The state the generated files are made from, read at one moment.
 *
 * @param healthy ids of the instances whose health checks pass
 * @param draining ids of the instances being removed
 * @param bridgeCommand the argv prefix that starts this program with a bridge's JVM flags
 */
public record Snapshot(
    List<Instance> instances,
    Map<Setting, String> settings,
    Set<Long> healthy,
    Set<Long> draining,
    Path dataDir,
    List<String> bridgeCommand) {

  public Snapshot {
    instances = List.copyOf(instances);
    settings = Map.copyOf(settings);
    healthy = Set.copyOf(healthy);
    draining = Set.copyOf(draining);
    bridgeCommand = List.copyOf(bridgeCommand);
  }

  String setting(Setting setting) {
    return settings.getOrDefault(setting, setting.defaultValue());
  }

  int integer(Setting setting) {
    return Integer.parseInt(setting(setting));
  }
}
