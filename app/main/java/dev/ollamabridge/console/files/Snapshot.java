package dev.ollamabridge.console.files;

import dev.ollamabridge.console.instances.Instance;
import dev.ollamabridge.console.models.ModelRepository;
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
 * @param discovered the models each instance's bridge listed, by instance id
 * @param njs how nginx gets its JavaScript module, or null when it has none: then nginx does not
 *     route by model
 * @param stopped ids of the instances stopped on purpose, down in nginx until they are started
 */
public record Snapshot(
    List<Instance> instances,
    Map<Setting, String> settings,
    Set<Long> healthy,
    Set<Long> draining,
    Path dataDir,
    List<String> bridgeCommand,
    Map<Long, List<ModelRepository.Seen>> discovered,
    Njs njs,
    Set<Long> stopped) {

  /**
   * nginx's JavaScript module (njs), which reads a request's model.
   *
   * @param loadModule the module file a whole nginx.conf loads, or null when nginx loads it itself
   *     (a system nginx with Debian's libnginx-mod-http-js)
   * @param script the routing script the console writes, {@code router.js}
   */
  public record Njs(String loadModule, Path script) {}

  /** A snapshot without models, for the files that do not route by them. */
  public Snapshot(List<Instance> instances, Map<Setting, String> settings, Set<Long> healthy, Set<Long> draining,
      Path dataDir, List<String> bridgeCommand) {
    this(instances, settings, healthy, draining, dataDir, bridgeCommand, Map.of(), null);
  }

  /** A snapshot in which no instance was stopped on purpose. */
  public Snapshot(List<Instance> instances, Map<Setting, String> settings, Set<Long> healthy, Set<Long> draining,
      Path dataDir, List<String> bridgeCommand, Map<Long, List<ModelRepository.Seen>> discovered, Njs njs) {
    this(instances, settings, healthy, draining, dataDir, bridgeCommand, discovered, njs, Set.of());
  }

  public Snapshot {
    instances = List.copyOf(instances);
    settings = Map.copyOf(settings);
    healthy = Set.copyOf(healthy);
    draining = Set.copyOf(draining);
    bridgeCommand = List.copyOf(bridgeCommand);
    discovered = Map.copyOf(discovered);
    stopped = Set.copyOf(stopped);
  }

  String setting(Setting setting) {
    return settings.getOrDefault(setting, setting.defaultValue());
  }

  int integer(Setting setting) {
    return Integer.parseInt(setting(setting));
  }
}
